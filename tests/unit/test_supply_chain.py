"""Supply chain: pip-audit over the installed environment (every run-time and test dependency),
against PyPI's vulnerability data, with the reviewed exceptions of pip-audit-accepted.txt. Where
PyPI's per-release JSON API is out of reach (a mirror or a sandbox without pypi.org) pip-audit
cannot audit anything: the test skips and says so, rather than passing on an empty answer."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.stack import REPO

ACCEPTED = REPO / "pip-audit-accepted.txt"
ADVISORY = re.compile(r"^(PYSEC-\d{4}-\d+|GHSA(-[23456789cfghjmpqrvwx]{4}){3}|CVE-\d{4}-\d+)$")


def accepted_ids(path: Path = ACCEPTED) -> list[str]:
    ids = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        entry, _, why = line.partition("#")
        if not entry.strip():
            continue
        assert ADVISORY.match(entry.strip()), f"{path.name}:{number}: not an advisory id: {entry.strip()!r}"
        assert why.strip(), f"{path.name}:{number}: an accepted finding needs its reason after '#'"
        ids.append(entry.strip())
    return ids


def test_accepted_findings_are_well_formed():
    ids = accepted_ids()
    assert len(ids) == len(set(ids))


def test_no_known_vulnerability_in_the_installed_dependencies():
    pip_audit = shutil.which("pip-audit", path=str(Path(sys.executable).parent))
    assert pip_audit, "pip-audit is a test dependency (pyproject.toml): ./dev setup installs it"
    ignored = [arg for vuln in accepted_ids() for arg in ("--ignore-vuln", vuln)]
    done = subprocess.run([pip_audit, "--local", "--vulnerability-service", "pypi", "--format", "json",
                           "--progress-spinner", "off", *ignored],
                          capture_output=True, text=True, timeout=600)
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        pytest.skip(f"pip-audit could not run (exit {done.returncode}): {done.stderr.strip()[-300:]}")
    dependencies = [d for d in report["dependencies"] if d["name"] != "cloudsketch"]   # ours: not on PyPI
    audited = [d for d in dependencies if "skip_reason" not in d]
    if not audited:
        pytest.skip(f"pip-audit audited none of {len(dependencies)} dependencies: PyPI's vulnerability data is "
                    f"out of reach here ({dependencies[0]['skip_reason'] if dependencies else 'none installed'})")
    found = [f"{d['name']} {d['version']}: {v['id']} (fixed in {', '.join(v['fix_versions']) or 'no release'})"
             for d in audited for v in d["vulns"]]
    assert not found, "known vulnerabilities (upgrade, or accept in pip-audit-accepted.txt):\n" + "\n".join(found)
