"""Throttling storms and 5xx from AWS, against real processes (the whole stack on PostgreSQL)
with moto behind the fault-injecting proxy: a sync during which every kind of call it makes is
throttled again and again, and others answer 500 and 503, still finishes with every change
published and no gap."""
from __future__ import annotations

import pytest
import requests

from services.demo import account_client
from tests.helpers.aws_faults import FaultProxy
from tests.helpers.collector import REGIONS, connect, finished_sync, owner_key, stack_with_events
from tests.helpers.stack import stack_env

pytestmark = pytest.mark.slow

# (action, error code, HTTP status, how many calls fail, in any region): more throttles in a row
# than botocore's 6 attempts for one of the regions (the engine's own backoff takes over), 5xx
# within them (botocore retries those). Kept small: every retry waits (a storm is slow by design).
STORM = [
    ("DescribeVpcs", "Throttling", 400, 9),
    ("DescribeSubnets", "RequestLimitExceeded", 503, 6),
    ("DescribeSecurityGroups", "InternalError", 500, 3),
    ("ListQueues", "ServiceUnavailable", 503, 3),
    ("AssumeRole", "InternalFailure", 500, 2),
]


@pytest.fixture
def stack(tmp_path, amqp_uri, moto_endpoint, postgres_server_url, monkeypatch):
    with FaultProxy(moto_endpoint) as aws_proxy:
        env = stack_env(tmp_path, amqp_uri, postgres_server_url, aws_proxy.url)
        with stack_with_events(tmp_path, monkeypatch, env, amqp_uri) as stack:
            yield dict(stack, aws_proxy=aws_proxy, moto=moto_endpoint)


def test_a_sync_through_a_throttling_storm_and_5xx_finishes_with_every_change(stack):
    url, auth, proxy = stack["url"], {"Authorization": f"Bearer {owner_key(stack['env'])}"}, stack["aws_proxy"]
    account_id, aws_account_id = connect(stack, auth)
    first = finished_sync(url, auth, account_id)
    assert first["state"] == "finished", first
    # moto implements not every call the collector makes: those gaps are there without any fault.
    baseline = {(g["region"], g["service"], g["reason"]) for g in first.get("gaps", [])}
    for region in REGIONS:
        sqs = account_client("sqs", stack["moto"], aws_account_id, region)
        for index in range(5):
            sqs.create_queue(QueueName=f"storm-{index}")
    expected = {f"arn:aws:sqs:{region}:{aws_account_id}:storm-{index}" for region in REGIONS for index in range(5)}

    for action, code, status, times in STORM:
        proxy.fail(action, code, "injected by the test", status=status, times=times)
    before = len(proxy.seen)
    sync_id = requests.post(f"{url}/api/aws/account/{account_id}/sync", headers=auth, timeout=10).json()["syncId"]
    result = finished_sync(url, auth, account_id, sync_id)
    assert result["state"] == "finished", result
    assert {(g["region"], g["service"], g["reason"]) for g in result.get("gaps", [])} == baseline, result["gaps"]
    assert not {service for _, service, _ in baseline} & {"ec2", "sqs", "sts"}
    # Every injected fault was answered (the storm happened) ...
    assert all(proxy.faults[action].remaining == 0 for action, *_ in STORM), proxy.faults
    calls = proxy.seen[before:]
    for action, _, _, times in STORM:
        assert calls.count(action) > times, action
    # ... and every change reached the bus.
    published = {r["arn"] for batch in stack["events"].of("resources_changed", account_id)
                 for r in batch.get("upserted", [])}
    assert expected <= published
