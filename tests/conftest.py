"""Shared fixtures. Tests use the real dependencies: RabbitMQ and PostgreSQL from a Docker engine
via testcontainers when one answers, otherwise the local services (URLs below), each test session
in its own RabbitMQ vhost and its own PostgreSQL database so runs never see each other's data.

    CLOUDSKETCH_TEST_AMQP_URI      default amqp://guest:guest@127.0.0.1:5672/
    CLOUDSKETCH_TEST_POSTGRES_URL  default postgresql://postgres@127.0.0.1:5432/test
"""
from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import sqlalchemy as sa

from services.collector import engine
from services.common.supervisor import free_port
from tests.helpers.aws import AWS_TEST_ENV
from tests.helpers.stack import drop_service_schemas

LOCAL_AMQP = os.environ.get("CLOUDSKETCH_TEST_AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/")
LOCAL_POSTGRES = os.environ.get("CLOUDSKETCH_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def docker_engine_answers() -> bool:
    try:
        import docker
        docker.from_env(timeout=3).ping()
        return True
    except Exception:
        return False


class Broker:
    """The tests' RabbitMQ: a testcontainers broker when a Docker engine answers, else the local one.
    Vhosts of their own keep test sessions, and tests that count deliveries, apart."""

    def __init__(self, uri: str, ctl):
        self.uri, self._ctl = uri, ctl   # ctl(args) runs rabbitmqctl there; None: none reachable

    def vhost_uri(self, vhost: str) -> str:
        return self.uri.rstrip("/") + "/" + vhost

    def add_vhost(self, vhost: str) -> bool:
        if self._ctl is None or not self._ctl(["add_vhost", vhost]):
            return False
        user = urlsplit(self.uri).username or "guest"
        return self._ctl(["set_permissions", "-p", vhost, user, ".*", ".*", ".*"])

    def delete_vhost(self, vhost: str) -> None:
        self._ctl(["delete_vhost", vhost])


@pytest.fixture(scope="session")
def rabbitmq():
    if docker_engine_answers():
        from testcontainers.rabbitmq import RabbitMqContainer
        with RabbitMqContainer("rabbitmq:3.13") as container:
            params = container.get_connection_params()
            yield Broker(f"amqp://guest:guest@{params.host}:{params.port}/",
                         lambda args: container.exec(["rabbitmqctl", *args]).exit_code == 0)
        return
    ctl = shutil.which("rabbitmqctl")
    yield Broker(LOCAL_AMQP, (lambda args: subprocess.run([ctl, *args], capture_output=True).returncode == 0)
                 if ctl else None)


@contextlib.contextmanager
def own_vhost(broker: Broker):
    """A RabbitMQ vhost of its own (the broker's default vhost where none can be made)."""
    vhost = f"cloudsketch-test-{uuid.uuid4().hex[:8]}"
    if not broker.add_vhost(vhost):
        yield broker.uri
        return
    try:
        yield broker.vhost_uri(vhost)
    finally:
        broker.delete_vhost(vhost)


@pytest.fixture(scope="session")
def amqp_uri(rabbitmq):
    """This test session's RabbitMQ vhost."""
    with own_vhost(rabbitmq) as uri:
        yield uri


@pytest.fixture
def fresh_amqp_uri(rabbitmq):
    """A vhost for one test, for tests that count deliveries: durable queues in the session's vhost
    may still hold events that earlier tests' stacks published and never consumed."""
    with own_vhost(rabbitmq) as uri:
        yield uri


@pytest.fixture(scope="session")
def postgres_server_url():
    """A PostgreSQL database of this test session's own."""
    if docker_engine_answers():
        from testcontainers.postgres import PostgresContainer
        with PostgresContainer("postgres:16", driver=None) as pg:
            yield pg.get_connection_url()
        return
    name = f"cloudsketch_test_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(LOCAL_POSTGRES.replace("postgresql://", "postgresql+psycopg://", 1),
                             isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    parts = urlsplit(LOCAL_POSTGRES)
    yield urlunsplit(parts._replace(path=f"/{name}"))
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path, monkeypatch):
    """Each service database test runs on SQLite and on PostgreSQL (a fresh schema set each test)."""
    monkeypatch.setenv("CLOUDSKETCH_DATA_DIR", str(tmp_path / "data"))
    if request.param == "sqlite":
        monkeypatch.setenv("CLOUDSKETCH_DATABASE_URL", "")
        yield ""
        return
    url = request.getfixturevalue("postgres_server_url")
    monkeypatch.setenv("CLOUDSKETCH_DATABASE_URL", url)
    yield url
    drop_service_schemas(url)


@pytest.fixture(scope="session")
def moto_endpoint():
    """A moto server (one process that every cloudsketch process of a test can reach)."""
    import sys
    import time
    import urllib.request

    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                              env={**os.environ, "MOTO_IAM_LOAD_MANAGED_POLICIES": "true"},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(url + "/moto-api/", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    yield url
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:  # still serving a request the test abandoned
        server.kill()
        server.wait()


# Debian's headless Chromium (never a downloaded browser), with the flags this closed network needs.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-gpu"]


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole session: Playwright's sync API allows one instance per process
    (a second sync_playwright() while the first runs fails)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (./dev test does, as root)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def aws_account() -> str:
    """An AWS account id of the test's own, so tests share the moto server without seeing each other."""
    return f"2{uuid.uuid4().int % 10 ** 11:011d}"


@pytest.fixture
def aws_env(monkeypatch, moto_endpoint):
    for key, value in AWS_TEST_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    monkeypatch.setattr(engine, "BACKOFF_SECONDS", 0.01)
    return moto_endpoint
