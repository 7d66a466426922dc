"""The demo estate (services/demo_estate.py) seeded into moto, synced by the real collector, its
events fed to the diagram's live model, and the live blueprint checked against the estate's
manifest: every resource in its container (subnet, zone, VPC, region), every relationship that
autoconnect draws an edge. Then a second sync with one resource added, one removed and one changed
in moto: exactly those three are the version diff."""
from __future__ import annotations

import json
import uuid

import pytest

from cloudsketch.accounts.v1 import events_pb2 as account_events
from services.collector.discovery import all_units
from services.common.database import open_database
from services.common.timeutil import to_timestamp, utcnow
from services.demo_estate import account_client, seed
from services.diagram.cloudcraft_types import GROUP_TYPES, HIDDEN_BY_DEFAULT, node_type
from services.diagram.compose import CONNECTION_TYPES, node_id
from services.diagram.domain import Diagrams
from services.diagram.live import LiveModel
from tests.services.collector.sync_harness import REGIONS, Harness

# An AWS account of this test's own on the shared moto server.
AWS_ACCOUNT = f"6{uuid.uuid4().int % 10 ** 11:011d}"


@pytest.fixture(scope="module")
def estate(moto_endpoint):
    return seed(moto_endpoint, accounts=(AWS_ACCOUNT,), regions=tuple(REGIONS), scale=1)


def feed(live: LiveModel, harness: Harness, account_id: str) -> None:
    """The sync's events, as diagram-worker receives them (the collector's account id replaced by
    the diagram's)."""
    for kind, message in harness.events:
        if kind in ("resources_changed", "sync_finished"):
            event = type(message)()
            event.CopyFrom(message)
            event.account_id = account_id
            (live.on_resources_changed if kind == "resources_changed" else live.on_sync_finished)(event)


