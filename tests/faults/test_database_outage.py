"""The database gone for a moment, against real processes (identity-api, identity-worker and the
gateway on PostgreSQL) with PostgreSQL behind a TCP proxy the test cuts: the gateway answers 503
with Retry-After while it is away, the worker retries the event it could not handle, and both
recover without a restart once it is back; the event is handled once."""
from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests

from services.common import config
from services.common.events import EventPublisher
from services.common.processes import PROCESSES
from services.common.supervisor import Supervisor, child_for
from tests.helpers.collector import owner_key
from tests.helpers.databases import stored_rows
from tests.helpers.metrics import metric
from tests.helpers.stack import drop_service_schemas, stack_env, wait_for
from tests.helpers.tcp_proxy import TcpProxy

pytestmark = pytest.mark.slow
OUTAGE_SECONDS = 3600   # until the test restores it


@pytest.fixture
def stack(tmp_path, fresh_amqp_uri, postgres_server_url, monkeypatch):
    database = urlsplit(postgres_server_url)
    with TcpProxy(database.hostname, database.port or 5432) as proxy:
        netloc = database.netloc.rsplit("@", 1)[0] + "@" if "@" in database.netloc else ""
        proxied = urlunsplit(database._replace(netloc=f"{netloc}127.0.0.1:{proxy.port}"))
        env = stack_env(tmp_path, fresh_amqp_uri, proxied)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        supervisor = Supervisor(tmp_path / "logs", out=open(os.devnull, "w"))
        wanted = ("identity-api", "identity-worker", "gateway")
        try:
            supervisor.start_group([child_for(p) for p in PROCESSES if p.name in wanted])
            yield dict(env=env, proxy=proxy, amqp=fresh_amqp_uri, url=f"http://127.0.0.1:{env['CLOUDSKETCH_GATEWAY_PORT']}")
        finally:
            supervisor.stop_all()
    drop_service_schemas(postgres_server_url)


def test_a_database_outage_is_a_503_with_retry_after_and_workers_catch_up(stack):
    url, env, proxy = stack["url"], stack["env"], stack["proxy"]
    auth = {"Authorization": f"Bearer {owner_key(env)}"}
    worker = config.metrics_port("identity", "worker")
    assert requests.get(f"{url}/api/user/me", headers=auth, timeout=10).status_code == 200

    proxy.cut(OUTAGE_SECONDS)
    # (The gateway caches a key's authentication for a while; the audit log is read each time.)
    reply = requests.get(f"{url}/api/audit", headers=auth, timeout=30)
    assert reply.status_code == 503, reply.text
    assert int(reply.headers["Retry-After"]) > 0 and "error" in reply.json()
    # An event arrives while the database is away: identity-worker cannot record it yet.
    EventPublisher("accounts", stack["amqp"]).publish_payload(
        "account_registered", {"accountId": "acc-outage", "awsAccountId": "123456789012", "name": "During the outage",
                               "occurredAt": "2026-12-02T10:00:00Z"})
    wait_for(lambda: metric(worker, "nameko_worker_retried_total", service="identity",
                            entrypoint="on_account_registered", reason="transient") >= 2,
             timeout=60, what="identity-worker to retry the event")

    proxy.restore()
    assert wait_for(lambda: requests.get(f"{url}/api/audit", headers=auth, timeout=10).status_code == 200,
                    timeout=60, interval=0.5, what="the gateway to answer again")
    wait_for(lambda: stored_rows(env, "identity", "audit_events", "target_id", "acc-outage") == 1,
             timeout=60, what="the event to be recorded")
    assert metric(worker, "nameko_worker_handled_total", service="identity", entrypoint="on_account_registered",
                  outcome="ok") == 1
    assert metric(worker, "nameko_worker_dead_lettered_total", service="identity",
                  entrypoint="on_account_registered", reason="failing") == 0
