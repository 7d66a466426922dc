"""services/diagram/compose.py: containment, connections, node fields, groupings, collapse and
hostile strings, on the realistic estate of tests/services/diagram/estate.py."""
from __future__ import annotations

import json
import random

import pytest

from services.diagram import compose as compose_mod
from services.diagram.compose import compose, group_id, node_id
from services.diagram.model import Resource
from services.diagram.options import ExportOptions
from tests.services.diagram import estate as e
from tests.services.diagram.helpers import by_name, check_geometry, parent_group_names


def composed(**options):
    return compose(e.estate(), ExportOptions(**options), name="Estate").data


def edge_names(data: dict) -> set[tuple[str, str, str]]:
    names = {n["id"]: n["name"] for n in data["nodes"]} | {g["id"]: g["name"] for g in data["groups"]}
    return {(edge["type"], names[edge["from"]], names[edge["to"]]) for edge in data["edges"]}


def test_containment_follows_account_region_vpc_zone_subnet():
    data = composed()
    nodes, groups = by_name(data)
    placed = parent_group_names(data)
    assert placed["nat-1"] == "public-a"
    assert placed["app-1"] == "private-a" and placed["app-2"] == "private-b"
    assert placed["orders"] == "private-a"          # subnet group across zones, placed by its own zone
    assert placed["vol-1"] == "private-a"           # beside the instance it is attached to
    assert placed["igw-1"] == "prod"                # attached to the VPC
    assert nodes["web"]["type"] == "elb" and placed["partner-app"] == "partner-private"
    elb_groups = [g["name"] for g in data["groups"] if nodes["web"]["id"] in g["nodes"]]
    assert elb_groups == ["prod"]                   # spans two zones: drawn in the VPC
    for name in ("worker", "jobs", "assets-bucket", "pcx-1"):
        assert placed[name] == "Outside VPCs"
    assert placed["cdn.example.com"] == "Global services"

    def child_names(name):
        ids = {g["id"]: g["name"] for g in data["groups"]}
        return sorted(ids[c] for c in groups[name]["groups"])

    assert child_names("prod") == ["eu-west-1a", "eu-west-1b"]
    assert child_names("eu-west-1a") in (["private-a", "public-a"], ["partner-private"])
    assert groups["111111111111"]["type"] == "account" and groups["partner"]["type"] == "vpc"
    assert groups["public-a"]["arn"] == e.PUBLIC_A and groups["prod"]["arn"] == e.VPC_A
    assert {g["type"] for g in data["groups"]} == {"account", "region", "area", "vpc", "zone", "subnet"}
    # Security groups, zones, route tables and mappings are not nodes.
    assert not {"sg", "zone", "routetable", "eventsourcemapping", "vpc", "subnet"} & {n["type"] for n in data["nodes"]}
    check_geometry(data)


def test_ids_are_uuid5_of_arns_and_group_keys():
    data = composed()
    nodes, groups = by_name(data)
    assert nodes["app-1"]["id"] == node_id(e.I1)
    assert groups["prod"]["id"] == group_id(e.VPC_A)
    assert groups["eu-west-1"]["id"] in (group_id(f"region:{e.A}:eu-west-1"), group_id(f"region:{e.B}:eu-west-1"))


def test_connections_from_relationships():
    edges = edge_names(composed())
    assert ("targets", "web", "web-targets") in edges
    assert ("targets", "web-targets", "app-1") in edges and ("targets", "web-targets", "app-2") in edges
    assert ("triggers", "jobs", "worker") in edges
    assert ("origin_of", "assets-bucket", "cdn.example.com") in edges
    assert ("attached_to", "vol-1", "app-1") in edges
    # A peering is drawn to both VPCs, across accounts.
    assert ("routes_to", "pcx-1", "prod") in edges and ("routes_to", "pcx-1", "partner") in edges
    assert not {kind for kind, _, _ in edges} & {"contains", "secured_by", "member_of"}


def test_autoconnect_off_draws_no_connections():
    assert composed(autoconnect=False)["edges"] == []


def test_document_shape_and_options():
    data = compose(e.estate(), ExportOptions(projection="2d", theme="dark", label=False, exclude=("ebs",)),
                   name="Mine", live_account={"id": "acc-1", "awsAccountId": e.A, "name": "Production"}).data
    assert data["version"] == 4 and data["name"] == "Mine" and data["projection"] == "2d"
    assert data["theme"] == {"base": "dark"} and data["liveOptions"]["autoLabel"] is False
    assert data["liveOptions"]["excludedTypes"] == ["ebs"]
    assert data["liveAccount"]["name"] == "Production"
    assert "ebs" not in {n["type"] for n in data["nodes"]}
    nodes, groups = by_name(data)
    assert "Production" in groups                   # the account group takes the live account's name
    app = nodes["app-1"]
    assert (app["instanceType"], app["instanceSize"], app["platform"]) == ("m5", "large", "linux")
    assert app["awsType"] == "AWS::EC2::Instance" and app["accountId"] == e.A and app["region"] == "eu-west-1"
    assert app["tags"] == {"Name": "app-1", "env": "prod", "team": "core"} and app["arn"] == e.I1
    orders = nodes["orders"]
    assert (orders["engine"], orders["instanceType"], orders["instanceSize"]) == ("postgres", "r6g", "xlarge")
    assert nodes["web"]["elbType"] == "application" and nodes["worker"]["memory"] == 512
    for key in ("icons", "images", "surfaces", "connectors", "text", "disabledLayers"):
        assert data[key] == []


