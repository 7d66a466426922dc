import datetime

from cloudsketch.collector.v1 import collector_pb2 as _collector_pb2
from cloudsketch.common.v1 import resource_pb2 as _resource_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ResourceStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RESOURCE_STATUS_UNSPECIFIED: _ClassVar[ResourceStatus]
    RESOURCE_STATUS_OK: _ClassVar[ResourceStatus]
    RESOURCE_STATUS_WARNING: _ClassVar[ResourceStatus]
    RESOURCE_STATUS_CRITICAL: _ClassVar[ResourceStatus]
    RESOURCE_STATUS_STOPPED: _ClassVar[ResourceStatus]
    RESOURCE_STATUS_PENDING: _ClassVar[ResourceStatus]
RESOURCE_STATUS_UNSPECIFIED: ResourceStatus
RESOURCE_STATUS_OK: ResourceStatus
RESOURCE_STATUS_WARNING: ResourceStatus
RESOURCE_STATUS_CRITICAL: ResourceStatus
RESOURCE_STATUS_STOPPED: ResourceStatus
RESOURCE_STATUS_PENDING: ResourceStatus

class SyncRequested(_message.Message):
    __slots__ = ("account_id", "sync_id", "regions", "reason", "occurred_at")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    SYNC_ID_FIELD_NUMBER: _ClassVar[int]
    REGIONS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    sync_id: str
    regions: _containers.RepeatedScalarFieldContainer[str]
    reason: str
    occurred_at: _timestamp_pb2.Timestamp
    def __init__(self, account_id: _Optional[str] = ..., sync_id: _Optional[str] = ..., regions: _Optional[_Iterable[str]] = ..., reason: _Optional[str] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SyncStarted(_message.Message):
    __slots__ = ("account_id", "sync_id", "regions", "occurred_at")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    SYNC_ID_FIELD_NUMBER: _ClassVar[int]
    REGIONS_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    sync_id: str
    regions: _containers.RepeatedScalarFieldContainer[str]
    occurred_at: _timestamp_pb2.Timestamp
    def __init__(self, account_id: _Optional[str] = ..., sync_id: _Optional[str] = ..., regions: _Optional[_Iterable[str]] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SyncProgress(_message.Message):
    __slots__ = ("account_id", "sync_id", "units_done", "units_total", "occurred_at")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    SYNC_ID_FIELD_NUMBER: _ClassVar[int]
    UNITS_DONE_FIELD_NUMBER: _ClassVar[int]
    UNITS_TOTAL_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    sync_id: str
    units_done: int
    units_total: int
    occurred_at: _timestamp_pb2.Timestamp
    def __init__(self, account_id: _Optional[str] = ..., sync_id: _Optional[str] = ..., units_done: _Optional[int] = ..., units_total: _Optional[int] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ResourcesChanged(_message.Message):
    __slots__ = ("account_id", "sync_id", "region", "upserted", "removed_arns", "batch_index", "occurred_at")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    SYNC_ID_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    UPSERTED_FIELD_NUMBER: _ClassVar[int]
    REMOVED_ARNS_FIELD_NUMBER: _ClassVar[int]
    BATCH_INDEX_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    sync_id: str
    region: str
    upserted: _containers.RepeatedCompositeFieldContainer[_resource_pb2.Resource]
    removed_arns: _containers.RepeatedScalarFieldContainer[str]
    batch_index: int
    occurred_at: _timestamp_pb2.Timestamp
    def __init__(self, account_id: _Optional[str] = ..., sync_id: _Optional[str] = ..., region: _Optional[str] = ..., upserted: _Optional[_Iterable[_Union[_resource_pb2.Resource, _Mapping]]] = ..., removed_arns: _Optional[_Iterable[str]] = ..., batch_index: _Optional[int] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SyncFinished(_message.Message):
    __slots__ = ("account_id", "sync_id", "state", "counts", "gaps", "occurred_at", "skipped_regions", "message", "region_batches")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    SYNC_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    COUNTS_FIELD_NUMBER: _ClassVar[int]
    GAPS_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    SKIPPED_REGIONS_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    REGION_BATCHES_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    sync_id: str
    state: _collector_pb2.SyncState
    counts: _collector_pb2.SyncCounts
    gaps: _containers.RepeatedCompositeFieldContainer[_resource_pb2.Gap]
    occurred_at: _timestamp_pb2.Timestamp
    skipped_regions: _containers.RepeatedScalarFieldContainer[str]
    message: str
    region_batches: _containers.RepeatedCompositeFieldContainer[RegionBatches]
    def __init__(self, account_id: _Optional[str] = ..., sync_id: _Optional[str] = ..., state: _Optional[_Union[_collector_pb2.SyncState, str]] = ..., counts: _Optional[_Union[_collector_pb2.SyncCounts, _Mapping]] = ..., gaps: _Optional[_Iterable[_Union[_resource_pb2.Gap, _Mapping]]] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., skipped_regions: _Optional[_Iterable[str]] = ..., message: _Optional[str] = ..., region_batches: _Optional[_Iterable[_Union[RegionBatches, _Mapping]]] = ...) -> None: ...

class RegionBatches(_message.Message):
    __slots__ = ("region", "batches")
    REGION_FIELD_NUMBER: _ClassVar[int]
    BATCHES_FIELD_NUMBER: _ClassVar[int]
    region: str
    batches: int
    def __init__(self, region: _Optional[str] = ..., batches: _Optional[int] = ...) -> None: ...

class StatusChanged(_message.Message):
    __slots__ = ("account_id", "arn", "status", "detail", "observed_at", "state", "metric", "region")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    ARN_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    OBSERVED_AT_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    METRIC_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    arn: str
    status: ResourceStatus
    detail: str
    observed_at: _timestamp_pb2.Timestamp
    state: str
    metric: StatusMetric
    region: str
    def __init__(self, account_id: _Optional[str] = ..., arn: _Optional[str] = ..., status: _Optional[_Union[ResourceStatus, str]] = ..., detail: _Optional[str] = ..., observed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., state: _Optional[str] = ..., metric: _Optional[_Union[StatusMetric, _Mapping]] = ..., region: _Optional[str] = ...) -> None: ...

class StatusMetric(_message.Message):
    __slots__ = ("name", "value", "unit", "source")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    UNIT_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    name: str
    value: float
    unit: str
    source: str
    def __init__(self, name: _Optional[str] = ..., value: _Optional[float] = ..., unit: _Optional[str] = ..., source: _Optional[str] = ...) -> None: ...

class StatusSnapshot(_message.Message):
    __slots__ = ("account_id", "region", "statuses", "observed_at")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    STATUSES_FIELD_NUMBER: _ClassVar[int]
    OBSERVED_AT_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    region: str
    statuses: _containers.RepeatedCompositeFieldContainer[StatusChanged]
    observed_at: _timestamp_pb2.Timestamp
    def __init__(self, account_id: _Optional[str] = ..., region: _Optional[str] = ..., statuses: _Optional[_Iterable[_Union[StatusChanged, _Mapping]]] = ..., observed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class StatusWatched(_message.Message):
    __slots__ = ("account_id", "watcher_id", "ttl_seconds", "occurred_at")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    WATCHER_ID_FIELD_NUMBER: _ClassVar[int]
    TTL_SECONDS_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    watcher_id: str
    ttl_seconds: int
    occurred_at: _timestamp_pb2.Timestamp
    def __init__(self, account_id: _Optional[str] = ..., watcher_id: _Optional[str] = ..., ttl_seconds: _Optional[int] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
