"""Services meet only through protos and the bus (docs/architecture.md, "Boundaries"). Every import
of every module under gateway/ and services/ is read with `ast`, imports inside functions
included, and checked against what its part of the code may import from this repository:

- a service package, services/<name>/: the generated protos (cloudsketch.*), services/common and
  its own package;
- services/common: only itself (it knows no service, not even a service's protos);
- the gateway, gateway/: the generated protos, services/common and itself;
- the cloudsketch command and the demo (the modules directly in services/: cli.py, demo.py,
  demo_estate.py): the generated protos, services/common and each other; they reach the services
  over gRPC, or start a service's own command as a process.

Not checked: tests/ and bench/, which drive services' internals on purpose (a benchmark runs the
collector's sync in-process to time it), and the generated cloudsketch/ package. Third-party and
standard-library imports are anyone's. There is no list of exceptions.

The same imports must not form a cycle between modules.
"""
from __future__ import annotations

import ast
from pathlib import Path

from tests.helpers.stack import REPO

CHECKED = ("gateway", "services")
OURS = ("cloudsketch", "gateway", "services", "tests", "bench")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(name: str) -> bool:
    base = REPO.joinpath(*name.split("."))
    return base.with_suffix(".py").is_file() or base.is_dir()  # service packages have no __init__.py


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) for every import of one of this repository's modules in the file."""
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    return imports_in(path.read_text(), package)


def imports_in(source: str, package: str) -> list[tuple[int, str]]:
    """The same for source code in `package`, at any depth (inside functions too)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:  # `from services import demo` imports the module services.demo
                found.append((node.lineno, f"{base}.{alias.name}" if is_module(f"{base}.{alias.name}") else base))
    return sorted({(line, name) for line, name in found if name.split(".")[0] in OURS})


def within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def part_of(module: str) -> str:
    """gateway, services.common, services.<service>, or "tooling" (the modules directly in services/)."""
    parts = module.split(".")
    if parts[0] == "gateway":
        return "gateway"
    if len(parts) >= 2 and (REPO / "services" / parts[1]).is_dir():  # packages, namespace ones included
        return ".".join(parts[:2])
    return "tooling"


def allowed(importer: str, imported: str) -> bool:
    part = part_of(importer)
    if part == "services.common":
        return within(imported, "services.common")
    if within(imported, "cloudsketch") or within(imported, "services.common"):
        return True
    if part == "tooling":
        return part_of(imported) == "tooling" and within(imported, "services")
    return within(imported, part)


def modules() -> dict[str, Path]:
    return {module_name(p): p for top in CHECKED for p in sorted((REPO / top).rglob("*.py"))
            if "__pycache__" not in p.parts}


def test_no_import_crosses_a_boundary():
    crossings = [f"{path.relative_to(REPO)}:{line} ({part_of(name)}) imports {imported}"
                 for name, path in modules().items() for line, imported in imports(path)
                 if not allowed(name, imported)]
    assert not crossings, "imports across a boundary:\n" + "\n".join(crossings)


def test_the_rules_see_the_crossings_they_forbid():
    assert not allowed("services.accounts.onboarding", "services.collector.declarations")
    assert not allowed("gateway.api.users", "services.identity.permissions")
    assert not allowed("services.common.grpc_server", "cloudsketch.identity.v1.identity_pb2")
    assert not allowed("services.demo", "services.identity.domain")
    assert not allowed("services.demo_estate", "services.collector.model")
    assert not allowed("services.collector.api", "gateway.errors")
    assert allowed("services.accounts.onboarding", "cloudsketch.collector.v1.collector_pb2")
    assert allowed("gateway.api.users", "services.common.timeutil")
    assert allowed("services.demo", "services.demo_estate")
    # inside functions and relative forms count too
    source = "def f():\n    from ..collector import model\n    from . import domain\n    import gateway.web\n"
    assert imports_in(source, "services.identity") == [
        (2, "services.collector.model"), (3, "services.identity.domain"), (4, "gateway.web")]


def test_no_import_cycles():
    graph = {name: {imported for _, imported in imports(path) if imported != name}
             for name, path in modules().items()}
    cycles, state = [], {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                cycles.append(" -> ".join(trail[trail.index(nxt):] + [node, nxt]) if nxt in trail
                              else f"{node} -> {nxt}")
            elif nxt in graph and nxt not in state:
                visit(nxt, trail + [node])
        state[node] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [])
    assert not cycles, "import cycles:\n" + "\n".join(cycles)
