"""The live budget: each account's components priced from the collector's events, checked for
missed events, rebuilt from collector-api's inventory when the events cannot be trusted, and
settled after each complete sync into the changes it made to the account's costs.

Ordering rules (the diagram's live model's, docs/budget.md "The service"):
- Every change carries a version: the occurred_at of its resources_changed batch (the
  inventory's changed_at on a rebuild). A change older than the row it would touch is ignored; a
  removal leaves a tombstone, so a late upsert from an older sync cannot bring a component back.
  Equal versions apply again: a redelivered batch is a no-op.
- A sync's batches are numbered 0..n-1 per region and sync_finished says n; completeness is
  checked on both, and a sync still incomplete `gap_seconds` after its sync_finished is a gap,
  repaired by a rebuild from the inventory (read only while no sync of the account runs).
- Settling: a complete sync compares each component written since the last settlement (`dirty`)
  with its `baseline` (its pricing at that settlement), records the changes ("m5.large ->
  m5.xlarge", "new NAT gateway") and, if there are any, writes `budget_changed` to the outbox in
  the same transaction. Its cost is the number of changed components, not the account's size.
- Events of an account the budget does not know are dropped; registration schedules a rebuild.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from cloudsketch.budget.v1 import budget_pb2 as pb
from cloudsketch.budget.v1 import events_pb2 as budget_events
from cloudsketch.collector.v1 import collector_pb2
from cloudsketch.collector.v1 import events_pb2 as collector_events
from services.budget import catalog as catalog_module
from services.budget.costs import Component, Priced, price
from services.budget.tables import (
    budget_accounts,
    budget_batches,
    budget_changes,
    budget_components,
    budget_syncs,
    outbox,
)
from services.budget.totals import changes as cost_changes
from services.common.database import insert_if_absent, read_connection
from services.common.outbox import write_event
from services.common.timeutil import to_timestamp, utcnow

log = logging.getLogger(__name__)

Inventory = Callable[[str], Iterable[collector_pb2.ListInventoryResponse]]
RETRY_WHILE_SYNCING = timedelta(seconds=15)
FORGET_AFTER = timedelta(hours=6)
EVENT_CHANGES = 100  # changes carried by one budget_changed event


def as_datetime(timestamp) -> datetime:
    return timestamp.ToDatetime(tzinfo=UTC)


def _plain(value: Any) -> Any:
    """JSON-safe: Decimals as strings, tuples as lists."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _money(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None or value == "" else Decimal(value)


def priced_values(item: Priced) -> dict:
    return {"arn": item.arn, "type": item.type, "region": item.region, "name": item.name, "vpc": item.vpc,
            "tags": dict(item.tags), "status": item.status, "monthly": _money(item.monthly),
            "unit_price": _money(item.unit_price), "basis": item.basis, "service": item.service,
            "fields": _plain(dict(item.fields)), "drivers": _plain(list(item.drivers))}


def _tombstone(arn: str) -> dict:
    return {"arn": arn, "type": "", "region": "", "name": "", "vpc": "", "tags": {}, "status": "unpriced",
            "monthly": None, "unit_price": None, "basis": "", "service": "", "fields": {}, "drivers": []}


def _baseline(row) -> dict | None:
    """What a settlement keeps of a component to compare the next one with."""
    if row.removed:
        return None
    return {"type": row.type, "name": row.name, "region": row.region, "status": row.status,
            "monthly": row.monthly, "unit_price": row.unit_price, "basis": row.basis, "service": row.service,
            "drivers": row.drivers}


def _as_priced(arn: str, values: dict) -> Priced:
    return Priced(arn, values["type"], values.get("region", ""), values["name"], values["status"],
                  _decimal(values["monthly"]), _decimal(values["unit_price"]), values["basis"],
                  values.get("service", ""), drivers=tuple(tuple(d) for d in values["drivers"]))


def row_priced(row) -> Priced:
    return Priced(row.arn, row.type, row.region, row.name, row.status, _decimal(row.monthly),
                  _decimal(row.unit_price), row.basis, row.service, row.vpc, dict(row.tags), dict(row.fields),
                  tuple(tuple(d) for d in row.drivers))


