"""The collector's state: which accounts it syncs and when, what each account-region looked like
at its last sync (the inventory: normalised resources and their fingerprints), the syncs
themselves, and the leases that keep two syncs of one account-region apart. Every method is one
short transaction."""
from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from google.protobuf import json_format, struct_pb2
from sqlalchemy.engine import Engine

from cloudsketch.collector.v1 import collector_pb2 as pb
from cloudsketch.collector.v1 import events_pb2 as events
from cloudsketch.common.v1 import resource_pb2
from services.collector.tables import leases, outbox, resources, schedules, syncs
from services.common.database import insert_if_absent, read_connection
from services.common.errors import NotFound
from services.common.outbox import write_event
from services.common.timeutil import to_timestamp, utcnow

STATES = {"queued": pb.SYNC_STATE_QUEUED, "running": pb.SYNC_STATE_RUNNING, "finished": pb.SYNC_STATE_FINISHED,
          "failed": pb.SYNC_STATE_FAILED}
GAP_REASONS = {"access_denied": resource_pb2.GAP_REASON_ACCESS_DENIED,
               "region_disabled": resource_pb2.GAP_REASON_REGION_DISABLED,
               "throttled": resource_pb2.GAP_REASON_THROTTLED, "error": resource_pb2.GAP_REASON_ERROR}


@dataclass(frozen=True)
class Stored:
    fingerprint: str
    unit: str


