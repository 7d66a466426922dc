"""No account event is lost when the broker is away from accounts-api: real processes (the whole
stack), with accounts-api reaching RabbitMQ through a proxy the test cuts while an account is
created and renamed. Once the broker is back, every event arrives and is handled exactly once:
identity-worker's audit entries, diagram-worker's live blueprint."""
from __future__ import annotations

import os

import pytest
import requests

from services.common import config
from services.demo import ensure_role
from tests.helpers.databases import stored_rows
from tests.helpers.metrics import metric
from tests.helpers.stack import admin, drop_service_schemas, stack_env, stack_with_proxied_broker, wait_for

pytestmark = pytest.mark.slow


@pytest.fixture(params=["sqlite", "postgresql"])
def stack(request, tmp_path, fresh_amqp_uri, moto_endpoint, monkeypatch):
    database = "" if request.param == "sqlite" else request.getfixturevalue("postgres_server_url")
    for key, value in stack_env(tmp_path, fresh_amqp_uri, database, moto_endpoint).items():
        monkeypatch.setenv(key, value)
    env = dict(os.environ)
    admin(env, "create-user", "--email", "owner@example.com", "--name", "Owner", "--role", "owner")
    key = admin(env, "create-api-key", "--email", "owner@example.com", "--mode", "rw")
    with stack_with_proxied_broker(tmp_path, fresh_amqp_uri, "accounts-api") as (_, proxy):
        yield dict(url=f"http://127.0.0.1:{env['CLOUDSKETCH_GATEWAY_PORT']}", key=key, proxy=proxy,
                   moto=moto_endpoint, env=env)
    if database:
        drop_service_schemas(database)


def test_account_events_written_while_the_broker_is_away_arrive_once(stack):
    url, proxy = stack["url"], stack["proxy"]
    auth = {"Authorization": f"Bearer {stack['key']}"}
    accounts_metrics = config.metrics_port("accounts", "api")
    parameters = requests.get(f"{url}/api/aws/account/iamParameters", headers=auth, timeout=10).json()
    role_arn = ensure_role(stack["moto"], parameters["externalId"], aws_account_id="210987654321",
                           role_name="cloudsketch-outbox", trusted_account_id=parameters["accountId"])

    proxy.cut(3600)  # the broker is away from accounts-api until the test lets it back
    created = requests.post(f"{url}/api/aws/account", headers=auth, timeout=30,
                            json={"name": "Production", "roleArn": role_arn})
    assert created.status_code == 201, created.text
    account = created.json()
    renamed = requests.put(f"{url}/api/aws/account/{account['id']}", headers=auth, timeout=30,
                           json={"name": "Production (renamed)"})
    assert renamed.status_code == 200, renamed.text
    # a retried create (its answer lost) names the account instead of making another
    again = requests.post(f"{url}/api/aws/account", headers=auth, timeout=30,
                          json={"name": "Production", "roleArn": role_arn})
    assert again.status_code == 409 and account["id"] in again.json()["error"], again.text

    assert stored_rows(stack["env"], "accounts", "outbox", "aggregate_id", account["id"]) == 2
    wait_for(lambda: metric(accounts_metrics, "outbox_publish_failures_total", service="accounts") > 0,
             what="accounts-api to count a failed publish")

    proxy.restore()
    wait_for(lambda: stored_rows(stack["env"], "accounts", "outbox", "aggregate_id", account["id"]) == 0,
             timeout=60, what="the outbox to empty")

    def audited():
        """identity-worker recorded the registration and the rename"""
        events = requests.get(f"{url}/api/audit?limit=1000", headers=auth, timeout=10).json()["events"]
        mine = sorted(e["action"] for e in events if e["targetId"] == account["id"])
        return mine if mine == ["account.added", "account.edited"] else None

    assert wait_for(audited, timeout=60) == ["account.added", "account.edited"]

    def blueprint_waits_for_a_scan():
        """diagram-worker handled account_registered"""
        reply = requests.get(f"{url}/api/aws/account/{account['id']}/us-east-1/json", headers=auth, timeout=10)
        return reply.status_code == 202 and reply.json().get("stage") == "awaiting_scan"

    wait_for(blueprint_waits_for_a_scan, timeout=60)
    assert stored_rows(stack["env"], "diagram", "live_blueprints", "account_id", account["id"]) == 1
    assert stored_rows(stack["env"], "identity", "audit_events", "target_id", account["id"]) == 2
    # each event was handled once
    for process, entrypoint in [("identity", "on_account_registered"), ("identity", "on_account_updated"),
                                ("diagram", "on_account_registered")]:
        port = config.metrics_port(process, "worker")
        assert metric(port, "nameko_worker_handled_total", entrypoint=entrypoint, outcome="ok",
                      service=process) == 1.0, (process, entrypoint)
