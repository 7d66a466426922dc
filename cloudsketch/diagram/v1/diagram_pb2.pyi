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

class SavedBlueprint(_message.Message):
    __slots__ = ("id", "name", "data", "created_at", "updated_at", "owner_id", "read_access", "write_access", "linked_account_ids", "region", "etag", "version")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    READ_ACCESS_FIELD_NUMBER: _ClassVar[int]
    WRITE_ACCESS_FIELD_NUMBER: _ClassVar[int]
    LINKED_ACCOUNT_IDS_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    data: _struct_pb2.Struct
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    owner_id: str
    read_access: _containers.RepeatedScalarFieldContainer[str]
    write_access: _containers.RepeatedScalarFieldContainer[str]
    linked_account_ids: _containers.RepeatedScalarFieldContainer[str]
    region: str
    etag: str
    version: int
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., data: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., owner_id: _Optional[str] = ..., read_access: _Optional[_Iterable[str]] = ..., write_access: _Optional[_Iterable[str]] = ..., linked_account_ids: _Optional[_Iterable[str]] = ..., region: _Optional[str] = ..., etag: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class ListBlueprintsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListBlueprintsResponse(_message.Message):
    __slots__ = ("blueprints",)
    BLUEPRINTS_FIELD_NUMBER: _ClassVar[int]
    blueprints: _containers.RepeatedCompositeFieldContainer[SavedBlueprint]
    def __init__(self, blueprints: _Optional[_Iterable[_Union[SavedBlueprint, _Mapping]]] = ...) -> None: ...

class CreateBlueprintRequest(_message.Message):
    __slots__ = ("name", "data", "owner_id", "read_access", "write_access", "linked_account_ids", "region")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    READ_ACCESS_FIELD_NUMBER: _ClassVar[int]
    WRITE_ACCESS_FIELD_NUMBER: _ClassVar[int]
    LINKED_ACCOUNT_IDS_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    name: str
    data: _struct_pb2.Struct
    owner_id: str
    read_access: _containers.RepeatedScalarFieldContainer[str]
    write_access: _containers.RepeatedScalarFieldContainer[str]
    linked_account_ids: _containers.RepeatedScalarFieldContainer[str]
    region: str
    def __init__(self, name: _Optional[str] = ..., data: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., owner_id: _Optional[str] = ..., read_access: _Optional[_Iterable[str]] = ..., write_access: _Optional[_Iterable[str]] = ..., linked_account_ids: _Optional[_Iterable[str]] = ..., region: _Optional[str] = ...) -> None: ...

class CreateBlueprintResponse(_message.Message):
    __slots__ = ("blueprint",)
    BLUEPRINT_FIELD_NUMBER: _ClassVar[int]
    blueprint: SavedBlueprint
    def __init__(self, blueprint: _Optional[_Union[SavedBlueprint, _Mapping]] = ...) -> None: ...

class GetBlueprintRequest(_message.Message):
    __slots__ = ("id", "format", "options")
    class OptionsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    id: str
    format: str
    options: _containers.ScalarMap[str, str]
    def __init__(self, id: _Optional[str] = ..., format: _Optional[str] = ..., options: _Optional[_Mapping[str, str]] = ...) -> None: ...

class GetBlueprintResponse(_message.Message):
    __slots__ = ("blueprint", "content", "content_type")
    BLUEPRINT_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    blueprint: SavedBlueprint
    content: bytes
    content_type: str
    def __init__(self, blueprint: _Optional[_Union[SavedBlueprint, _Mapping]] = ..., content: _Optional[bytes] = ..., content_type: _Optional[str] = ...) -> None: ...