class Collector:
    def __init__(self, engine: Engine, wake_relay: Callable[[], None] = lambda: None):
        self.engine = engine
        self.wake_relay = wake_relay   # the process's outbox relay: events were committed

    # Schedules ------------------------------------------------------------------------------

    def schedule(self, account_id: str, aws_account_id: str, next_sync_at: datetime) -> None:
        with self.engine.begin() as conn:
            updated = conn.execute(schedules.update().where(schedules.c.account_id == account_id).values(
                aws_account_id=aws_account_id)).rowcount
            if not updated:
                conn.execute(insert_if_absent(conn, schedules, account_id=account_id, aws_account_id=aws_account_id,
                                              next_sync_at=next_sync_at))

    def forget(self, account_id: str) -> None:
        """Everything the collector keeps about an account (it was removed)."""
        with self.engine.begin() as conn:
            for table in (schedules, resources, syncs, leases):
                conn.execute(table.delete().where(table.c.account_id == account_id))

    def claim_due(self, now: datetime, interval: timedelta) -> list[str]:
        """Accounts whose periodic sync is due, each claimed by moving its next time on: with
        several replicas, the conditional UPDATE lets exactly one of them claim each account."""
        with read_connection(self.engine) as conn:
            due = conn.execute(sa.select(schedules.c.account_id, schedules.c.next_sync_at)
                               .where(schedules.c.next_sync_at <= now)).all()
        claimed = []
        for account_id, next_sync_at in due:
            with self.engine.begin() as conn:
                won = conn.execute(schedules.update().where(
                    schedules.c.account_id == account_id, schedules.c.next_sync_at == next_sync_at)
                    .values(next_sync_at=now + interval)).rowcount
            if won:
                claimed.append(account_id)
        return claimed

    def back_off(self, account_id: str, now: datetime, interval: timedelta, longest: timedelta,
                 rng: Callable[[float, float], float] = random.uniform) -> timedelta | None:
        """The account's access is lost: its next scheduled attempt waits twice as long as the one
        before (from twice the sync interval, capped at `longest`), jittered between half and all
        of that so that accounts lost together do not retry together. The wait, or None when the
        account is no longer scheduled (removed)."""
        with self.engine.begin() as conn:
            failures = conn.execute(sa.select(schedules.c.access_failures)
                                    .where(schedules.c.account_id == account_id)).scalar()
            if failures is None:
                return None
            ceiling = min(longest.total_seconds(), interval.total_seconds() * 2 ** min(failures + 1, 30))
            wait = timedelta(seconds=rng(ceiling / 2, ceiling))
            conn.execute(schedules.update().where(schedules.c.account_id == account_id)
                         .values(access_failures=failures + 1, next_sync_at=now + wait))
        return wait

    def access_restored(self, account_id: str, now: datetime, interval: timedelta) -> None:
        """A sync ran: back to the regular schedule if the account was backing off."""
        with self.engine.begin() as conn:
            conn.execute(schedules.update().where(schedules.c.account_id == account_id,
                                                  schedules.c.access_failures > 0)
                         .values(access_failures=0, next_sync_at=now + interval))

    def schedule_of(self, account_id: str) -> dict | None:
        with read_connection(self.engine) as conn:
            row = conn.execute(sa.select(schedules).where(schedules.c.account_id == account_id)).first()
        return dict(row._mapping) if row else None

    # Syncs ----------------------------------------------------------------------------------

    def request_sync(self, account_id: str, regions: list[str], reason: str) -> tuple[str, bool]:
        """A queued sync of the account: a new one, or the one already waiting (False). A new one's
        sync_requested event commits with it (the outbox), so a broker that is away cannot leave a
        queued sync that nobody was told about, and that every later request would coalesce into."""
        with self.engine.begin() as conn:
            waiting = conn.execute(sa.select(syncs.c.sync_id).where(
                syncs.c.account_id == account_id, syncs.c.state == "queued")).first()
            if waiting is not None:
                return waiting.sync_id, False
            sync_id, now = str(uuid.uuid4()), utcnow()
            conn.execute(syncs.insert().values(sync_id=sync_id, account_id=account_id, state="queued", reason=reason,
                                               regions=list(regions), requested_at=now))
            write_event(conn, outbox, "sync_requested", events.SyncRequested(
                account_id=account_id, sync_id=sync_id, regions=regions, reason=reason,
                occurred_at=to_timestamp(now)), aggregate_id=account_id)
        self.wake_relay()
        return sync_id, True

    def start_sync(self, sync_id: str) -> dict | None:
        """Mark a queued sync running; None when it is not queued (a redelivered request)."""
        with self.engine.begin() as conn:
            started = conn.execute(syncs.update().where(syncs.c.sync_id == sync_id, syncs.c.state == "queued")
                                   .values(state="running", started_at=utcnow())).rowcount
            if not started:
                return None
            return dict(conn.execute(sa.select(syncs).where(syncs.c.sync_id == sync_id)).one()._mapping)

    def finish_sync(self, sync_id: str, state: str, *, counts: dict, gaps: list[dict], region_runs: list[dict],
                    message: str = "") -> None:
        with self.engine.begin() as conn:
            conn.execute(syncs.update().where(syncs.c.sync_id == sync_id).values(
                state=state, finished_at=utcnow(), counts=counts, gaps=gaps, region_runs=region_runs,
                message=message[:1000]))

    def end_abandoned_syncs(self, now: datetime, grace: timedelta) -> list[str]:
        """Fail the syncs still marked running whose worker is gone; their ids.

        A worker that died mid-sync, or lost its database while ending one, leaves its sync
        `running` for good, and the diagram and budget services wait for running syncs to end
        before they rebuild from the inventory: one such row would hold them off for ever. A
        live sync renews a lease per region (holder "<process>/<sync_id[:8]>") until it ends, so
        one that started more than `grace` ago and holds no unexpired lease is abandoned."""
        ended = []
        with self.engine.begin() as conn:
            candidates = conn.execute(sa.select(syncs.c.sync_id, syncs.c.account_id).where(
                syncs.c.state == "running", syncs.c.started_at < now - grace)).all()
            for sync_id, account_id in candidates:
                held = conn.execute(sa.select(sa.func.count()).select_from(leases).where(
                    leases.c.account_id == account_id, leases.c.holder.like(f"%/{sync_id[:8]}"),
                    leases.c.expires_at > now)).scalar()
                if held:
                    continue
                conn.execute(syncs.update().where(syncs.c.sync_id == sync_id, syncs.c.state == "running").values(
                    state="failed", finished_at=now, counts={}, gaps=[], region_runs=[],
                    message="abandoned: the worker running this sync stopped before it ended; the next sync "
                            "publishes what it missed"))
                ended.append(sync_id)
        return ended

    def prune_sync_history(self, now: datetime, keep: timedelta, batch: int = 1000, max_batches: int = 10) -> int:
        """Delete the ended syncs that started more than `keep` before `now`, `batch` rows per
        transaction so that no statement holds many row locks for long, at most `max_batches`
        transactions a call; how many were deleted.

        Kept whatever their age: queued and running syncs (the inventory's sync_running, the
        reaper above), and each account's latest sync (GetSyncStatus), latest ended sync
        (ListInventory's last_sync_id: without it a rebuild would take a running sync for the
        account's first) and latest finished sync. Each rule keeps the newest row of an order
        that only grows, so replicas deciding from different snapshots never delete it. On
        PostgreSQL a batch skips the rows another replica's batch is deleting (SKIP LOCKED);
        SQLite writes one transaction at a time."""
        candidate, newer = syncs.alias("candidate"), syncs.alias("newer")
        same_account = newer.c.account_id == candidate.c.account_id
        prunable = (sa.select(candidate.c.sync_id).where(
            candidate.c.state.in_(("finished", "failed")), candidate.c.started_at < now - keep,
            sa.exists().where(same_account, newer.c.requested_at > candidate.c.requested_at),
            sa.exists().where(same_account, newer.c.finished_at > candidate.c.finished_at),
            sa.or_(candidate.c.state != "finished", sa.exists().where(
                same_account, newer.c.state == "finished", newer.c.finished_at > candidate.c.finished_at)))
            .limit(batch).with_for_update(skip_locked=True))
        deleted = 0
        for _ in range(max_batches):
            with self.engine.begin() as conn:
                count = conn.execute(syncs.delete().where(syncs.c.sync_id.in_(prunable))).rowcount
            deleted += count
            if count < batch:   # nothing more, or another replica holds the rest
                break
        return deleted

    def sync_row(self, sync_id: str) -> dict:
        with read_connection(self.engine) as conn:
            row = conn.execute(sa.select(syncs).where(syncs.c.sync_id == sync_id)).first()
        if row is None:
            raise NotFound("no such sync")
        return dict(row._mapping)

    def syncs_of(self, account_id: str) -> list[dict]:
        with read_connection(self.engine) as conn:
            rows = conn.execute(sa.select(syncs).where(syncs.c.account_id == account_id)
                                .order_by(syncs.c.requested_at)).all()
        return [dict(row._mapping) for row in rows]

    def status(self, account_id: str) -> pb.SyncStatus:
        """The account's latest sync."""
        with read_connection(self.engine) as conn:
            row = conn.execute(sa.select(syncs).where(syncs.c.account_id == account_id)
                               .order_by(syncs.c.requested_at.desc()).limit(1)).first()
        if row is None:
            raise NotFound("this account has not been synced yet")
        counts = row.counts or {}
        return pb.SyncStatus(
            account_id=row.account_id, sync_id=row.sync_id, state=STATES[row.state],
            started_at=to_timestamp(row.started_at), finished_at=to_timestamp(row.finished_at),
            requested_at=to_timestamp(row.requested_at), counts=pb.SyncCounts(**counts),
            gaps=[gap_message(g) for g in row.gaps or []], message=row.message or "",
            skipped_regions=[r["region"] for r in row.region_runs or [] if r.get("skipped")])

    # Leases ---------------------------------------------------------------------------------

    def acquire_lease(self, account_id: str, region: str, holder: str, ttl: timedelta) -> bool:
        """Hold the account-region for `ttl` unless someone else holds it and has not expired."""
        now = utcnow()
        key = (leases.c.account_id == account_id, leases.c.region == region)
        with self.engine.begin() as conn:
            # Not the INSERT's rowcount: PostgreSQL drivers report -1 for ON CONFLICT DO NOTHING.
            conn.execute(insert_if_absent(conn, leases, account_id=account_id, region=region, holder=holder,
                                          expires_at=now + ttl))
            conn.execute(leases.update().where(*key, sa.or_(leases.c.holder == holder, leases.c.expires_at < now))
                         .values(holder=holder, expires_at=now + ttl))
            return conn.execute(sa.select(leases.c.holder).where(*key)).scalar() == holder

    def renew_leases(self, holder: str, ttl: timedelta) -> None:
        with self.engine.begin() as conn:
            conn.execute(leases.update().where(leases.c.holder == holder).values(expires_at=utcnow() + ttl))

    def release_lease(self, account_id: str, region: str, holder: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(leases.delete().where(leases.c.account_id == account_id, leases.c.region == region,
                                               leases.c.holder == holder))

    # What the last sync saw -----------------------------------------------------------------

    def stored(self, account_id: str, scan_region: str) -> dict[str, Stored]:
        with read_connection(self.engine) as conn:
            rows = conn.execute(sa.select(resources.c.arn, resources.c.fingerprint, resources.c.unit).where(
                resources.c.account_id == account_id, resources.c.scan_region == scan_region)).all()
        return {row.arn: Stored(row.fingerprint, row.unit) for row in rows}

    def apply_changes(self, account_id: str, scan_region: str, upserted: list[tuple[str, resource_pb2.Resource]],
                      removed: list[str], changed_at: datetime) -> None:
        """Record what was published at `changed_at`: upserted as (unit, resource), removed ARNs.
        Nothing, if the account was removed while its sync ran (forget() has already cleaned up)."""
        with self.engine.begin() as conn:
            # FOR UPDATE (PostgreSQL; SQLite writes one at a time anyway): a forget() that comes
            # now waits for this transaction, and then deletes what it wrote too.
            scheduled = sa.select(schedules.c.account_id).where(schedules.c.account_id == account_id).with_for_update()
            if conn.execute(scheduled).first() is None:
                return
            arns = [resource.arn for _, resource in upserted] + list(removed)
            for start in range(0, len(arns), 500):   # stay under SQLite's bound-parameter limit
                conn.execute(resources.delete().where(resources.c.account_id == account_id,
                                                      resources.c.arn.in_(arns[start:start + 500])))
            if upserted:
                conn.execute(resources.insert(), [
                    {"account_id": account_id, "scan_region": scan_region, "unit": unit, "changed_at": changed_at,
                     **resource_row(resource)} for unit, resource in upserted])

    # The inventory ------------------------------------------------------------------------------

    def inventory(self, account_id: str, page_size: int = 500) -> Iterator[pb.ListInventoryResponse]:
        """The account's inventory in pages ordered by ARN, read in one statement (a consistent
        snapshot), with the latest ended sync and whether a sync was running at the time."""
        page_size = max(1, min(page_size or 500, 1000))
        read_at = utcnow()
        with read_connection(self.engine) as conn:
            ended = conn.execute(sa.select(syncs.c.sync_id).where(
                syncs.c.account_id == account_id, syncs.c.finished_at.is_not(None))
                .order_by(syncs.c.finished_at.desc()).limit(1)).scalar()
            aws_account_id = conn.execute(sa.select(schedules.c.aws_account_id).where(
                schedules.c.account_id == account_id)).scalar() or ""
            running = conn.execute(sa.select(sa.func.count()).select_from(syncs).where(
                syncs.c.account_id == account_id, syncs.c.state == "running")).scalar()
            rows = conn.execute(sa.select(resources).where(resources.c.account_id == account_id,
                                                           resources.c.fingerprint != "")
                                .order_by(resources.c.arn)).all()
        header = dict(last_sync_id=ended or "", sync_running=bool(running), read_at=to_timestamp(read_at),
                      total=len(rows))
        if not rows:
            yield pb.ListInventoryResponse(**header)
        for start in range(0, len(rows), page_size):
            yield pb.ListInventoryResponse(entries=[
                pb.InventoryEntry(resource=resource_message(row, aws_account_id),
                                  changed_at=to_timestamp(row.changed_at))
                for row in rows[start:start + page_size]], **header)


def resource_row(resource: resource_pb2.Resource) -> dict:
    """The inventory columns of a resource, as published."""
    return {"arn": resource.arn, "fingerprint": resource.fingerprint, "type": resource.type,
            "region": resource.region, "name": resource.name, "tags": {t.key: t.value for t in resource.tags},
            "attributes": json_format.MessageToDict(resource.attributes),
            "relationships": [[resource_pb2.RelationshipType.Name(r.type), r.source_arn, r.target_arn]
                              for r in resource.relationships]}


def resource_message(row, aws_account_id: str) -> resource_pb2.Resource:
    attributes = struct_pb2.Struct()
    attributes.update(row.attributes or {})
    return resource_pb2.Resource(
        arn=row.arn, type=row.type, aws_account_id=aws_account_id, region=row.region, name=row.name,
        tags=[resource_pb2.Tag(key=k, value=v) for k, v in sorted((row.tags or {}).items())],
        attributes=attributes, fingerprint=row.fingerprint,
        relationships=[resource_pb2.Relationship(type=resource_pb2.RelationshipType.Value(kind), source_arn=source,
                                                 target_arn=target)
                       for kind, source, target in row.relationships or []])


def gap_message(gap: dict) -> resource_pb2.Gap:
    return resource_pb2.Gap(region=gap["region"], service=gap["service"], reason=GAP_REASONS[gap["reason"]],
                            message=gap["message"], regions=gap.get("regions") or [gap["region"]],
                            error_code=gap.get("code", ""))
