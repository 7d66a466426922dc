"""Diagram documents for tests: collector resources and a Cloudcraft export."""
from __future__ import annotations

from google.protobuf import struct_pb2

from cloudsketch.common.v1 import resource_pb2

AWS_ACCOUNT = "123456789012"


def resource(name: str, size: str = "t3.micro") -> resource_pb2.Resource:
    attributes = struct_pb2.Struct()
    attributes.update({"instanceType": size})
    return resource_pb2.Resource(
        arn=f"arn:aws:ec2:us-east-1:{AWS_ACCOUNT}:instance/{name}", type="AWS::EC2::Instance",
        aws_account_id=AWS_ACCOUNT, region="us-east-1", name=name, attributes=attributes,
        tags=[resource_pb2.Tag(key="env", value="prod")], fingerprint=f"{name}-{size}",
        relationships=[resource_pb2.Relationship(type=resource_pb2.RELATIONSHIP_TYPE_SECURED_BY,
                                                 source_arn=f"arn:aws:ec2:us-east-1:{AWS_ACCOUNT}:instance/{name}",
                                                 target_arn=f"arn:aws:ec2:us-east-1:{AWS_ACCOUNT}:security-group/sg-1")])


# A blueprint as Cloudcraft exports it (abridged): nodes with Cloudcraft's own ids and types.
CLOUDCRAFT_EXPORT = {
    "version": 4, "name": "Exported from Cloudcraft", "grid": "standard", "projection": "isometric",
    "nodes": [{"id": "8a3e6f52-0000-4000-8000-000000000001", "type": "ec2", "mapPos": [1, 2], "region": "us-east-1",
               "instanceType": "m5", "instanceSize": "large", "platform": "linux"}],
    "edges": [], "groups": [], "text": [{"id": "t1", "text": "<b>hello</b>", "mapPos": [0, 0]}],
    "icons": [], "images": [], "surfaces": [], "connectors": [], "disabledLayers": [],
}
