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

class BudgetState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    BUDGET_STATE_UNSPECIFIED: _ClassVar[BudgetState]
    BUDGET_STATE_AWAITING_SCAN: _ClassVar[BudgetState]
    BUDGET_STATE_READY: _ClassVar[BudgetState]
BUDGET_STATE_UNSPECIFIED: BudgetState
BUDGET_STATE_AWAITING_SCAN: BudgetState
BUDGET_STATE_READY: BudgetState

class LineItem(_message.Message):
    __slots__ = ("arn", "type", "region", "name", "amount", "basis", "status", "service", "vpc", "tags", "monthly_usd")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ARN_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    BASIS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    VPC_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    MONTHLY_USD_FIELD_NUMBER: _ClassVar[int]
    arn: str
    type: str
    region: str
    name: str
    amount: str
    basis: str
    status: str
    service: str
    vpc: str
    tags: _containers.ScalarMap[str, str]
    monthly_usd: str
    def __init__(self, arn: _Optional[str] = ..., type: _Optional[str] = ..., region: _Optional[str] = ..., name: _Optional[str] = ..., amount: _Optional[str] = ..., basis: _Optional[str] = ..., status: _Optional[str] = ..., service: _Optional[str] = ..., vpc: _Optional[str] = ..., tags: _Optional[_Mapping[str, str]] = ..., monthly_usd: _Optional[str] = ...) -> None: ...

class Total(_message.Message):
    __slots__ = ("dimension", "key", "amount")
    DIMENSION_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    dimension: str
    key: str
    amount: str
    def __init__(self, dimension: _Optional[str] = ..., key: _Optional[str] = ..., amount: _Optional[str] = ...) -> None: ...

class GetAccountBudgetRequest(_message.Message):
    __slots__ = ("account_id", "region", "currency", "period", "rate", "group_by")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    RATE_FIELD_NUMBER: _ClassVar[int]
    GROUP_BY_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    region: str
    currency: str
    period: str
    rate: str
    group_by: str
    def __init__(self, account_id: _Optional[str] = ..., region: _Optional[str] = ..., currency: _Optional[str] = ..., period: _Optional[str] = ..., rate: _Optional[str] = ..., group_by: _Optional[str] = ...) -> None: ...

class GetAccountBudgetResponse(_message.Message):
    __slots__ = ("state", "items", "groups", "total", "currency", "period", "price_source", "priced_at", "last_sync_id", "unpriced_count")
    STATE_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    GROUPS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    PRICE_SOURCE_FIELD_NUMBER: _ClassVar[int]
    PRICED_AT_FIELD_NUMBER: _ClassVar[int]
    LAST_SYNC_ID_FIELD_NUMBER: _ClassVar[int]
    UNPRICED_COUNT_FIELD_NUMBER: _ClassVar[int]
    state: BudgetState
    items: _containers.RepeatedCompositeFieldContainer[LineItem]
    groups: _containers.RepeatedCompositeFieldContainer[Total]
    total: str
    currency: str
    period: str
    price_source: str
    priced_at: _timestamp_pb2.Timestamp
    last_sync_id: str
    unpriced_count: int
    def __init__(self, state: _Optional[_Union[BudgetState, str]] = ..., items: _Optional[_Iterable[_Union[LineItem, _Mapping]]] = ..., groups: _Optional[_Iterable[_Union[Total, _Mapping]]] = ..., total: _Optional[str] = ..., currency: _Optional[str] = ..., period: _Optional[str] = ..., price_source: _Optional[str] = ..., priced_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_sync_id: _Optional[str] = ..., unpriced_count: _Optional[int] = ...) -> None: ...

class BudgetChange(_message.Message):
    __slots__ = ("arn", "type", "name", "before_usd", "after_usd", "delta_usd", "reason")
    ARN_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    BEFORE_USD_FIELD_NUMBER: _ClassVar[int]
    AFTER_USD_FIELD_NUMBER: _ClassVar[int]
    DELTA_USD_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    arn: str
    type: str
    name: str
    before_usd: str
    after_usd: str
    delta_usd: str
    reason: str
    def __init__(self, arn: _Optional[str] = ..., type: _Optional[str] = ..., name: _Optional[str] = ..., before_usd: _Optional[str] = ..., after_usd: _Optional[str] = ..., delta_usd: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class GetBudgetChangesRequest(_message.Message):
    __slots__ = ("account_id",)
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    def __init__(self, account_id: _Optional[str] = ...) -> None: ...

class GetBudgetChangesResponse(_message.Message):
    __slots__ = ("state", "sync_id", "changed_at", "total_before_usd", "total_after_usd", "changes")
    STATE_FIELD_NUMBER: _ClassVar[int]
    SYNC_ID_FIELD_NUMBER: _ClassVar[int]
    CHANGED_AT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_BEFORE_USD_FIELD_NUMBER: _ClassVar[int]
    TOTAL_AFTER_USD_FIELD_NUMBER: _ClassVar[int]
    CHANGES_FIELD_NUMBER: _ClassVar[int]
    state: BudgetState
    sync_id: str
    changed_at: _timestamp_pb2.Timestamp
    total_before_usd: str
    total_after_usd: str
    changes: _containers.RepeatedCompositeFieldContainer[BudgetChange]
    def __init__(self, state: _Optional[_Union[BudgetState, str]] = ..., sync_id: _Optional[str] = ..., changed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., total_before_usd: _Optional[str] = ..., total_after_usd: _Optional[str] = ..., changes: _Optional[_Iterable[_Union[BudgetChange, _Mapping]]] = ...) -> None: ...

class PriceBlueprintRequest(_message.Message):
    __slots__ = ("document", "account_ids", "format", "currency", "period", "rate")
    DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_IDS_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    RATE_FIELD_NUMBER: _ClassVar[int]
    document: _struct_pb2.Struct
    account_ids: _containers.RepeatedScalarFieldContainer[str]
    format: str
    currency: str
    period: str
    rate: str
    def __init__(self, document: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., account_ids: _Optional[_Iterable[str]] = ..., format: _Optional[str] = ..., currency: _Optional[str] = ..., period: _Optional[str] = ..., rate: _Optional[str] = ...) -> None: ...

class PriceBlueprintResponse(_message.Message):
    __slots__ = ("content", "content_type", "total", "unpriced_count")
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    UNPRICED_COUNT_FIELD_NUMBER: _ClassVar[int]
    content: bytes
    content_type: str
    total: str
    unpriced_count: int
    def __init__(self, content: _Optional[bytes] = ..., content_type: _Optional[str] = ..., total: _Optional[str] = ..., unpriced_count: _Optional[int] = ...) -> None: ...

class ExportAccountBudgetRequest(_message.Message):
    __slots__ = ("account_id", "region", "format", "currency", "period", "rate")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    RATE_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    region: str
    format: str
    currency: str
    period: str
    rate: str
    def __init__(self, account_id: _Optional[str] = ..., region: _Optional[str] = ..., format: _Optional[str] = ..., currency: _Optional[str] = ..., period: _Optional[str] = ..., rate: _Optional[str] = ...) -> None: ...

class ExportAccountBudgetResponse(_message.Message):
    __slots__ = ("state", "content", "content_type")
    STATE_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    state: BudgetState
    content: bytes
    content_type: str
    def __init__(self, state: _Optional[_Union[BudgetState, str]] = ..., content: _Optional[bytes] = ..., content_type: _Optional[str] = ...) -> None: ...
