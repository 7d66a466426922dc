"""The generated Python is committed; it must be exactly what protos/generate.py makes now, and
the protos must keep Buf's style rules."""
from __future__ import annotations

import importlib
import runpy

import pytest
from google.protobuf import descriptor_pb2

from tests.helpers.stack import REPO

generate = runpy.run_path(str(REPO / "protos" / "generate.py"))["generate"]


def generated_modules() -> list[str]:
    return sorted(".".join(p.relative_to(REPO).with_suffix("").parts)
                  for p in (REPO / "cloudsketch").rglob("*_pb2.py"))


def test_generated_code_has_not_drifted(tmp_path):
    fresh = {p.relative_to(tmp_path).as_posix(): p.read_bytes() for p in generate(tmp_path)}
    committed = {p.relative_to(REPO).as_posix(): p.read_bytes()
                 for p in (REPO / "cloudsketch").rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    assert sorted(fresh) == sorted(committed), "run: python protos/generate.py"
    stale = [name for name in fresh if fresh[name] != committed[name]]
    assert not stale, f"stale generated files {stale}; run: python protos/generate.py"


@pytest.mark.parametrize("module_name", generated_modules())
def test_buf_style(module_name):
    module = importlib.import_module(module_name)
    file = descriptor_pb2.FileDescriptorProto()
    module.DESCRIPTOR.CopyToProto(file)
    # PACKAGE_VERSION_SUFFIX and PACKAGE_DIRECTORY_MATCH
    assert file.package.startswith("cloudsketch.") and file.package.endswith(".v1")
    assert file.name.rsplit("/", 1)[0] == file.package.replace(".", "/")
    enums = list(file.enum_type) + [e for m in file.message_type for e in m.enum_type]
    for enum in enums:
        prefix = "".join("_" + c if c.isupper() else c for c in enum.name).lstrip("_").upper() + "_"
        assert enum.value[0].number == 0 and enum.value[0].name == prefix + "UNSPECIFIED", enum.name
        assert all(v.name.startswith(prefix) for v in enum.value), enum.name
    for service in file.service:
        assert service.name.endswith("Service")
        for method in service.method:
            assert method.input_type.endswith(f".{method.name}Request"), method.name
            assert method.output_type.endswith(f".{method.name}Response"), method.name


def test_every_service_has_an_api_contract():
    for area in ("identity", "accounts", "collector", "diagram", "budget"):
        module = importlib.import_module(f"cloudsketch.{area}.v1.{area}_pb2")
        assert module.DESCRIPTOR.services_by_name, area
