"""RabbitMQ "restarted" in the middle of a sync, against real processes: every process of the stack
reaches the broker through a TCP proxy that the test cuts (every connection dropped, new ones
refused for a few seconds: what the processes see of a broker restart, without restarting the
broker the rest of the test session shares). No change is lost (the diagram ends with every
resource of the collector's inventory), and every process reconnects: the workers consume again
(identity-worker records a rename made after the restart) and the apis publish again."""
from __future__ import annotations

import pytest

from tests.helpers.collector import (
    add_queues,
    assert_no_change_lost,
    assert_rename_recorded,
    connect,
    finished_sync,
    owner_key,
    start_sync,
)

pytestmark = pytest.mark.slow


def test_a_broker_restart_mid_sync_loses_no_change_and_every_process_reconnects(broker_proxied_stack):
    stack = broker_proxied_stack
    auth = {"Authorization": f"Bearer {owner_key(stack['env'])}"}
    account_id, aws_account_id = connect(stack, auth)
    assert finished_sync(stack["url"], auth, account_id)["state"] == "finished"
    added = add_queues(stack, aws_account_id, "restart")
    sync_id = start_sync(stack, auth, account_id)
    stack["proxy"].cut(3)

    assert_no_change_lost(stack, auth, account_id, sync_id, added)
    assert_rename_recorded(stack, auth, account_id, "After the restart", audit_events=2)
