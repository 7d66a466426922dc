"""The live budget (services/budget/live.py) and its answers (services/budget/domain.py) on a
real database: collector events out of order, twice and with gaps; rebuilt from the real
collector's inventory; each complete sync settled into its cost changes and a budget_changed
event in the outbox."""
from __future__ import annotations

import gzip
import json
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from google.protobuf import struct_pb2

from cloudsketch.budget.v1 import budget_pb2 as pb
from cloudsketch.collector.v1 import collector_pb2
from cloudsketch.collector.v1 import events_pb2 as events
from cloudsketch.common.v1 import resource_pb2
from services.budget import catalog, catalog_build, tables
from services.budget.domain import Budgets
from services.budget.live import LiveBudget
from services.budget.tables import outbox
from services.collector.domain import Collector
from services.common.database import open_database
from services.common.errors import InvalidArgument, NotFound
from services.common.outbox import pending_events
from services.common.timeutil import to_timestamp, utcnow

AWS_ACCOUNT = "123456789012"
REGION = "us-east-1"


def instance(name: str, size: str = "m5.large", env: str = "prod") -> resource_pb2.Resource:
    attributes = struct_pb2.Struct()
    attributes.update({"instanceType": size, "state": "running", "vpcId": "vpc-1"})
    return resource_pb2.Resource(arn=f"arn:aws:ec2:{REGION}:{AWS_ACCOUNT}:instance/{name}", type="AWS::EC2::Instance",
                                 aws_account_id=AWS_ACCOUNT, region=REGION, name=name, attributes=attributes,
                                 tags=[resource_pb2.Tag(key="env", value=env)], fingerprint=f"{name}-{size}")


def nat(name: str) -> resource_pb2.Resource:
    attributes = struct_pb2.Struct()
    attributes.update({"vpcId": "vpc-1"})
    return resource_pb2.Resource(arn=f"arn:aws:ec2:{REGION}:{AWS_ACCOUNT}:natgateway/{name}",
                                 type="AWS::EC2::NatGateway", aws_account_id=AWS_ACCOUNT, region=REGION, name=name,
                                 attributes=attributes, fingerprint=name)


def vpc() -> resource_pb2.Resource:
    return resource_pb2.Resource(arn=f"arn:aws:ec2:{REGION}:{AWS_ACCOUNT}:vpc/vpc-1", type="AWS::EC2::VPC",
                                 aws_account_id=AWS_ACCOUNT, region=REGION, name="main", fingerprint="vpc")


@pytest.fixture
def setup(database_url):
    engine = open_database("budget")
    collector = Collector(open_database("collector"))
    account_id = str(uuid.uuid4())
    collector.schedule(account_id, AWS_ACCOUNT, utcnow() + timedelta(hours=1))
    live = LiveBudget(engine, collector.inventory, gap_seconds=0)
    live.on_account_registered(account_id, AWS_ACCOUNT, "Production")
    yield live, collector, account_id
    engine.dispose()
    collector.engine.dispose()


def batch(account_id, sync_id, index, at, upserted=(), removed=()):
    return events.ResourcesChanged(account_id=account_id, sync_id=sync_id, region=REGION, batch_index=index,
                                   upserted=list(upserted), removed_arns=list(removed), occurred_at=to_timestamp(at))


def finished(account_id, sync_id, batches: int, state=collector_pb2.SYNC_STATE_FINISHED):
    return events.SyncFinished(account_id=account_id, sync_id=sync_id, state=state, occurred_at=to_timestamp(utcnow()),
                               region_batches=[events.RegionBatches(region=REGION, batches=batches)])


def published(live) -> list[dict]:
    return [payload for event_type, _, payload in pending_events(live.engine, outbox) if event_type == "budget_changed"]


def monthly(live, account_id) -> dict[str, str]:
    return {item.name: str(item.monthly) for item in live.components(account_id)}


def reasons(live, account_id) -> dict[str, str]:
    return {row.name: row.reason for row in live.latest_changes(account_id)}


