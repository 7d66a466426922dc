"""GET /api/aws/account/{id}/live (gateway/api/live.py, gateway/live.py) against a real RabbitMQ:
status events published as the collector publishes them reach the stream; the route is authorised
like the account; Last-Event-ID resumes from the ring or falls back to a snapshot; a client that
reads too slowly is dropped with its queue bounded; and status_watched heartbeats reach a real
nameko @event_handler("gateway", "status_watched") while someone streams, and stop after."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
import time
import uuid

import grpc
import pytest

from cloudsketch.accounts.v1 import accounts_pb2 as accounts_pb
from cloudsketch.collector.v1 import events_pb2
from cloudsketch.identity.v1 import identity_pb2 as identity_pb
from gateway import create_app
from gateway.live import DROPPED, LiveHub
from services.common.events import EventPublisher
from tests.helpers.gateway import KEY, Identity
from tests.helpers.stack import wait_for

ACCOUNT = "acc-live"
ARN = "arn:aws:ec2:us-east-1:123456789012:instance/i-0abc"


class NotFound(grpc.RpcError):
    def code(self):
        return grpc.StatusCode.NOT_FOUND

    def details(self):
        return "no such account"


class Accounts:
    def GetAccount(self, request):
        if request.id != ACCOUNT:
            raise NotFound()
        return accounts_pb.GetAccountResponse(account=accounts_pb.Account(id=ACCOUNT, name="Live", creator_id="u0"))


class Clients:
    def __init__(self):
        self.identity = Identity()
        self.accounts = Accounts()


class Events:
    """An open stream read through the test client: its frames parsed into events. The gateway
    sends a comment every `keepalive` seconds, so a read never blocks for long."""

    def __init__(self, response):
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.mimetype == "text/event-stream"
        self.response = response
        self.chunks = iter(response.response)
        self.buffer = ""
        self.comments = 0

    def next(self, timeout: float = 20.0) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            while "\n\n" in self.buffer:
                frame, self.buffer = self.buffer.split("\n\n", 1)
                fields: dict = {}
                for line in frame.split("\n"):
                    name, _, value = line.partition(": ")
                    if name == "":
                        self.comments += 1
                    elif name in ("id", "event", "data"):
                        fields[name] = value
                if "event" in fields:
                    return {"id": fields["id"], "event": fields["event"], "data": json.loads(fields["data"])}
            assert time.monotonic() < deadline, "no event in time"
            self.buffer += next(self.chunks).decode()

    def ended(self) -> bool:
        try:
            while True:
                self.buffer += next(self.chunks).decode()
        except StopIteration:
            return True

    def close(self):
        self.response.close()


def status(arn: str = ARN, state: str = "running", cpu: float = 12.5, kind=events_pb2.RESOURCE_STATUS_OK,
           account_id: str = ACCOUNT) -> events_pb2.StatusChanged:
    message = events_pb2.StatusChanged(
        account_id=account_id, arn=arn, status=kind, state=state, detail=f"instance-status: {state}",
        region="us-east-1", metric=events_pb2.StatusMetric(name="CPUUtilization", value=cpu, unit="Percent",
                                                           source="CloudWatch AWS/EC2, 5-minute average"))
    message.observed_at.GetCurrentTime()
    return message


@pytest.fixture
def hub(fresh_amqp_uri):
    live = LiveHub(fresh_amqp_uri, watch_ttl_seconds=3, ring_size=8, client_queue=4)
    yield live
    live.stop()


@pytest.fixture
def clients():
    return Clients()


@pytest.fixture
def http(clients, hub):
    app = create_app(clients, live_hub=hub)
    app.config["LIVE_KEEPALIVE_SECONDS"] = 0.2
    return app.test_client()


@pytest.fixture
def collector(fresh_amqp_uri):
    return EventPublisher("collector", fresh_amqp_uri)


def open_stream(http, hub, headers=None) -> Events:
    events = Events(http.get(f"/api/aws/account/{ACCOUNT}/live", headers={**KEY, **(headers or {})},
                             buffered=False))
    wait_for(hub.consuming.is_set, what="the hub's consumer to be bound")
    return events


def test_status_events_reach_the_stream_as_json(http, hub, collector):
    events = open_stream(http, hub)
    collector.publish("status_changed", status(state="stopping", kind=events_pb2.RESOURCE_STATUS_PENDING, cpu=3.25))
    event = events.next()
    assert event["event"] == "status"
    assert event["data"] == {
        "arn": ARN, "region": "us-east-1", "status": "pending", "state": "stopping",
        "detail": "instance-status: stopping",
        "metric": {"name": "CPUUtilization", "value": 3.25, "unit": "Percent",
                   "source": "CloudWatch AWS/EC2, 5-minute average"},
        "observedAt": event["data"]["observedAt"]}
    assert event["data"]["observedAt"].endswith("Z")

    snapshot = events_pb2.StatusSnapshot(account_id=ACCOUNT, region="us-east-1",
                                         statuses=[status(), status(arn=ARN + "2", state="stopped", cpu=0,
                                                                    kind=events_pb2.RESOURCE_STATUS_STOPPED)])
    collector.publish("status_snapshot", snapshot)
    event = events.next()
    assert event["event"] == "snapshot" and event["data"]["region"] == "us-east-1"
    assert [(s["arn"], s["status"]) for s in event["data"]["statuses"]] == [(ARN, "ok"), (ARN + "2", "stopped")]
    # another account's events are not this stream's
    collector.publish("status_changed", status(account_id="someone-else"))
    collector.publish("status_changed", status(state="running", cpu=50))
    event = events.next()
    assert event["data"]["metric"]["value"] == 50
    assert events.comments > 0     # keep-alive comments between events
    events.close()
    wait_for(lambda: not hub.streams(ACCOUNT), what="the closed stream to leave the hub")


def test_authorised_like_the_account(http, clients, hub):
    clients.identity.decision = identity_pb.DECISION_HIDDEN
    reply = http.get(f"/api/aws/account/{ACCOUNT}/live", headers=KEY)
    assert (reply.status_code, reply.get_json()) == (404, {"error": "no such account"})
    clients.identity.decision = identity_pb.DECISION_DENY
    reply = http.get(f"/api/aws/account/{ACCOUNT}/live", headers=KEY)
    assert reply.status_code == 403
    assert clients.identity.asked == [("account:read", "account")] * 2
    assert http.get("/api/aws/account/unknown/live", headers=KEY).status_code == 404
    assert http.get(f"/api/aws/account/{ACCOUNT}/live").status_code == 401
    assert hub.watched() == []    # nobody got a stream


def test_last_event_id_resumes_from_the_ring_or_gets_the_snapshot(http, hub, collector):
    # resuming from an id this process never gave: an empty snapshot (the client clears what it held)
    stranger = open_stream(http, hub, {"Last-Event-ID": "0000.7"})
    event = stranger.next()
    assert (event["event"], event["data"]["region"], event["data"]["statuses"]) == ("snapshot", None, [])
    stranger.close()
    events = open_stream(http, hub)
    for cpu in (1, 2, 3):
        collector.publish("status_changed", status(cpu=cpu))
    seen = [events.next() for _ in range(3)]
    assert [e["data"]["metric"]["value"] for e in seen] == [1, 2, 3]
    events.close()
    collector.publish("status_changed", status(cpu=4))
    collector.publish("status_changed", status(arn=ARN + "2", cpu=5))
    # the account's ring still holds them (the state outlives its last stream for reconnects)
    wait_for(lambda: hub.deliveries(ACCOUNT) == 5, what="both events to reach the hub")

    resumed = open_stream(http, hub, {"Last-Event-ID": seen[0]["id"]})
    assert [resumed.next()["data"]["metric"]["value"] for _ in range(4)] == [2, 3, 4, 5]
    resumed.close()

    # an id from another process (or older than the ring) gets the latest status of each resource
    for stale in ("0000.1", "nonsense", ""):
        fresh = open_stream(http, hub, {"Last-Event-ID": stale} if stale else {})
        event = fresh.next()
        assert event["event"] == "snapshot" and event["data"]["region"] is None
        assert sorted((s["arn"], s["metric"]["value"]) for s in event["data"]["statuses"]) == [(ARN, 4), (ARN + "2", 5)]
        fresh.close()
    for cpu in range(10, 20):     # the ring holds 8: the first of these fall out
        collector.publish("status_changed", status(cpu=cpu))
    wait_for(lambda: hub.deliveries(ACCOUNT) == 15, what="the events to reach the hub")
    old = open_stream(http, hub, {"Last-Event-ID": seen[2]["id"]})
    event = old.next()
    assert event["event"] == "snapshot"
    assert {s["arn"]: s["metric"]["value"] for s in event["data"]["statuses"]} == {ARN: 19, ARN + "2": 5}
    old.close()


def test_a_client_that_reads_too_slowly_is_dropped_and_the_others_get_everything(http, hub, collector):
    slow, fast = open_stream(http, hub), open_stream(http, hub)
    dropped_before = DROPPED._value.get()
    for cpu in range(12):
        collector.publish("status_changed", status(cpu=cpu))
        assert fast.next()["data"]["metric"]["value"] == cpu     # the fast one reads as they come
    # the slow one's queue (4) filled: it was dropped rather than allowed to grow
    wait_for(lambda: len(hub.streams(ACCOUNT)) == 1, what="the slow stream to be dropped")
    assert DROPPED._value.get() == dropped_before + 1
    assert all(stream.queue.qsize() <= 4 for stream in hub.streams(ACCOUNT))
    # its response ends (the browser reconnects and resumes with Last-Event-ID); at most its queue was kept
    received = []
    try:
        while True:
            received.append(slow.next(timeout=2))
    except (StopIteration, AssertionError):
        pass
    assert len(received) <= 4 and slow.ended()
    fast.close()


WATCHER = textwrap.dedent('''
    import eventlet
    eventlet.monkey_patch()
    import json, sys
    from nameko import config
    from nameko.events import event_handler
    from nameko.runners import ServiceRunner

    class Watch:
        name = "live_stream_test_{suffix}"

        @event_handler("gateway", "status_watched")
        def watched(self, payload):
            print(json.dumps(payload), flush=True)

    config.update({{"AMQP_URI": sys.argv[1]}})
    runner = ServiceRunner()
    runner.add_service(Watch)
    runner.start()
    print("ready", flush=True)
    runner.wait()
''')


def test_heartbeats_reach_a_nameko_event_handler_while_streaming_and_stop_after(http, hub, fresh_amqp_uri, tmp_path):
    script = tmp_path / "watch.py"
    script.write_text(WATCHER.format(suffix=uuid.uuid4().hex[:6]))
    watcher = subprocess.Popen([sys.executable, str(script), fresh_amqp_uri], stdout=subprocess.PIPE, text=True)
    received: list[dict] = []
    ready = threading.Event()

    def read():
        for line in watcher.stdout:
            if line.strip() == "ready":
                ready.set()
            elif line.startswith("{"):
                received.append(json.loads(line))
    threading.Thread(target=read, daemon=True).start()
    try:
        assert ready.wait(60), "the nameko service did not start"
        first, second = open_stream(http, hub), open_stream(http, hub)
        # one heartbeat at once for the new watcher, then one every ttl/3 (1 s), for both streams
        wait_for(lambda: len(received) >= 3, what="three heartbeats")
        assert {(b["accountId"], b["ttlSeconds"]) for b in received} == {(ACCOUNT, 3)}
        assert len({b["watcherId"] for b in received}) == 1    # one watcher per process and account
        first.close()
        count = len(received)
        wait_for(lambda: len(received) > count, what="heartbeats while one stream is left")
        second.close()
        wait_for(lambda: hub.watched() == [], what="the last stream to leave")
        time.sleep(1.5)    # a heartbeat already on its way may still arrive
        settled = len(received)
        time.sleep(3)      # three heartbeat intervals with nobody watching
        assert len(received) == settled
    finally:
        watcher.terminate()
        watcher.wait(timeout=20)
