"""The transactional outbox (docs/architecture.md, "A change and its event commit together").

A service that publishes events adds the `outbox` table to its tables.py (`outbox_table(metadata)`)
and to a migration, and writes each event with `write_event(conn, ...)` in the same transaction as
the change it reports: the change and its event commit together or not at all. An `OutboxRelay`
(a thread in the service's api process) publishes pending rows oldest first with publisher
confirms, through `EventPublisher` (same exchange, routing key and payload as a direct publish, so
consumers see no difference), and deletes a row only after the broker confirmed it.

Guarantees: at least once (a relay that dies between the confirm and the delete publishes that
row again; consumers are idempotent), in commit order per aggregate (a service writes its event
after the statements that change the aggregate's row, whose lock orders two changes of one
aggregate). One relay publishes at a time per database: a PostgreSQL advisory lock across
processes and replicas, a thread lock within a process (SQLite is one process per service).
"""
from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable

import sqlalchemy as sa
from google.protobuf.message import Message
from prometheus_client import Counter, Gauge
from sqlalchemy.engine import Connection, Engine

from services.common.events import EventPublisher, to_payload
from services.common.timeutil import utcnow

log = logging.getLogger(__name__)

PENDING = Gauge("outbox_pending_events", "Events written to the outbox and not yet confirmed by the broker.",
                ["service"])
PUBLISH_FAILURES = Counter("outbox_publish_failures_total",
                           "Attempts to publish an outbox event that the broker did not confirm.", ["service"])

BATCH = 100
POLL_SECONDS = 5.0
# kombu's retry policy for the relay's publisher: fail fast, as the relay retries by itself (on its
# next wake-up or poll) and must not sit in kombu's back-off while the broker is away.
RELAY_RETRY_POLICY = {"max_retries": 1, "interval_start": 0.2, "interval_step": 0.2, "interval_max": 0.5}


def outbox_table(metadata: sa.MetaData) -> sa.Table:
    """The outbox table, for a service's tables.py (its migration spells out the same columns)."""
    return sa.Table(
        "outbox", metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("aggregate_id", sa.String(100), nullable=False),
        sa.Column("event_type", sa.String(100), nullable=False),
        # The protobuf message as JSON (json_format), exactly the payload that goes on the bus.
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def write_event(conn: Connection, table: sa.Table, event_type: str, message: Message, aggregate_id: str) -> None:
    """Adds the event to the outbox in the caller's transaction (call it after the change's own
    statements, so that the aggregate's row lock orders two changes of one aggregate)."""
    conn.execute(table.insert().values(aggregate_id=aggregate_id, event_type=event_type,
                                       payload=json.dumps(to_payload(message)), created_at=utcnow()))


def pending_events(engine: Engine, table: sa.Table) -> list[tuple[str, str, dict]]:
    """(event type, aggregate id, payload) of every unpublished event, oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(table).order_by(table.c.id)).all()
    return [(row.event_type, row.aggregate_id, json.loads(row.payload)) for row in rows]


PublishPayload = Callable[[str, dict], None]


class OutboxRelay:
    """Publishes a service's outbox. `wake()` after a commit that wrote events; a slow poll
    (`poll_seconds`) catches the rest: events of other processes, and those whose publish failed."""

    def __init__(self, engine: Engine, table: sa.Table, service: str, publish: PublishPayload,
                 poll_seconds: float = POLL_SECONDS):
        self.engine, self.table, self.service, self.publish = engine, table, service, publish
        self.poll_seconds = poll_seconds
        self._wakeup = threading.Event()
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def wake(self) -> None:
        self._wakeup.set()

    def start(self) -> OutboxRelay:
        self._thread = threading.Thread(target=self._run, name=f"{self.service}-outbox", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        self._wakeup.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wakeup.wait(self.poll_seconds)
            self._wakeup.clear()
            try:
                while self.relay_once() == BATCH and not self._stopping.is_set():
                    pass  # a full batch: more may be waiting
            except Exception:  # the database away: the next wake-up or poll tries again
                log.exception("outbox relay pass failed", extra={"service": self.service})

    def relay_once(self) -> int:
        """One pass: publishes up to BATCH pending events in order, stopping at the first the
        broker does not confirm, and deletes those it confirmed. The number published."""
        with self._lock, self.engine.connect() as conn:
            if not self._try_lock(conn):
                return 0  # another process's relay is publishing
            try:
                rows = conn.execute(sa.select(self.table).order_by(self.table.c.id).limit(BATCH)).all()
                conn.commit()
                confirmed = []
                for row in rows:
                    try:
                        self.publish(row.event_type, json.loads(row.payload))
                    except Exception as exc:
                        PUBLISH_FAILURES.labels(self.service).inc()
                        log.warning("outbox: publish not confirmed, will retry", extra={
                            "service": self.service, "event_type": row.event_type, "error": str(exc)[:300]})
                        break  # later events wait, so that order holds
                    confirmed.append(row.id)
                if confirmed:
                    conn.execute(self.table.delete().where(self.table.c.id.in_(confirmed)))
                    conn.commit()
                PENDING.labels(self.service).set(
                    conn.execute(sa.select(sa.func.count()).select_from(self.table)).scalar_one())
                conn.commit()
                return len(confirmed)
            finally:
                self._unlock(conn)

    def _lock_key(self) -> str:
        return f"cloudsketch.outbox.{self.service}"

    def _try_lock(self, conn: Connection) -> bool:
        if conn.dialect.name != "postgresql":
            return True
        got = conn.execute(sa.text("SELECT pg_try_advisory_lock(hashtext(:key))"), {"key": self._lock_key()}).scalar()
        conn.commit()
        return bool(got)

    def _unlock(self, conn: Connection) -> None:
        if conn.dialect.name == "postgresql":
            conn.rollback()  # a failed statement leaves the transaction unusable until then
            conn.execute(sa.text("SELECT pg_advisory_unlock(hashtext(:key))"), {"key": self._lock_key()})
            conn.commit()


def start_relay(engine: Engine, table: sa.Table, service: str) -> OutboxRelay:
    """The service's relay, started and woken once for events a previous run left behind."""
    relay = OutboxRelay(engine, table, service,
                        EventPublisher(service, retry_policy=RELAY_RETRY_POLICY).publish_payload).start()
    relay.wake()
    return relay