def test_filter_keeps_matching_components_and_their_groups():
    data = composed(filter="vpc-a")
    names = {n["name"] for n in data["nodes"]}
    assert {"app-1", "app-2", "orders", "nat-1", "web", "igw-1"} <= names
    assert not names & {"worker", "jobs", "partner-app", "cdn.example.com"}
    assert "partner" not in {g["name"] for g in data["groups"]}
    check_geometry(data)


def test_network_grouping_shows_routes():
    data = composed(group_by="network")
    nodes, _ = by_name(data)
    assert nodes["public-routes"]["type"] == "routetable"
    assert "worker" not in nodes and "jobs" not in nodes       # not network components outside a VPC
    routes = [edge for edge in data["edges"] if edge["type"] == "routes_to"]
    assert routes and all("color" in edge for edge in routes)
    assert ("routes_to", "public-routes", "igw-1") in edge_names(data)
    check_geometry(data)


def test_security_grouping_groups_by_security_group():
    data = composed(group_by="security")
    placed = parent_group_names(data)
    assert placed["app-1"] == placed["app-2"] == "app"
    assert placed["web"] == "web" and placed["orders"] == "db"
    _, groups = by_name(data)
    assert groups["app"]["type"] == "sg" and groups["app"]["arn"] == e.SG_APP
    assert placed["partner-app"] == "partner"           # no security group: in its VPC
    check_geometry(data)


@pytest.mark.parametrize("group_by, expected", [
    ("region", {"app-1": "eu-west-1", "worker": "eu-west-1", "cdn.example.com": "Global services"}),
    ("vpc", {"app-1": "prod", "nat-1": "prod", "worker": "Outside VPCs"}),
    ("subnet", {"app-1": "private-a", "web": "prod"}),
    ("securityGroup", {"app-1": "app", "orders": "db"}),
    ("tag:env", {"app-1": "env=prod", "orders": "env=prod", "worker": "no env tag"}),
])
def test_custom_groupings(group_by, expected):
    data = composed(group_by=group_by)
    placed = parent_group_names(data)
    for name, group in expected.items():
        assert placed[name] == group
    if group_by == "subnet":
        assert "zone" not in {g["type"] for g in data["groups"]}
    check_geometry(data)


def many_functions(count: int) -> list[Resource]:
    return [e.res(f"arn:aws:lambda:{e.REGION}:{e.A}:function:f{i:03}", "AWS::Lambda::Function", f"f{i:03}")
            for i in range(count)]


def test_crowded_groups_collapse_into_a_counted_box_unless_expanded():
    resources = e.estate() + many_functions(compose_mod.COLLAPSE_AT + 5)
    data = compose(resources, ExportOptions(), name="x").data
    area = next(g for g in data["groups"] if g["name"] == "Outside VPCs")
    assert area["nodes"] == [] and area["collapsed"]["count"] == compose_mod.COLLAPSE_AT + 5 + 4
    assert area["collapsed"]["types"]["lambda"] == compose_mod.COLLAPSE_AT + 6
    assert "f000" not in {n["name"] for n in data["nodes"]}
    assert ("triggers", "jobs", "worker") not in edge_names(data)
    expanded = compose(resources, ExportOptions(expand=(area["id"],)), name="x").data
    area = next(g for g in expanded["groups"] if g["name"] == "Outside VPCs")
    assert "collapsed" not in area and len(area["nodes"]) == compose_mod.COLLAPSE_AT + 5 + 4
    check_geometry(expanded)


HOSTILE = ["<script>alert(1)</script>", "a \"quoted\" 'name'", "]]>", "&amp; & &lt;", "x" * 10_000,
           "\u202eevil\u202c \u200f", "line\nbreak\ttab", "emoji \U0001f600 \x00nul"]


