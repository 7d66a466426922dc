import datetime

from cloudsketch.common.v1 import resource_pb2 as _resource_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SyncState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SYNC_STATE_UNSPECIFIED: _ClassVar[SyncState]
    SYNC_STATE_QUEUED: _ClassVar[SyncState]
    SYNC_STATE_RUNNING: _ClassVar[SyncState]
    SYNC_STATE_FINISHED: _ClassVar[SyncState]
    SYNC_STATE_FAILED: _ClassVar[SyncState]
SYNC_STATE_UNSPECIFIED: SyncState
SYNC_STATE_QUEUED: SyncState
SYNC_STATE_RUNNING: SyncState
SYNC_STATE_FINISHED: SyncState
SYNC_STATE_FAILED: SyncState

class SyncStatus(_message.Message):
    __slots__ = ("account_id", "sync_id", "state", "started_at", "finished_at", "counts", "gaps", "requested_at", "skipped_regions", "message")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    SYNC_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    FINISHED_AT_FIELD_NUMBER: _ClassVar[int]
    COUNTS_FIELD_NUMBER: _ClassVar[int]
    GAPS_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_AT_FIELD_NUMBER: _ClassVar[int]
    SKIPPED_REGIONS_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    sync_id: str
    state: SyncState
    started_at: _timestamp_pb2.Timestamp
    finished_at: _timestamp_pb2.Timestamp
    counts: SyncCounts
    gaps: _containers.RepeatedCompositeFieldContainer[_resource_pb2.Gap]
    requested_at: _timestamp_pb2.Timestamp
    skipped_regions: _containers.RepeatedScalarFieldContainer[str]
    message: str
    def __init__(self, account_id: _Optional[str] = ..., sync_id: _Optional[str] = ..., state: _Optional[_Union[SyncState, str]] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., finished_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., counts: _Optional[_Union[SyncCounts, _Mapping]] = ..., gaps: _Optional[_Iterable[_Union[_resource_pb2.Gap, _Mapping]]] = ..., requested_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., skipped_regions: _Optional[_Iterable[str]] = ..., message: _Optional[str] = ...) -> None: ...

class SyncCounts(_message.Message):
    __slots__ = ("resources", "added", "changed", "removed", "api_calls", "duration_seconds", "effective_concurrency")
    RESOURCES_FIELD_NUMBER: _ClassVar[int]
    ADDED_FIELD_NUMBER: _ClassVar[int]
    CHANGED_FIELD_NUMBER: _ClassVar[int]
    REMOVED_FIELD_NUMBER: _ClassVar[int]
    API_CALLS_FIELD_NUMBER: _ClassVar[int]
    DURATION_SECONDS_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_CONCURRENCY_FIELD_NUMBER: _ClassVar[int]
    resources: int
    added: int
    changed: int
    removed: int
    api_calls: int
    duration_seconds: float
    effective_concurrency: float
    def __init__(self, resources: _Optional[int] = ..., added: _Optional[int] = ..., changed: _Optional[int] = ..., removed: _Optional[int] = ..., api_calls: _Optional[int] = ..., duration_seconds: _Optional[float] = ..., effective_concurrency: _Optional[float] = ...) -> None: ...

class RequestSyncRequest(_message.Message):
    __slots__ = ("account_id", "regions")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    REGIONS_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    regions: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, account_id: _Optional[str] = ..., regions: _Optional[_Iterable[str]] = ...) -> None: ...

class RequestSyncResponse(_message.Message):
    __slots__ = ("sync_id", "queued_new")
    SYNC_ID_FIELD_NUMBER: _ClassVar[int]
    QUEUED_NEW_FIELD_NUMBER: _ClassVar[int]
    sync_id: str
    queued_new: bool
    def __init__(self, sync_id: _Optional[str] = ..., queued_new: _Optional[bool] = ...) -> None: ...

class GetSyncStatusRequest(_message.Message):
    __slots__ = ("account_id",)
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    def __init__(self, account_id: _Optional[str] = ...) -> None: ...

class GetSyncStatusResponse(_message.Message):
    __slots__ = ("status",)
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: SyncStatus
    def __init__(self, status: _Optional[_Union[SyncStatus, _Mapping]] = ...) -> None: ...

class GetRequiredPermissionsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class RequiredAction(_message.Message):
    __slots__ = ("action", "resources")
    ACTION_FIELD_NUMBER: _ClassVar[int]
    RESOURCES_FIELD_NUMBER: _ClassVar[int]
    action: str
    resources: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, action: _Optional[str] = ..., resources: _Optional[_Iterable[str]] = ...) -> None: ...

class GetRequiredPermissionsResponse(_message.Message):
    __slots__ = ("actions", "services")
    ACTIONS_FIELD_NUMBER: _ClassVar[int]
    SERVICES_FIELD_NUMBER: _ClassVar[int]
    actions: _containers.RepeatedCompositeFieldContainer[RequiredAction]
    services: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, actions: _Optional[_Iterable[_Union[RequiredAction, _Mapping]]] = ..., services: _Optional[_Iterable[str]] = ...) -> None: ...

class ListInventoryRequest(_message.Message):
    __slots__ = ("account_id", "page_size")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    page_size: int
    def __init__(self, account_id: _Optional[str] = ..., page_size: _Optional[int] = ...) -> None: ...

class InventoryEntry(_message.Message):
    __slots__ = ("resource", "changed_at")
    RESOURCE_FIELD_NUMBER: _ClassVar[int]
    CHANGED_AT_FIELD_NUMBER: _ClassVar[int]
    resource: _resource_pb2.Resource
    changed_at: _timestamp_pb2.Timestamp
    def __init__(self, resource: _Optional[_Union[_resource_pb2.Resource, _Mapping]] = ..., changed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListInventoryResponse(_message.Message):
    __slots__ = ("entries", "last_sync_id", "sync_running", "read_at", "total")
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    LAST_SYNC_ID_FIELD_NUMBER: _ClassVar[int]
    SYNC_RUNNING_FIELD_NUMBER: _ClassVar[int]
    READ_AT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[InventoryEntry]
    last_sync_id: str
    sync_running: bool
    read_at: _timestamp_pb2.Timestamp
    total: int
    def __init__(self, entries: _Optional[_Iterable[_Union[InventoryEntry, _Mapping]]] = ..., last_sync_id: _Optional[str] = ..., sync_running: _Optional[bool] = ..., read_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., total: _Optional[int] = ...) -> None: ...
