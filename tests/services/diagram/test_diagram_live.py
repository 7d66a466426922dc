"""The diagram's live model (services/diagram/live.py) on a real database, fed collector events
out of order, twice, and with gaps; rebuilt from the real collector's inventory (the domain code
collector-api streams from) in the same database."""
from __future__ import annotations

import json
import uuid
from datetime import timedelta
from xml.etree import ElementTree

import pytest

from cloudsketch.accounts.v1 import events_pb2 as account_events
from cloudsketch.collector.v1 import collector_pb2
from cloudsketch.collector.v1 import events_pb2 as events
from cloudsketch.diagram.v1 import diagram_pb2 as pb
from services.collector.domain import Collector
from services.common.database import open_database
from services.common.errors import InvalidArgument, NotFound
from services.common.timeutil import to_timestamp, utcnow
from services.diagram.domain import Diagrams
from services.diagram.live import LiveModel
from services.diagram.tables import live_blueprints
from tests.helpers.diagram import AWS_ACCOUNT, resource


@pytest.fixture
def setup(database_url):
    diagram_engine = open_database("diagram")
    collector = Collector(open_database("collector"))
    account_id = str(uuid.uuid4())
    collector.schedule(account_id, AWS_ACCOUNT, utcnow() + timedelta(hours=1))
    Diagrams(diagram_engine).on_account_registered(account_events.AccountRegistered(
        account_id=account_id, aws_account_id=AWS_ACCOUNT, name="Production", occurred_at=to_timestamp(utcnow())))
    live = LiveModel(diagram_engine, collector.inventory, gap_seconds=0)
    yield live, collector, account_id
    diagram_engine.dispose()
    collector.engine.dispose()


def batch(account_id, sync_id, index, at, upserted=(), removed=(), region="us-east-1"):
    return events.ResourcesChanged(account_id=account_id, sync_id=sync_id, region=region, batch_index=index,
                                   upserted=list(upserted), removed_arns=list(removed), occurred_at=to_timestamp(at))


def finished(account_id, sync_id, batches: dict, state=collector_pb2.SYNC_STATE_FINISHED):
    return events.SyncFinished(account_id=account_id, sync_id=sync_id, state=state, occurred_at=to_timestamp(utcnow()),
                               region_batches=[events.RegionBatches(region=r, batches=n) for r, n in batches.items()])


def blueprint(live: LiveModel, account_id: str):
    with live.engine.connect() as conn:
        return conn.execute(live_blueprints.select().where(live_blueprints.c.account_id == account_id)).one()


def names(live, account_id) -> dict[str, str]:
    return {r.name: r.attributes["instanceType"] for r in live.resources(account_id)}


def test_changes_apply_by_version_whatever_order_and_however_often_they_come(setup):
    live, _, account_id = setup
    live.schedule_rebuild(account_id, utcnow() + timedelta(days=1))   # not due in this test
    t0 = utcnow()
    old, new = t0 - timedelta(minutes=5), t0
    live.on_resources_changed(batch(account_id, "s2", 0, new, [resource("web", "m5.large"), resource("db")]))
    # A batch of an older sync comes late: it changes nothing newer.
    live.on_resources_changed(batch(account_id, "s1", 0, old, [resource("web", "t3.micro"), resource("gone")]))
    assert names(live, account_id) == {"web": "m5.large", "db": "t3.micro", "gone": "t3.micro"}
    # A removal, then a late upsert of the same resource from before it: it stays removed.
    gone = resource("gone").arn
    live.on_resources_changed(batch(account_id, "s2", 1, new, removed=[gone]))
    live.on_resources_changed(batch(account_id, "s1", 0, old, [resource("gone")]))
    assert names(live, account_id) == {"web": "m5.large", "db": "t3.micro"}
    # Redelivery changes nothing.
    live.on_resources_changed(batch(account_id, "s2", 0, new, [resource("web", "m5.large"), resource("db")]))
    [web] = [r for r in live.resources(account_id) if r.name == "web"]
    assert web.tags == {"env": "prod"} and web.aws_account_id == AWS_ACCOUNT
    assert web.relationships == (("secured_by", web.arn, f"arn:aws:ec2:us-east-1:{AWS_ACCOUNT}:security-group/sg-1"),)
    assert live.resources(account_id, "eu-west-1") == []
    # One ARN twice in a batch (the collector never does it): one statement still, the last wins.
    live.on_resources_changed(batch(account_id, "s3", 0, utcnow(), [resource("db", "r5.large"), resource("db", "r6g")]))
    assert names(live, account_id)["db"] == "r6g"
    # Events of an account the diagram does not know are dropped.
    live.on_resources_changed(batch("unknown", "s3", 0, new, [resource("x")]))
    assert live.resources("unknown") == []