def test_hostile_strings_are_kept_exactly():
    resources = [e.res(f"arn:aws:sqs:{e.REGION}:{e.A}:q{i}", "AWS::SQS::Queue", text,
                       tags={text: text, "Name": text}) for i, text in enumerate(HOSTILE)]
    resources.append(e.res(e.VPC_A, "AWS::EC2::VPC", HOSTILE[0]))
    data = compose(resources, ExportOptions(), name=HOSTILE[1]).data
    assert data["name"] == HOSTILE[1]
    names = sorted(n["name"] for n in data["nodes"])
    assert names == sorted(HOSTILE)
    for node in data["nodes"]:
        assert node["tags"] == {node["name"]: node["name"], "Name": node["name"]}
    assert HOSTILE[0] in {g["name"] for g in data["groups"]}
    assert json.loads(json.dumps(data)) == data


def test_a_filter_that_matches_nothing_gives_an_empty_document():
    data = composed(filter="no-such-thing")
    assert data["nodes"] == [] and data["groups"] == [] and data["edges"] == []


def test_every_input_order_gives_the_same_bytes():
    resources = e.estate()
    first = compose(resources, ExportOptions(), name="x")
    for seed in range(5):
        shuffled = list(resources)
        random.Random(seed).shuffle(shuffled)
        again = compose(shuffled, ExportOptions(), name="x")
        assert json.dumps(again.data, sort_keys=False) == json.dumps(first.data, sort_keys=False)
        assert json.dumps(again.layout, sort_keys=True) == json.dumps(first.layout, sort_keys=True)


def test_duplicated_resources_are_one_component_whatever_the_order():
    one = e.res(e.QUEUE, "AWS::SQS::Queue", "jobs", attributes={"fifo": False})
    other = e.res(e.QUEUE, "AWS::SQS::Queue", "jobs", attributes={"fifo": True})
    first = compose([one, other], ExportOptions(), name="x").data
    second = compose([other, one], ExportOptions(), name="x").data
    assert first == second and len(first["nodes"]) == 1


def test_transit_gateway_attachment_in_another_account_is_connected():
    tgw = e.ec2("transit-gateway", "tgw-1")
    attachment = e.ec2("transit-gateway-attachment", "tgw-attach-1", e.B)
    resources = e.estate() + [
        e.res(tgw, "AWS::EC2::TransitGateway", "core-tgw"),
        e.res(attachment, "AWS::EC2::TransitGatewayAttachment", "partner-attachment", account=e.B,
              rels=[("attached_to", attachment, tgw), ("attached_to", attachment, e.VPC_B)]),
    ]
    data = compose(resources, ExportOptions(), name="x").data
    placed = parent_group_names(data)
    assert placed["partner-attachment"] == "partner" and placed["core-tgw"] == "Outside VPCs"
    assert ("attached_to", "partner-attachment", "core-tgw") in edge_names(data)
    nodes, _ = by_name(data)
    assert nodes["partner-attachment"]["accountId"] == e.B and nodes["core-tgw"]["accountId"] == e.A
    check_geometry(data)


def test_memoised_ids_and_the_paused_collector_change_nothing():
    import gc
    import uuid
    resources, options = e.estate(), ExportOptions()
    node_id.cache_clear()
    cold = compose(resources, options, name="Estate")
    warm = compose(list(reversed(resources)), options, name="Estate")          # ids from the cache now
    assert node_id.cache_info().hits > 0
    assert json.dumps(warm.data) == json.dumps(cold.data) and warm.layout == cold.layout
    arn = resources[0].arn
    assert node_id(arn) == str(uuid.uuid5(uuid.NAMESPACE_URL, arn))
    # The collector is paused during composition only, and left as it was found.
    assert gc.isenabled()
    compose(resources, options, name="Estate")
    assert gc.isenabled()
    gc.disable()
    try:
        compose(resources, options, name="Estate")
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_peering_seen_from_both_accounts_is_drawn_once_with_both_sides_connections():
    """Each account's collector names the same pcx-1 with an ARN of its own account: one node (the
    requester's), connected to both VPCs, whichever twin carries which relationship."""
    accepter_arn = e.ec2("vpc-peering-connection", "pcx-1", e.B)
    requester = next(r for r in e.estate() if r.arn == e.PEERING)
    requester_side_only = Resource(**{**requester.__dict__, "relationships": (("routes_to", e.PEERING, e.VPC_A),)})
    accepter = Resource(**{**requester.__dict__, "arn": accepter_arn, "aws_account_id": e.B,
                           "relationships": (("routes_to", accepter_arn, e.VPC_B),)})
    resources = [r for r in e.estate() if r.arn != e.PEERING] + [requester_side_only, accepter]
    for ordered in (resources, list(reversed(resources))):
        data = compose(ordered, ExportOptions(), name="Estate").data
        peerings = [n for n in data["nodes"] if n["type"] == "vpcpeering"]
        assert [n["arn"] for n in peerings] == [e.PEERING]
        edges = edge_names(data)
        assert ("routes_to", "pcx-1", "prod") in edges and ("routes_to", "pcx-1", "partner") in edges
        assert sum(1 for edge in data["edges"] if edge["from"] == peerings[0]["id"]) == 2
