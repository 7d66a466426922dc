"""diagram-worker as a real nameko process (`python -m services.diagram worker`) against the real
RabbitMQ, on SQLite and PostgreSQL. The worker runs in a subprocess because nameko needs eventlet
and this pytest process must stay unpatched (grpcio deadlocks under eventlet)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from kombu import Connection
from prometheus_client.parser import text_string_to_metric_families

from cloudsketch.accounts.v1 import events_pb2 as events
from cloudsketch.diagram.v1 import diagram_pb2 as pb
from services.common.database import open_database
from services.common.errors import NotFound
from services.common.events import EventPublisher
from services.common.supervisor import free_port
from services.common.timeutil import to_timestamp, utcnow
from services.diagram.domain import Diagrams
from services.diagram.tables import live_blueprints
from tests.helpers.stack import REPO, wait_for

# nameko's queue names: evt-<source service>-<event type>--<service>.<method>
QUEUES = {
    "account_registered": "evt-accounts-account_registered--diagram.on_account_registered",
    "account_removed": "evt-accounts-account_removed--diagram.on_account_removed",
    "resources_changed": "evt-collector-resources_changed--diagram.on_resources_changed",
    "sync_finished": "evt-collector-sync_finished--diagram.on_sync_finished",
}




def queue_state(amqp_uri: str, name: str) -> tuple[int, int] | None:
    """(messages, consumers) of a queue, or None when it does not exist."""
    with Connection(amqp_uri, connect_timeout=5) as conn:
        try:
            _, messages, consumers = conn.default_channel.queue_declare(name, passive=True)
        except Exception:  # 404 NOT_FOUND: the channel is closed, the connection is discarded
            return None
    return messages, consumers


class Worker:
    """One `python -m services.diagram worker` process; start() returns once it consumes events."""

    def __init__(self, env: dict[str, str], log_path: Path, amqp_uri: str):
        self.env = env
        self.log_path = log_path
        self.amqp_uri = amqp_uri
        self.port = int(env["CLOUDSKETCH_METRICS_PORT"])
        self.popen: subprocess.Popen | None = None

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def healthy(self) -> bool:
        assert self.popen.poll() is None, f"worker exited with {self.popen.returncode}:\n{self.log_tail()}"
        try:
            return requests.get(f"http://127.0.0.1:{self.port}/healthz", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    def consuming(self) -> bool:
        states = [queue_state(self.amqp_uri, name) for name in QUEUES.values()]
        return all(state is not None and state[1] >= 1 for state in states)

    def start(self) -> None:
        with open(self.log_path, "ab") as log:
            self.popen = subprocess.Popen([sys.executable, "-m", "services.diagram", "worker"], cwd=REPO,
                                          env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                          stdin=subprocess.DEVNULL)
        wait_for(self.healthy, timeout=60, what=f"worker /healthz\n{self.log_tail()}")
        wait_for(self.consuming, timeout=20, what="worker consumes its event queues")

    def stop(self) -> int | None:
        if self.popen is None:
            return None
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        return self.popen.returncode

    def metric(self, name: str, labels: dict[str, str]) -> float:
        text = requests.get(f"http://127.0.0.1:{self.port}/metrics", timeout=5).text
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                    return sample.value
        return 0.0

    def handled(self, entrypoint: str, outcome: str = "ok") -> float:
        return self.metric("nameko_worker_handled_total",
                           {"service": "diagram", "entrypoint": entrypoint, "outcome": outcome})


@pytest.fixture
def worker(database_url, fresh_amqp_uri, tmp_path):
    """A diagram-worker on a vhost of the test's own: the tests count deliveries, and the session's
    vhost may hold account events that earlier tests published."""
    env = {**os.environ,
           "CLOUDSKETCH_AMQP_URI": fresh_amqp_uri,
           "CLOUDSKETCH_DATA_DIR": str(tmp_path / "data"),
           "CLOUDSKETCH_DATABASE_URL": database_url,
           "CLOUDSKETCH_METRICS_PORT": str(free_port()),
           # No collector-api here: a rebuild fails, is retried later, and changes no blueprint.
           "CLOUDSKETCH_COLLECTOR_API_ADDR": f"127.0.0.1:{free_port()}",
           "CLOUDSKETCH_LOG_FORMAT": "text"}
    worker = Worker(env, tmp_path / "diagram-worker.log", fresh_amqp_uri)
    yield worker
    worker.stop()


@pytest.fixture
def diagrams(database_url):
    engine = open_database("diagram")
    yield Diagrams(engine)
    engine.dispose()


@pytest.fixture
def publisher(fresh_amqp_uri):
    return EventPublisher("accounts", fresh_amqp_uri)


def registered(name="Production") -> events.AccountRegistered:
    return events.AccountRegistered(account_id=str(uuid.uuid4()), aws_account_id="123456789012", name=name,
                                    regions=["us-east-1"], occurred_at=to_timestamp(utcnow()))


def blueprint_rows(diagrams: Diagrams, account_id: str) -> list:
    with diagrams.engine.connect() as conn:
        return conn.execute(sa.select(live_blueprints).where(live_blueprints.c.account_id == account_id)).all()


def blueprint_or_none(diagrams: Diagrams, account_id: str):
    try:
        return diagrams.get_account_blueprint(account_id, "us-east-1")
    except NotFound:
        return None


def test_account_events_keep_the_live_blueprint(worker, diagrams, publisher):
    worker.start()
    event = registered("Production")
    publisher.publish("account_registered", event)

    reply = wait_for(lambda: blueprint_or_none(diagrams, event.account_id), what="live blueprint created")
    assert reply.state == pb.BLUEPRINT_STATE_AWAITING_SCAN
    assert reply.blueprint.id == event.account_id and reply.blueprint.name == "Production"
    data = dict(reply.blueprint.data)
    assert data["name"] == "Production"
    assert list(data["nodes"]) == [] and list(data["edges"]) == []
    [row] = blueprint_rows(diagrams, event.account_id)
    assert row.aws_account_id == "123456789012" and row.state == "awaiting_scan"

    # at-least-once delivery: the same event again changes nothing
    publisher.publish("account_registered", event)
    wait_for(lambda: worker.handled("on_account_registered") == 2, what="second delivery handled")
    # (rebuild_after is the reconcile timer's: it retries while collector-api is away)
    def settled(r):
        return {**r._mapping, "rebuild_after": None}
    assert [settled(r) for r in blueprint_rows(diagrams, event.account_id)] == [settled(row)]
    assert worker.handled("on_account_registered", "error") == 0

    # another account is independent of the first
    other = registered("Staging")
    publisher.publish("account_registered", other)
    wait_for(lambda: blueprint_or_none(diagrams, other.account_id), what="second blueprint created")

    publisher.publish("account_removed", events.AccountRemoved(
        account_id=event.account_id, aws_account_id=event.aws_account_id, occurred_at=to_timestamp(utcnow())))
    wait_for(lambda: blueprint_or_none(diagrams, event.account_id) is None, what="live blueprint removed")
    assert blueprint_rows(diagrams, event.account_id) == []
    assert blueprint_or_none(diagrams, other.account_id).blueprint.name == "Staging"

    wait_for(lambda: worker.handled("on_account_removed") == 1, what="removal counted")
    wait_for(lambda: worker.handled("on_account_registered") == 3, what="three registrations counted")
    assert worker.handled("on_account_registered", "error") == worker.handled("on_account_removed", "error") == 0

    assert worker.stop() == 0  # SIGTERM stops the worker cleanly
    wait_for(lambda: queue_state(worker.amqp_uri, QUEUES["account_registered"]) == (0, 0),
             what="every event acknowledged")


def test_events_published_while_the_worker_is_down_are_handled_when_it_returns(worker, diagrams, publisher):
    worker.start()  # declares the durable queues
    assert worker.stop() == 0
    queue = QUEUES["account_registered"]
    # the queue outlives its consumer
    wait_for(lambda: queue_state(worker.amqp_uri, queue) == (0, 0), what="queue kept, consumer gone")

    event = registered("Published while down")
    publisher.publish("account_registered", event)
    assert wait_for(lambda: queue_state(worker.amqp_uri, queue) == (1, 0), what="event held by the broker")
    assert blueprint_or_none(diagrams, event.account_id) is None

    worker.start()
    reply = wait_for(lambda: blueprint_or_none(diagrams, event.account_id), what="held event handled")
    assert reply.blueprint.name == "Published while down" and reply.state == pb.BLUEPRINT_STATE_AWAITING_SCAN
    wait_for(lambda: worker.handled("on_account_registered") == 1, what="held event counted")
    # acknowledged after handling: once the worker is gone, nothing is requeued
    assert worker.stop() == 0
    wait_for(lambda: queue_state(worker.amqp_uri, queue) == (0, 0), what="held event acknowledged")
    assert blueprint_rows(diagrams, event.account_id)[0].name == "Published while down"
