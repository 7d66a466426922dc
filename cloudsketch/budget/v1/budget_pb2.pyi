import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class LineItem(_message.Message):
    __slots__ = ("arn", "type", "region", "name", "monthly_usd", "basis")
    ARN_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    MONTHLY_USD_FIELD_NUMBER: _ClassVar[int]
    BASIS_FIELD_NUMBER: _ClassVar[int]
    arn: str
    type: str
    region: str
    name: str
    monthly_usd: str
    basis: str
    def __init__(self, arn: _Optional[str] = ..., type: _Optional[str] = ..., region: _Optional[str] = ..., name: _Optional[str] = ..., monthly_usd: _Optional[str] = ..., basis: _Optional[str] = ...) -> None: ...

class Total(_message.Message):
    __slots__ = ("dimension", "key", "monthly_usd")
    DIMENSION_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    MONTHLY_USD_FIELD_NUMBER: _ClassVar[int]
    dimension: str
    key: str
    monthly_usd: str
    def __init__(self, dimension: _Optional[str] = ..., key: _Optional[str] = ..., monthly_usd: _Optional[str] = ...) -> None: ...

class GetAccountBudgetRequest(_message.Message):
    __slots__ = ("account_id", "region")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    region: str
    def __init__(self, account_id: _Optional[str] = ..., region: _Optional[str] = ...) -> None: ...

class GetAccountBudgetResponse(_message.Message):
    __slots__ = ("items", "totals", "total_monthly_usd", "price_source", "priced_at")
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    TOTALS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_MONTHLY_USD_FIELD_NUMBER: _ClassVar[int]
    PRICE_SOURCE_FIELD_NUMBER: _ClassVar[int]
    PRICED_AT_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[LineItem]
    totals: _containers.RepeatedCompositeFieldContainer[Total]
    total_monthly_usd: str
    price_source: str
    priced_at: _timestamp_pb2.Timestamp
    def __init__(self, items: _Optional[_Iterable[_Union[LineItem, _Mapping]]] = ..., totals: _Optional[_Iterable[_Union[Total, _Mapping]]] = ..., total_monthly_usd: _Optional[str] = ..., price_source: _Optional[str] = ..., priced_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
