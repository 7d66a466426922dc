"""The discovery units (services/collector/discovery/) against the declarations
(services/collector/declarations.py), from which the customer's minimal IAM policy is generated:
every module the engine runs exists, and units and declarations name the same resource types."""
from __future__ import annotations

import importlib
from collections import Counter
from pathlib import Path

import boto3
import pytest

from services.collector import declarations, discovery
from services.collector.discovery import MODULES, Unit, all_units


@pytest.mark.parametrize("name", MODULES)
def test_every_module_imports_and_exposes_units(name):
    module = importlib.import_module(f"services.collector.discovery.{name}")
    assert module.UNITS, f"{name} has no units"
    assert all(isinstance(unit, Unit) for unit in module.UNITS), name


def test_every_discovery_module_is_listed():
    """A module missing from MODULES would never run."""
    files = {path.stem for path in Path(discovery.__file__).parent.glob("*.py") if not path.stem.startswith("_")}
    assert files == set(MODULES)


def test_units_and_declarations_name_the_same_types():
    declared = {declaration.cfn_type for declaration in declarations.RESOURCE_TYPES}
    undeclared = {f"{unit.name}: {cfn_type}" for unit in all_units() for cfn_type in unit.types
                  if cfn_type not in declared}
    assert not undeclared, f"types produced but not declared: {sorted(undeclared)}"
    produced = {cfn_type for unit in all_units() for cfn_type in unit.types}
    assert not declared - produced, f"declared types no unit produces: {sorted(declared - produced)}"


def test_unit_names_are_unique():
    repeated = [name for name, count in Counter(unit.name for unit in all_units()).items() if count > 1]
    assert not repeated, f"unit names used more than once: {repeated}"


def test_unit_clients_are_boto3_services():
    services = set(boto3.session.Session().get_available_services())
    unknown = {f"{unit.name}: {unit.client}" for unit in all_units() if unit.client not in services}
    assert not unknown, f"not boto3 services: {sorted(unknown)}"
