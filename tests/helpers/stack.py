"""Running cloudsketch's processes in tests: the repository, polling, a stack's environment,
`cloudsketch up` and `cloudsketch admin`, a stack with one process's broker connection through a
TcpProxy, and clearing a stack's PostgreSQL schemas."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import sqlalchemy as sa

from services.common.config import SERVICES
from services.common.healthcheck import http_ok
from services.common.supervisor import Child, Supervisor, isolated_env, stack_groups
from tests.helpers.aws import AWS_TEST_ENV
from tests.helpers.tcp_proxy import TcpProxy

REPO = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "services.cli"]


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


def admin(env: dict[str, str], *args: str) -> str:
    """`cloudsketch admin ARGS` with `env`: its output (an API key, for create-api-key)."""
    done = subprocess.run([*CLI, "admin", *args], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@contextmanager
def cloudsketch_up(env: dict[str, str]) -> Iterator[tuple[subprocess.Popen, list[str]]]:
    """`cloudsketch up` with `env` (os.environ plus stack_env's), once it says it is up: the process
    and the lines it printed until then. Leaving stops it (if the test has not) and drops the
    services' schemas when the stack is on PostgreSQL."""
    up = subprocess.Popen([*CLI, "up"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines = []
        deadline = time.monotonic() + 120
        assert up.stdout is not None
        for line in up.stdout:
            lines.append(line.rstrip())
            if "cloudsketch is up" in line or time.monotonic() > deadline:
                break
        assert any("cloudsketch is up" in line for line in lines), "\n".join(lines)
        yield up, lines
    finally:
        stopped = True
        if up.poll() is None:
            up.terminate()
            try:
                up.wait(timeout=30)
            except subprocess.TimeoutExpired:
                stopped = False
                up.kill()     # its children get SIGTERM as it dies (PR_SET_PDEATHSIG): none is left
                up.wait()
        if env.get("CLOUDSKETCH_DATABASE_URL"):
            drop_service_schemas(env["CLOUDSKETCH_DATABASE_URL"])
        assert stopped, "cloudsketch up did not stop within 30 s of SIGTERM"


@contextmanager
def proxied_broker(amqp: str) -> Iterator[tuple[TcpProxy, str]]:
    """A TcpProxy in front of the broker at `amqp`, and the AMQP URI that goes through it."""
    broker = urlsplit(amqp)
    with TcpProxy(broker.hostname, broker.port or 5672) as proxy:
        yield proxy, urlunsplit(broker._replace(netloc=f"{broker.username}:{broker.password}@127.0.0.1:{proxy.port}"))


@contextmanager
def stack_with_proxied_broker(tmp_path: Path, amqp: str, process: str) -> Iterator[tuple[Supervisor, TcpProxy]]:
    """Every process of the stack (configured by os.environ), `process` reaching the broker at
    `amqp` through a TcpProxy the test may cut, every other one directly: its supervisor and that
    proxy. Leaving stops every process."""
    with proxied_broker(amqp) as (proxy, proxied):
        supervisor = Supervisor(tmp_path / "logs", out=open(os.devnull, "w"))
        try:
            for group in stack_groups():
                for child in group:
                    if child.name == process:
                        child.env["CLOUDSKETCH_AMQP_URI"] = proxied
                supervisor.start_group(group)
            yield supervisor, proxy
        finally:
            supervisor.stop_all()


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
