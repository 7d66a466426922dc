"""The live model: each account's resources kept from the collector's events, checked for missed
events, and rebuilt from collector-api's inventory when the events cannot be trusted.

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
- Events of an account the diagram does not know (account_registered not handled yet, or the
  account removed) are dropped: registration schedules a rebuild, which repairs the first case.
"""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from google.protobuf import json_format
from sqlalchemy.engine import Engine

from cloudsketch.collector.v1 import collector_pb2
from cloudsketch.collector.v1 import events_pb2 as collector_events
from services.common.database import insert_if_absent, read_connection
from services.common.errors import NotFound
from services.common.timeutil import to_timestamp, utcnow
from services.diagram.compose import compose
from services.diagram.model import Resource, collector_paused, relationship_name
from services.diagram.options import ExportOptions
from services.diagram.tables import live_batches, live_blueprints, live_resources, live_syncs, live_versions

log = logging.getLogger(__name__)

Inventory = Callable[[str], Iterable[collector_pb2.ListInventoryResponse]]
# How long a rebuild waits when a sync of the account is running; its sync_finished comes first.
RETRY_WHILE_SYNCING = timedelta(seconds=15)
# Versions of a live blueprint kept per account.
MAX_LIVE_VERSIONS = 20
# Tombstones and received-batch records older than this are dropped: no late event is that late.
FORGET_AFTER = timedelta(hours=6)


def as_datetime(timestamp) -> datetime:
    return timestamp.ToDatetime(tzinfo=UTC)


def resource_values(resource) -> dict:
    return {"arn": resource.arn, "type": resource.type, "region": resource.region, "name": resource.name,
            "tags": {t.key: t.value for t in resource.tags},
            "attributes": json_format.MessageToDict(resource.attributes),
            "relationships": [[relationship_name(r.type), r.source_arn, r.target_arn] for r in resource.relationships],
            "fingerprint": resource.fingerprint}


