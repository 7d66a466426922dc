"""The live budget: each account's components priced from the collector's events, checked for
missed events, rebuilt from collector-api's inventory when the events cannot be trusted (the
mechanism of services/common/live.py, with its ordering rules), and settled after each complete
sync into the changes it made to the account's costs.

Settling: a complete sync compares each component written since the last settlement (`dirty`)
with its `baseline` (its pricing at that settlement), records the changes ("m5.large ->
m5.xlarge", "new NAT gateway") and, if there are any, writes `budget_changed` to the outbox in the
same transaction. Its cost is the number of changed components, not the account's size.
"""
from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from cloudsketch.budget.v1 import budget_pb2 as pb
from cloudsketch.budget.v1 import events_pb2 as budget_events
from cloudsketch.collector.v1 import collector_pb2
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
from services.common.live import Inventory, LiveStore
from services.common.outbox import write_event
from services.common.timeutil import to_timestamp, utcnow

log = logging.getLogger(__name__)

EVENT_CHANGES = 100  # changes carried by one budget_changed event


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


class LiveBudget(LiveStore):
    accounts, rows, batches, syncs = budget_accounts, budget_components, budget_batches, budget_syncs
    finished_state = collector_pb2.SYNC_STATE_FINISHED
    kept_on_update = ("baseline",)    # a settlement's; a write marks the row dirty instead

    def __init__(self, engine: Engine, inventory: Inventory | None = None, gap_seconds: float = 30.0,
                 catalog: catalog_module.Catalog | None = None):
        super().__init__(engine, inventory, gap_seconds)
        self.catalog = catalog or catalog_module.default()

    def row_values(self, resource) -> dict:
        return priced_values(price(Component.from_resource(resource), catalog=self.catalog))

    def tombstone_values(self, arn: str) -> dict:
        return {"arn": arn, "type": "", "region": "", "name": "", "vpc": "", "tags": {}, "status": "unpriced",
                "monthly": None, "unit_price": None, "basis": "", "service": "", "fields": {}, "drivers": []}

    def written(self, conn, account_id: str) -> dict:
        return {"dirty": True, "baseline": None}

    def completed_values(self, ready: bool) -> dict:
        return {"priced_at": utcnow()} if ready else {}

    def forgettable(self):
        return budget_components.c.dirty.is_(False)   # a dirty tombstone's removal is not settled yet

    @property
    def forget_tables(self) -> tuple[sa.Table, ...]:
        return (budget_components, budget_batches, budget_syncs, budget_changes, budget_accounts)

    # Accounts ---------------------------------------------------------------------------------

    def on_account_registered(self, account_id: str, aws_account_id: str, name: str) -> None:
        now = utcnow()
        with self.engine.begin() as conn:
            # A redelivered event finds the row and changes nothing. rebuild_after: the collector
            # may have synced the account before this event came.
            conn.execute(insert_if_absent(conn, budget_accounts, account_id=account_id,
                                          aws_account_id=aws_account_id, name=name, state="awaiting_scan",
                                          created_at=now, rebuild_after=now, total_usd="0",
                                          catalog=self.catalog.digest))

    def on_account_updated(self, account_id: str, name: str) -> None:
        """account_updated: the name is kept (an unknown or removed account is left alone). Its
        regions are the collector's business: what it stops seeing, it publishes as removed."""
        with self.engine.begin() as conn:
            conn.execute(budget_accounts.update().where(budget_accounts.c.account_id == account_id,
                                                        budget_accounts.c.name != name).values(name=name))

    # A new catalog ----------------------------------------------------------------------------

    def reprice_stale(self) -> list[str]:
        """Accounts priced with another catalog than this one (a `prices refresh` since, read by
        catalog.current()) are priced again: a rebuild from the inventory prices every component
        with this catalog and settles what moved into budget_changed. Returns those scheduled."""
        stale = sa.and_(budget_accounts.c.state == "ready", budget_accounts.c.rebuild_after.is_(None),
                        sa.or_(budget_accounts.c.catalog.is_(None), budget_accounts.c.catalog != self.catalog.digest))
        with self.engine.begin() as conn:
            accounts = conn.execute(sa.select(budget_accounts.c.account_id).where(stale)).scalars().all()
            if accounts:
                conn.execute(budget_accounts.update().where(stale, budget_accounts.c.account_id.in_(accounts))
                             .values(rebuild_after=utcnow()))
        if accounts:
            log.info("a new price catalog: pricing accounts again", extra={"accounts": len(accounts)})
        return sorted(accounts)

    def rebuild(self, account_id: str) -> bool:
        done = super().rebuild(account_id)
        if done:    # every component was priced with this catalog
            with self.engine.begin() as conn:
                conn.execute(budget_accounts.update().where(budget_accounts.c.account_id == account_id)
                             .values(catalog=self.catalog.digest))
        return done

    # Settling ---------------------------------------------------------------------------------

    def settle(self, conn, account_id: str, sync_id: str) -> bool:
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