class UpdateBlueprintRequest(_message.Message):
    __slots__ = ("id", "name", "data", "if_match", "set_read_access", "read_access", "set_write_access", "write_access")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    IF_MATCH_FIELD_NUMBER: _ClassVar[int]
    SET_READ_ACCESS_FIELD_NUMBER: _ClassVar[int]
    READ_ACCESS_FIELD_NUMBER: _ClassVar[int]
    SET_WRITE_ACCESS_FIELD_NUMBER: _ClassVar[int]
    WRITE_ACCESS_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    data: _struct_pb2.Struct
    if_match: str
    set_read_access: bool
    read_access: _containers.RepeatedScalarFieldContainer[str]
    set_write_access: bool
    write_access: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., data: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., if_match: _Optional[str] = ..., set_read_access: _Optional[bool] = ..., read_access: _Optional[_Iterable[str]] = ..., set_write_access: _Optional[bool] = ..., write_access: _Optional[_Iterable[str]] = ...) -> None: ...

class UpdateBlueprintResponse(_message.Message):
    __slots__ = ("blueprint",)
    BLUEPRINT_FIELD_NUMBER: _ClassVar[int]
    blueprint: SavedBlueprint
    def __init__(self, blueprint: _Optional[_Union[SavedBlueprint, _Mapping]] = ...) -> None: ...

class DeleteBlueprintRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class DeleteBlueprintResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class BlueprintVersion(_message.Message):
    __slots__ = ("version", "created_at", "reason", "name", "sync_id")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    SYNC_ID_FIELD_NUMBER: _ClassVar[int]
    version: int
    created_at: _timestamp_pb2.Timestamp
    reason: str
    name: str
    sync_id: str
    def __init__(self, version: _Optional[int] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reason: _Optional[str] = ..., name: _Optional[str] = ..., sync_id: _Optional[str] = ...) -> None: ...

class ListBlueprintVersionsRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class ListBlueprintVersionsResponse(_message.Message):
    __slots__ = ("versions",)
    VERSIONS_FIELD_NUMBER: _ClassVar[int]
    versions: _containers.RepeatedCompositeFieldContainer[BlueprintVersion]
    def __init__(self, versions: _Optional[_Iterable[_Union[BlueprintVersion, _Mapping]]] = ...) -> None: ...

class DiffBlueprintVersionsRequest(_message.Message):
    __slots__ = ("id", "from_version", "to_version")
    ID_FIELD_NUMBER: _ClassVar[int]
    FROM_VERSION_FIELD_NUMBER: _ClassVar[int]
    TO_VERSION_FIELD_NUMBER: _ClassVar[int]
    id: str
    from_version: int
    to_version: int
    def __init__(self, id: _Optional[str] = ..., from_version: _Optional[int] = ..., to_version: _Optional[int] = ...) -> None: ...

class DiffBlueprintVersionsResponse(_message.Message):
    __slots__ = ("diff",)
    DIFF_FIELD_NUMBER: _ClassVar[int]
    diff: _struct_pb2.Struct
    def __init__(self, diff: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class ListAccountVersionsRequest(_message.Message):
    __slots__ = ("account_id",)
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    def __init__(self, account_id: _Optional[str] = ...) -> None: ...

class ListAccountVersionsResponse(_message.Message):
    __slots__ = ("versions",)
    VERSIONS_FIELD_NUMBER: _ClassVar[int]
    versions: _containers.RepeatedCompositeFieldContainer[BlueprintVersion]
    def __init__(self, versions: _Optional[_Iterable[_Union[BlueprintVersion, _Mapping]]] = ...) -> None: ...

class DiffAccountVersionsRequest(_message.Message):
    __slots__ = ("account_id", "from_version", "to_version", "format", "options")
    class OptionsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    FROM_VERSION_FIELD_NUMBER: _ClassVar[int]
    TO_VERSION_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    from_version: int
    to_version: int
    format: str
    options: _containers.ScalarMap[str, str]
    def __init__(self, account_id: _Optional[str] = ..., from_version: _Optional[int] = ..., to_version: _Optional[int] = ..., format: _Optional[str] = ..., options: _Optional[_Mapping[str, str]] = ...) -> None: ...

class DiffAccountVersionsResponse(_message.Message):
    __slots__ = ("diff", "content", "content_type")
    DIFF_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    diff: _struct_pb2.Struct
    content: bytes
    content_type: str
    def __init__(self, diff: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., content: _Optional[bytes] = ..., content_type: _Optional[str] = ...) -> None: ...
