"""Live status through faults, with real processes (the whole stack on SQLite, its collector polling
moto every 2 s): clients that reconnect as browsers' EventSource does (after `retry:` ms, with
Last-Event-ID) resume after the gateway restarts, and a stream open across a broker outage gets
the events published after the broker is back (docs/operations.md, "Fault tests: live status").

The gateway reaches RabbitMQ through a proxy the test cuts; every other process and the test's
own publisher and listener use the broker directly. The status events the test asserts on are
published as the collector publishes them, with a state word nothing else produces; the
collector's own snapshots (its answer to a new watcher's heartbeat) are observed on the bus."""
from __future__ import annotations

import json
import os
import signal
import threading
import time
import uuid

import pytest
import requests

from cloudsketch.collector.v1 import events_pb2
from services.common.events import EventPublisher
from services.common.supervisor import Child, Supervisor
from services.demo import account_client
from tests.helpers.collector import Events, connect, finished_sync, owner_key
from tests.helpers.stack import stack_env, stack_with_proxied_broker, wait_for

pytestmark = pytest.mark.slow


class EventSource(threading.Thread):
    """What a browser's EventSource does: read the stream, remember the last id, and when the
    stream ends or fails reconnect after the server's `retry:` delay, sending Last-Event-ID."""

    def __init__(self, url: str, headers: dict):
        super().__init__(daemon=True)
        self.url, self.headers = url, headers
        self.events: list[tuple[str, str, dict]] = []     # (id, event, data)
        self.last_event_id = ""
        self.sent_ids: list[str] = []                    # the Last-Event-ID of each connection
        self.retry = 3.0
        self.stopping = False

    def run(self):
        while not self.stopping:
            headers = dict(self.headers)
            if self.last_event_id:
                headers["Last-Event-ID"] = self.last_event_id
            try:
                with requests.get(self.url, headers=headers, stream=True, timeout=(5, 30)) as reply:
                    if reply.status_code == 200:
                        self.sent_ids.append(self.last_event_id)
                        self._read(reply.iter_lines(decode_unicode=True))
            except requests.RequestException:
                pass
            time.sleep(self.retry)

    def _read(self, lines):
        event_id, event, data = None, "message", []
        for line in lines:
            if self.stopping:
                return
            if line == "":
                if data:
                    if event_id is not None:
                        self.last_event_id = event_id
                    self.events.append((self.last_event_id, event, json.loads("\n".join(data))))
                event_id, event, data = None, "message", []
            elif line.startswith("id: "):
                event_id = line[4:]
            elif line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                data.append(line[6:])
            elif line.startswith("retry: "):
                self.retry = int(line[7:]) / 1000

    def states(self) -> list[str]:
        return [d["state"] for _, e, d in self.events if e == "status"]

    def snapshots_since(self, index: int, arn: str = "") -> int:
        """Snapshots received since events[index] (that carry `arn`'s status, if given)."""
        return sum(1 for _, e, d in self.events[index:]
                   if e == "snapshot" and (not arn or arn in {s["arn"] for s in d["statuses"]}))


@pytest.fixture
def stack(tmp_path, fresh_amqp_uri, moto_endpoint, monkeypatch):
    for key, value in stack_env(tmp_path, fresh_amqp_uri, "", moto_endpoint).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("CLOUDSKETCH_LIVE_STATUS_INTERVAL_SECONDS", "2")
    monkeypatch.setenv("CLOUDSKETCH_LIVE_WATCH_TTL_SECONDS", "6")     # heartbeats every 2 s
    with stack_with_proxied_broker(tmp_path, fresh_amqp_uri, "gateway") as (supervisor, proxy):
        stack = dict(url=f"http://127.0.0.1:{os.environ['CLOUDSKETCH_GATEWAY_PORT']}", moto=moto_endpoint,
                     proxy=proxy, supervisor=supervisor, amqp=fresh_amqp_uri)
        auth = {"Authorization": f"Bearer {owner_key(dict(os.environ))}"}
        account_id, aws_account_id = connect(stack, auth)
        finished_sync(stack["url"], auth, account_id)
        # an instance, synced: a component with live status, so that the collector polls it
        instance_id = account_client("ec2", moto_endpoint, aws_account_id, "us-east-1").run_instances(
            ImageId="ami-12c6146b", MinCount=1, MaxCount=1, InstanceType="t3.micro")["Instances"][0]["InstanceId"]
        sync_id = requests.post(f"{stack['url']}/api/aws/account/{account_id}/sync", headers=auth,
                                timeout=10).json()["syncId"]
        finished_sync(stack["url"], auth, account_id, sync_id)
        yield dict(stack, auth=auth, account_id=account_id,
                   instance_arn=f"arn:aws:ec2:us-east-1:{aws_account_id}:instance/{instance_id}")


