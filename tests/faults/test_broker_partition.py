"""RabbitMQ partitioned from every process in the middle of a sync: the TCP proxy in front of the
broker stops carrying bytes (and closes) both ways, for several heartbeats, then heals and resets
the connections the broker has given up meanwhile (tests/helpers/tcp_proxy.py). Unlike a restart
nothing tells a process the broker is gone: publishers notice by the confirm that does not come
(CLOUDSKETCH_AMQP_HEARTBEAT_SECONDS sets its timeout), consumers by their AMQP heartbeat. The heartbeat is set low
(CLOUDSKETCH_AMQP_HEARTBEAT_SECONDS) so that the partition outlasts it several times in seconds.

Proved: accounts-api's outbox relay keeps retrying through the partition rather than waiting for
it to end (a publish whose confirm the partition swallows: tests/services/common/test_outbox.py);
no change is lost (the diagram ends with
every resource of the collector's inventory); every process reconnects after the heal: the rename
made during the partition is recorded by identity-worker, and so is one made after it."""
from __future__ import annotations

import time

import pytest

from services.common import config
from tests.helpers.collector import (
    add_queues,
    assert_no_change_lost,
    assert_rename_recorded,
    connect,
    finished_sync,
    owner_key,
    rename_account,
    start_sync,
    wait_for_audit_events,
)
from tests.helpers.databases import stored_rows
from tests.helpers.metrics import metric
from tests.helpers.stack import wait_for

pytestmark = pytest.mark.slow

# Low, so that the partition outlasts it several times within seconds; not lower, or a worker busy
# with a sync on a loaded machine misses its own heartbeats and the broker drops it anyway.
HEARTBEAT_SECONDS = 5
# Long enough for the broker to give up every connection (two missed heartbeats) several times over.
PARTITION_SECONDS = 6 * HEARTBEAT_SECONDS


@pytest.fixture
def broker_stack_env() -> dict[str, str]:
    return {"CLOUDSKETCH_AMQP_HEARTBEAT_SECONDS": str(HEARTBEAT_SECONDS)}


def test_a_partition_mid_sync_loses_no_change_and_every_process_reconnects(broker_proxied_stack):
    stack = broker_proxied_stack
    auth = {"Authorization": f"Bearer {owner_key(stack['env'])}"}
    account_id, aws_account_id = connect(stack, auth)
    assert finished_sync(stack["url"], auth, account_id)["state"] == "finished"
    added = add_queues(stack, aws_account_id, "partition")
    sync_id = start_sync(stack, auth, account_id)

    stack["proxy"].partition()
    partitioned_at = time.monotonic()
    # accounts-api commits the rename (the database is reachable); its outbox relay cannot publish
    # it, and keeps failing and retrying rather than waiting for the partition to end.
    rename_account(stack, auth, account_id, "During the partition")
    wait_for(lambda: metric(config.metrics_port("accounts", "api"), "outbox_publish_failures_total",
                            service="accounts"), timeout=60, what="the outbox relay to give up a publish")
    time.sleep(max(0.0, PARTITION_SECONDS - (time.monotonic() - partitioned_at)))   # the fault's length
    assert stored_rows(stack["env"], "identity", "audit_events", "target_id", account_id) == 1
    stack["proxy"].heal()

    assert_no_change_lost(stack, auth, account_id, sync_id, added)
    wait_for_audit_events(stack, account_id, 2)   # the rename made during the partition
    assert_rename_recorded(stack, auth, account_id, "After the partition", audit_events=3)
