"""Live status as it runs: every process of the stack plus a second collector-worker, RabbitMQ,
PostgreSQL and a moto server behind a counting proxy. The test plays the gateway: it sends
`status_watched` heartbeats on gateway.events (the standalone dispatcher the gateway uses, so
nameko's format) and reads collector.events. One of the two replicas polls; a watcher gets one
snapshot; stopping an instance publishes one status_changed; heartbeats that stop stop the calls."""
from __future__ import annotations

import threading
import time
import uuid

import pytest
import requests

from cloudsketch.collector.v1 import events_pb2 as events
from services.common.events import EventPublisher
from services.demo import account_client
from tests.helpers.aws_faults import FaultProxy
from tests.helpers.collector import collector_rows, connect, finished_sync, owner_key, stack_with_events
from tests.helpers.stack import stack_env, wait_for

pytestmark = pytest.mark.slow

INTERVAL = 2        # CLOUDSKETCH_LIVE_STATUS_INTERVAL_SECONDS for this stack
TTL = 3 * INTERVAL  # the test-gateway's watch ttl; heartbeats every INTERVAL


@pytest.fixture
def stack(tmp_path, amqp_uri, moto_endpoint, postgres_server_url, monkeypatch):
    with FaultProxy(moto_endpoint) as aws_proxy:
        env = stack_env(tmp_path, amqp_uri, postgres_server_url, aws_proxy.url)
        env["CLOUDSKETCH_LIVE_STATUS_INTERVAL_SECONDS"] = str(INTERVAL)
        with stack_with_events(tmp_path, monkeypatch, env, amqp_uri, second_collector=True) as stack:
            yield dict(stack, aws_proxy=aws_proxy, moto=moto_endpoint, amqp=amqp_uri)


class Heartbeats(threading.Thread):
    """What a gateway with an open stream sends: status_watched every INTERVAL."""

    def __init__(self, amqp: str, account_id: str):
        super().__init__(daemon=True)
        self.publisher = EventPublisher("gateway", amqp)
        self.account_id = account_id
        self.watcher_id = f"gateway-test-{uuid.uuid4().hex[:6]}"
        self.stopping = threading.Event()

    def run(self):
        while not self.stopping.is_set():
            self.publisher.publish("status_watched", events.StatusWatched(
                account_id=self.account_id, watcher_id=self.watcher_id, ttl_seconds=TTL))
            self.stopping.wait(INTERVAL)


def live_leases(env, account_id: str) -> list:
    return collector_rows(env, "SELECT region, holder FROM leases WHERE account_id = :a AND region LIKE 'live/%'",
                          a=account_id)


def test_live_status_from_two_replicas(stack):
    url, auth = stack["url"], {"Authorization": f"Bearer {owner_key(stack['env'])}"}
    account_id, aws_account_id = connect(stack, auth)
    assert finished_sync(url, auth, account_id)["state"] == "finished"
    ec2 = account_client("ec2", stack["moto"], aws_account_id, "eu-west-1")
    instance_id = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1,
                                    InstanceType="t3.micro")["Instances"][0]["InstanceId"]
    arn = f"arn:aws:ec2:eu-west-1:{aws_account_id}:instance/{instance_id}"
    sync_id = requests.post(f"{url}/api/aws/account/{account_id}/sync", headers=auth, timeout=10).json()["syncId"]
    assert finished_sync(url, auth, account_id, sync_id)["state"] == "finished"

    # Synced, nobody watching: not one status call.
    proxy, received = stack["aws_proxy"], stack["events"]
    time.sleep(2 * INTERVAL)
    assert "DescribeInstanceStatus" not in proxy.seen

    heartbeats = Heartbeats(stack["amqp"], account_id)
    heartbeats.start()
    try:
        snapshots = wait_for(lambda: received.of("status_snapshot", account_id), timeout=60,
                             what="a snapshot for the new watcher")
        assert len(snapshots) == 1, snapshots
        snapshot = snapshots[0]
        assert snapshot["region"] == "eu-west-1"
        [status] = snapshot["statuses"]
        assert (status["arn"], status["state"], status["status"]) == (arn, "running", "RESOURCE_STATUS_OK")
        # One replica holds the region.
        [lease] = live_leases(stack["env"], account_id)
        assert lease.region == "live/eu-west-1"

        ec2.stop_instances(InstanceIds=[instance_id])
        changes = wait_for(lambda: received.of("status_changed", account_id), timeout=60,
                           what="the stopped instance's status_changed")
        assert len(changes) == 1, changes
        changed = changes[0]
        assert (changed["arn"], changed["state"], changed["status"]) == (arn, "stopped", "RESOURCE_STATUS_STOPPED")
        polls = proxy.seen.count("DescribeInstanceStatus")
        wait_for(lambda: proxy.seen.count("DescribeInstanceStatus") >= polls + 2, timeout=60, what="two more polls")
        # Exactly one change and one snapshot, though both replicas heard every heartbeat.
        assert len(received.of("status_changed", account_id)) == 1, received.of("status_changed", account_id)
        assert len(received.of("status_snapshot", account_id)) == 1, received.of("status_snapshot", account_id)
        assert len(live_leases(stack["env"], account_id)) == 1
    finally:
        heartbeats.stopping.set()

    # The watcher vanished: once its watch lapses the lease goes, and with it the calls.
    wait_for(lambda: not live_leases(stack["env"], account_id), timeout=TTL + 30, what="the lease to go")
    after = proxy.seen.count("DescribeInstanceStatus")
    time.sleep(3 * INTERVAL)
    assert proxy.seen.count("DescribeInstanceStatus") == after