def status(account_id: str, state: str) -> events_pb2.StatusChanged:
    message = events_pb2.StatusChanged(account_id=account_id, arn=f"arn:aws:sqs:us-east-1:123456789012:{state}",
                                       region="us-east-1", status=events_pb2.RESOURCE_STATUS_WARNING, state=state)
    message.observed_at.GetCurrentTime()
    return message


def published_until_seen(stack, clients: list[EventSource], what: str) -> str:
    """Publishes a status_changed (a new state word each second) until every client has one of them."""
    collector = EventPublisher("collector", stack["amqp"])
    sent: list[str] = []

    def seen():
        sent.append(f"state-{uuid.uuid4().hex[:10]}")
        collector.publish("status_changed", status(stack["account_id"], sent[-1]))
        return wait_for_quietly(lambda: all(set(sent) & set(c.states()) for c in clients), 1.0)
    wait_for(seen, timeout=45, interval=0, what=what)
    return sent[-1]


def wait_for_quietly(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=["restarted", "killed"])
def test_clients_resume_after_the_gateway_restarts(stack, how):
    url = f"{stack['url']}/api/aws/account/{stack['account_id']}/live"
    clients = [EventSource(url, stack["auth"]) for _ in range(2)]
    for client in clients:
        client.start()
    try:
        published_until_seen(stack, clients, "a status event on both streams before the restart")
        ids_before = [c.last_event_id for c in clients]
        marks = [len(c.events) for c in clients]

        supervisor: Supervisor = stack["supervisor"]
        old = next(c for c in supervisor.children if c.name == "gateway")
        old.process.send_signal(how)        # SIGTERM ends the streams; SIGKILL leaves them cut mid-air
        old.process.wait(timeout=30)
        supervisor.start_group([Child(old.name, old.args, old.ready, old.describe, dict(old.env))])

        state = published_until_seen(stack, clients, "a status event published after the restart on both streams")
        for client, before, mark in zip(clients, ids_before, marks, strict=True):
            assert before in client.sent_ids[1:]        # it reconnected with the last id it had
            # the new process knew nothing of the account (an empty snapshot: the client clears what
            # it held); the collector answered its new watcher with the instance's status
            wait_for(lambda c=client, m=mark: c.snapshots_since(m, stack["instance_arn"]), timeout=30,
                     what="the collector's snapshot after the restart")
            assert state in client.states()
            assert client.last_event_id.split(".")[0] != before.split(".")[0]   # ids of the new process
    finally:
        for client in clients:
            client.stopping = True


def test_a_stream_open_across_a_broker_outage_gets_the_later_events(stack):
    account_id = stack["account_id"]
    bus = Events(stack["amqp"])      # the collector's events, seen from the broker directly
    bus.start()
    bus.ready.wait(10)
    client = EventSource(f"{stack['url']}/api/aws/account/{account_id}/live", stack["auth"])
    client.start()
    try:
        wait_for(lambda: client.snapshots_since(0, stack["instance_arn"]), timeout=30,
                 what="the collector's snapshot on the stream")
        published_until_seen(stack, [client], "a status event before the outage")
        connections = len(client.sent_ids)

        stack["proxy"].cut(5)          # the gateway loses the broker, and cannot reconnect for 5 s
        time.sleep(5)
        stack["proxy"].restore()
        snapshots_on_bus, mark = len(bus.of("status_snapshot", account_id)), len(client.events)

        state = published_until_seen(stack, [client], "a status event published after the broker is back")
        assert state in client.states()
        assert len(client.sent_ids) == connections      # the same stream: the client never reconnected
        # the gateway's heartbeats reached the collector again: it answered the re-bound consumer's
        # new watcher id with a snapshot, and the stream carried it
        wait_for(lambda: len(bus.of("status_snapshot", account_id)) > snapshots_on_bus, timeout=30,
                 what="a collector snapshot after the broker is back")
        wait_for(lambda: client.snapshots_since(mark, stack["instance_arn"]), timeout=30,
                 what="that snapshot on the stream")
    finally:
        client.stopping = True
        bus.stopping = True
