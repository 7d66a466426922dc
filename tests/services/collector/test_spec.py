"""How a Spec (services/collector/discovery/_spec.py) turns records into items: the rules every
resource type shares, on small records of its own (each module's own test checks its types)."""
from __future__ import annotations

from datetime import UTC, datetime

from services.collector.discovery._spec import (
    GONE_STATES,
    Link,
    Spec,
    alive,
    at,
    contained_by,
    each,
    ec2,
    first_of,
    in_state,
    named,
    nonempty,
    placed,
    state_name,
    tags_at,
    timestamp,
    transform,
)
from services.collector.model import Edge, Item
from tests.services.collector.harness import SCOPE, sg_arn, subnet_arn


def test_state_name_gives_one_name_whatever_the_spelling():
    assert [state_name(s) for s in ("ACTIVE", "Active", "active", "DELETE_IN_PROGRESS", "in-use", "Pending Acceptance",
                                    None, "")] == ["active", "active", "active", "delete-in-progress", "in-use",
                                                   "pending-acceptance", "", ""]
    assert {state_name(s) for s in ("TERMINATED", "terminated", "Deleted", "FAILED")} <= GONE_STATES
    listed, inactive = alive("State"), alive("status", gone={"inactive"})
    assert [listed({"State": s}, SCOPE) for s in ("running", "TERMINATED", "deleted", None)] == [
        True, False, False, True]
    assert [inactive({"status": s}, SCOPE) for s in ("ACTIVE", "INACTIVE", "FAILED")] == [True, False, True]
    assert in_state("State", "attached", "attaching")({"State": "ATTACHED"}, SCOPE)


VOLUME = {"VolumeId": "vol-1", "Size": 8, "Iops": None, "State": "in-use", "Tags": [{"Key": "Name", "Value": "data"}],
          "CreateTime": datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
          "Attachments": [{"InstanceId": "i-1"}, {"InstanceId": "i-1"}], "SubnetIds": ["subnet-1", ""],
          "Groups": ["sg-1", None, "sg-1"]}


def spec(**overrides) -> Spec:
    description = dict(
        arn=ec2("volume", "VolumeId"), name=first_of("Nickname", "VolumeId"), tags=tags_at(),
        attributes={**named("VolumeId", "Size", "Iops"), "zone": "Placement.AvailabilityZone",
                    "encrypted": at("Encrypted", False), "kind": nonempty("Kind", "gp2"),
                    "createTime": timestamp("CreateTime")},
        edges=(Link("attached_to", ec2("instance", each("Attachments", "InstanceId"))), *placed("SubnetIds", "Groups"),
               contained_by(ec2("volume", "VolumeId"))))
    return Spec(**{"type": "AWS::EC2::Volume", **description, **overrides})


def test_a_spec_makes_an_item_of_each_record_it_describes():
    arn = SCOPE.ec2_arn("volume", "vol-1")
    [item] = transform(spec(where=alive("State")))([VOLUME, {**VOLUME, "VolumeId": "vol-2", "State": "deleted"}], SCOPE)
    assert item == Item(
        arn=arn, type="AWS::EC2::Volume", name="vol-1", region=SCOPE.region, tags={"Name": "data"},
        # Absent values (Iops null, Placement and Encrypted missing) are left out; defaults apply.
        attributes={"volumeId": "vol-1", "size": 8, "encrypted": False, "kind": "gp2",
                    "createTime": "2024-01-02T03:04:05+00:00"},
        # One edge per target, none for empty ids, none from the item to itself.
        edges=[Edge("attached_to", arn, SCOPE.ec2_arn("instance", "i-1")),
               Edge("contains", subnet_arn("subnet-1"), arn), Edge("secured_by", arn, sg_arn("sg-1"))])
    assert list(item.attributes) == ["volumeId", "size", "encrypted", "kind", "createTime"]


def test_keep_none_stores_absent_attributes_as_null():
    [item] = transform(spec(keep_none=True))([VOLUME], SCOPE)
    assert item.attributes == {"volumeId": "vol-1", "size": 8, "iops": None, "zone": None, "encrypted": False,
                               "kind": "gp2", "createTime": "2024-01-02T03:04:05+00:00"}


def test_specs_reading_the_same_records_keep_their_order_and_a_link_may_join_two_others():
    small = spec(type="AWS::EC2::Volume", where=lambda record, scope: record["Size"] < 10, edges=())
    large = spec(type="AWS::EC2::Instance", where=lambda record, scope: record["Size"] >= 10,
                 edges=(Link("triggers", "Target", source="Source"),))
    records = [{**VOLUME, "VolumeId": f"vol-{size}", "Size": size, "Source": "arn:aws:sqs:q", "Target": "arn:aws:l:f"}
               for size in (1, 20, 2)]
    items = transform(small, large)(records, SCOPE)
    assert [(item.name, item.type) for item in items] == [
        ("vol-1", "AWS::EC2::Volume"), ("vol-20", "AWS::EC2::Instance"), ("vol-2", "AWS::EC2::Volume")]
    assert items[1].edges == [Edge("triggers", "arn:aws:sqs:q", "arn:aws:l:f")]
