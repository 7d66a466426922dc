"""The transactional outbox (services/common/outbox.py) with accounts' registry, on SQLite and
PostgreSQL, publishing to the real RabbitMQ: through a proxy that can cut the broker away."""
from __future__ import annotations

import json
import threading
import time
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest
from kombu import Connection, Exchange, Queue
from prometheus_client import REGISTRY

from cloudsketch.accounts.v1 import events_pb2 as events
from services.accounts.domain import Accounts
from services.accounts.tables import outbox
from services.common.database import open_database
from services.common.errors import AlreadyExists
from services.common.events import EventPublisher, parse_event
from services.common.outbox import RELAY_RETRY_POLICY, OutboxRelay, pending_events
from tests.helpers.accounts import ROLE_ARN, AcceptingVerifier
from tests.helpers.stack import wait_for
from tests.helpers.tcp_proxy import TcpProxy

OTHER_ROLE_ARN = "arn:aws:iam::210987654321:role/cloudsketch"


@pytest.fixture
def engine(database_url):
    engine = open_database("accounts")
    yield engine
    engine.dispose()


@pytest.fixture
def proxied_broker(amqp_uri):
    """(AMQP URI through a proxy to the session's broker, the proxy)."""
    parts = urlsplit(amqp_uri)
    with TcpProxy(parts.hostname, parts.port or 5672) as proxy:
        netloc = f"{parts.username}:{parts.password}@127.0.0.1:{proxy.port}"
        yield urlunsplit(parts._replace(netloc=netloc)), proxy


class Received:
    """Every accounts event that reaches a queue of the test's own, in arrival order."""

    def __init__(self, amqp_uri: str):
        self.conn = Connection(amqp_uri, connect_timeout=5)
        exchange = Exchange("accounts.events", type="topic", durable=True)
        self.queue = Queue(f"test-outbox-{uuid.uuid4().hex}", exchange=exchange, routing_key="#",
                           exclusive=True, auto_delete=True)(self.conn.default_channel)
        self.queue.declare()
        self.messages: list[tuple[str, dict]] = []

    def drain(self) -> list[tuple[str, dict]]:
        while (message := self.queue.get(no_ack=True, accept=["json"])) is not None:
            self.messages.append((message.delivery_info["routing_key"], json.loads(message.body)))
        return self.messages

    def close(self) -> None:
        self.conn.release()


@pytest.fixture
def received(amqp_uri):
    received = Received(amqp_uri)
    yield received
    received.close()


def sample(name: str) -> float:
    return REGISTRY.get_sample_value(name, {"service": "accounts"}) or 0.0


def test_a_change_and_its_event_commit_together(engine):
    registry = Accounts(engine, AcceptingVerifier())
    account = registry.create_account("Production", ROLE_ARN, "user-1", [])
    [(event_type, aggregate_id, payload)] = pending_events(engine, outbox)
    assert (event_type, aggregate_id) == ("account_registered", account.id)
    assert parse_event(payload, events.AccountRegistered).account_id == account.id

    # a change that fails leaves neither the change nor an event
    with pytest.raises(AlreadyExists):
        registry.create_account("Again", ROLE_ARN, "user-1", [])
    with pytest.raises(AlreadyExists):
        registry.update_account(registry.create_account("Other", OTHER_ROLE_ARN, "user-1", []).id, "user-1",
                                role_arn=ROLE_ARN)
    assert [e[0] for e in pending_events(engine, outbox)] == ["account_registered", "account_registered"]
    assert [a.name for a in registry.list_accounts([])] == ["Other", "Production"]


def test_the_relay_publishes_in_order_and_deletes_only_what_the_broker_confirmed(engine, amqp_uri, received):
    relay = OutboxRelay(engine, outbox, "accounts", EventPublisher("accounts", amqp_uri).publish_payload)
    registry = Accounts(engine, AcceptingVerifier())
    account = registry.create_account("Production", ROLE_ARN, "user-1", [])
    registry.update_account(account.id, "user-2", name="Renamed")
    registry.update_account(account.id, "user-2", read_access=["team-1"])
    registry.delete_account(account.id, "user-3")

    assert relay.relay_once() == 4
    assert pending_events(engine, outbox) == []
    assert sample("outbox_pending_events") == 0
    got = wait_for(lambda: len(received.drain()) == 4 and received.messages, what="four events")
    assert [t for t, _ in got] == ["account_registered", "account_updated", "account_updated", "account_removed"]
    assert [body["accountId"] for _, body in got] == [account.id] * 4
    assert parse_event(got[1][1], events.AccountUpdated).name == "Renamed"
    assert list(parse_event(got[2][1], events.AccountUpdated).read_access) == ["team-1"]
    assert relay.relay_once() == 0  # nothing twice


