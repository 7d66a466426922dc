"""Saved blueprints (services/diagram/blueprints.py) on a real database: snapshots render as
posted, linked blueprints follow their accounts' live models, edits make versions, stale edits
are refused, versions diff."""
from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from google.protobuf import struct_pb2

from cloudsketch.accounts.v1 import events_pb2 as account_events
from cloudsketch.collector.v1 import collector_pb2
from cloudsketch.collector.v1 import events_pb2 as events
from cloudsketch.diagram.v1 import diagram_pb2 as pb
from services.common.database import open_database
from services.common.errors import InvalidArgument, NotFound, Stale
from services.common.timeutil import to_timestamp, utcnow
from services.diagram.blueprints import MAX_VERSIONS, Blueprints
from services.diagram.domain import Diagrams
from services.diagram.live import LiveModel
from tests.helpers.diagram import CLOUDCRAFT_EXPORT, resource


def struct(document: dict) -> struct_pb2.Struct:
    data = struct_pb2.Struct()
    data.update(document)
    return data


@pytest.fixture
def blueprints(database_url):
    engine = open_database("diagram")
    yield Blueprints(engine)
    engine.dispose()


def test_a_snapshot_is_kept_as_posted_edited_with_etags_and_versioned(blueprints):
    created = blueprints.create(pb.CreateBlueprintRequest(data=struct(CLOUDCRAFT_EXPORT), owner_id="u1"))
    assert created.name == "Exported from Cloudcraft" and created.version == 1 and created.etag
    stored = blueprints.get(created.id).blueprint
    assert stored.data["nodes"][0]["instanceType"] == "m5" and stored.data["text"][0]["text"] == "<b>hello</b>"
    exported = blueprints.get(created.id, "json", {})
    assert exported.content_type == "application/json"
    assert json.loads(exported.content)["nodes"][0]["id"] == CLOUDCRAFT_EXPORT["nodes"][0]["id"]
    svg = blueprints.get(created.id, "svg", {"theme": "dark"})
    assert svg.content_type == "image/svg+xml" and svg.content
    with pytest.raises(InvalidArgument):
        blueprints.get(created.id, "svg", {"grid": "maybe"})

    resized = dict(CLOUDCRAFT_EXPORT, nodes=[dict(CLOUDCRAFT_EXPORT["nodes"][0], instanceSize="xlarge")])
    edited = blueprints.update(pb.UpdateBlueprintRequest(id=created.id, data=struct(resized), if_match=created.etag))
    assert edited.version == 2 and edited.etag != created.etag
    with pytest.raises(Stale):   # based on version 1: refused
        blueprints.update(pb.UpdateBlueprintRequest(id=created.id, name="late", if_match=created.etag))
    # Access changes are not structural: no new version.
    same = blueprints.update(pb.UpdateBlueprintRequest(id=created.id, set_read_access=True, read_access=["t1"]))
    assert same.version == 2 and list(same.read_access) == ["t1"]
    renamed = blueprints.update(pb.UpdateBlueprintRequest(id=created.id, name="Renamed"))
    assert (renamed.version, renamed.name) == (3, "Renamed")
    assert [v.version for v in blueprints.versions(created.id).versions] == [3, 2, 1]
    changed = blueprints.diff(created.id, 1, 2).diff
    assert changed["changed"] == {CLOUDCRAFT_EXPORT["nodes"][0]["id"]: {
        "instanceSize": {"old": "large", "new": "xlarge"}}}
    assert [b.id for b in blueprints.list().blueprints if b.id == created.id] == [created.id]

    blueprints.delete(created.id)
    with pytest.raises(NotFound):
        blueprints.get(created.id)


def test_versions_are_bounded(blueprints):
    created = blueprints.create(pb.CreateBlueprintRequest(name="busy", owner_id="u1"))
    for index in range(MAX_VERSIONS + 5):
        blueprints.update(pb.UpdateBlueprintRequest(id=created.id, name=f"busy {index}"))
    versions = [v.version for v in blueprints.versions(created.id).versions]
    assert len(versions) == MAX_VERSIONS and versions[0] == MAX_VERSIONS + 6
    with pytest.raises(NotFound, match="newest"):
        blueprints.diff(created.id, 1, versions[0])