def test_a_sync_is_complete_once_every_batch_came_even_after_sync_finished(setup):
    live, _, account_id = setup
    live.rebuild(account_id)   # registration: the collector has synced nothing yet
    assert blueprint(live, account_id).rebuild_after is None
    now = utcnow()
    live.on_sync_finished(finished(account_id, "s1", {"us-east-1": 2, "": 1}))
    live.on_resources_changed(batch(account_id, "s1", 1, now, [resource("b")]))
    live.on_resources_changed(batch(account_id, "s1", 0, now, [resource("a")], region=""))
    assert blueprint(live, account_id).state == "awaiting_scan"
    live.on_resources_changed(batch(account_id, "s1", 0, now, [resource("a")]))
    row = blueprint(live, account_id)
    assert (row.state, row.last_sync_id) == ("ready", "s1")
    live.on_sync_finished(finished(account_id, "s1", {"us-east-1": 2, "": 1}))   # redelivered
    assert live.due(utcnow() + timedelta(seconds=1)) == []


def test_a_missed_batch_is_a_gap_repaired_from_the_collector_inventory(setup):
    live, collector, account_id = setup
    # The collector synced before the diagram heard of the account: registration rebuilds.
    sync_id, _ = collector.request_sync(account_id, [], "registered")
    collector.start_sync(sync_id)
    t1 = utcnow()
    collector.apply_changes(account_id, "us-east-1", [("ec2", resource("web")), ("ec2", resource("db"))], [], t1)
    collector.finish_sync(sync_id, "finished", counts={}, gaps=[], region_runs=[])
    assert live.due(utcnow()) == [account_id]
    assert live.rebuild(account_id) is True
    row = blueprint(live, account_id)
    assert (row.state, row.last_sync_id, row.rebuild_after) == ("ready", sync_id, None)
    assert names(live, account_id) == {"web": "t3.micro", "db": "t3.micro"}

    # The next sync: web resized, db removed, cache added, in two batches; the second is missed.
    second, _ = collector.request_sync(account_id, [], "schedule")
    collector.start_sync(second)
    assert live.rebuild(account_id) is False   # a sync is running: try again after it
    assert live.due(utcnow()) == []
    t2 = utcnow()
    changes = [("ec2", resource("web", "m5.large")), ("ec2", resource("cache"))]
    live.on_resources_changed(batch(account_id, second, 0, t2, [r for _, r in changes]))
    collector.apply_changes(account_id, "us-east-1", changes, [resource("db").arn], t2)
    collector.finish_sync(second, "finished", counts={}, gaps=[], region_runs=[])
    live.on_sync_finished(finished(account_id, second, {"us-east-1": 2}))
    assert names(live, account_id) == {"web": "m5.large", "db": "t3.micro", "cache": "t3.micro"}
    assert live.due(utcnow()) == [account_id]          # incomplete past the grace time (0 here)
    assert live.rebuild(account_id)
    assert names(live, account_id) == {"web": "m5.large", "cache": "t3.micro"}
    assert blueprint(live, account_id).last_sync_id == second
    assert live.due(utcnow()) == []
    # The missed batch comes after all (late, not lost): nothing changes.
    live.on_resources_changed(batch(account_id, second, 1, t2, removed=[resource("db").arn]))
    assert names(live, account_id) == {"web": "m5.large", "cache": "t3.micro"}


