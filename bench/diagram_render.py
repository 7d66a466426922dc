"""Diagram rendering: time and peak memory of render() per format, on synthetic blueprints.

    .venv/bin/python bench/diagram_render.py [--nodes 2000,10000,50000] [--projection isometric]

Documents from services/diagram/render/samples.py (account > region > VPC > zone > subnet, 24
nodes a subnet, about one edge a node). Each (size, format) runs in a fresh child process, so the
peak memory (ru_maxrss) is that render's own: the figure printed is the peak minus the child's
size after building the document. "png" is the drawing's own size at scale 1 (bounded to
16,384 px a side and 64 Mpx in all, services/diagram/render/raster.py); "png@2048" is 2,048 px
wide; "pdf" is a Letter page. Wall and CPU seconds are both printed: on a shared machine CPU time
is the steadier figure. Nothing is asserted.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

FORMATS = {
    "svg": ("svg", {}),
    "png": ("png", {}),
    "png@2048": ("png", {"width": 2048}),
    "pdf": ("pdf", {}),
    "mxGraph": ("mxGraph", {}),
    "json": ("json", {}),
}


def one(nodes: int, name: str, projection: str) -> dict:
    from services.diagram.options import ExportOptions
    from services.diagram.render import render
    from services.diagram.render.samples import synthetic
    data = synthetic(nodes)
    fmt, extra = FORMATS[name]
    options = ExportOptions(projection=projection, **extra)
    if fmt in ("png", "pdf"):
        # Imported before the baseline: the libraries' own size is not the render's.
        import services.diagram.render.raster  # noqa: F401
    base = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    body, _ = render(data, fmt, options)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    size = ""
    if fmt == "png":
        size = f"{int.from_bytes(body[16:20], 'big')}x{int.from_bytes(body[20:24], 'big')}"
    return {"wall": wall, "cpu": after.ru_utime + after.ru_stime - base.ru_utime - base.ru_stime,
            "peak_mb": (after.ru_maxrss - base.ru_maxrss) / 1024, "bytes": len(body), "size": size,
            "groups": len(data["groups"]), "edges": len(data["edges"])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nodes", default="2000,10000,50000")
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--projection", default="isometric", choices=("isometric", "2d"))
    parser.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(int(args.one[0]), args.one[1], args.projection)))
        return
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; projection {args.projection}")
    print(f"{'nodes':>6} {'format':9} {'wall s':>7} {'cpu s':>7} {'peak MB':>8} {'output':>10}  size")
    for nodes in (int(n) for n in args.nodes.split(",")):
        for name in args.formats.split(","):
            child = subprocess.run([sys.executable, __file__, "--projection", args.projection, "--one", str(nodes),
                                    name],
                                   capture_output=True, text=True, check=True)
            r = json.loads(child.stdout.strip().splitlines()[-1])
            print(f"{nodes:>6} {name:9} {r['wall']:7.2f} {r['cpu']:7.2f} {r['peak_mb']:8.0f} "
                  f"{r['bytes'] / 1e6:8.2f} MB  {r['size']}", flush=True)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
