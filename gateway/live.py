"""Live status in one gateway process: one kombu consumer of the collector's status events, fanned
out in memory to every open stream of the account (docs/live-status.md, "The stream").

- `LiveHub` owns one exclusive auto-delete queue bound to `collector.events` for `status_changed`
  and `status_snapshot`, consumed by one thread (a greenlet under the gateway's gevent server).
- Per account being streamed it keeps, in memory only: a bounded ring of the latest events (so a
  client reconnecting with `Last-Event-ID` gets what it missed) and the latest status of each
  resource (sent as a snapshot to a client that joins, or whose id is older than the ring).
  Nothing of it is stored or logged; the account's state goes a minute after its last client.
- Each stream reads from its own bounded queue. Fan-out never waits: a stream whose queue is full
  (its client reads too slowly) is dropped, so one slow client costs at most its queue.
- While an account has streams, the hub announces it to the collector with `status_watched`
  heartbeats (exchange `gateway.events`, nameko's format) every ttl/3, one watcher id per
  process and account; the collector polls only accounts whose watch has not lapsed.
"""
from __future__ import annotations

import collections
import json
import logging
import queue
import threading
import time
import uuid
from dataclasses import dataclass, field

from kombu import Connection, Queue, binding
from nameko.standalone.events import get_event_exchange
from prometheus_client import Counter, Gauge

from cloudsketch.collector.v1 import events_pb2
from services.common import config
from services.common.enums import enum_names
from services.common.events import EventPublisher, parse_event
from services.common.timeutil import iso, utcnow

log = logging.getLogger(__name__)

STATUS_NAMES = {value: name for name, value in enum_names(events_pb2.ResourceStatus, "RESOURCE_STATUS_").items()}
EVENT_TYPES = ("status_changed", "status_snapshot")
RING_SIZE = 1024            # events kept per account for Last-Event-ID
CLIENT_QUEUE = 256          # events a stream may have unread before it is dropped
FORGET_AFTER_SECONDS = 60   # an account's state outlives its last stream by this long (reconnects)
WATCHED = "status_watched"

STREAMS = Gauge("live_streams", "Open live-status streams of this gateway process.")
DROPPED = Counter("live_streams_dropped_total", "Live-status streams dropped because the client read too slowly.")
RECEIVED = Counter("live_events_received_total", "Status events received from the collector.", ["event"])
HEARTBEATS = Counter("live_watch_heartbeats_total", "status_watched heartbeats published.")


def status_json(status: events_pb2.StatusChanged) -> dict:
    """One resource's live status as the stream sends it."""
    metric = None
    if status.HasField("metric"):
        m = status.metric
        metric = {"name": m.name, "value": m.value, "unit": m.unit, "source": m.source}
    return {"arn": status.arn, "region": status.region, "status": STATUS_NAMES.get(status.status, "unknown"),
            "state": status.state, "detail": status.detail, "metric": metric, "observedAt": iso(status.observed_at)}


def frame(event_id: str, event: str, data: str) -> bytes:
    """One Server-Sent Event, made once per event and shared by every stream."""
    return f"id: {event_id}\nevent: {event}\ndata: {data}\n\n".encode()


def _queue_class():
    # Under the gateway's gevent server a greenlet queue (no OS locks to wake 1,000 readers); a
    # thread queue elsewhere (the Flask test client). Both raise queue.Full and queue.Empty.
    from gevent import monkey
    if monkey.is_module_patched("threading"):
        from gevent.queue import Queue
        return Queue
    return queue.Queue


class Stream:
    """One client's view of an account: a bounded queue of SSE frames to send."""

    def __init__(self, account_id: str, size: int = CLIENT_QUEUE):
        self.account_id = account_id
        self.queue = _queue_class()(maxsize=size)
        self.dropped = False

    def close(self) -> None:
        self.dropped = True
        try:
            self.queue.put_nowait(None)    # wakes the stream's reader
        except queue.Full:
            pass     # it has events to read, and sees `dropped` after the next one

    def offer(self, item: bytes) -> bool:
        try:
            self.queue.put_nowait(item)
            return True
        except queue.Full:
            self.dropped = True
            return False


@dataclass
class _Account:
    streams: set = field(default_factory=set)
    ring: collections.deque = field(default_factory=collections.deque)
    seq: int = 0
    latest: dict = field(default_factory=dict)     # arn -> status_json, merged from snapshots and changes
    observed_at: str | None = None
    watcher_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    idle_since: float | None = None


