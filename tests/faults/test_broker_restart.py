"""RabbitMQ "restarted" in the middle of a sync, against real processes: every process of the stack
reaches the broker through a TCP proxy that the test cuts (every connection dropped, new ones
refused for a few seconds: what the processes see of a broker restart, without restarting the
broker the rest of the test session shares). No change is lost (the diagram ends with every
resource of the collector's inventory), and every process reconnects: the workers consume again
(identity-worker records a rename made after the restart) and the apis publish again."""
from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import pytest
import requests

from services.common.supervisor import LocalStack
from services.demo import account_client
from tests.helpers.collector import REGIONS, collector_rows, connect, finished_sync, owner_key
from tests.helpers.databases import stored_rows
from tests.helpers.stack import drop_service_schemas, stack_env, wait_for
from tests.helpers.tcp_proxy import TcpProxy

pytestmark = pytest.mark.slow


@pytest.fixture
def stack(tmp_path, fresh_amqp_uri, moto_endpoint, postgres_server_url, monkeypatch):
    broker = urlsplit(fresh_amqp_uri)
    with TcpProxy(broker.hostname, broker.port or 5672) as proxy:
        proxied = urlunsplit(broker._replace(netloc=f"{broker.username}:{broker.password}@127.0.0.1:{proxy.port}"))
        env = stack_env(tmp_path, proxied, postgres_server_url, moto_endpoint)
        env["CLOUDSKETCH_SYNC_INTERVAL_SECONDS"] = "3600"
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        with LocalStack(tmp_path / "logs"):
            yield dict(env=env, proxy=proxy, moto=moto_endpoint,
                       url=f"http://127.0.0.1:{env['CLOUDSKETCH_GATEWAY_PORT']}")
    drop_service_schemas(postgres_server_url)


def blueprint_arns(url: str, auth: dict, account_id: str, region: str) -> set[str]:
    reply = requests.get(f"{url}/api/aws/account/{account_id}/{region}/json", headers=auth, timeout=30)
    if reply.status_code != 200:
        return set()
    data = reply.json()["data"]
    return {n["arn"] for n in data["nodes"]} | {g["arn"] for g in data["groups"] if g.get("arn")}


def test_a_broker_restart_mid_sync_loses_no_change_and_every_process_reconnects(stack):
    url, env, auth = stack["url"], stack["env"], {"Authorization": f"Bearer {owner_key(stack['env'])}"}
    account_id, aws_account_id = connect(stack, auth)
    assert finished_sync(url, auth, account_id)["state"] == "finished"
    for region in REGIONS:
        sqs = account_client("sqs", stack["moto"], aws_account_id, region)
        for index in range(10):
            sqs.create_queue(QueueName=f"restart-{index}")
    sync_id = requests.post(f"{url}/api/aws/account/{account_id}/sync", headers=auth, timeout=10).json()["syncId"]
    wait_for(lambda: collector_rows(env, "SELECT 1 FROM syncs WHERE sync_id = :s AND state = 'running'", s=sync_id),
             timeout=60, interval=0.02, what="the sync to run")
    stack["proxy"].cut(3)

    # Whatever that sync managed before the broker went, a sync after it publishes the rest.
    state = finished_sync(url, auth, account_id, sync_id)["state"]
    if state == "failed":
        again = wait_for(lambda: requests.post(f"{url}/api/aws/account/{account_id}/sync", headers=auth,
                                               timeout=10).json().get("syncId"), timeout=60)
        assert finished_sync(url, auth, account_id, again)["state"] == "finished"
    added = {f"arn:aws:sqs:us-east-1:{aws_account_id}:restart-{index}" for index in range(10)}
    inventory = {row.arn for row in collector_rows(env, "SELECT arn FROM resources WHERE account_id = :a AND "
                                                   "region = 'us-east-1' AND arn LIKE '%:sqs:%'", a=account_id)}
    assert added <= inventory
    # diagram-worker consumed every batch: its blueprint draws every queue of the inventory.
    drawn = wait_for(lambda: (arns := blueprint_arns(url, auth, account_id, "us-east-1")) >= inventory and arns,
                     timeout=90, interval=0.5, what="the diagram to draw every queue")
    assert {arn for arn in drawn if ":sqs:" in arn} == inventory

    # accounts-api publishes again and identity-worker consumes again.
    renamed = requests.put(f"{url}/api/aws/account/{account_id}", headers=auth, timeout=30,
                           json={"name": "After the restart"})
    assert renamed.status_code == 200, renamed.text
    wait_for(lambda: stored_rows(env, "identity", "audit_events", "target_id", account_id) == 2, timeout=60,
             what="identity-worker to record the rename")
