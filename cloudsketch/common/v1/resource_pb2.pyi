import datetime

from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RelationshipType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RELATIONSHIP_TYPE_UNSPECIFIED: _ClassVar[RelationshipType]
    RELATIONSHIP_TYPE_CONTAINS: _ClassVar[RelationshipType]
    RELATIONSHIP_TYPE_ATTACHED_TO: _ClassVar[RelationshipType]
    RELATIONSHIP_TYPE_ROUTES_TO: _ClassVar[RelationshipType]
    RELATIONSHIP_TYPE_TARGETS: _ClassVar[RelationshipType]
    RELATIONSHIP_TYPE_TRIGGERS: _ClassVar[RelationshipType]
    RELATIONSHIP_TYPE_ORIGIN_OF: _ClassVar[RelationshipType]
    RELATIONSHIP_TYPE_ALIAS_OF: _ClassVar[RelationshipType]
    RELATIONSHIP_TYPE_REPLICA_OF: _ClassVar[RelationshipType]
    RELATIONSHIP_TYPE_MEMBER_OF: _ClassVar[RelationshipType]
    RELATIONSHIP_TYPE_SECURED_BY: _ClassVar[RelationshipType]

class GapReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    GAP_REASON_UNSPECIFIED: _ClassVar[GapReason]
    GAP_REASON_ACCESS_DENIED: _ClassVar[GapReason]
    GAP_REASON_REGION_DISABLED: _ClassVar[GapReason]
    GAP_REASON_THROTTLED: _ClassVar[GapReason]
    GAP_REASON_ERROR: _ClassVar[GapReason]
RELATIONSHIP_TYPE_UNSPECIFIED: RelationshipType
RELATIONSHIP_TYPE_CONTAINS: RelationshipType
RELATIONSHIP_TYPE_ATTACHED_TO: RelationshipType
RELATIONSHIP_TYPE_ROUTES_TO: RelationshipType
RELATIONSHIP_TYPE_TARGETS: RelationshipType
RELATIONSHIP_TYPE_TRIGGERS: RelationshipType
RELATIONSHIP_TYPE_ORIGIN_OF: RelationshipType
RELATIONSHIP_TYPE_ALIAS_OF: RelationshipType
RELATIONSHIP_TYPE_REPLICA_OF: RelationshipType
RELATIONSHIP_TYPE_MEMBER_OF: RelationshipType
RELATIONSHIP_TYPE_SECURED_BY: RelationshipType
GAP_REASON_UNSPECIFIED: GapReason
GAP_REASON_ACCESS_DENIED: GapReason
GAP_REASON_REGION_DISABLED: GapReason
GAP_REASON_THROTTLED: GapReason
GAP_REASON_ERROR: GapReason

class Tag(_message.Message):
    __slots__ = ("key", "value")
    KEY_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    key: str
    value: str
    def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...

class Relationship(_message.Message):
    __slots__ = ("type", "source_arn", "target_arn")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_ARN_FIELD_NUMBER: _ClassVar[int]
    TARGET_ARN_FIELD_NUMBER: _ClassVar[int]
    type: RelationshipType
    source_arn: str
    target_arn: str
    def __init__(self, type: _Optional[_Union[RelationshipType, str]] = ..., source_arn: _Optional[str] = ..., target_arn: _Optional[str] = ...) -> None: ...

class Resource(_message.Message):
    __slots__ = ("arn", "type", "aws_account_id", "region", "name", "tags", "attributes", "relationships", "fingerprint")
    ARN_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    AWS_ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    RELATIONSHIPS_FIELD_NUMBER: _ClassVar[int]
    FINGERPRINT_FIELD_NUMBER: _ClassVar[int]
    arn: str
    type: str
    aws_account_id: str
    region: str
    name: str
    tags: _containers.RepeatedCompositeFieldContainer[Tag]
    attributes: _struct_pb2.Struct
    relationships: _containers.RepeatedCompositeFieldContainer[Relationship]
    fingerprint: str
    def __init__(self, arn: _Optional[str] = ..., type: _Optional[str] = ..., aws_account_id: _Optional[str] = ..., region: _Optional[str] = ..., name: _Optional[str] = ..., tags: _Optional[_Iterable[_Union[Tag, _Mapping]]] = ..., attributes: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., relationships: _Optional[_Iterable[_Union[Relationship, _Mapping]]] = ..., fingerprint: _Optional[str] = ...) -> None: ...

class Gap(_message.Message):
    __slots__ = ("region", "service", "reason", "message", "observed_at", "regions", "error_code")
    REGION_FIELD_NUMBER: _ClassVar[int]
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    OBSERVED_AT_FIELD_NUMBER: _ClassVar[int]
    REGIONS_FIELD_NUMBER: _ClassVar[int]
    ERROR_CODE_FIELD_NUMBER: _ClassVar[int]
    region: str
    service: str
    reason: GapReason
    message: str
    observed_at: _timestamp_pb2.Timestamp
    regions: _containers.RepeatedScalarFieldContainer[str]
    error_code: str
    def __init__(self, region: _Optional[str] = ..., service: _Optional[str] = ..., reason: _Optional[_Union[GapReason, str]] = ..., message: _Optional[str] = ..., observed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., regions: _Optional[_Iterable[str]] = ..., error_code: _Optional[str] = ...) -> None: ...