def ancestors(data: dict) -> dict[str, list[dict]]:
    """Node or group id -> the groups around it, innermost first."""
    parent = {}
    for group in data["groups"]:
        for child in group["nodes"] + group["groups"]:
            parent[child] = group
    found = {}
    for item in data["nodes"] + data["groups"]:
        chain, current = [], parent.get(item["id"])
        while current is not None:
            chain.append(current)
            current = parent.get(current["id"])
        found[item["id"]] = chain
    return found


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_demo_estate_diagram_matches_its_manifest_and_a_second_sync_is_its_diff(database_url, aws_env, estate):
    harness = Harness(AWS_ACCOUNT, units=all_units())
    assert harness.sync()["state"] == "finished"
    engine = open_database("diagram")
    diagrams, live = Diagrams(engine), LiveModel(engine, gap_seconds=0)
    account_id = str(uuid.uuid4())
    diagrams.on_account_registered(account_events.AccountRegistered(
        account_id=account_id, aws_account_id=AWS_ACCOUNT, name="Demo", occurred_at=to_timestamp(utcnow())))
    live._clear_rebuild(account_id, utcnow())   # as a rebuild that finds nothing synced before does
    feed(live, harness, account_id)
    data = json.loads(diagrams.get_account_blueprint(account_id, "all", "json", {}).content)

    nodes = {node["arn"]: node for node in data["nodes"]}
    groups = {group["arn"]: group for group in data["groups"] if group.get("arn")}
    around = ancestors(data)
    assert not any("collapsed" in group for group in data["groups"])
    # Every resource is a node, or the group it names, or a kind the default diagram does not draw.
    drawn = {"node": 0, "group": 0, "not drawn": 0, "peering twin": 0}
    peerings = {node["arn"].rsplit("/", 1)[1]: node for node in data["nodes"] if node["type"] == "vpcpeering"}
    for resource in estate.resources:
        kind = node_type(resource.type)
        if resource.type == "AWS::EC2::VPCPeeringConnection" and resource.arn not in nodes:
            # Seen from both regions, with an ARN of each: drawn once, as the requester's.
            assert peerings[resource.arn.rsplit("/", 1)[1]]["arn"] != resource.arn, resource
            drawn["peering twin"] += 1
        elif resource.type in ("AWS::EC2::VPC", "AWS::EC2::Subnet"):
            assert resource.arn in groups, resource
            drawn["group"] += 1
        elif resource.type in GROUP_TYPES or kind in HIDDEN_BY_DEFAULT:
            assert resource.arn not in nodes, resource
            drawn["not drawn"] += 1
        else:
            assert resource.arn in nodes, resource
            assert nodes[resource.arn]["awsType"] == resource.type
            drawn["node"] += 1
    assert drawn["node"] > 50 and drawn["group"] > 10 and drawn["not drawn"] > 10

    # In the right container: by the manifest's `contains`, a component in one subnet sits in that
    # subnet's group; one in several subnets, in one of them (by its availabilityZone), a zone
    # group or its VPC's group; a subnet under its zone, under its VPC; anything outside a VPC in its
    # own region's group, under no VPC.
    containers: dict[str, set[str]] = {}
    for relationship in estate.relationships:
        if relationship.type == "contains":
            containers.setdefault(relationship.target, set()).add(relationship.source)
    vpc_of = {subnet: vpc for subnet, parents in containers.items() for vpc in parents
              if ":vpc/" in vpc and ":subnet/" in subnet}
    subnet_arns = set(vpc_of)
    checked = 0
    for resource in estate.resources:
        arn, node = resource.arn, nodes.get(resource.arn)
        if node is None:
            continue
        chain = around[node["id"]]
        chain_arns = [group.get("arn") for group in chain]
        subnets = containers.get(arn, set()) & subnet_arns
        vpcs = {vpc_of[s] for s in subnets} | {c for c in containers.get(arn, set()) if ":vpc/" in c}
        if len(subnets) == 1:
            assert chain[0].get("arn") == next(iter(subnets)), (node["name"], chain_arns)
        elif subnets:
            # in the subnet of its own zone (a database's), else its zone's or its VPC's group
            assert chain[0].get("arn") in subnets or chain[0]["type"] in ("vpc", "zone"), (node["name"], chain_arns)
        if vpcs:
            assert next(iter(vpcs)) in chain_arns, (node["name"], chain_arns)
        elif not any(group["type"] == "vpc" for group in chain):
            # Outside every VPC (what is attached to a component in one sits beside it): in its
            # region's group, or, global, in none.
            expected_regions = [node["region"]] if node["region"] else []
            assert [g["name"] for g in chain if g["type"] == "region"] == expected_regions, node["name"]
        checked += 1
    for subnet, vpc in vpc_of.items():
        if subnet in groups:
            chain = around[groups[subnet]["id"]]
            assert chain[0]["type"] == "zone" and chain[1].get("arn") == vpc
            checked += 1
    assert checked > 60

    # Every relationship autoconnect draws is an edge (both ends drawn as nodes).
    edges = {(edge["type"], edge["from"], edge["to"]) for edge in data["edges"]}
    expected = {(r.type, node_id(r.source), node_id(r.target)) for r in estate.relationships
                if r.type in CONNECTION_TYPES and r.source in nodes and r.target in nodes and r.source != r.target}
    assert len(expected) > 20
    assert sorted(expected - edges) == []

    # A second sync: one queue added, one table removed, the other table's tags changed.
    sqs = account_client("sqs", aws_env, AWS_ACCOUNT, REGIONS[0])
    added = sqs.get_queue_attributes(QueueUrl=sqs.create_queue(QueueName="added-by-the-test")["QueueUrl"],
                                     AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    tables = sorted(estate.arns("AWS::DynamoDB::Table", AWS_ACCOUNT, REGIONS[0]))
    dynamodb = account_client("dynamodb", aws_env, AWS_ACCOUNT, REGIONS[0])
    dynamodb.delete_table(TableName=tables[0].rsplit("/", 1)[1])
    dynamodb.tag_resource(ResourceArn=tables[1], Tags=[{"Key": "owner", "Value": "the-test"}])
    assert harness.sync()["state"] == "finished"
    feed(live, harness, account_id)
    versions = [v.version for v in diagrams.account_versions(account_id).versions]
    assert versions == [2, 1]
    diff = diagrams.diff_account_versions(account_id, 1, 2).diff
    assert list(diff["added"]) == [added]
    assert list(diff["removed"]) == [tables[0]]
    assert list(diff["changed"]) == [tables[1]]
    assert dict(diff["changed"][tables[1]]["tag:owner"]) == {"old": None, "new": "the-test"}
    engine.dispose()
