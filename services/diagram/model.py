"""The diagram's resource model (placeholder, replaced by the real implementation at merge)."""
from __future__ import annotations

from dataclasses import dataclass, field

from google.protobuf import json_format

from cloudsketch.common.v1 import resource_pb2


def _relationship_name(value: int) -> str:
    return resource_pb2.RelationshipType.Name(value).removeprefix("RELATIONSHIP_TYPE_").lower()


@dataclass(frozen=True)
class Resource:
    arn: str
    type: str
    aws_account_id: str
    region: str
    name: str
    tags: dict = field(default_factory=dict)
    attributes: dict = field(default_factory=dict)
    relationships: tuple = ()    # (type, source_arn, target_arn)

    @classmethod
    def from_proto(cls, pb: resource_pb2.Resource) -> "Resource":
        return cls(arn=pb.arn, type=pb.type, aws_account_id=pb.aws_account_id, region=pb.region, name=pb.name,
                   tags={t.key: t.value for t in pb.tags}, attributes=json_format.MessageToDict(pb.attributes),
                   relationships=tuple((_relationship_name(r.type), r.source_arn, r.target_arn)
                                       for r in pb.relationships))
