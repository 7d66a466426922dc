"""The golden fingerprints (tests/services/collector/golden_fingerprints.json.gz) that
test_fingerprints_stable.py replays: for each case, a discovery unit's raw data (what its `get`
returned), the scope, and the fingerprint (engine.fingerprint) of every item its `transform` made
of it. A resource whose fingerprint changes is published as changed on the next sync of every
account that has it, so a change to how a type is described must keep them all.

The cases are every transform the discovery tests run (their fixtures and their moto estates)
and every unit run against the demo estate (services/demo_estate.py, two accounts, two regions,
scale 1). Made with the code as it stood before the discovery modules moved to specs; remake it
only for a change meant to alter what is stored (every account then sees those resources change):

    .venv/bin/python -m tests.services.collector.golden
"""
from __future__ import annotations

import gzip
import hashlib
import importlib
import json
import os
import subprocess
import sys
import time
import urllib.request
from datetime import datetime
from pathlib import Path

from services.collector.engine import fingerprint
from services.collector.model import Scope

GOLDEN = Path(__file__).with_name("golden_fingerprints.json.gz")
DEMO_REGIONS = ("us-east-1", "eu-west-1")


# --- Raw data as JSON: responses hold datetimes ------------------------------------------------

def _encode(value):
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dict):
        return {key: _encode(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(item) for item in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"no JSON for {type(value).__name__}")


def decode(value):
    if isinstance(value, dict):
        if set(value) == {"$datetime"}:
            return datetime.fromisoformat(value["$datetime"])
        return {key: decode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [decode(item) for item in value]
    return value


def load() -> list[dict]:
    with gzip.open(GOLDEN, "rt", encoding="utf-8") as file:
        return json.load(file)


# --- Recording ----------------------------------------------------------------------------------

class Recorder:
    def __init__(self):
        self.cases: dict[str, dict] = {}

    def record(self, unit_name: str, raw, scope: Scope, items) -> None:
        case = {"unit": unit_name, "scope": [scope.partition, scope.account_id, scope.region], "raw": _encode(raw),
                "fingerprints": {item.arn: fingerprint(item) for item in items}}
        key = hashlib.sha256(json.dumps([case["unit"], case["scope"], case["raw"]], sort_keys=True)
                             .encode()).hexdigest()
        self.cases.setdefault(key, case)

    def wrap(self, unit_name: str, transform):
        def recording(raw, scope):
            items = transform(raw, scope)
            self.record(unit_name, raw, scope, items)
            return items
        return recording

    def pytest_configure(self, config):
        """Every discovery module's transform functions and units record what they are given."""
        from services.collector.discovery import MODULES
        for name in MODULES:
            module = importlib.import_module(f"services.collector.discovery.{name}")
            for unit in module.UNITS:
                wrapped = self.wrap(unit.name, unit.transform)
                for attribute, value in vars(module).items():
                    if value is unit.transform:
                        setattr(module, attribute, wrapped)
                object.__setattr__(unit, "transform", wrapped)


def record_tests(recorder: Recorder) -> None:
    import pytest
    tests = sorted(str(path) for path in Path(__file__).parent.glob("test_discovery_*.py"))
    code = pytest.main(["-q", "-x", "-p", "no:cacheprovider", *tests], plugins=[recorder])
    if code != 0:
        raise SystemExit(f"the discovery tests failed ({code}): no golden file from a failing run")


def record_demo_estate(recorder: Recorder) -> None:
    from services.collector.discovery import GLOBAL_REGION, Context, all_units
    from services.common.supervisor import free_port
    from services.demo import account_client
    from services.demo_estate import DEFAULT_ACCOUNTS, seed
    from tests.helpers.aws import AWS_TEST_ENV

    os.environ.update(AWS_TEST_ENV)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        seed(endpoint, accounts=DEFAULT_ACCOUNTS, regions=DEMO_REGIONS, scale=1)
        units = all_units()
        for account in DEFAULT_ACCOUNTS:
            for region in ("", *DEMO_REGIONS):
                scope = Scope("aws", account, region)
                for unit in units:
                    if unit.global_ != (region == ""):
                        continue
                    client = account_client(unit.client, endpoint, account, region or GLOBAL_REGION)
                    try:
                        raw = unit.get(Context(client, scope))
                    except Exception as exc:   # moto lacks Keyspaces and DescribeServerlessCaches
                        print(f"{account} {region or 'global'} {unit.name}: {type(exc).__name__}", file=sys.stderr)
                        continue
                    unit.transform(raw, scope)
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    recorder = Recorder()
    record_tests(recorder)
    record_demo_estate(recorder)
    cases = sorted(recorder.cases.values(), key=lambda case: (case["unit"], json.dumps(case["scope"])))
    with gzip.GzipFile(GOLDEN, "wb", mtime=0) as file:
        file.write(json.dumps(cases, separators=(",", ":")).encode())
    items = sum(len(case["fingerprints"]) for case in cases)
    print(f"{GOLDEN.name}: {len(cases)} cases, {items} items, {GOLDEN.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
