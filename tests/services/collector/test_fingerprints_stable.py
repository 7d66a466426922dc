"""An unchanged estate re-syncs with no change: every discovery unit, given the raw data recorded
in tests/services/collector/golden_fingerprints.json.gz (the discovery tests' fixtures and the demo
estate; tests/services/collector/golden.py says how it was made), makes items with exactly the recorded
ARNs and fingerprints (engine.fingerprint: type, name, region, tags, attributes with their value
types and absent values, edges)."""
from __future__ import annotations

from collections import Counter

from services.collector import declarations
from services.collector.discovery import all_units
from services.collector.engine import fingerprint
from services.collector.model import Scope
from tests.services.collector.golden import decode, load


def test_every_recorded_unit_makes_the_recorded_fingerprints():
    units = {unit.name: unit for unit in all_units()}
    cases = load()
    assert set(case["unit"] for case in cases) <= set(units)
    changed: Counter = Counter()
    for case in cases:
        items = units[case["unit"]].transform(decode(case["raw"]), Scope(*case["scope"]))
        made = {item.arn: fingerprint(item) for item in items}
        if made != case["fingerprints"]:
            changed[case["unit"]] += len(set(made.items()) ^ set(case["fingerprints"].items()))
    assert not changed, f"fingerprints changed (unit: ARNs made or expected differently): {dict(changed)}"


def test_the_golden_file_covers_every_unit_and_declared_type():
    units = {unit.name: unit for unit in all_units()}
    cases = load()
    assert {case["unit"] for case in cases if case["fingerprints"]} == set(units)
    types = {item.type for case in cases
             for item in units[case["unit"]].transform(decode(case["raw"]), Scope(*case["scope"]))}
    assert types == {declaration.cfn_type for declaration in declarations.RESOURCE_TYPES}
    assert sum(len(case["fingerprints"]) for case in cases) > 500
