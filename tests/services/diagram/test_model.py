"""services/diagram/model.py and cloudcraft_types.py: the resource from the proto and to and from
JSON; every type the collector discovers maps to a Cloudcraft type."""
from __future__ import annotations

import json

from google.protobuf import struct_pb2

from cloudsketch.common.v1 import resource_pb2 as pb
from services.collector.declarations import RESOURCE_TYPES
from services.diagram.cloudcraft_types import (
    GENERIC_NODE_TYPE,
    GROUP_TYPES,
    NODE_TYPES,
    markdown_table,
    node_fields,
    node_type,
    split_class,
)
from services.diagram.model import Resource, resource_id
from tests.helpers.stack import REPO


def test_from_proto_and_back_through_json():
    attributes = struct_pb2.Struct()
    attributes.update({"instanceType": "m5.large", "size": 8, "nested": {"list": [1, "a"]}})
    message = pb.Resource(
        arn="arn:aws:ec2:eu-west-1:111111111111:instance/i-1", type="AWS::EC2::Instance",
        aws_account_id="111111111111", region="eu-west-1", name="web <1>",
        tags=[pb.Tag(key="Name", value="web <1>"), pb.Tag(key="env", value="")], attributes=attributes,
        relationships=[pb.Relationship(type=pb.RELATIONSHIP_TYPE_SECURED_BY, source_arn="a", target_arn="b"),
                       pb.Relationship(type=pb.RELATIONSHIP_TYPE_ROUTES_TO, source_arn="b", target_arn="c")])
    resource = Resource.from_proto(message)
    assert resource.tags == {"Name": "web <1>", "env": ""}
    assert resource.attributes == {"instanceType": "m5.large", "size": 8, "nested": {"list": [1, "a"]}}
    assert resource.relationships == (("secured_by", "a", "b"), ("routes_to", "b", "c"))
    assert resource.resource_id == "i-1"
    stored = json.loads(json.dumps(resource.to_dict()))
    assert Resource.from_dict(stored) == resource


def test_resource_ids_from_arns():
    assert resource_id("arn:aws:s3:::my-bucket") == "my-bucket"
    assert resource_id("arn:aws:lambda:eu-west-1:1:function:worker") == "worker"
    assert resource_id("arn:aws:route53:::hostedzone/Z123") == "Z123"
    assert resource_id("arn:aws:sqs:eu-west-1:1:jobs") == "jobs"


def test_every_discovered_type_maps_to_a_cloudcraft_type():
    declared = {declaration.cfn_type for declaration in RESOURCE_TYPES}
    assert len(declared) == 65
    assert declared == set(NODE_TYPES) | set(GROUP_TYPES)
    for cfn_type in declared:
        assert node_type(cfn_type) != GENERIC_NODE_TYPE
        assert isinstance(node_fields(cfn_type, {}), dict)    # no attribute is required
    assert node_type("AWS::New::Thing") == GENERIC_NODE_TYPE and node_fields("AWS::New::Thing", {"a": 1}) == {}


def test_per_type_fields():
    assert node_fields("AWS::EC2::Instance", {"instanceType": "c7g.2xlarge", "platform": "Windows"}) == {
        "instanceType": "c7g", "instanceSize": "2xlarge", "platform": "windows", "transparent": False}
    assert node_fields("AWS::EC2::Volume", {"volumeType": "io2", "size": 50, "iops": 4000}) == {
        "volume": "io2", "storage": 50, "iops": 4000, "throughput": 0}
    rds = node_fields("AWS::RDS::DBInstance", {"engine": "mysql", "instanceClass": "db.t3.micro", "multiAz": False})
    assert (rds["engine"], rds["instanceType"], rds["instanceSize"], rds["multiAZ"]) == ("mysql", "t3", "micro", False)
    assert node_fields("AWS::ElasticLoadBalancingV2::LoadBalancer", {"type": "network"})["elbType"] == "network"
    assert node_fields("AWS::ElasticLoadBalancing::LoadBalancer", {})["elbType"] == "classic"
    assert node_fields("AWS::Lambda::Function", {"memorySize": 1024, "runtime": "nodejs20.x",
                                                 "architectures": ["arm64"]}) == {
        "memory": 1024, "runtime": "nodejs20.x", "architecture": "arm64"}
    assert node_fields("AWS::ElastiCache::CacheCluster", {"cacheNodeType": "cache.r6g.large", "engine": "valkey",
                                                          "numCacheNodes": 2}) == {
        "engine": "valkey", "instanceType": "r6g", "instanceSize": "large", "nodes": 2}
    assert node_fields("AWS::DynamoDB::Table", {"billingMode": "PAY_PER_REQUEST"})["capacityMode"] == "onDemand"
    assert node_fields("AWS::SQS::Queue", {"fifo": True}) == {"queueType": "fifo"}
    assert node_fields("AWS::EC2::NatGateway", {"connectivityType": "private"}) == {"connectivityType": "private"}
    assert split_class("") == ("", "") and split_class("m5") == ("m5", "")


def test_the_documented_type_table_is_the_code():
    doc = (REPO / "docs" / "diagram.md").read_text()
    assert markdown_table() in doc, "regenerate: python docs/generate.py"
