"""Live account blueprints. Event handlers here are idempotent: the bus delivers at least once."""
from __future__ import annotations

import sqlalchemy as sa
from google.protobuf import struct_pb2
from sqlalchemy.engine import Engine

from cloudsketch.accounts.v1 import events_pb2 as account_events
from cloudsketch.diagram.v1 import diagram_pb2 as pb
from services.common.database import insert_if_absent, read_connection
from services.common.errors import NotFound
from services.common.timeutil import to_timestamp, utcnow
from services.diagram.live import LiveModel
from services.diagram.tables import live_blueprints

STATES = {"awaiting_scan": pb.BLUEPRINT_STATE_AWAITING_SCAN, "ready": pb.BLUEPRINT_STATE_READY}


def empty_blueprint_data(name: str) -> dict:
    """Cloudcraft's blueprint `data` with no components yet."""
    return {"version": 4, "name": name, "grid": "infinite", "nodes": [], "edges": [], "groups": [],
            "text": [], "icons": [], "images": [], "surfaces": [], "connectors": []}


class Diagrams:
    def __init__(self, engine: Engine):
        self.engine = engine

    def on_account_registered(self, event: account_events.AccountRegistered) -> None:
        now = utcnow()
        with self.engine.begin() as conn:
            # A redelivered event finds the row there and changes nothing.
            conn.execute(insert_if_absent(
                conn, live_blueprints, account_id=event.account_id, aws_account_id=event.aws_account_id,
                name=event.name, state="awaiting_scan", data=empty_blueprint_data(event.name),
                created_at=now, updated_at=now, rebuild_after=now))
        # rebuild_after: the collector may have synced the account before this event came
        # (services/diagram/live.py); the worker's reconcile timer asks collector-api.

    def on_account_removed(self, event: account_events.AccountRemoved) -> None:
        with self.engine.begin() as conn:
            conn.execute(live_blueprints.delete().where(live_blueprints.c.account_id == event.account_id))
        LiveModel(self.engine).forget(event.account_id)

    def get_account_blueprint(self, account_id: str, region: str) -> pb.GetAccountBlueprintResponse:
        with read_connection(self.engine) as conn:
            row = conn.execute(sa.select(live_blueprints).where(live_blueprints.c.account_id == account_id)).first()
        if row is None:
            raise NotFound("no live blueprint for this account")
        data = struct_pb2.Struct()
        data.update(row.data)
        blueprint = pb.Blueprint(id=row.account_id, name=row.name, data=data,
                                 created_at=to_timestamp(row.created_at), updated_at=to_timestamp(row.updated_at))
        return pb.GetAccountBlueprintResponse(state=STATES[row.state], blueprint=blueprint)
