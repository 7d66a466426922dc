"""Running cloudsketch's processes in tests: the repository, polling, a stack's environment and
clearing its PostgreSQL schemas."""
from __future__ import annotations

import sqlite3
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from services.common.config import SERVICES
from services.common.healthcheck import http_ok
from services.common.supervisor import Child, isolated_env
from tests.helpers.aws import AWS_TEST_ENV

REPO = Path(__file__).resolve().parents[2]


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.02, what: str | None = None):
    """predicate()'s first true value, polled until `timeout` (a bound, never a timing assertion)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"not true after {timeout}s: {what or predicate.__doc__ or predicate}")


def drop_service_schemas(url: str) -> None:
    """Services keep their tables in schemas named after them; drop them for the next test."""
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        for schema in SERVICES:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


def stack_env(tmp_path: Path, amqp: str, database: str, aws_endpoint: str = "") -> dict[str, str]:
    """Environment for a whole stack on free ports, isolated in tmp_path (and pointed at a moto
    server when given one)."""
    env = isolated_env(tmp_path, amqp, database)
    if aws_endpoint:
        env.update(AWS_TEST_ENV, AWS_ENDPOINT_URL=aws_endpoint)
    return env


def faulty_worker(port: int, journal: Path) -> Child:
    """tests/helpers/faulty_worker.py as a process, its metrics on `port`."""
    return Child("faulty-worker", [sys.executable, "-m", "tests.helpers.faulty_worker"],
                 lambda: http_ok(f"http://127.0.0.1:{port}/healthz", timeout=0.5), f"metrics :{port}",
                 env={"CLOUDSKETCH_METRICS_PORT": str(port), "PYTHONPATH": str(REPO), "FAULTY_JOURNAL": str(journal)})


def journal_of(journal: Path, step: str) -> list[str]:
    """The jobs the faulty worker journalled at `step` ("started", "finished"), in order."""
    if not journal.exists():
        return []
    with sqlite3.connect(journal) as db:
        try:
            return [job for (job,) in db.execute("SELECT job FROM journal WHERE step = ? ORDER BY rowid", (step,))]
        except sqlite3.OperationalError:   # the worker has not created its table yet
            return []