class LiveHub:
    def __init__(self, amqp_uri: str | None = None, watch_ttl_seconds: int | None = None, ring_size: int = RING_SIZE,
                 client_queue: int = CLIENT_QUEUE):
        self.amqp_uri = amqp_uri or config.amqp_uri()
        self.ttl = watch_ttl_seconds or config.live_watch_ttl_seconds()
        self.ring_size = ring_size
        self.client_queue = client_queue
        # Event ids carry the process's boot id: an id from another process (or an earlier run) is
        # "too old" and gets the snapshot.
        self.boot = uuid.uuid4().hex[:8]
        self._accounts: dict[str, _Account] = {}
        self._lock = threading.Lock()
        self._started = False
        self._stopping = threading.Event()
        self._wake = threading.Event()
        self.consuming = threading.Event()
        self._publisher: EventPublisher | None = None

    # ---- streams -------------------------------------------------------------------------------

    def subscribe(self, account_id: str, last_event_id: str = "") -> Stream:
        """A new stream of the account, its queue primed with what the client should see first:
        the events after `last_event_id` when the ring still holds them, else the latest snapshot."""
        self._start()
        stream = Stream(account_id, self.client_queue)
        with self._lock:
            account = self._accounts.get(account_id)
            first = account is None or not account.streams
            if account is None:
                account = self._accounts[account_id] = _Account(ring=collections.deque(maxlen=self.ring_size))
            account.streams.add(stream)
            account.idle_since = None
            for item in self._catch_up(account, last_event_id):
                stream.offer(item)
        STREAMS.inc()
        if first:
            self._wake.set()   # announce the new watcher now: the collector sends its snapshot
        return stream

    def unsubscribe(self, stream: Stream) -> None:
        with self._lock:
            account = self._accounts.get(stream.account_id)
            if account is None or stream not in account.streams:
                return
            account.streams.discard(stream)
            if not account.streams:
                account.idle_since = time.monotonic()
        STREAMS.dec()

    def watched(self) -> list[str]:
        with self._lock:
            return [account_id for account_id, account in self._accounts.items() if account.streams]

    def deliveries(self, account_id: str) -> int:
        """How many events of the account this process has fanned out (its last event's number)."""
        with self._lock:
            account = self._accounts.get(account_id)
            return account.seq if account else 0

    def streams(self, account_id: str) -> list[Stream]:
        with self._lock:
            account = self._accounts.get(account_id)
            return list(account.streams) if account else []

    def _catch_up(self, account: _Account, last_event_id: str) -> list[bytes]:
        boot, _, seq_text = last_event_id.partition(".")
        if boot == self.boot and seq_text.isdigit():
            seq = int(seq_text)
            oldest = account.ring[0][0] if account.ring else account.seq + 1
            if oldest - 1 <= seq <= account.seq:      # nothing missed fell out of the ring
                return [item for s, item in account.ring if s > seq]
        if not account.latest and not last_event_id:
            return []    # a new client of an account nothing is known of yet: the collector's snapshot follows
        snapshot = json.dumps({"region": None, "observedAt": account.observed_at,
                               "statuses": list(account.latest.values())})
        return [frame(f"{self.boot}.{account.seq}", "snapshot", snapshot)]

    # ---- fan-out -------------------------------------------------------------------------------

    def deliver(self, event_type: str, payload: dict) -> None:
        """One collector event to every stream of its account (not blocking: full queues drop)."""
        if event_type == "status_changed":
            status = parse_event(payload, events_pb2.StatusChanged)
            account_id, event = status.account_id, "status"
            statuses = [status_json(status)]
            body = statuses[0]
            observed_at = body["observedAt"]
        elif event_type == "status_snapshot":
            snapshot = parse_event(payload, events_pb2.StatusSnapshot)
            account_id, event = snapshot.account_id, "snapshot"
            statuses = [status_json(s) for s in snapshot.statuses]
            observed_at = iso(snapshot.observed_at)
            body = {"region": snapshot.region, "observedAt": observed_at, "statuses": statuses}
        else:
            return
        RECEIVED.labels(event_type).inc()
        data = json.dumps(body)
        dropped = []
        with self._lock:
            account = self._accounts.get(account_id)
            if account is None:
                return    # nobody here streams this account (another gateway process does)
            if event == "snapshot":   # the region's statuses are replaced, not merged
                account.latest = {arn: s for arn, s in account.latest.items() if s["region"] != snapshot.region}
            for s in statuses:
                account.latest[s["arn"]] = s
            account.observed_at = observed_at or account.observed_at
            account.seq += 1
            item = frame(f"{self.boot}.{account.seq}", event, data)
            account.ring.append((account.seq, item))
            for stream in list(account.streams):
                if not stream.offer(item):
                    dropped.append(stream)
        for stream in dropped:
            DROPPED.inc()
            self.unsubscribe(stream)

    # ---- the consumer and the heartbeats ------------------------------------------------------

    def _start(self) -> None:
        with self._lock:
            if self._started:
                return
            self._started = True
        threading.Thread(target=self._consume, name="live-consumer", daemon=True).start()
        threading.Thread(target=self._announce, name="live-heartbeats", daemon=True).start()

    def stop(self) -> None:
        """Ends every stream (its clients reconnect, to another process) and the threads."""
        self._stopping.set()
        self._wake.set()
        with self._lock:
            streams = [stream for account in self._accounts.values() for stream in account.streams]
        for stream in streams:
            stream.close()

    def _consume(self) -> None:
        exchange = get_event_exchange("collector")   # declared as nameko declares it (topic, durable)
        backoff = 0.5
        while not self._stopping.is_set():
            try:
                with Connection(self.amqp_uri, heartbeat=config.amqp_heartbeat_seconds()) as conn:
                    exchange(conn.default_channel).declare()   # the collector may not have declared it yet
                    # Exclusive and auto-deleted: the queue is this process's and goes with it; live
                    # status missed while disconnected is not worth keeping (a snapshot follows).
                    status_queue = Queue(f"gateway-live-{self.boot}", exclusive=True, auto_delete=True, durable=False,
                                         bindings=[binding(exchange, routing_key=key) for key in EVENT_TYPES])
                    with conn.Consumer(status_queue, callbacks=[self._on_message], no_ack=True, accept=["json"]):
                        self._bound()
                        backoff = 0.5
                        while not self._stopping.is_set():
                            try:
                                conn.drain_events(timeout=1)
                            except TimeoutError:
                                conn.heartbeat_check()
            except Exception as exc:   # the broker went away: reconnect (and get snapshots again)
                self.consuming.clear()
                log.warning("live status consumer disconnected", extra={"error": type(exc).__name__})
                self._stopping.wait(backoff)
                backoff = min(backoff * 2, 10)

    def _bound(self) -> None:
        """The queue is bound (again): every account gets a new watcher id, so that the collector
        sends snapshots (what was missed while unbound), and the heartbeats go out now. Before
        this none is sent: a snapshot published before the queue exists would be lost."""
        with self._lock:
            for account in self._accounts.values():
                account.watcher_id = uuid.uuid4().hex
        self.consuming.set()
        self._wake.set()

    def _on_message(self, body, message) -> None:
        try:
            self.deliver(message.delivery_info.get("routing_key", ""), body)
        except Exception as exc:   # a malformed event must not stop the consumer; no content is logged
            log.error("could not deliver a live status event", extra={"error": type(exc).__name__})

    def _announce(self) -> None:
        interval = max(self.ttl / 3, 0.5)
        while not self._stopping.is_set():
            self._forget_idle()
            if self.consuming.is_set():
                for account_id in self.watched():
                    self._heartbeat(account_id)
            self._wake.wait(interval)
            self._wake.clear()

    def _heartbeat(self, account_id: str) -> None:
        with self._lock:
            account = self._accounts.get(account_id)
            if account is None:
                return
            watcher_id = account.watcher_id
        message = events_pb2.StatusWatched(account_id=account_id, watcher_id=watcher_id, ttl_seconds=self.ttl)
        message.occurred_at.FromDatetime(utcnow())
        try:
            if self._publisher is None:
                self._publisher = EventPublisher("gateway", self.amqp_uri)
            self._publisher.publish(WATCHED, message)
            HEARTBEATS.inc()
        except Exception as exc:   # the next beat retries; a lapsed watch only pauses polling
            log.warning("could not announce a watched account", extra={"error": type(exc).__name__})

    def _forget_idle(self) -> None:
        now = time.monotonic()
        with self._lock:
            for account_id, account in list(self._accounts.items()):
                if not account.streams and account.idle_since is not None and \
                        now - account.idle_since > FORGET_AFTER_SECONDS:
                    del self._accounts[account_id]