def test_the_live_blueprint_is_composed_rendered_and_keeps_its_layout(setup):
    live, _, account_id = setup
    diagrams = Diagrams(live.engine)
    live.rebuild(account_id)   # nothing synced yet
    waiting = diagrams.get_account_blueprint(account_id, "us-east-1", "svg", {})
    assert waiting.state == pb.BLUEPRINT_STATE_AWAITING_SCAN and waiting.content == b""
    now = utcnow()
    live.on_resources_changed(batch(account_id, "s1", 0, now, [resource("web"), resource("db")]))
    live.on_sync_finished(finished(account_id, "s1", {"us-east-1": 1}))

    reply = diagrams.get_account_blueprint(account_id, "us-east-1", "json", {"projection": "2d"})
    assert reply.state == pb.BLUEPRINT_STATE_READY and reply.content_type == "application/json"
    document = json.loads(reply.content)
    assert {node["arn"] for node in document["nodes"]} == {resource("web").arn, resource("db").arn}
    assert reply.blueprint.id == account_id and reply.blueprint.name == "Production"
    first = {node["arn"]: node["mapPos"] for node in document["nodes"]}
    # The layout is kept: every node's place is stored (by node id) ...
    assert {node["id"] for node in document["nodes"]} <= set(blueprint(live, account_id).layout)
    # ... and a new resource does not move the others.
    live.on_resources_changed(batch(account_id, "s2", 0, utcnow(), [resource("cache")]))
    again = json.loads(diagrams.get_account_blueprint(account_id, "us-east-1", "json", {}).content)
    positions = {node["arn"]: node["mapPos"] for node in again["nodes"]}
    assert all(positions[arn] == position for arn, position in first.items())
    cache = next(node for node in again["nodes"] if node["arn"] == resource("cache").arn)
    assert cache["id"] in blueprint(live, account_id).layout
    assert diagrams.get_account_blueprint(account_id, "eu-west-1", "json", {}).state == pb.BLUEPRINT_STATE_READY

    for fmt, content_type in (("svg", "image/svg+xml"), ("mxgraph", None), ("png", None), ("pdf", None)):
        rendered = diagrams.get_account_blueprint(account_id, "us-east-1", fmt, {})
        assert rendered.content and (content_type is None or rendered.content_type == content_type)
    with pytest.raises(InvalidArgument, match="scale"):
        diagrams.get_account_blueprint(account_id, "us-east-1", "svg", {"scale": "huge"})
    with pytest.raises(InvalidArgument, match="format"):
        diagrams.get_account_blueprint(account_id, "us-east-1", "gif", {})


def test_a_sync_that_changed_something_is_a_version_of_the_live_blueprint(setup):
    live, _, account_id = setup
    diagrams = Diagrams(live.engine)
    live.rebuild(account_id)   # nothing synced yet: no version
    assert live.versions(account_id) == []
    live.on_resources_changed(batch(account_id, "s1", 0, utcnow(), [resource("web"), resource("db")]))
    live.on_sync_finished(finished(account_id, "s1", {"us-east-1": 1}))
    live.on_sync_finished(finished(account_id, "s1", {"us-east-1": 1}))   # redelivered: no second version
    live.on_sync_finished(finished(account_id, "s2", {}))                 # nothing changed: none either
    live.on_resources_changed(batch(account_id, "s3", 0, utcnow(), [resource("cache"), resource("web", "m5.large")],
                                    [resource("db").arn]))
    live.on_sync_finished(finished(account_id, "s3", {"us-east-1": 1}))
    versions = diagrams.account_versions(account_id).versions
    assert [(v.version, v.sync_id, v.reason) for v in versions] == [(2, "s3", "sync"), (1, "s1", "sync")]
    reply = diagrams.diff_account_versions(account_id, 1, 2)
    changes = reply.diff
    assert list(changes["added"]) == [resource("cache").arn] and list(changes["removed"]) == [resource("db").arn]
    assert list(changes["changed"]) == [resource("web").arn]
    # Cloudcraft's node fields: instanceType is the family, instanceSize the size.
    assert dict(changes["changed"][resource("web").arn]["instanceType"]) == {"old": "t3", "new": "m5"}
    assert reply.content == b"" and reply.content_type == ""    # no format: the diff alone
    with pytest.raises(NotFound):
        diagrams.diff_account_versions(account_id, 1, 3)

    # The "what changed" overlay, rendered: each node marked by its change, and a legend.
    rendered = diagrams.diff_account_versions(account_id, 1, 2, "svg", {"projection": "2d"})
    assert rendered.content_type == "image/svg+xml" and rendered.diff == changes
    assert diff_marks(rendered.content) == {"cache": "added", "db": "removed", "web": "changed"}
    assert all(label in rendered.content.decode() for label in (">Added<", ">Removed<", ">Changed<"))
    overlay = json.loads(diagrams.diff_account_versions(account_id, 1, 2, "json", {}).content)
    assert {node["name"]: node.get("diff") for node in overlay["nodes"]} == \
        {"cache": "added", "db": "removed", "web": "changed"}
    with pytest.raises(InvalidArgument, match="format"):
        diagrams.diff_account_versions(account_id, 1, 2, "gif", {})


