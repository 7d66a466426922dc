"""The collector as it runs: real processes (every process of the stack plus a second
collector-worker), RabbitMQ, PostgreSQL and a moto server behind the fault proxy. Registering an
account syncs it; POST /sync syncs it again; two replicas never sync one account-region at once;
and cutting the broker mid-sync loses no change."""
from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests

from services.demo import account_client
from tests.helpers.aws_faults import FaultProxy
from tests.helpers.collector import (
    REGIONS,
    collector_rows,
    connect,
    finished_sync,
    owner_key,
    stack_with_events,
)
from tests.helpers.stack import stack_env, wait_for
from tests.helpers.tcp_proxy import TcpProxy

pytestmark = pytest.mark.slow


@pytest.fixture
def stack(tmp_path, amqp_uri, moto_endpoint, postgres_server_url, monkeypatch):
    """The stack on PostgreSQL, its AMQP through a cuttable proxy and its AWS through a fault proxy
    (50 ms a call, so that a sync lasts long enough to be interrupted)."""
    broker = urlsplit(amqp_uri)
    with TcpProxy(broker.hostname, broker.port or 5672) as amqp_proxy, \
            FaultProxy(moto_endpoint, latency=0.05) as aws_proxy:
        proxied = urlunsplit(broker._replace(netloc=f"{broker.username}:{broker.password}@127.0.0.1:{amqp_proxy.port}"))
        env = stack_env(tmp_path, proxied, postgres_server_url, aws_proxy.url)
        with stack_with_events(tmp_path, monkeypatch, env, amqp_uri, second_collector=True) as stack:
            yield dict(stack, amqp_proxy=amqp_proxy, aws_proxy=aws_proxy, moto=moto_endpoint, logs=tmp_path / "logs")


def test_registering_syncs_the_account_and_two_replicas_never_sync_one_region_at_once(stack):
    url, auth = stack["url"], {"Authorization": f"Bearer {owner_key(stack['env'])}"}
    account_id, aws_account_id = connect(stack, auth)
    first = finished_sync(url, auth, account_id)
    assert first["state"] == "finished", first
    assert first["counts"]["resources"] >= 2 * (3 + 3 + 3 + 3)   # VPCs, subnets, groups, queues per region
    assert first["counts"]["added"] == first["counts"]["resources"] and first["counts"]["apiCalls"] > 0
    events = stack["events"]
    upserted = {r["arn"] for batch in events.of("resources_changed", account_id) for r in batch.get("upserted", [])}
    assert f"arn:aws:sqs:eu-west-1:{aws_account_id}:jobs-2" in upserted
    assert len(events.of("sync_finished", account_id)) == 1

    # Ask again and again while syncs run: requests coalesce while one is queued, and the two
    # replicas take turns; a region leased by one is skipped by the other.
    sync_ids = set()
    for _ in range(12):
        reply = requests.post(f"{url}/api/aws/account/{account_id}/sync", headers=auth, timeout=10)
        assert reply.status_code == 202, reply.text
        sync_id = reply.json()["syncId"]
        sync_ids.add(sync_id)
        wait_for(lambda sync_id=sync_id: collector_rows(
                     stack["env"], "SELECT 1 FROM syncs WHERE account_id = :a AND state <> 'queued' AND sync_id = :s",
                     a=account_id, s=sync_id),
                 timeout=60, interval=0.05, what="the sync to start")
    wait_for(lambda: not collector_rows(stack["env"], "SELECT 1 FROM syncs WHERE account_id = :a AND state IN "
                                        "('queued', 'running')", a=account_id), timeout=180, interval=0.3)
    runs = collector_rows(stack["env"], "SELECT region_runs FROM syncs WHERE account_id = :a", a=account_id)
    every_run = [run for (region_runs,) in runs for run in region_runs]
    # Holders are "<host>-<pid>-<nonce>/<sync>": both processes took requests.
    assert len({run["holder"].split("/")[0] for run in every_run}) == 2, "both replicas should have taken requests"
    held = [run for run in every_run if not run["skipped"]]
    for region in REGIONS + [""]:
        spans = sorted((datetime.fromisoformat(r["started_at"]), datetime.fromisoformat(r["finished_at"]))
                       for r in held if r["region"] == region)
        for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
            assert end <= start, f"two syncs of {region or 'global'} overlapped"
    # Nothing changed in AWS: none of those syncs published a resource.
    later = [b for b in events.of("resources_changed", account_id) if b["syncId"] != first["syncId"]]
    assert later == []


def test_a_broker_restart_mid_sync_loses_no_change(stack):
    url, auth = stack["url"], {"Authorization": f"Bearer {owner_key(stack['env'])}"}
    account_id, aws_account_id = connect(stack, auth)
    assert finished_sync(url, auth, account_id)["state"] == "finished"
    # Changes in AWS, then a sync during which the broker goes away for three seconds.
    for region in REGIONS:
        sqs = account_client("sqs", stack["moto"], aws_account_id, region)
        for index in range(20):
            sqs.create_queue(QueueName=f"new-{index}")
    expected = {f"arn:aws:sqs:{region}:{aws_account_id}:new-{index}" for region in REGIONS for index in range(20)}
    sync_id = requests.post(f"{url}/api/aws/account/{account_id}/sync", headers=auth, timeout=10).json()["syncId"]
    wait_for(lambda: collector_rows(stack["env"], "SELECT 1 FROM syncs WHERE sync_id = :s AND state = 'running'",
                                    s=sync_id), timeout=60, interval=0.02)
    stack["amqp_proxy"].cut(3)
    result = wait_for(lambda: collector_rows(stack["env"], "SELECT state, message FROM syncs WHERE sync_id = :s AND "
                                             "state IN ('finished', 'failed')", s=sync_id), timeout=180, interval=0.3)
    # Whatever that sync managed, a sync after it publishes the rest: every change reaches the bus.
    if result[0].state == "failed":
        again = wait_for(lambda: requests.post(f"{url}/api/aws/account/{account_id}/sync", headers=auth,
                                               timeout=10).json().get("syncId"), timeout=60)
        assert finished_sync(url, auth, account_id, again)["state"] == "finished"
    published = {r["arn"] for batch in stack["events"].of("resources_changed", account_id)
                 for r in batch.get("upserted", [])}
    assert expected <= published
    # And the collector recorded exactly what it published.
    recorded = {row.arn for row in collector_rows(stack["env"], "SELECT arn FROM resources WHERE account_id = :a",
                                                  a=account_id)}
    assert expected <= recorded <= published