def _upsert(conn, account_id: str, rows: list[tuple[dict, datetime, bool]]) -> None:
    """Write each (values, version, removed) unless a newer version is stored: one
    INSERT ... ON CONFLICT DO UPDATE ... WHERE, executed for every row at once."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    revision = _next_revision(conn, account_id)
    # One row per ARN (PostgreSQL refuses to update a row twice in one statement); the last wins.
    params = list({values["arn"]: {"account_id": account_id, "version": version, "removed": removed,
                                   "revision": revision, **values}
                   for values, version, removed in rows}.values())
    statement = insert(live_resources)
    conn.execute(statement.on_conflict_do_update(
        index_elements=[live_resources.c.account_id, live_resources.c.arn],
        set_={key: statement.excluded[key] for key in params[0] if key not in ("account_id", "arn")},
        where=live_resources.c.version <= statement.excluded.version), params)


def _next_revision(conn, account_id: str, reload: bool = False) -> int:
    """The account's next revision, for the rows this transaction writes. Its row stays locked
    until the commit, so revisions commit in order: a reader that saw revision r has every row of
    revision r and below."""
    values: dict = {"revision": live_blueprints.c.revision + 1}
    if reload:
        values["reload_revision"] = live_blueprints.c.revision + 1
    return conn.execute(live_blueprints.update().where(live_blueprints.c.account_id == account_id)
                        .values(**values).returning(live_blueprints.c.revision)).scalar() or 0


def _tombstone(arn: str) -> dict:
    return {"arn": arn, "type": "", "region": "", "name": "", "tags": {}, "attributes": {}, "relationships": [],
            "fingerprint": ""}


class LiveModel:
    def __init__(self, engine: Engine, inventory: Inventory | None = None, gap_seconds: float = 30.0,
                 on_version: Callable[[str, str], object] | None = None):
        self.engine = engine
        self.inventory = inventory
        self.gap = timedelta(seconds=gap_seconds)
        # Called with (account id, sync id) after a new version of the live blueprint: the saved
        # blueprints linked to the account follow (Blueprints.on_account_changed).
        self.on_version = on_version

    @staticmethod
    def _known(conn, account_id: str) -> bool:
        return conn.execute(sa.select(live_blueprints.c.account_id).where(
            live_blueprints.c.account_id == account_id)).first() is not None

    # Events -----------------------------------------------------------------------------------

    def on_resources_changed(self, event: collector_events.ResourcesChanged) -> None:
        version = as_datetime(event.occurred_at)
        with self.engine.begin() as conn:
            if not self._known(conn, event.account_id):
                log.info("resources of an unknown account dropped", extra={"account_id": event.account_id})
                return
            _upsert(conn, event.account_id, [(resource_values(r), version, False) for r in event.upserted]
                    + [(_tombstone(arn), version, True) for arn in event.removed_arns])
            conn.execute(insert_if_absent(conn, live_batches, account_id=event.account_id, sync_id=event.sync_id,
                                          region=event.region, batch_index=event.batch_index, received_at=utcnow()))
        self._check(event.account_id, event.sync_id)

    def on_sync_finished(self, event: collector_events.SyncFinished) -> None:
        with self.engine.begin() as conn:
            if not self._known(conn, event.account_id):
                return
            state = "finished" if event.state == collector_pb2.SYNC_STATE_FINISHED else "failed"
            conn.execute(insert_if_absent(
                conn, live_syncs, account_id=event.account_id, sync_id=event.sync_id, state=state,
                expected={rb.region: rb.batches for rb in event.region_batches},
                finished_at=as_datetime(event.occurred_at), received_at=utcnow(), complete=False))
        self._check(event.account_id, event.sync_id)

    def _check(self, account_id: str, sync_id: str) -> bool:
        """Mark the sync complete if every batch it published has been received."""
        with self.engine.begin() as conn:
            sync = conn.execute(sa.select(live_syncs).where(
                live_syncs.c.account_id == account_id, live_syncs.c.sync_id == sync_id).with_for_update()).first()
            if sync is None or sync.complete:
                return bool(sync and sync.complete)
            received: dict[str, set[int]] = {}
            for region, index in conn.execute(sa.select(live_batches.c.region, live_batches.c.batch_index).where(
                    live_batches.c.account_id == account_id, live_batches.c.sync_id == sync_id)):
                received.setdefault(region, set()).add(index)
            if any(not set(range(n)) <= received.get(region, set()) for region, n in sync.expected.items()):
                return False
            conn.execute(live_syncs.update().where(live_syncs.c.account_id == account_id,
                                                   live_syncs.c.sync_id == sync_id).values(complete=True))
            conn.execute(live_batches.delete().where(live_batches.c.account_id == account_id,
                                                     live_batches.c.sync_id == sync_id))
            values = {"last_sync_id": sync_id, "updated_at": utcnow()}
            blueprint = conn.execute(sa.select(live_blueprints.c.state, live_blueprints.c.rebuild_after).where(
                live_blueprints.c.account_id == account_id)).first()
            # A complete, successful sync makes a model ready that holds every earlier change:
            # one with no rebuild pending (registration found nothing synced before it).
            if blueprint is not None and blueprint.state == "awaiting_scan" and blueprint.rebuild_after is None \
                    and sync.state == "finished":
                values["state"] = "ready"
            conn.execute(live_blueprints.update().where(live_blueprints.c.account_id == account_id).values(**values))
        self.record_version(account_id, sync_id, "sync")
        return True

    def schedule_rebuild(self, account_id: str, at: datetime | None = None) -> None:
        with self.engine.begin() as conn:
            conn.execute(live_blueprints.update().where(live_blueprints.c.account_id == account_id)
                         .values(rebuild_after=at or utcnow()))

    def _clear_rebuild(self, account_id: str, started: datetime) -> None:
        """No rebuild due any more, unless one was asked for after `started`."""
        with self.engine.begin() as conn:
            conn.execute(live_blueprints.update().where(live_blueprints.c.account_id == account_id,
                                                        live_blueprints.c.rebuild_after <= started)
                         .values(rebuild_after=None))

    def forget(self, account_id: str) -> None:
        with self.engine.begin() as conn:
            for table in (live_resources, live_batches, live_syncs, live_versions):
                conn.execute(table.delete().where(table.c.account_id == account_id))

    # Gaps and rebuilds ------------------------------------------------------------------------

    def due(self, now: datetime) -> list[str]:
        """Accounts to rebuild now: a rebuild is due, or a sync is still incomplete `gap` after its
        sync_finished (checked once more first: its last batch may just have come)."""
        with read_connection(self.engine) as conn:
            due = set(conn.execute(sa.select(live_blueprints.c.account_id).where(
                live_blueprints.c.rebuild_after <= now)).scalars())
            stale = conn.execute(sa.select(live_syncs.c.account_id, live_syncs.c.sync_id).where(
                live_syncs.c.complete.is_(False), live_syncs.c.received_at <= now - self.gap)).all()
        for account_id, sync_id in stale:
            if account_id not in due and not self._check(account_id, sync_id):
                log.warning("missed resources_changed batches: rebuilding",
                            extra={"account_id": account_id, "sync_id": sync_id})
                due.add(account_id)
        return sorted(due)

    def rebuild(self, account_id: str) -> bool:
        """Make the account's model the collector's inventory. False when a sync was running (the
        rebuild is tried again later) or the account is unknown."""
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
        with self.engine.begin() as conn:
            blueprint = conn.execute(sa.select(live_blueprints).where(
                live_blueprints.c.account_id == account_id).with_for_update()).first()
            if blueprint is None:
                return False
            arns = {entry.resource.arn for entry in entries}
            _upsert(conn, account_id, [(resource_values(entry.resource), as_datetime(entry.changed_at), False)
                                       for entry in entries])
            present = conn.execute(sa.select(live_resources.c.arn).where(
                live_resources.c.account_id == account_id, live_resources.c.removed.is_(False),
                live_resources.c.version < read_at)).scalars().all()
            _upsert(conn, account_id, [(_tombstone(arn), read_at, True) for arn in sorted(set(present) - arns)])
            # Every sync that ended before the read is in the inventory: nothing of it is missing.
            conn.execute(live_syncs.update().where(live_syncs.c.account_id == account_id,
                                                   live_syncs.c.finished_at <= read_at).values(complete=True))
            conn.execute(live_batches.delete().where(live_batches.c.account_id == account_id,
                                                     live_batches.c.received_at <= started))
            values = {"rebuilt_at": utcnow(), "updated_at": utcnow()}
            if header.last_sync_id:
                values.update(state="ready", last_sync_id=header.last_sync_id)
            conn.execute(live_blueprints.update().where(live_blueprints.c.account_id == account_id).values(**values))
        self._clear_rebuild(account_id, started)
        if header.last_sync_id:
            self.record_version(account_id, header.last_sync_id, "rebuild")
        log.info("rebuilt from the inventory", extra={"account_id": account_id, "resources": len(entries),
                                                       "sync_id": header.last_sync_id})
        return True

    def forget_old(self, now: datetime) -> None:
        with read_connection(self.engine) as conn:
            accounts = conn.execute(sa.select(live_resources.c.account_id).distinct().where(
                live_resources.c.removed.is_(True), live_resources.c.version < now - FORGET_AFTER)).scalars().all()
        for account_id in accounts:
            with self.engine.begin() as conn:
                # A reader that has not seen these tombstones yet must read the model whole.
                _next_revision(conn, account_id, reload=True)
                conn.execute(live_resources.delete().where(live_resources.c.account_id == account_id,
                                                           live_resources.c.removed.is_(True),
                                                           live_resources.c.version < now - FORGET_AFTER))
        with self.engine.begin() as conn:
            conn.execute(live_batches.delete().where(live_batches.c.received_at < now - FORGET_AFTER))
            conn.execute(live_syncs.delete().where(live_syncs.c.complete.is_(True),
                                                   live_syncs.c.received_at < now - FORGET_AFTER))

    # Versions ---------------------------------------------------------------------------------

    def record_version(self, account_id: str, sync_id: str, reason: str) -> bool:
        """A new version of the live blueprint if the account's resources changed since the last
        one (a redelivered sync_finished, a sync without changes: none). Only a ready model."""
        with self.engine.begin() as conn:
            blueprint = conn.execute(sa.select(live_blueprints).where(
                live_blueprints.c.account_id == account_id).with_for_update()).first()
            if blueprint is None or blueprint.state != "ready":
                return False
            rows = conn.execute(sa.select(live_resources.c.arn, live_resources.c.fingerprint).where(
                live_resources.c.account_id == account_id, live_resources.c.removed.is_(False))
                .order_by(live_resources.c.arn)).all()
            digest = hashlib.sha256("\n".join(f"{r.arn} {r.fingerprint}" for r in rows).encode()).hexdigest()
            latest = conn.execute(sa.select(live_versions.c.version, live_versions.c.resources_hash).where(
                live_versions.c.account_id == account_id).order_by(live_versions.c.version.desc()).limit(1)).first()
            if latest is not None and latest.resources_hash == digest:
                return False
            document = compose(self.resources(account_id), ExportOptions(), name=blueprint.name,
                               layout=blueprint.layout or {}).data
            version = (latest.version if latest else 0) + 1
            conn.execute(live_versions.insert().values(account_id=account_id, version=version, sync_id=sync_id,
                                                       reason=reason, resources_hash=digest, data=document,
                                                       created_at=utcnow()))
            conn.execute(live_versions.delete().where(live_versions.c.account_id == account_id,
                                                      live_versions.c.version <= version - MAX_LIVE_VERSIONS))
        if self.on_version is not None:
            self.on_version(account_id, sync_id)
        return True

    def versions(self, account_id: str) -> list[dict]:
        with read_connection(self.engine) as conn:
            if not self._known(conn, account_id):
                raise NotFound("no live blueprint for this account")
            rows = conn.execute(sa.select(live_versions.c.version, live_versions.c.sync_id, live_versions.c.reason,
                                          live_versions.c.created_at)
                                .where(live_versions.c.account_id == account_id)
                                .order_by(live_versions.c.version.desc())).all()
        return [{"version": r.version, "sync_id": r.sync_id, "reason": r.reason,
                 "created_at": to_timestamp(r.created_at)} for r in rows]

    def version_documents(self, account_id: str, *versions: int) -> dict[int, dict]:
        with read_connection(self.engine) as conn:
            rows = {r.version: r.data for r in conn.execute(sa.select(live_versions.c.version, live_versions.c.data)
                                                            .where(live_versions.c.account_id == account_id,
                                                                   live_versions.c.version.in_(versions)))}
        for version in versions:
            if version not in rows:
                raise NotFound(f"no version {version} of this live blueprint (the newest {MAX_LIVE_VERSIONS} are kept)")
        return rows

    # Reading ----------------------------------------------------------------------------------

    def resources(self, account_id: str, region: str = "") -> list[Resource]:
        """The account's live resources (one region and the global services, or every region)."""
        return self.changes(account_id, region)[0]

    def changes(self, account_id: str, region: str = "", since: int | None = None) -> tuple[list[Resource], list[str]]:
        """The resources (one region and the global services, or every region) written after
        revision `since`, and the ARNs removed after it; with no `since`, every live resource."""
        query = sa.select(live_resources).where(live_resources.c.account_id == account_id)
        if since is None:
            query = query.where(live_resources.c.removed.is_(False))
        else:
            query = query.where(live_resources.c.revision > since)
        if region:
            query = query.where(live_resources.c.region.in_([region, ""]))   # tombstones have no region
        with collector_paused():      # half the time otherwise, for 10,000 rows
            with read_connection(self.engine) as conn:
                rows = conn.execute(query.order_by(live_resources.c.arn)).all()
                aws_account_id = conn.execute(sa.select(live_blueprints.c.aws_account_id).where(
                    live_blueprints.c.account_id == account_id)).scalar() or ""
            return ([Resource(arn=r.arn, type=r.type, aws_account_id=aws_account_id, region=r.region, name=r.name,
                              tags=dict(r.tags), attributes=dict(r.attributes),
                              relationships=tuple(tuple(rel) for rel in r.relationships))
                     for r in rows if not r.removed], [r.arn for r in rows if r.removed])