def diff_marks(svg: bytes) -> dict[str, str]:
    """{node name: "added", "removed" or "changed"} from an SVG: the renderer draws a node's diff
    mark (a <use> of #d-<state>) just before the node's own <use>, whose <title> is "name (type)"."""
    href = "{http://www.w3.org/1999/xlink}href"
    marks, pending = {}, None
    for element in ElementTree.fromstring(svg).iter("{http://www.w3.org/2000/svg}use"):
        target = element.get(href, "")
        if target.startswith("#d-"):
            pending = target[3:]
            continue
        title = element.find("{http://www.w3.org/2000/svg}title")
        if title is not None and pending is not None:
            marks[title.text.rsplit(" (", 1)[0]] = pending
        pending = None
    return marks


def test_a_cached_live_blueprint_follows_every_change_as_a_fresh_composition_would(setup, monkeypatch):
    """diagram-api keeps each composition at the live model's revision and applies only the rows
    written since: after upserts, removals, a rebuild and forgotten tombstones, its answer is the
    answer of a process that composes from nothing."""
    live, _, account_id = setup
    cached = Diagrams(live.engine)
    live.rebuild(account_id)
    live.on_resources_changed(batch(account_id, "s1", 0, utcnow(), [resource(f"i-{n}") for n in range(8)]))
    live.on_sync_finished(finished(account_id, "s1", {"us-east-1": 1}))

    def check(region="all", **query):
        got = cached.get_account_blueprint(account_id, region, "json", query).content
        assert got == Diagrams(live.engine).get_account_blueprint(account_id, region, "json", query).content
        return {node["name"]: node["instanceType"] + node["instanceSize"] for node in json.loads(got)["nodes"]}

    assert check() == {f"i-{n}": "t3micro" for n in range(8)}
    assert check("us-east-1", projection="2d") == check()
    fresh = Diagrams(live.engine).get_account_blueprint(account_id, "all", "json", {}).content
    with monkeypatch.context() as patch:      # unchanged: answered without reading the live model
        patch.setattr(LiveModel, "changes", lambda *args, **kwargs: pytest.fail("the live model was read"))
        assert cached.get_account_blueprint(account_id, "all", "json", {}).content == fresh
    live.on_resources_changed(batch(account_id, "s2", 0, utcnow(), [resource("i-1", "m5.large"), resource("new")],
                                    removed=[resource("i-2").arn]))
    expected = {**{f"i-{n}": "t3micro" for n in range(8) if n != 2}, "i-1": "m5large", "new": "t3micro"}
    assert check() == expected and check("us-east-1", projection="2d") == expected
    assert check("eu-west-1") == {}
    # Tombstones forgotten before the cache saw them: it reads the model whole.
    live.on_resources_changed(batch(account_id, "s3", 0, utcnow(), removed=[resource("i-3").arn]))
    live.forget_old(utcnow() + timedelta(hours=7))
    del expected["i-3"]
    assert check() == expected
    assert blueprint(live, account_id).reload_revision == blueprint(live, account_id).revision


def test_a_renamed_account_renames_its_live_blueprint(setup):
    live, _, account_id = setup
    diagrams = Diagrams(live.engine)
    live.rebuild(account_id)
    live.on_resources_changed(batch(account_id, "s1", 0, utcnow(), [resource("web")]))
    live.on_sync_finished(finished(account_id, "s1", {"us-east-1": 1}))
    assert json.loads(diagrams.get_account_blueprint(account_id, "all", "json", {}).content)["name"] == "Production"
    diagrams.on_account_updated(account_events.AccountUpdated(account_id=account_id, name="Production (EU)",
                                                              changed=["name"]))
    document = json.loads(diagrams.get_account_blueprint(account_id, "all", "json", {}).content)
    assert document["name"] == "Production (EU)" and document["liveAccount"]["name"] == "Production (EU)"
    assert "Production (EU)" in {g["name"] for g in document["groups"] if g["type"] == "account"}
