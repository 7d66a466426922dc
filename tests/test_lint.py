"""The repository passes ruff and mypy as pyproject.toml configures them ([tool.ruff], [tool.mypy]):
`.venv/bin/ruff check .` and `.venv/bin/mypy` give the same answers."""
from __future__ import annotations

import subprocess
import sys

from tests.helpers.stack import REPO


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=REPO, capture_output=True, text=True, timeout=600)


def test_ruff_finds_nothing():
    done = run("ruff", "check", "--no-cache", ".")
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_finds_nothing():
    done = run("mypy")
    assert done.returncode == 0, done.stdout + done.stderr
