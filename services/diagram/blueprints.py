"""Saved blueprints and their versions.

A blueprint is either a detached snapshot (Cloudcraft's document as posted: an exported
Cloudcraft blueprint renders as it is) or linked to live accounts: read with a format, it is
composed from their live models, with its own layout so positions stay put. Every structural
change (creation, an edit that changes the name or the document, a sync of a linked account that
changed the composed document) is a new version; the newest MAX_VERSIONS are kept. The ETag is
the version, so a PUT based on an older one is refused."""
from __future__ import annotations

import contextlib
import uuid
from collections.abc import Mapping

import sqlalchemy as sa
from google.protobuf import json_format, struct_pb2
from sqlalchemy.engine import Engine

from cloudsketch.diagram.v1 import diagram_pb2 as pb
from services.common.database import read_connection
from services.common.errors import InvalidArgument, NotFound, Stale
from services.common.timeutil import to_timestamp, utcnow
from services.diagram.compose import compose
from services.diagram.diff import diff_documents
from services.diagram.live import LiveModel
from services.diagram.options import ExportOptions, parse_format, parse_options
from services.diagram.render import render
from services.diagram.tables import blueprint_versions, blueprints

MAX_VERSIONS = 50
MAX_NAME = 200


def etag(blueprint_id: str, version: int) -> str:
    return f'"{blueprint_id[:8]}-{version}"'


def _struct(document: dict) -> struct_pb2.Struct:
    data = struct_pb2.Struct()
    data.update(document)
    return data


def _name(name: str, data: dict) -> str:
    name = (name or data.get("name") or "Untitled blueprint").strip()
    if len(name) > MAX_NAME:
        raise InvalidArgument(f"name is longer than {MAX_NAME} characters")
    return name


