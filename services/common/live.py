"""A service's live copy of the collector's resources, per account: kept from `resources_changed`
and `sync_finished`, checked for missed events, and rebuilt from collector-api's inventory when
the events cannot be trusted. The diagram's live model (services/diagram/live.py) and the budget's
live budget (services/budget/live.py) are this mechanism with their own rows and their own work
when a sync completes.

Ordering rules (docs/diagram.md, "Live model"):
- Every change carries a version: the occurred_at of its resources_changed batch, which the
  collector also records as the inventory's changed_at. A change older than the row it would
  touch is ignored; a removal leaves a tombstone with its version, so a late upsert from an older
  sync cannot bring a resource back. Equal versions apply again: a redelivered batch is a no-op.
- A sync's batches are numbered 0..n-1 per region and sync_finished says n. Queues are consumed
  concurrently, so batches may come after sync_finished: completeness is checked on both, and a
  sync still incomplete `gap_seconds` after its sync_finished is a gap, repaired by a rebuild.
- A rebuild reads the inventory only while no sync of the account runs (collector-api says so),
  when everything published has also been recorded; rows not in the inventory and older than the
  read are tombstoned.
- Events of an account the service does not know (account_registered not handled yet, or the
  account removed) are dropped: registration schedules a rebuild, which repairs the first case.

The events and inventory pages are the collector's messages, read by their fields: services/common
knows no service's protos, so the collector's stub and request classes are passed in
(`inventory_reader`).
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from services.common.database import insert_if_absent, read_connection
from services.common.grpc_client import stub
from services.common.timeutil import utcnow

log = logging.getLogger(__name__)

Inventory = Callable[[str], Iterable[Any]]    # account id -> collector-api's ListInventory pages
# How long a rebuild waits when a sync of the account is running; its sync_finished comes first.
RETRY_WHILE_SYNCING = timedelta(seconds=15)
# A rebuild that failed (collector-api away) is tried again after this.
RETRY_AFTER_ERROR = timedelta(seconds=15)
# Tombstones and received-batch records older than this are dropped: no late event is that late.
FORGET_AFTER = timedelta(hours=6)
INVENTORY_PAGE = 500
INVENTORY_TIMEOUT_SECONDS = 120


def as_datetime(timestamp) -> datetime:
    return timestamp.ToDatetime(tzinfo=UTC)


def inventory_reader(stub_class, request_class) -> Inventory:
    """account id -> every page of its inventory from collector-api (`stub_class`'s ListInventory
    with `request_class`). grpcio blocks, so the call and reading its stream run in eventlet's
    thread pool (docs/architecture.md, "Runtime rules"; every worker gave grpcio real threading at
    start)."""
    def fetch(account_id: str) -> list:
        from eventlet import tpool  # here: the api processes that import this module run no eventlet

        collector = stub("collector", stub_class)

        def read() -> list:
            return list(collector.ListInventory(request_class(account_id=account_id, page_size=INVENTORY_PAGE),
                                                timeout=INVENTORY_TIMEOUT_SECONDS))
        return tpool.execute(read)
    return fetch


class LiveStore:
    """The mechanism; a subclass names its tables and says what a row of a resource is and what
    happens when a sync completes. `accounts` has account_id, state (awaiting_scan, ready),
    last_sync_id, rebuild_after and rebuilt_at; `rows` account_id, arn, version and removed;
    `batches` and `syncs` are the same in both services."""
    accounts: sa.Table
    rows: sa.Table
    batches: sa.Table
    syncs: sa.Table
    kept_on_update: tuple[str, ...] = ()       # columns a newer write leaves as they are
    finished_state: int                        # the collector's SYNC_STATE_FINISHED

    def __init__(self, engine: Engine, inventory: Inventory | None = None, gap_seconds: float = 30.0):
        self.engine = engine
        self.inventory = inventory
        self.gap = timedelta(seconds=gap_seconds)

    # What a subclass says ---------------------------------------------------------------------

    def row_values(self, resource) -> dict:
        """The row of a collector resource (arn and the subclass's columns)."""
        raise NotImplementedError

    def tombstone_values(self, arn: str) -> dict:
        raise NotImplementedError

    def written(self, conn, account_id: str) -> dict:
        """Columns every row a transaction writes gets (the same for all of them)."""
        return {}

    def completed_values(self, ready: bool) -> dict:
        """More columns of the account's row when a sync completes or a rebuild ends."""
        return {}

    def settle(self, conn, account_id: str, sync_id: str) -> bool:
        """In the transaction that completed a sync (or ended a rebuild) of a ready account."""
        return False

    def after_sync(self, account_id: str, sync_id: str, reason: str) -> None:
        """After that transaction: reason "sync" or "rebuild"."""

    def forgettable(self):
        """Which old tombstones may go (a SQL condition on `rows`)."""
        return sa.true()

    def before_forgetting(self, conn, account_id: str) -> None:
        """In the transaction that drops old tombstones of the account."""

    @property
    def forget_tables(self) -> tuple[sa.Table, ...]:
        return (self.rows, self.batches, self.syncs)

    # Rows ---------------------------------------------------------------------------------------

    def _known(self, conn, account_id: str) -> bool:
        return conn.execute(sa.select(self.accounts.c.account_id).where(
            self.accounts.c.account_id == account_id)).first() is not None

    def _upsert(self, conn, account_id: str, rows: list[tuple[dict, datetime, bool]]) -> None:
        """Write each (values, version, removed) unless a newer version is stored: one
        INSERT ... ON CONFLICT DO UPDATE ... WHERE, executed for every row at once."""
        if not rows:
            return
        insert: Any = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
        extra = self.written(conn, account_id)
        # One row per ARN (PostgreSQL refuses to update a row twice in one statement); the last wins.
        params = list({values["arn"]: {"account_id": account_id, "version": version, "removed": removed,
                                       **extra, **values}
                       for values, version, removed in rows}.values())
        statement = insert(self.rows)
        skipped = ("account_id", "arn", *self.kept_on_update)
        conn.execute(statement.on_conflict_do_update(
            index_elements=[self.rows.c.account_id, self.rows.c.arn],
            set_={key: statement.excluded[key] for key in params[0] if key not in skipped},
            where=self.rows.c.version <= statement.excluded.version), params)

    # Events -------------------------------------------------------------------------------------

    def on_resources_changed(self, event) -> Any:
        """Applies the batch; then, if it completed its sync, what `settle` answered (else False)."""
        version = as_datetime(event.occurred_at)
        rows = [(self.row_values(r), version, False) for r in event.upserted]
        rows += [(self.tombstone_values(arn), version, True) for arn in event.removed_arns]
        with self.engine.begin() as conn:
            if not self._known(conn, event.account_id):
                log.info("resources of an unknown account dropped", extra={"account_id": event.account_id})
                return False
            self._upsert(conn, event.account_id, rows)
            conn.execute(insert_if_absent(conn, self.batches, account_id=event.account_id, sync_id=event.sync_id,
                                          region=event.region, batch_index=event.batch_index, received_at=utcnow()))
        return self._check(event.account_id, event.sync_id)

    def on_sync_finished(self, event) -> Any:
        """Records the sync (finished well, or failed); then as on_resources_changed."""
        with self.engine.begin() as conn:
            if not self._known(conn, event.account_id):
                return False
            conn.execute(insert_if_absent(
                conn, self.syncs, account_id=event.account_id, sync_id=event.sync_id,
                state="finished" if event.state == self.finished_state else "failed",
                expected={rb.region: rb.batches for rb in event.region_batches},
                finished_at=as_datetime(event.occurred_at), received_at=utcnow(), complete=False))
        return self._check(event.account_id, event.sync_id)

    def _check(self, account_id: str, sync_id: str) -> Any:
        """If every batch the sync published has come: mark it complete, and settle it when the
        account is (now) ready."""
        with self.engine.begin() as conn:
            sync = conn.execute(sa.select(self.syncs).where(
                self.syncs.c.account_id == account_id, self.syncs.c.sync_id == sync_id).with_for_update()).first()
            if sync is None or sync.complete:
                return False
            received: dict[str, set[int]] = {}
            for region, index in conn.execute(sa.select(self.batches.c.region, self.batches.c.batch_index).where(
                    self.batches.c.account_id == account_id, self.batches.c.sync_id == sync_id)):
                received.setdefault(region, set()).add(index)
            if any(not set(range(n)) <= received.get(region, set()) for region, n in sync.expected.items()):
                return False
            conn.execute(self.syncs.update().where(self.syncs.c.account_id == account_id,
                                                   self.syncs.c.sync_id == sync_id).values(complete=True))
            conn.execute(self.batches.delete().where(self.batches.c.account_id == account_id,
                                                     self.batches.c.sync_id == sync_id))
            account = conn.execute(sa.select(self.accounts).where(
                self.accounts.c.account_id == account_id).with_for_update()).first()
            if account is None:
                return False
            # A complete, successful sync makes an account ready that holds every earlier change:
            # one with no rebuild pending (registration found nothing synced before it).
            becomes_ready = account.state == "awaiting_scan" and account.rebuild_after is None \
                and sync.state == "finished"
            ready = account.state == "ready" or becomes_ready
            values = {"last_sync_id": sync_id, **self.completed_values(ready)}
            if becomes_ready:
                values["state"] = "ready"
            conn.execute(self.accounts.update().where(self.accounts.c.account_id == account_id).values(**values))
            result = self.settle(conn, account_id, sync_id) if ready else False
        self.after_sync(account_id, sync_id, "sync")
        return result

    def _complete(self, account_id: str, sync_id: str) -> bool:
        with read_connection(self.engine) as conn:
            return bool(conn.execute(sa.select(self.syncs.c.complete).where(
                self.syncs.c.account_id == account_id, self.syncs.c.sync_id == sync_id)).scalar())

    # Gaps and rebuilds --------------------------------------------------------------------------

    def schedule_rebuild(self, account_id: str, at: datetime | None = None) -> None:
        with self.engine.begin() as conn:
            conn.execute(self.accounts.update().where(self.accounts.c.account_id == account_id)
                         .values(rebuild_after=at or utcnow()))

    def _clear_rebuild(self, account_id: str, started: datetime) -> None:
        """No rebuild due any more, unless one was asked for after `started`."""
        with self.engine.begin() as conn:
            conn.execute(self.accounts.update().where(self.accounts.c.account_id == account_id,
                                                      self.accounts.c.rebuild_after <= started)
                         .values(rebuild_after=None))

    def due(self, now: datetime) -> list[str]:
        """Accounts to rebuild now: a rebuild is due, or a sync is still incomplete `gap` after its
        sync_finished (checked once more first: its last batch may just have come)."""
        with read_connection(self.engine) as conn:
            due = set(conn.execute(sa.select(self.accounts.c.account_id).where(
                self.accounts.c.rebuild_after <= now)).scalars())
            stale = conn.execute(sa.select(self.syncs.c.account_id, self.syncs.c.sync_id).where(
                self.syncs.c.complete.is_(False), self.syncs.c.received_at <= now - self.gap)).all()
        for account_id, sync_id in stale:
            if account_id in due:
                continue
            self._check(account_id, sync_id)
            if not self._complete(account_id, sync_id):
                log.warning("missed resources_changed batches: rebuilding",
                            extra={"account_id": account_id, "sync_id": sync_id})
                due.add(account_id)
        return sorted(due)

    def rebuild(self, account_id: str) -> bool:
        """Make the account's rows the collector's inventory. False when a sync was running (the
        rebuild is tried again later) or the account is unknown."""
        if self.inventory is None:
            raise RuntimeError("a rebuild needs the collector's inventory")
        started = utcnow()
        pages = list(self.inventory(account_id))
        header = pages[0]
        if header.sync_running and not header.last_sync_id:
            # The account's first sync: its batches and sync_finished decide (a batch that came
            # before the registration was dropped, which the completeness check finds).
            self._clear_rebuild(account_id, started)
            return False
        if header.sync_running:
            self.schedule_rebuild(account_id, utcnow() + RETRY_WHILE_SYNCING)
            return False
        read_at = as_datetime(header.read_at)
        entries = [entry for page in pages for entry in page.entries]
        rows = [(self.row_values(entry.resource), as_datetime(entry.changed_at), False) for entry in entries]
        with self.engine.begin() as conn:
            account = conn.execute(sa.select(self.accounts).where(
                self.accounts.c.account_id == account_id).with_for_update()).first()
            if account is None:
                return False
            arns = {entry.resource.arn for entry in entries}
            self._upsert(conn, account_id, rows)
            present = conn.execute(sa.select(self.rows.c.arn).where(
                self.rows.c.account_id == account_id, self.rows.c.removed.is_(False),
                self.rows.c.version < read_at)).scalars().all()
            self._upsert(conn, account_id,
                         [(self.tombstone_values(arn), read_at, True) for arn in sorted(set(present) - arns)])
            # Every sync that ended before the read is in the inventory: nothing of it is missing.
            conn.execute(self.syncs.update().where(self.syncs.c.account_id == account_id,
                                                   self.syncs.c.finished_at <= read_at).values(complete=True))
            conn.execute(self.batches.delete().where(self.batches.c.account_id == account_id,
                                                     self.batches.c.received_at <= started))
            values = {"rebuilt_at": utcnow(), **self.completed_values(bool(header.last_sync_id))}
            if header.last_sync_id:
                values.update(state="ready", last_sync_id=header.last_sync_id)
            conn.execute(self.accounts.update().where(self.accounts.c.account_id == account_id).values(**values))
            if header.last_sync_id:
                self.settle(conn, account_id, header.last_sync_id)
        self._clear_rebuild(account_id, started)
        if header.last_sync_id:
            self.after_sync(account_id, header.last_sync_id, "rebuild")
        log.info("rebuilt from the inventory", extra={"account_id": account_id, "resources": len(entries),
                                                       "sync_id": header.last_sync_id})
        return True

    def reconcile(self, now: datetime | None = None) -> None:
        """The worker's timer: run the rebuilds that are due (registered after a sync, gaps, failed
        rebuilds), then forget what is old."""
        now = now or utcnow()
        for account_id in self.due(now):
            try:
                self.rebuild(account_id)
            except grpc.RpcError as exc:
                log.warning("rebuild failed: collector-api %s", exc.code().name, extra={"account_id": account_id})
                self.schedule_rebuild(account_id, utcnow() + RETRY_AFTER_ERROR)
        self.forget_old(now)

    # Forgetting ---------------------------------------------------------------------------------

    def forget(self, account_id: str) -> None:
        """account_removed: everything held of the account goes."""
        with self.engine.begin() as conn:
            for table in self.forget_tables:
                conn.execute(table.delete().where(table.c.account_id == account_id))

    def forget_old(self, now: datetime) -> None:
        old = sa.and_(self.rows.c.removed.is_(True), self.rows.c.version < now - FORGET_AFTER, self.forgettable())
        with read_connection(self.engine) as conn:
            accounts = conn.execute(sa.select(self.rows.c.account_id).distinct().where(old)).scalars().all()
        for account_id in accounts:
            with self.engine.begin() as conn:
                self.before_forgetting(conn, account_id)
                conn.execute(self.rows.delete().where(self.rows.c.account_id == account_id, old))
        with self.engine.begin() as conn:
            conn.execute(self.batches.delete().where(self.batches.c.received_at < now - FORGET_AFTER))
            conn.execute(self.syncs.delete().where(self.syncs.c.complete.is_(True),
                                                   self.syncs.c.received_at < now - FORGET_AFTER))