def test_a_complete_sync_prices_the_account_and_publishes_what_changed(setup):
    live, _, account_id = setup
    live.schedule_rebuild(account_id, utcnow() + timedelta(days=1))   # not due here
    live._clear_rebuild(account_id, utcnow() + timedelta(days=2))      # registration found no earlier sync
    t1 = utcnow()
    assert live.on_resources_changed(batch(account_id, "s1", 0, t1, [vpc(), instance("web"), instance("db")])) is False
    assert Budgets(live.engine).get_account_budget(pb.GetAccountBudgetRequest(account_id=account_id)).state \
        == pb.BUDGET_STATE_AWAITING_SCAN
    assert live.on_sync_finished(finished(account_id, "s1", 1)) is True
    assert monthly(live, account_id) == {"main": "0", "web": "70.080", "db": "70.080"}
    assert reasons(live, account_id) == {"web": "new EC2 instance", "db": "new EC2 instance"}
    [first] = published(live)
    assert (first["totalBeforeUsd"], first["totalAfterUsd"], first["changeCount"]) == ("0", "140.160", 2)

    # The next sync: web resized, db removed, a NAT gateway added, in two batches out of order.
    t2 = t1 + timedelta(minutes=5)
    live.on_resources_changed(batch(account_id, "s2", 1, t2, [nat("nat-1")], [instance("db").arn]))
    live.on_sync_finished(finished(account_id, "s2", 2))
    assert len(published(live)) == 1                     # incomplete: nothing settled yet
    assert live.on_resources_changed(batch(account_id, "s2", 0, t2, [instance("web", "m5.xlarge")])) is True
    assert reasons(live, account_id) == {"web": "m5.large -> m5.xlarge", "db": "removed", "nat-1": "new NAT gateway"}
    second = published(live)[1]
    assert second["syncId"] == "s2"
    # The running total is the sum of what is priced now.
    assert Decimal(second["totalAfterUsd"]) == sum(i.monthly for i in live.components(account_id) if i.monthly)
    assert {c["reason"] for c in second["changes"]} == {"m5.large -> m5.xlarge", "removed", "new NAT gateway"}

    # Redelivered and late events change nothing, and publish nothing.
    assert live.on_resources_changed(batch(account_id, "s2", 0, t2, [instance("web", "m5.xlarge")])) is False
    assert live.on_sync_finished(finished(account_id, "s2", 2)) is False
    live.on_resources_changed(batch(account_id, "s0", 0, t1 - timedelta(minutes=5), [instance("db", "m5.large")]))
    assert sorted(monthly(live, account_id)) == ["main", "nat-1", "web"]
    assert len(published(live)) == 2
    # A sync without changes to costs publishes nothing and keeps the latest changes.
    t3 = t2 + timedelta(minutes=5)
    live.on_resources_changed(batch(account_id, "s3", 0, t3, [instance("web", "m5.xlarge", env="stage")]))
    assert live.on_sync_finished(finished(account_id, "s3", 1)) is False
    assert reasons(live, account_id)["web"] == "m5.large -> m5.xlarge"


