"""The diagram service's view of a resource: what the collector publishes
(`cloudsketch.common.v1.Resource`), as an immutable value that composition reads and storage keeps
as JSON.

Relationships are (type, source_arn, target_arn) with the directions docs/architecture.md fixes
("Shared vocabulary"): `contains` parent -> child, `attached_to` attached thing -> what it is
attached to, `routes_to` source -> target, `targets` load balancer -> target group -> target,
`triggers` event source -> consumer, `origin_of` origin -> distribution, `alias_of` record ->
target, `replica_of` replica -> source, `member_of` member -> group, `secured_by` resource ->
security group.
"""
from __future__ import annotations

import contextlib
import gc
from dataclasses import dataclass, field
from typing import Any

from google.protobuf import json_format

from cloudsketch.common.v1 import resource_pb2


def relationship_name(value: int) -> str:
    """RELATIONSHIP_TYPE_ROUTES_TO -> "routes_to", the vocabulary of docs/architecture.md."""
    return resource_pb2.RelationshipType.Name(value).removeprefix("RELATIONSHIP_TYPE_").lower()


Relationship = tuple[str, str, str]   # (type, source_arn, target_arn)


@dataclass(frozen=True)
class Resource:
    arn: str
    type: str                                  # CloudFormation type, e.g. AWS::EC2::Instance
    aws_account_id: str
    region: str = ""                           # "" for global resources
    name: str = ""
    tags: dict[str, str] = field(default_factory=dict)
    attributes: dict[str, Any] = field(default_factory=dict)
    relationships: tuple[Relationship, ...] = ()

    def __hash__(self) -> int:                 # dict fields: hash by identity of the ARN
        return hash(self.arn)

    @property
    def resource_id(self) -> str:
        """The last part of the ARN: i-0abc for an instance, the bucket's name, the function's name."""
        return resource_id(self.arn)

    @classmethod
    def from_proto(cls, message: resource_pb2.Resource) -> Resource:
        relationships = tuple(
            (relationship_name(r.type), r.source_arn, r.target_arn)
            for r in message.relationships if r.type != resource_pb2.RELATIONSHIP_TYPE_UNSPECIFIED)
        return cls(arn=message.arn, type=message.type, aws_account_id=message.aws_account_id, region=message.region,
                   name=message.name, tags={tag.key: tag.value for tag in message.tags},
                   attributes=json_format.MessageToDict(message.attributes), relationships=relationships)

    def to_dict(self) -> dict:
        """A JSON-safe dict (for storage); `from_dict` reads it back."""
        return {"arn": self.arn, "type": self.type, "awsAccountId": self.aws_account_id, "region": self.region,
                "name": self.name, "tags": dict(self.tags), "attributes": dict(self.attributes),
                "relationships": [list(r) for r in self.relationships]}

    @classmethod
    def from_dict(cls, data: dict) -> Resource:
        return cls(arn=data["arn"], type=data["type"], aws_account_id=data.get("awsAccountId", ""),
                   region=data.get("region", ""), name=data.get("name", ""), tags=dict(data.get("tags") or {}),
                   attributes=dict(data.get("attributes") or {}),
                   relationships=tuple((r[0], r[1], r[2]) for r in data.get("relationships") or ()))


def resource_id(arn: str) -> str:
    """The id part of an ARN: after the last "/" of the resource part, else after its last ":"
    (arn:aws:lambda:r:a:function:name -> name; arn:aws:s3:::bucket -> bucket)."""
    resource = arn.split(":", 5)[5] if arn.count(":") >= 5 else arn
    if "/" in resource:
        return resource.rsplit("/", 1)[1]
    return resource.rsplit(":", 1)[-1]


@contextlib.contextmanager
def collector_paused():
    """The garbage collector paused for a large piece of work that makes no reference cycles
    (reading an estate, composing it, rendering it): the collections its many small objects would
    set off walk every live object, and took about half the time of each (docs/performance.md,
    "Diagram pipeline"). Process-wide, so other threads run without collections meanwhile; whoever
    found it enabled enables it again, so it never stays off."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
