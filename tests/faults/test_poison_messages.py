"""Poison messages, against real worker processes and the real RabbitMQ (a vhost of the test's
own): a message whose handler always fails, one that is not JSON and one whose payload does not
parse are each moved to the visible dead-letter queue and counted, and the messages queued behind
them are handled. The faulty worker's queue was declared by the previous release (nameko's own
event handler, no dead-lettering) and already holds the poison when the new worker starts: the
upgrade needs no change to existing queues."""
from __future__ import annotations

import json
import os

import pytest
from kombu import Connection, Exchange, Queue

from services.common import config
from services.common.events import EventPublisher
from services.common.healthcheck import http_ok
from services.common.processes import PROCESSES
from services.common.supervisor import Supervisor, child_for, free_port, isolated_env
from services.common.worker import ATTEMPTS_HEADER, DEAD_LETTER_QUEUE, MAX_ATTEMPTS, DeadLetteringEventHandler
from tests.helpers.databases import stored_rows
from tests.helpers.metrics import metric
from tests.helpers.stack import faulty_worker, wait_for

pytestmark = pytest.mark.slow
JOBS_QUEUE = "evt-faults-job--faulty.on_job"


def declare_as_the_previous_release(amqp: str) -> None:
    """The queue exactly as nameko's event_handler declared it before dead-lettering existed."""
    exchange = Exchange("faults.events", type="topic", durable=True)
    with Connection(amqp) as conn:
        Queue(JOBS_QUEUE, exchange, routing_key="job", durable=True, auto_delete=False,
              exclusive=False)(conn.default_channel).declare()


def dead_letters(amqp: str) -> list:
    """Every message in the dead-letter queue (taken off it)."""
    taken = []
    with Connection(amqp) as conn:
        queue = DEAD_LETTER_QUEUE(conn.default_channel)
        while (message := queue.get(no_ack=True)) is not None:
            taken.append(message)
    return taken


def queue_depth(amqp: str, name: str) -> int:
    with Connection(amqp) as conn:
        return conn.default_channel.queue_declare(name, passive=True).message_count


@pytest.fixture
def workers(tmp_path, fresh_amqp_uri, monkeypatch):
    env = isolated_env(tmp_path, fresh_amqp_uri, "")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    declare_as_the_previous_release(fresh_amqp_uri)
    publisher = EventPublisher("faults", fresh_amqp_uri)
    publisher.publish_payload("job", {"id": "poison", "fail": True})
    for index in range(20):
        publisher.publish_payload("job", {"id": str(index)})
    faulty_port = free_port()
    faulty = faulty_worker(faulty_port, tmp_path / "journal.db")
    identity = child_for(next(p for p in PROCESSES if p.name == "identity-worker"))
    supervisor = Supervisor(tmp_path / "logs", out=open(os.devnull, "w"))
    try:
        supervisor.start_group([faulty, identity])
        yield dict(env=env, amqp=fresh_amqp_uri, faulty_port=faulty_port,
                   identity_port=config.metrics_port("identity", "worker"))
    finally:
        supervisor.stop_all()


def test_poison_messages_are_dead_lettered_counted_and_the_queue_keeps_moving(workers):
    amqp, faulty, identity = workers["amqp"], workers["faulty_port"], workers["identity_port"]
    # The handler that always fails: tried MAX_ATTEMPTS times in all, then dead-lettered; the
    # twenty messages queued behind it were handled.
    wait_for(lambda: metric(faulty, "nameko_worker_dead_lettered_total", service="faulty", entrypoint="on_job",
                            reason="failing") == 1, timeout=60, what="the failing job to be dead-lettered")
    assert metric(faulty, "nameko_worker_handled_total", service="faulty", entrypoint="on_job", outcome="ok") == 20
    assert metric(faulty, "nameko_worker_handled_total", service="faulty", entrypoint="on_job",
                  outcome="error") == MAX_ATTEMPTS
    assert metric(faulty, "nameko_worker_retried_total", service="faulty", entrypoint="on_job",
                  reason="error") == MAX_ATTEMPTS - 1
    assert queue_depth(amqp, JOBS_QUEUE) == 0

    # identity-worker: a body that is not JSON and a payload that is not an AccountRegistered go
    # to the dead-letter queue at once (retrying cannot change them); the event behind them is handled.
    with Connection(amqp) as conn:
        conn.Producer().publish(b"{not json", exchange="accounts.events", routing_key="account_registered",
                                content_type="application/json", content_encoding="utf-8")
    publisher = EventPublisher("accounts", amqp)
    publisher.publish_payload("account_registered", {"accountId": "acc-bad", "occurredAt": "yesterday"})
    publisher.publish_payload("account_registered", {"accountId": "acc-good", "awsAccountId": "123456789012",
                                                     "name": "Good", "occurredAt": "2026-12-01T10:00:00Z"})
    wait_for(lambda: stored_rows(workers["env"], "identity", "audit_events", "target_id", "acc-good") == 1,
             timeout=30, what="the event behind the poison to be handled")
    for reason in ("undecodable", "malformed"):
        wait_for(lambda reason=reason: metric(identity, "nameko_worker_dead_lettered_total", service="identity",
                                              entrypoint="on_account_registered", reason=reason) == 1,
                 timeout=30, what=f"the {reason} message to be counted")
    assert metric(identity, "nameko_worker_retried_total", service="identity", entrypoint="on_account_registered",
                  reason="error") == 0
    assert stored_rows(workers["env"], "identity", "audit_events", "target_id", "acc-bad") == 0

    # What an operator finds in the dead-letter queue: each message as it was, with where it came
    # from and why it is there.
    letters = {message.headers["x-cloudsketch-reason"]: message for message in dead_letters(amqp)}
    assert sorted(letters) == ["failing", "malformed", "undecodable"]
    failing = letters["failing"]
    assert json.loads(failing.body) == {"id": "poison", "fail": True}
    assert (failing.headers["x-cloudsketch-queue"], failing.headers[ATTEMPTS_HEADER]) == (JOBS_QUEUE, MAX_ATTEMPTS)
    assert "always fails" in failing.headers["x-cloudsketch-error"]
    assert letters["undecodable"].body in (b"{not json", "{not json")   # kombu decodes utf-8 bodies to str
    assert letters["undecodable"].headers["x-cloudsketch-routing-key"] == "account_registered"
    assert json.loads(letters["malformed"].body)["accountId"] == "acc-bad"
    assert "ParseError" in letters["malformed"].headers["x-cloudsketch-error"]
    assert http_ok(f"http://127.0.0.1:{identity}/healthz", timeout=2)


def test_every_workers_event_handlers_dead_letter():
    import importlib
    workers = [p for p in PROCESSES if p.role == "worker"]
    for process in workers:
        service = importlib.import_module(f"services.{process.service}.worker").SERVICE
        handlers = [entrypoint for member in vars(service).values()
                    for entrypoint in getattr(member, "nameko_entrypoints", ())
                    if "EventHandler" in type(entrypoint).__name__]
        assert handlers, process.name
        assert all(isinstance(h, DeadLetteringEventHandler) for h in handlers), process.name