class Blueprints:
    def __init__(self, engine: Engine):
        self.engine = engine

    def _message(self, row, with_data: bool = True, data: dict | None = None) -> pb.SavedBlueprint:
        return pb.SavedBlueprint(
            id=row.id, name=row.name, data=_struct(data if data is not None else row.data) if with_data else None,
            created_at=to_timestamp(row.created_at), updated_at=to_timestamp(row.updated_at), owner_id=row.owner_id,
            read_access=row.read_access, write_access=row.write_access, linked_account_ids=row.linked_account_ids,
            region=row.region, etag=etag(row.id, row.version), version=row.version)

    def _row(self, conn, blueprint_id: str, lock: bool = False):
        query = sa.select(blueprints).where(blueprints.c.id == blueprint_id)
        row = conn.execute(query.with_for_update() if lock else query).first()
        if row is None:
            raise NotFound("no such blueprint")
        return row

    def list(self) -> pb.ListBlueprintsResponse:
        with read_connection(self.engine) as conn:
            rows = conn.execute(sa.select(blueprints).order_by(blueprints.c.created_at)).all()
        return pb.ListBlueprintsResponse(blueprints=[self._message(row, with_data=False) for row in rows])

    def create(self, request: pb.CreateBlueprintRequest) -> pb.SavedBlueprint:
        data = json_format.MessageToDict(request.data)
        name = _name(request.name, data)
        data["name"] = name
        now = utcnow()
        blueprint_id = str(uuid.uuid4())
        with self.engine.begin() as conn:
            conn.execute(blueprints.insert().values(
                id=blueprint_id, name=name, owner_id=request.owner_id, read_access=list(request.read_access),
                write_access=list(request.write_access), linked_account_ids=list(request.linked_account_ids),
                region=request.region, data=data, version=1, created_at=now, updated_at=now))
            self._version(conn, blueprint_id, 1, name, data, "created", now)
            return self._message(self._row(conn, blueprint_id))

    def _version(self, conn, blueprint_id: str, version: int, name: str, data: dict, reason: str, now) -> None:
        conn.execute(blueprint_versions.insert().values(blueprint_id=blueprint_id, version=version, name=name,
                                                        data=data, reason=reason, created_at=now))
        conn.execute(blueprint_versions.delete().where(blueprint_versions.c.blueprint_id == blueprint_id,
                                                       blueprint_versions.c.version <= version - MAX_VERSIONS))

    def get(self, blueprint_id: str, fmt: str = "", query: Mapping[str, str] | None = None) -> pb.GetBlueprintResponse:
        if fmt:
            fmt = parse_format(fmt)
        options = parse_options(query or {})
        with read_connection(self.engine) as conn:
            row = self._row(conn, blueprint_id)
        if not fmt:
            return pb.GetBlueprintResponse(blueprint=self._message(row))
        document = row.data
        if row.linked_account_ids:
            document = self._compose_linked(row, options)
        content, content_type = render(document, fmt, options)
        return pb.GetBlueprintResponse(blueprint=self._message(row, data=document), content=content,
                                       content_type=content_type)

    def _compose_linked(self, row, options, conn=None) -> dict:
        """The linked accounts' live models composed with the blueprint's layout, which is kept
        (in `conn`'s transaction when given: the caller holds the blueprint's row)."""
        live = LiveModel(self.engine)
        resources = [r for account_id in row.linked_account_ids for r in live.resources(account_id, row.region)]
        layout = dict(row.layout or {})
        composed = compose(resources, options, name=row.name, layout=layout)
        if any(layout.get(arn) != list(position) for arn, position in composed.layout.items()):
            with contextlib.ExitStack() as stack:
                if conn is None:
                    conn = stack.enter_context(self.engine.begin())
                stored = conn.execute(sa.select(blueprints.c.layout).where(blueprints.c.id == row.id)
                                      .with_for_update()).scalar()
                conn.execute(blueprints.update().where(blueprints.c.id == row.id).values(
                    layout={**(stored or {}), **{arn: list(p) for arn, p in composed.layout.items()}}))
        return composed.data

    def on_account_changed(self, account_id: str, sync_id: str = "") -> list[str]:
        """A sync (or a rebuild) changed the account's live model: every blueprint linked to it
        whose composed document changed since its last sync version gets a new version (reason
        "sync"; its ETag moves too). Returns the ids of those that did."""
        with read_connection(self.engine) as conn:
            rows = conn.execute(sa.select(blueprints.c.id, blueprints.c.linked_account_ids)).all()
        return [row.id for row in rows if account_id in (row.linked_account_ids or []) and self._sync_version(row.id)]

    def _sync_version(self, blueprint_id: str) -> bool:
        now = utcnow()
        with self.engine.begin() as conn:
            row = self._row(conn, blueprint_id, lock=True)
            document = self._compose_linked(row, ExportOptions(), conn)
            latest = conn.execute(sa.select(blueprint_versions.c.data).where(
                blueprint_versions.c.blueprint_id == blueprint_id, blueprint_versions.c.reason == "sync")
                .order_by(blueprint_versions.c.version.desc()).limit(1)).scalar()
            if latest is not None and diff_documents(latest, document).empty:
                return False
            self._version(conn, blueprint_id, row.version + 1, row.name, document, "sync", now)
            conn.execute(blueprints.update().where(blueprints.c.id == blueprint_id).values(
                version=row.version + 1, updated_at=now))
        return True

    def update(self, request: pb.UpdateBlueprintRequest) -> pb.SavedBlueprint:
        now = utcnow()
        with self.engine.begin() as conn:
            row = self._row(conn, request.id, lock=True)
            if request.if_match and request.if_match.strip() not in (etag(row.id, row.version), "*"):
                raise Stale("the blueprint has changed since this version: read it again")
            data = json_format.MessageToDict(request.data) if request.HasField("data") else dict(row.data)
            name = _name(request.name if request.HasField("name") else (data.get("name") or row.name), data)
            data["name"] = name
            values = {}
            if request.set_read_access:
                values["read_access"] = list(request.read_access)
            if request.set_write_access:
                values["write_access"] = list(request.write_access)
            structural = data != row.data or name != row.name
            if structural:
                values.update(data=data, name=name, version=row.version + 1)
                self._version(conn, row.id, row.version + 1, name, data, "edited", now)
            if values:
                values["updated_at"] = now
                conn.execute(blueprints.update().where(blueprints.c.id == row.id).values(**values))
            return self._message(self._row(conn, row.id))

    def delete(self, blueprint_id: str) -> None:
        with self.engine.begin() as conn:
            self._row(conn, blueprint_id)
            conn.execute(blueprint_versions.delete().where(blueprint_versions.c.blueprint_id == blueprint_id))
            conn.execute(blueprints.delete().where(blueprints.c.id == blueprint_id))

    def versions(self, blueprint_id: str) -> pb.ListBlueprintVersionsResponse:
        with read_connection(self.engine) as conn:
            self._row(conn, blueprint_id)
            rows = conn.execute(sa.select(blueprint_versions.c.version, blueprint_versions.c.name,
                                          blueprint_versions.c.reason, blueprint_versions.c.created_at)
                                .where(blueprint_versions.c.blueprint_id == blueprint_id)
                                .order_by(blueprint_versions.c.version.desc())).all()
        return pb.ListBlueprintVersionsResponse(versions=[
            pb.BlueprintVersion(version=r.version, name=r.name, reason=r.reason, created_at=to_timestamp(r.created_at))
            for r in rows])

    def diff(self, blueprint_id: str, from_version: int, to_version: int) -> pb.DiffBlueprintVersionsResponse:
        with read_connection(self.engine) as conn:
            self._row(conn, blueprint_id)
            rows = {r.version: r.data for r in conn.execute(sa.select(blueprint_versions.c.version,
                                                                      blueprint_versions.c.data).where(
                blueprint_versions.c.blueprint_id == blueprint_id,
                blueprint_versions.c.version.in_([from_version, to_version])))}
        for version in (from_version, to_version):
            if version not in rows:
                raise NotFound(f"no version {version} of this blueprint (the newest {MAX_VERSIONS} are kept)")
        difference = diff_documents(rows[from_version], rows[to_version])
        return pb.DiffBlueprintVersionsResponse(diff=_struct(difference.to_json()))
