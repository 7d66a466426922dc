"""Reading a running process's Prometheus metrics."""
from __future__ import annotations

import re

import requests


def metric(port: int, name: str, **labels) -> float:
    """A sample from a process's /metrics (0 when absent)."""
    text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    match = re.search(rf"^{re.escape(name)}\{{{re.escape(wanted)}\}} (\S+)$", text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0
