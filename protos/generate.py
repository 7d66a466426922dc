"""Generate the Python for every .proto under protos/ into the importable `cloudsketch` package.

    python protos/generate.py            # writes ./cloudsketch (committed)
    python protos/generate.py --out DIR  # writes DIR/cloudsketch (the drift test compares)

grpcio-tools is pinned in pyproject.toml so that the output is byte-for-byte reproducible.
"""
from __future__ import annotations

import argparse
import sys
from importlib import resources
from pathlib import Path

from grpc_tools import protoc

PROTO_ROOT = Path(__file__).resolve().parent
REPO_ROOT = PROTO_ROOT.parent


def generate(out: Path) -> list[Path]:
    protos = sorted(p.relative_to(PROTO_ROOT).as_posix() for p in PROTO_ROOT.rglob("*.proto"))
    well_known = str(resources.files("grpc_tools") / "_proto")
    out.mkdir(parents=True, exist_ok=True)
    args = ["protoc", f"-I{PROTO_ROOT}", f"-I{well_known}", f"--python_out={out}",
            f"--pyi_out={out}", f"--grpc_python_out={out}", *protos]
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed")
    # Every generated folder is a regular package, so `import cloudsketch.identity.v1` works.
    package_root = out / "cloudsketch"
    for folder in [package_root, *(p for p in package_root.rglob("*") if p.is_dir())]:
        if folder.name != "__pycache__":
            (folder / "__init__.py").touch()
    return sorted(p for p in package_root.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO_ROOT)
    files = generate(parser.parse_args(argv).out)
    print(f"generated {len(files)} files", file=sys.stderr)


if __name__ == "__main__":
    main()
