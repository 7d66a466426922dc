import datetime

from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class BlueprintState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    BLUEPRINT_STATE_UNSPECIFIED: _ClassVar[BlueprintState]
    BLUEPRINT_STATE_AWAITING_SCAN: _ClassVar[BlueprintState]
    BLUEPRINT_STATE_READY: _ClassVar[BlueprintState]
BLUEPRINT_STATE_UNSPECIFIED: BlueprintState
BLUEPRINT_STATE_AWAITING_SCAN: BlueprintState
BLUEPRINT_STATE_READY: BlueprintState

class Blueprint(_message.Message):
    __slots__ = ("id", "name", "data", "created_at", "updated_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    data: _struct_pb2.Struct
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., data: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetAccountBlueprintRequest(_message.Message):
    __slots__ = ("account_id", "region", "format", "options")
    class OptionsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    region: str
    format: str
    options: _containers.ScalarMap[str, str]
    def __init__(self, account_id: _Optional[str] = ..., region: _Optional[str] = ..., format: _Optional[str] = ..., options: _Optional[_Mapping[str, str]] = ...) -> None: ...

class GetAccountBlueprintResponse(_message.Message):
    __slots__ = ("state", "blueprint", "content", "content_type")
    STATE_FIELD_NUMBER: _ClassVar[int]
    BLUEPRINT_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    state: BlueprintState
    blueprint: Blueprint
    content: bytes
    content_type: str
    def __init__(self, state: _Optional[_Union[BlueprintState, str]] = ..., blueprint: _Optional[_Union[Blueprint, _Mapping]] = ..., content: _Optional[bytes] = ..., content_type: _Optional[str] = ...) -> None: ...