def _upsert(conn, account_id: str, rows: list[tuple[dict, datetime, bool]]) -> None:
    """Write each (values, version, removed) unless a newer version is stored, marking it dirty;
    the baseline stays. One INSERT ... ON CONFLICT DO UPDATE ... WHERE for every row at once."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    params = list({values["arn"]: {"account_id": account_id, "version": version, "removed": removed,
                                   "dirty": True, "baseline": None, **values}
                   for values, version, removed in rows}.values())
    statement = insert(budget_components)
    conn.execute(statement.on_conflict_do_update(
        index_elements=[budget_components.c.account_id, budget_components.c.arn],
        set_={key: statement.excluded[key] for key in params[0] if key not in ("account_id", "arn", "baseline")},
        where=budget_components.c.version <= statement.excluded.version), params)


class LiveBudget:
    def __init__(self, engine: Engine, inventory: Inventory | None = None, gap_seconds: float = 30.0,
                 catalog: catalog_module.Catalog | None = None):
        self.engine = engine
        self.inventory = inventory
        self.gap = timedelta(seconds=gap_seconds)
        self.catalog = catalog or catalog_module.default()

    def _price(self, resource) -> dict:
        return priced_values(price(Component.from_resource(resource), catalog=self.catalog))

    @staticmethod
    def _known(conn, account_id: str) -> bool:
        return conn.execute(sa.select(budget_accounts.c.account_id).where(
            budget_accounts.c.account_id == account_id)).first() is not None

    # Accounts ---------------------------------------------------------------------------------

    def on_account_registered(self, account_id: str, aws_account_id: str, name: str) -> None:
        now = utcnow()
        with self.engine.begin() as conn:
            # A redelivered event finds the row and changes nothing. rebuild_after: the collector
            # may have synced the account before this event came.
            conn.execute(insert_if_absent(conn, budget_accounts, account_id=account_id,
                                          aws_account_id=aws_account_id, name=name, state="awaiting_scan",
                                          created_at=now, rebuild_after=now, total_usd="0"))

    def forget(self, account_id: str) -> None:
        """account_removed: everything the budget holds of the account goes."""
        with self.engine.begin() as conn:
            for table in (budget_components, budget_batches, budget_syncs, budget_changes, budget_accounts):
                conn.execute(table.delete().where(table.c.account_id == account_id))

    # Events -----------------------------------------------------------------------------------

    def on_resources_changed(self, event: collector_events.ResourcesChanged) -> bool:
        """Prices the batch's components; True when the batch completed a sync that changed costs."""
        version = as_datetime(event.occurred_at)
        rows = [(self._price(r), version, False) for r in event.upserted]
        rows += [(_tombstone(arn), version, True) for arn in event.removed_arns]
        with self.engine.begin() as conn:
            if not self._known(conn, event.account_id):
                log.info("resources of an unknown account dropped", extra={"account_id": event.account_id})
                return False
            _upsert(conn, event.account_id, rows)
            conn.execute(insert_if_absent(conn, budget_batches, account_id=event.account_id, sync_id=event.sync_id,
                                          region=event.region, batch_index=event.batch_index,
                                          received_at=utcnow()))
        return self._check(event.account_id, event.sync_id)

    def on_sync_finished(self, event: collector_events.SyncFinished) -> bool:
        with self.engine.begin() as conn:
            if not self._known(conn, event.account_id):
                return False
            state = "finished" if event.state == collector_pb2.SYNC_STATE_FINISHED else "failed"
            conn.execute(insert_if_absent(
                conn, budget_syncs, account_id=event.account_id, sync_id=event.sync_id, state=state,
                expected={rb.region: rb.batches for rb in event.region_batches},
                finished_at=as_datetime(event.occurred_at), received_at=utcnow(), complete=False))
        return self._check(event.account_id, event.sync_id)

    def _check(self, account_id: str, sync_id: str) -> bool:
        """If every batch the sync published has come: mark it complete and settle. True when the
        settlement wrote a budget_changed event."""
        with self.engine.begin() as conn:
            sync = conn.execute(sa.select(budget_syncs).where(
                budget_syncs.c.account_id == account_id, budget_syncs.c.sync_id == sync_id).with_for_update()).first()
            if sync is None or sync.complete:
                return False
            received: dict[str, set[int]] = {}
            for region, index in conn.execute(sa.select(budget_batches.c.region, budget_batches.c.batch_index).where(
                    budget_batches.c.account_id == account_id, budget_batches.c.sync_id == sync_id)):
                received.setdefault(region, set()).add(index)
            if any(not set(range(n)) <= received.get(region, set()) for region, n in sync.expected.items()):
                return False
            conn.execute(budget_syncs.update().where(budget_syncs.c.account_id == account_id,
                                                     budget_syncs.c.sync_id == sync_id).values(complete=True))
            conn.execute(budget_batches.delete().where(budget_batches.c.account_id == account_id,
                                                       budget_batches.c.sync_id == sync_id))
            account = conn.execute(sa.select(budget_accounts).where(
                budget_accounts.c.account_id == account_id).with_for_update()).first()
            values: dict = {"last_sync_id": sync_id}
            # A complete, successful sync makes a budget ready that holds every earlier change.
            if account.state == "awaiting_scan" and account.rebuild_after is None and sync.state == "finished":
                values["state"] = "ready"
            if account.state == "ready" or values.get("state") == "ready":
                values["priced_at"] = utcnow()
            conn.execute(budget_accounts.update().where(budget_accounts.c.account_id == account_id).values(**values))
            if account.state != "ready" and values.get("state") != "ready":
                return False
            return self._settle(conn, account_id, sync_id)

    def _settle(self, conn, account_id: str, sync_id: str) -> bool:
        """Compare the dirty components with their baselines; record and publish the changes."""
        dirty = conn.execute(sa.select(budget_components).where(
            budget_components.c.account_id == account_id, budget_components.c.dirty.is_(True))).all()
        if not dirty:
            return False
        before = {row.arn: _as_priced(row.arn, row.baseline) for row in dirty if row.baseline is not None}
        after = {row.arn: row_priced(row) for row in dirty if not row.removed}
        found = cost_changes(before, after)
        baselines = {row.arn: _baseline(row) for row in dirty}
        update = budget_components.update().where(
            budget_components.c.account_id == account_id,
            budget_components.c.arn == sa.bindparam("b_arn")).values(
            baseline=sa.bindparam("b_baseline"), dirty=False)
        conn.execute(update, [{"b_arn": arn, "b_baseline": value} for arn, value in baselines.items()])
        if not found:
            return False
        # The running total plus this settlement's moves: the account's rows are not read again.
        total_before = Decimal(conn.execute(sa.select(budget_accounts.c.total_usd).where(
            budget_accounts.c.account_id == account_id)).scalar())
        total_after = total_before + sum((c.delta for c in found), Decimal(0))
        conn.execute(budget_accounts.update().where(budget_accounts.c.account_id == account_id)
                     .values(total_usd=_money(total_after)))
        now = utcnow()
        conn.execute(budget_changes.delete().where(budget_changes.c.account_id == account_id))
        conn.execute(budget_changes.insert(), [{
            "account_id": account_id, "arn": c.arn, "sync_id": sync_id, "type": c.type, "name": c.name,
            "before_usd": _money(c.before), "after_usd": _money(c.after), "delta_usd": _money(c.delta),
            "reason": c.reason, "position": i, "total_before_usd": _money(total_before),
            "total_after_usd": _money(total_after), "created_at": now} for i, c in enumerate(found)])
        # After the change's own statements, so the account row's lock orders two settlements.
        write_event(conn, outbox, "budget_changed", budget_events.BudgetChanged(
            account_id=account_id, sync_id=sync_id, total_before_usd=_money(total_before),
            total_after_usd=_money(total_after), changes=[change_message(c) for c in found[:EVENT_CHANGES]],
            change_count=len(found), occurred_at=to_timestamp(now)), account_id)
        return True

    # Gaps and rebuilds ------------------------------------------------------------------------

    def schedule_rebuild(self, account_id: str, at: datetime | None = None) -> None:
        with self.engine.begin() as conn:
            conn.execute(budget_accounts.update().where(budget_accounts.c.account_id == account_id)
                         .values(rebuild_after=at or utcnow()))

    def _clear_rebuild(self, account_id: str, started: datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(budget_accounts.update().where(budget_accounts.c.account_id == account_id,
                                                        budget_accounts.c.rebuild_after <= started)
                         .values(rebuild_after=None))

    def due(self, now: datetime) -> list[str]:
        """Accounts to rebuild now: a rebuild is due, or a sync is still incomplete `gap` after its
        sync_finished (checked once more first: its last batch may just have come)."""
        with read_connection(self.engine) as conn:
            due = set(conn.execute(sa.select(budget_accounts.c.account_id).where(
                budget_accounts.c.rebuild_after <= now)).scalars())
            stale = conn.execute(sa.select(budget_syncs.c.account_id, budget_syncs.c.sync_id).where(
                budget_syncs.c.complete.is_(False), budget_syncs.c.received_at <= now - self.gap)).all()
        for account_id, sync_id in stale:
            if account_id in due:
                continue
            self._check(account_id, sync_id)
            with read_connection(self.engine) as conn:
                complete = conn.execute(sa.select(budget_syncs.c.complete).where(
                    budget_syncs.c.account_id == account_id, budget_syncs.c.sync_id == sync_id)).scalar()
            if not complete:
                log.warning("missed resources_changed batches: rebuilding",
                            extra={"account_id": account_id, "sync_id": sync_id})
                due.add(account_id)
        return sorted(due)

    def rebuild(self, account_id: str) -> bool:
        """Make the account's components the collector's inventory, priced, and settle. False when
        a sync was running (tried again later) or the account is unknown."""
        started = utcnow()
        pages = list(self.inventory(account_id))
        header = pages[0]
        if header.sync_running and not header.last_sync_id:
            self._clear_rebuild(account_id, started)  # the first sync's own events decide
            return False
        if header.sync_running:
            self.schedule_rebuild(account_id, utcnow() + RETRY_WHILE_SYNCING)
            return False
        read_at = as_datetime(header.read_at)
        entries = [entry for page in pages for entry in page.entries]
        priced = [(self._price(entry.resource), as_datetime(entry.changed_at), False) for entry in entries]
        with self.engine.begin() as conn:
            account = conn.execute(sa.select(budget_accounts).where(
                budget_accounts.c.account_id == account_id).with_for_update()).first()
            if account is None:
                return False
            arns = {entry.resource.arn for entry in entries}
            _upsert(conn, account_id, priced)
            present = conn.execute(sa.select(budget_components.c.arn).where(
                budget_components.c.account_id == account_id, budget_components.c.removed.is_(False),
                budget_components.c.version < read_at)).scalars().all()
            _upsert(conn, account_id, [(_tombstone(arn), read_at, True) for arn in sorted(set(present) - arns)])
            conn.execute(budget_syncs.update().where(budget_syncs.c.account_id == account_id,
                                                     budget_syncs.c.finished_at <= read_at).values(complete=True))
            conn.execute(budget_batches.delete().where(budget_batches.c.account_id == account_id,
                                                       budget_batches.c.received_at <= started))
            values: dict = {"rebuilt_at": utcnow()}
            if header.last_sync_id:
                values.update(state="ready", last_sync_id=header.last_sync_id, priced_at=utcnow())
            conn.execute(budget_accounts.update().where(budget_accounts.c.account_id == account_id).values(**values))
            if header.last_sync_id:
                self._settle(conn, account_id, header.last_sync_id)
        self._clear_rebuild(account_id, started)
        log.info("rebuilt from the inventory", extra={"account_id": account_id, "resources": len(entries)})
        return True

    def forget_old(self, now: datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(budget_components.delete().where(budget_components.c.removed.is_(True),
                                                          budget_components.c.dirty.is_(False),
                                                          budget_components.c.version < now - FORGET_AFTER))
            conn.execute(budget_batches.delete().where(budget_batches.c.received_at < now - FORGET_AFTER))
            conn.execute(budget_syncs.delete().where(budget_syncs.c.complete.is_(True),
                                                     budget_syncs.c.received_at < now - FORGET_AFTER))

    # Reading ----------------------------------------------------------------------------------

    def account(self, account_id: str):
        with read_connection(self.engine) as conn:
            return conn.execute(sa.select(budget_accounts).where(budget_accounts.c.account_id == account_id)).first()

    def components(self, account_id: str, region: str = "") -> list[Priced]:
        query = sa.select(budget_components).where(budget_components.c.account_id == account_id,
                                                   budget_components.c.removed.is_(False))
        if region:
            query = query.where(budget_components.c.region.in_([region, ""]))
        with read_connection(self.engine) as conn:
            return [row_priced(row) for row in conn.execute(query.order_by(budget_components.c.arn))]

    def latest_changes(self, account_id: str) -> list:
        with read_connection(self.engine) as conn:
            return conn.execute(sa.select(budget_changes).where(budget_changes.c.account_id == account_id)
                                .order_by(budget_changes.c.position)).all()


def change_message(change) -> pb.BudgetChange:
    return pb.BudgetChange(arn=change.arn, type=change.type, name=change.name, before_usd=_money(change.before) or "",
                           after_usd=_money(change.after) or "", delta_usd=_money(change.delta), reason=change.reason)
