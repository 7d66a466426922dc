"""The live model: each account's resources kept from the collector's events, checked for missed
events, and rebuilt from collector-api's inventory when the events cannot be trusted: the
mechanism of services/common/live.py (its ordering rules), with the diagram's rows
(`live_resources`: the resource as the collector published it), a revision per write (read by
diagram-api's cache, docs/diagram.md "Serving") and a version of the live blueprint after each
sync or rebuild that changed the account's resources.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable

import sqlalchemy as sa
from google.protobuf import json_format
from sqlalchemy.engine import Engine

from cloudsketch.collector.v1 import collector_pb2
from services.common.database import read_connection
from services.common.errors import NotFound
from services.common.live import Inventory, LiveStore
from services.common.timeutil import to_timestamp, utcnow
from services.diagram.compose import compose
from services.diagram.model import Resource, collector_paused, relationship_name
from services.diagram.options import ExportOptions
from services.diagram.tables import live_batches, live_blueprints, live_resources, live_syncs, live_versions

# Versions of a live blueprint kept per account.
MAX_LIVE_VERSIONS = 20


def resource_values(resource) -> dict:
    return {"arn": resource.arn, "type": resource.type, "region": resource.region, "name": resource.name,
            "tags": {t.key: t.value for t in resource.tags},
            "attributes": json_format.MessageToDict(resource.attributes),
            "relationships": [[relationship_name(r.type), r.source_arn, r.target_arn] for r in resource.relationships],
            "fingerprint": resource.fingerprint}


def _next_revision(conn, account_id: str, reload: bool = False) -> int:
    """The account's next revision, for the rows this transaction writes. Its row stays locked
    until the commit, so revisions commit in order: a reader that saw revision r has every row of
    revision r and below."""
    values: dict = {"revision": live_blueprints.c.revision + 1}
    if reload:
        values["reload_revision"] = live_blueprints.c.revision + 1
    return conn.execute(live_blueprints.update().where(live_blueprints.c.account_id == account_id)
                        .values(**values).returning(live_blueprints.c.revision)).scalar() or 0


class LiveModel(LiveStore):
    accounts, rows, batches, syncs = live_blueprints, live_resources, live_batches, live_syncs
    finished_state = collector_pb2.SYNC_STATE_FINISHED

    def __init__(self, engine: Engine, inventory: Inventory | None = None, gap_seconds: float = 30.0,
                 on_version: Callable[[str, str], object] | None = None):
        super().__init__(engine, inventory, gap_seconds)
        # Called with (account id, sync id) after a new version of the live blueprint: the saved
        # blueprints linked to the account follow (Blueprints.on_account_changed).
        self.on_version = on_version

    def row_values(self, resource) -> dict:
        return resource_values(resource)

    def tombstone_values(self, arn: str) -> dict:
        return {"arn": arn, "type": "", "region": "", "name": "", "tags": {}, "attributes": {}, "relationships": [],
                "fingerprint": ""}

    def written(self, conn, account_id: str) -> dict:
        return {"revision": _next_revision(conn, account_id)}

    def completed_values(self, ready: bool) -> dict:
        return {"updated_at": utcnow()}

    def after_sync(self, account_id: str, sync_id: str, reason: str) -> None:
        self.record_version(account_id, sync_id, reason)

    def before_forgetting(self, conn, account_id: str) -> None:
        # A reader that has not seen these tombstones yet must read the model whole.
        _next_revision(conn, account_id, reload=True)

    @property
    def forget_tables(self) -> tuple[sa.Table, ...]:
        return (live_resources, live_batches, live_syncs, live_versions)

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