def test_the_budget_answers_in_currencies_periods_and_groups(setup):
    live, _, account_id = setup
    live._clear_rebuild(account_id, utcnow() + timedelta(days=1))
    t1 = utcnow()
    windows = instance("win", "m5.large")
    windows.attributes.update({"platform": "Windows"})
    live.on_resources_changed(batch(account_id, "s1", 0, t1, [instance("web"), instance("api", env="stage"), windows]))
    live.on_sync_finished(finished(account_id, "s1", 1))
    budgets = Budgets(live.engine)
    answer = budgets.get_account_budget(pb.GetAccountBudgetRequest(account_id=account_id, group_by="tag:env"))
    assert answer.state == pb.BUDGET_STATE_READY and answer.last_sync_id == "s1"
    assert (answer.total, answer.currency, answer.period, answer.unpriced_count) == ("140.16", "USD", "m", 1)
    assert {g.key: g.amount for g in answer.groups} == {"prod": "70.08", "stage": "70.08"}
    assert {i.name: i.status for i in answer.items} == {"web": "priced", "api": "priced", "win": "unpriced"}
    assert "Windows" in next(i.basis for i in answer.items if i.name == "win")
    daily = budgets.get_account_budget(pb.GetAccountBudgetRequest(account_id=account_id, currency="eur",
                                                                  period="d", rate="0.5"))
    assert daily.total == "2.30"          # 140.16 / 730 x 24 x 0.5
    for bad in (dict(currency="XYZ"), dict(period="q"), dict(rate="-1"), dict(group_by="colour")):
        with pytest.raises(InvalidArgument):
            budgets.get_account_budget(pb.GetAccountBudgetRequest(account_id=account_id, **bad))
    with pytest.raises(NotFound):
        budgets.get_account_budget(pb.GetAccountBudgetRequest(account_id=str(uuid.uuid4())))
    changes = budgets.get_budget_changes(account_id)
    assert changes.sync_id == "s1" and {c.reason for c in changes.changes} == {"new EC2 instance"}


def test_a_missed_batch_is_a_gap_repaired_from_the_collector_inventory(setup):
    live, collector, account_id = setup
    # The collector synced before the budget heard of the account: registration rebuilds.
    sync_id, _ = collector.request_sync(account_id, [], "registered")
    collector.start_sync(sync_id)
    t1 = utcnow()
    collector.apply_changes(account_id, REGION, [("ec2", instance("web")), ("ec2", instance("db"))], [], t1)
    collector.finish_sync(sync_id, "finished", counts={}, gaps=[], region_runs=[])
    assert live.due(utcnow()) == [account_id]
    assert live.rebuild(account_id) is True
    assert live.account(account_id).state == "ready"
    assert monthly(live, account_id) == {"web": "70.080", "db": "70.080"}
    assert len(published(live)) == 1

    # The next sync: web resized, db removed; the batch with the removal is missed.
    second, _ = collector.request_sync(account_id, [], "schedule")
    collector.start_sync(second)
    assert live.rebuild(account_id) is False   # a sync is running: try again after it
    t2 = utcnow()
    live.on_resources_changed(batch(account_id, second, 0, t2, [instance("web", "m5.xlarge")]))
    collector.apply_changes(account_id, REGION, [("ec2", instance("web", "m5.xlarge"))], [instance("db").arn], t2)
    collector.finish_sync(second, "finished", counts={}, gaps=[], region_runs=[])
    live.on_sync_finished(finished(account_id, second, 2))
    assert live.due(utcnow()) == [account_id]
    assert live.rebuild(account_id)
    assert monthly(live, account_id) == {"web": "140.160"}
    assert reasons(live, account_id) == {"web": "m5.large -> m5.xlarge", "db": "removed"}
    assert published(live)[-1]["syncId"] == second
    assert live.due(utcnow()) == []


def test_removing_the_account_deletes_everything(setup):
    live, _, account_id = setup
    live._clear_rebuild(account_id, utcnow() + timedelta(days=1))
    live.on_resources_changed(batch(account_id, "s1", 0, utcnow(), [instance("web")]))
    live.on_sync_finished(finished(account_id, "s1", 1))
    live.forget(account_id)
    with live.engine.connect() as conn:
        left = {table.name: conn.execute(sa.select(sa.func.count()).select_from(table).where(
            table.c.account_id == account_id)).scalar()
            for table in tables.metadata.sorted_tables if "account_id" in table.c}
    assert left == dict.fromkeys(left, 0) and "budget_components" in left
    # Events of the removed account are dropped.
    assert live.on_resources_changed(batch(account_id, "s2", 0, utcnow(), [instance("web")])) is False
    assert live.components(account_id) == []