def test_a_linked_blueprint_follows_its_account(blueprints):
    account_id = str(uuid.uuid4())
    Diagrams(blueprints.engine).on_account_registered(account_events.AccountRegistered(
        account_id=account_id, aws_account_id="123456789012", name="Production", occurred_at=to_timestamp(utcnow())))
    live = LiveModel(blueprints.engine)
    live.schedule_rebuild(account_id, utcnow() + timedelta(days=1))
    live.on_resources_changed(events.ResourcesChanged(account_id=account_id, sync_id="s1", region="us-east-1",
                                                      upserted=[resource("web")], occurred_at=to_timestamp(utcnow())))
    linked = blueprints.create(pb.CreateBlueprintRequest(name="Prod view", owner_id="u1",
                                                         linked_account_ids=[account_id], region="us-east-1"))
    first = json.loads(blueprints.get(linked.id, "json", {}).content)
    assert {n["arn"] for n in first["nodes"]} == {resource("web").arn}
    live.on_resources_changed(events.ResourcesChanged(account_id=account_id, sync_id="s2", region="us-east-1",
                                                      upserted=[resource("db")], occurred_at=to_timestamp(utcnow())))
    second = json.loads(blueprints.get(linked.id, "json", {}).content)
    assert {n["arn"] for n in second["nodes"]} == {resource("web").arn, resource("db").arn}
    positions = {n["arn"]: n["mapPos"] for n in second["nodes"]}
    assert positions[resource("web").arn] == {n["arn"]: n["mapPos"] for n in first["nodes"]}[resource("web").arn]


def test_a_linked_blueprint_gets_a_version_on_every_sync_that_changed_it(blueprints):
    def registered(name: str) -> str:
        account_id = str(uuid.uuid4())
        Diagrams(blueprints.engine).on_account_registered(account_events.AccountRegistered(
            account_id=account_id, aws_account_id="123456789012", name=name, occurred_at=to_timestamp(utcnow())))
        live._clear_rebuild(account_id, utcnow())    # nothing synced before: the first sync makes it ready
        return account_id

    def sync(account_id: str, sync_id: str, upserted=(), removed=()) -> None:
        live.on_resources_changed(events.ResourcesChanged(
            account_id=account_id, sync_id=sync_id, region="us-east-1", upserted=list(upserted),
            removed_arns=list(removed), occurred_at=to_timestamp(utcnow())))
        live.on_sync_finished(events.SyncFinished(
            account_id=account_id, sync_id=sync_id, occurred_at=to_timestamp(utcnow()),
            state=collector_pb2.SYNC_STATE_FINISHED,
            region_batches=[events.RegionBatches(region="us-east-1", batches=1)]))

    live = LiveModel(blueprints.engine, on_version=blueprints.on_account_changed)
    account_id, other = registered("Production"), registered("Staging")
    linked = blueprints.create(pb.CreateBlueprintRequest(name="Prod view", owner_id="u1",
                                                         linked_account_ids=[account_id], region="us-east-1"))
    sync(account_id, "s1", [resource("web"), resource("db")])
    versions = blueprints.versions(linked.id).versions
    assert [(v.version, v.reason) for v in versions] == [(2, "sync"), (1, "created")]
    assert blueprints.get(linked.id).blueprint.etag != linked.etag     # the sync moved the ETag too
    sync(account_id, "s2", [resource("web"), resource("db")])          # nothing changed: no version
    sync(other, "s3", [resource("cache")])                             # another account: none either
    sync(account_id, "s4", [resource("web", "m5.large")], [resource("db").arn])
    assert [(v.version, v.reason) for v in blueprints.versions(linked.id).versions][:2] == [(3, "sync"), (2, "sync")]
    changed = blueprints.diff(linked.id, 2, 3).diff
    assert list(changed["removed"]) == [resource("db").arn] and list(changed["changed"]) == [resource("web").arn]