def test_events_written_while_the_broker_is_away_arrive_once_it_is_back(engine, proxied_broker, received):
    uri, proxy = proxied_broker
    relay = OutboxRelay(engine, outbox, "accounts",
                        EventPublisher("accounts", uri, retry_policy=RELAY_RETRY_POLICY).publish_payload,
                        poll_seconds=0.2).start()
    try:
        registry = Accounts(engine, AcceptingVerifier(), relay.wake)
        failures_before = sample("outbox_publish_failures_total")
        proxy.cut(3600)  # the broker is away until the test lets it back

        account = registry.create_account("Production", ROLE_ARN, "user-1", [])  # answers though
        registry.update_account(account.id, "user-2", name="Renamed")
        wait_for(lambda: sample("outbox_publish_failures_total") > failures_before, what="a failed publish")
        assert [e[0] for e in pending_events(engine, outbox)] == ["account_registered", "account_updated"]
        wait_for(lambda: sample("outbox_pending_events") == 2, what="the pending gauge")

        proxy.restore()  # the broker is back
        wait_for(lambda: pending_events(engine, outbox) == [], timeout=60, what="the outbox to empty")
        got = wait_for(lambda: len(received.drain()) >= 2 and received.messages, what="both events")
        time.sleep(0.5)  # a duplicate would have arrived with them
        assert [(t, body["accountId"]) for t, body in received.drain()] == [
            ("account_registered", account.id), ("account_updated", account.id)]
        assert parse_event(got[1][1], events.AccountUpdated).name == "Renamed"
        assert sample("outbox_pending_events") == 0
    finally:
        relay.stop()


def test_a_publish_whose_confirm_a_partition_swallows_fails_rather_than_waiting_forever(proxied_broker, received,
                                                                                       monkeypatch):
    """No FIN or RST crosses a partition: without a confirm timeout the publisher would wait for
    the broker's confirm until the network came back, and its relay (or sync) with it."""
    uri, proxy = proxied_broker
    monkeypatch.setenv("CLOUDSKETCH_AMQP_HEARTBEAT_SECONDS", "1")   # a confirm waits at most 2 s
    publisher = EventPublisher("accounts", uri, retry_policy=RELAY_RETRY_POLICY)
    for name in ("Before 1", "Before 2"):
        publisher.publish_payload("account_updated", {"accountId": "a-1", "name": name})
    # kombu's pool now holds open connections: the next publish goes out on one, and its confirm
    # never comes.
    outcome: list[BaseException | None] = []

    def publish():
        try:
            publisher.publish_payload("account_updated", {"accountId": "a-1", "name": "During"})
            outcome.append(None)
        except Exception as exc:
            outcome.append(exc)

    proxy.partition()
    publishing = threading.Thread(target=publish, daemon=True)
    publishing.start()
    publishing.join(60)   # a bound: without the confirm timeout it would wait for the heal
    proxy.heal()
    assert not publishing.is_alive() and isinstance(outcome[0], Exception)

    publisher.publish_payload("account_updated", {"accountId": "a-1", "name": "After"})
    wait_for(lambda: len(received.drain()) >= 3, what="the publishes around the partition")
    time.sleep(0.5)  # "During" would have arrived with them
    assert [body["name"] for _, body in received.drain()] == ["Before 1", "Before 2", "After"]


class Crash(BaseException):
    """The process dying (not an error the relay handles)."""


def test_a_relay_that_dies_after_publishing_publishes_again(engine, amqp_uri, received):
    publisher = EventPublisher("accounts", amqp_uri)

    def publish_then_die(event_type, payload):
        publisher.publish_payload(event_type, payload)
        raise Crash()

    account = Accounts(engine, AcceptingVerifier()).create_account("Production", ROLE_ARN, "user-1", [])
    with pytest.raises(Crash):
        OutboxRelay(engine, outbox, "accounts", publish_then_die).relay_once()
    assert len(pending_events(engine, outbox)) == 1  # confirmed, but not yet deleted

    assert OutboxRelay(engine, outbox, "accounts", publisher.publish_payload).relay_once() == 1
    got = wait_for(lambda: len(received.drain()) == 2 and received.messages, what="the event twice")
    assert [(t, body["accountId"]) for t, body in got] == [("account_registered", account.id)] * 2
    assert pending_events(engine, outbox) == []


def test_concurrent_registrations_of_one_role_make_one_account(engine):
    registry = Accounts(engine, AcceptingVerifier())
    start = threading.Barrier(6)
    outcomes = []

    def register(n):
        start.wait()
        try:
            outcomes.append(registry.create_account(f"Production {n}", ROLE_ARN, "user-1", []).id)
        except AlreadyExists as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=register, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    [winner] = [o for o in outcomes if isinstance(o, str)]
    refusals = [o for o in outcomes if isinstance(o, AlreadyExists)]
    assert len(refusals) == 5
    assert all(str(r) == f"role {ROLE_ARN} is already registered as account {winner}" for r in refusals)
    assert [a.id for a in registry.list_accounts([])] == [winner]
    assert [(t, a) for t, a, _ in pending_events(engine, outbox)] == [("account_registered", winner)]