def test_a_blueprint_is_priced_from_live_components_and_cloudcraft_node_fields(setup):
    import csv
    import io

    from google.protobuf import struct_pb2 as struct
    from openpyxl import load_workbook

    from services.budget.export import CLOUDCRAFT_COLUMNS

    live, _, account_id = setup
    live._clear_rebuild(account_id, utcnow() + timedelta(days=1))
    live.on_resources_changed(batch(account_id, "s1", 0, utcnow(), [instance("web", "m5.xlarge")]))
    live.on_sync_finished(finished(account_id, "s1", 1))
    document = struct.Struct()
    document.update({"nodes": [
        {"id": "n1", "type": "ec2", "arn": instance("web").arn, "region": REGION, "instanceType": "t3",
         "instanceSize": "nano"},                                           # live: priced as the account's m5.xlarge
        {"id": "n2", "type": "ec2", "region": REGION, "instanceType": "m5", "instanceSize": "large",
         "platform": "linux"},
        {"id": "n3", "type": "rds", "region": REGION, "engine": "postgres", "instanceType": "db.m5",
         "instanceSize": "large", "multiAZ": False, "storage": 100, "storageType": "gp2"},
        {"id": "n4", "type": "ebs", "region": REGION, "volume": "gp3", "storage": 100},
        {"id": "n5", "type": "waf", "region": REGION},
    ]})
    budgets = Budgets(live.engine)
    reply = budgets.price_blueprint(pb.PriceBlueprintRequest(document=document, account_ids=[account_id],
                                                             format="csv"))
    rows = list(csv.DictReader(io.StringIO(reply.content.decode())))
    assert reply.content.decode().split("\n")[0].split(",")[:len(CLOUDCRAFT_COLUMNS)] == list(CLOUDCRAFT_COLUMNS)
    assert [(r["id"], r["priced"]) for r in rows] == [(instance("web").arn, "yes"), ("n2", "yes"), ("n3", "yes"),
                                                     ("n4", "yes"), ("n5", "no")]
    assert rows[0]["cost"] == "140.16" and rows[1]["cost"] == "70.08"
    assert "no cost model for Cloudcraft node type waf" in rows[4]["basis"]
    assert reply.unpriced_count == 1
    # Without the account, the live node is priced from its own fields.
    alone = budgets.price_blueprint(pb.PriceBlueprintRequest(document=document, format="csv"))
    assert list(csv.DictReader(io.StringIO(alone.content.decode())))[0]["instanceSize"] == "nano"
    workbook = budgets.price_blueprint(pb.PriceBlueprintRequest(document=document, account_ids=[account_id],
                                                                format="xlsx", currency="EUR"))
    sheets = load_workbook(io.BytesIO(workbook.content)).sheetnames
    assert sheets == ["Budget", "Totals"]
    assert workbook.total == str((Decimal(reply.total) * Decimal("0.8636")).quantize(Decimal("0.01")))
    with pytest.raises(InvalidArgument):
        budgets.price_blueprint(pb.PriceBlueprintRequest(document=document, format="pdf"))


def test_an_account_budget_exports_as_the_blueprint_budget_does(setup):
    import csv
    import io

    from openpyxl import load_workbook

    from services.budget.export import CLOUDCRAFT_COLUMNS

    live, _, account_id = setup
    live._clear_rebuild(account_id, utcnow() + timedelta(days=1))
    budgets = Budgets(live.engine)
    waiting = budgets.export_account_budget(pb.ExportAccountBudgetRequest(account_id=account_id, format="csv"))
    assert waiting.state == pb.BUDGET_STATE_AWAITING_SCAN and waiting.content == b""
    windows = instance("win")
    windows.attributes.update({"platform": "Windows"})
    live.on_resources_changed(batch(account_id, "s1", 0, utcnow(), [vpc(), instance("web"), windows]))
    live.on_sync_finished(finished(account_id, "s1", 1))
    reply = budgets.export_account_budget(pb.ExportAccountBudgetRequest(account_id=account_id, format="csv",
                                                                        currency="EUR", period="y", rate="0.5"))
    assert reply.state == pb.BUDGET_STATE_READY and reply.content_type.startswith("text/csv")
    header, *rows = list(csv.reader(io.StringIO(reply.content.decode())))
    assert header[:len(CLOUDCRAFT_COLUMNS)] == list(CLOUDCRAFT_COLUMNS)
    by_name = {row[header.index("name")]: row for row in rows}
    assert {name: row[header.index("priced")] for name, row in by_name.items()} == \
        {"main": "free", "web": "yes", "win": "no"}
    assert by_name["web"][header.index("cost")] == "420.48"     # 70.08 x 12 x 0.5
    assert {row[header.index("currency")] for row in rows} == {"EUR"}
    workbook = budgets.export_account_budget(pb.ExportAccountBudgetRequest(account_id=account_id, format="xlsx",
                                                                           region="eu-west-1"))
    assert load_workbook(io.BytesIO(workbook.content)).sheetnames == ["Budget", "Totals"]
    for bad in (dict(format="pdf"), dict(format="csv", currency="XYZ")):
        with pytest.raises(InvalidArgument):
            budgets.export_account_budget(pb.ExportAccountBudgetRequest(account_id=account_id, **bad))
    with pytest.raises(NotFound):
        budgets.export_account_budget(pb.ExportAccountBudgetRequest(account_id=str(uuid.uuid4()), format="csv"))


