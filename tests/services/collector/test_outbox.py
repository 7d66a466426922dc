"""A sync request and its sync_requested event commit together (services/common/outbox.py): a broker
that is away when a sync is requested cannot leave a queued sync nobody was told about, which
every later request would coalesce into, so that the account never synced again."""
from __future__ import annotations

import pytest

from cloudsketch.collector.v1 import events_pb2 as events
from services.collector.domain import Collector
from services.collector.tables import outbox
from services.common.database import open_database
from services.common.events import EventPublisher, parse_event
from services.common.outbox import OutboxRelay, pending_events


@pytest.fixture
def engine(database_url):
    engine = open_database("collector")
    yield engine
    engine.dispose()


def test_a_new_sync_and_its_event_commit_together_and_a_coalesced_request_writes_none(engine):
    woken = []
    collector = Collector(engine, lambda: woken.append(True))
    sync_id, new = collector.request_sync("account-1", ["eu-west-1"], "on_demand")
    assert new and woken == [True]
    [(event_type, aggregate_id, payload)] = pending_events(engine, outbox)
    assert (event_type, aggregate_id) == ("sync_requested", "account-1")
    event = parse_event(payload, events.SyncRequested)
    assert (event.sync_id, list(event.regions), event.reason) == (sync_id, ["eu-west-1"], "on_demand")

    # A request while that one is queued coalesces into it: no second sync, no second event.
    assert collector.request_sync("account-1", [], "schedule") == (sync_id, False)
    assert len(pending_events(engine, outbox)) == 1 and woken == [True]


def test_the_relay_publishes_the_request_once_the_broker_confirms_it(engine, amqp_uri):
    collector = Collector(engine)
    collector.request_sync("account-1", [], "registered")
    relay = OutboxRelay(engine, outbox, "collector", EventPublisher("collector", amqp_uri).publish_payload)
    assert relay.relay_once() == 1
    assert pending_events(engine, outbox) == [] and relay.relay_once() == 0