def test_a_new_catalog_prices_every_account_again(setup, tmp_path, monkeypatch):
    """`prices refresh` rewrites the catalog file: catalog.current() loads it, the accounts priced
    with the old one are rebuilt from the inventory with the new prices, and the moves are settled
    and published like a sync's, with the unit price as the reason."""
    live, collector, account_id = setup
    sync_id, _ = collector.request_sync(account_id, [], "registered")
    collector.start_sync(sync_id)
    collector.apply_changes(account_id, REGION, [("ec2", instance("web")), ("ec2", nat("nat-1"))], [], utcnow())
    collector.finish_sync(sync_id, "finished", counts={}, gaps=[], region_runs=[])
    assert live.rebuild(account_id)
    assert live.reprice_stale() == []                       # priced with the catalog in use
    before = monthly(live, account_id)

    with gzip.open(catalog.DEFAULT_PATH) as handle:
        document = json.load(handle)
    document["prices"]["ec2"]["m5.large"][REGION] = "0.2"    # was 0.096
    path = tmp_path / "catalog.json.gz"
    catalog_build.write(document, path)
    try:
        repriced(live, collector, account_id, path, before, monkeypatch)
    finally:
        monkeypatch.undo()
        catalog.current()            # the packaged catalog again, for the tests that follow


def repriced(live, collector, account_id, path, before, monkeypatch):
    monkeypatch.setenv("CLOUDSKETCH_PRICE_CATALOG", str(path))
    refreshed = catalog.current()
    assert refreshed.digest != live.catalog.digest and catalog.current() is refreshed
    (path.parent / "broken.json.gz").write_bytes(b"not a catalog")
    monkeypatch.setenv("CLOUDSKETCH_PRICE_CATALOG", str(path.parent / "broken.json.gz"))
    assert catalog.current() is refreshed                   # a file that does not load: the one in use stays
    monkeypatch.setenv("CLOUDSKETCH_PRICE_CATALOG", str(path))

    worker_view = LiveBudget(live.engine, collector.inventory, gap_seconds=0, catalog=catalog.current())
    assert worker_view.reprice_stale() == [account_id]
    assert worker_view.due(utcnow()) == [account_id]
    assert worker_view.rebuild(account_id)
    assert monthly(live, account_id) == {"web": "146.0", "nat-1": before["nat-1"]}
    assert reasons(live, account_id) == {"web": "unit price 0.096 -> 0.2"}
    assert published(live)[-1]["totalAfterUsd"] != published(live)[-1]["totalBeforeUsd"]
    assert worker_view.reprice_stale() == [] and worker_view.due(utcnow()) == []


def test_a_renamed_account_keeps_its_new_name(setup):
    live, _, account_id = setup
    live.on_account_updated(account_id, "Production (EU)")
    live.on_account_updated(str(uuid.uuid4()), "unknown: nothing happens")
    assert live.account(account_id).name == "Production (EU)"
