import datetime

from cloudsketch.budget.v1 import budget_pb2 as _budget_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class BudgetChanged(_message.Message):
    __slots__ = ("account_id", "sync_id", "total_before_usd", "total_after_usd", "changes", "change_count", "occurred_at")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    SYNC_ID_FIELD_NUMBER: _ClassVar[int]
    TOTAL_BEFORE_USD_FIELD_NUMBER: _ClassVar[int]
    TOTAL_AFTER_USD_FIELD_NUMBER: _ClassVar[int]
    CHANGES_FIELD_NUMBER: _ClassVar[int]
    CHANGE_COUNT_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    sync_id: str
    total_before_usd: str
    total_after_usd: str
    changes: _containers.RepeatedCompositeFieldContainer[_budget_pb2.BudgetChange]
    change_count: int
    occurred_at: _timestamp_pb2.Timestamp
    def __init__(self, account_id: _Optional[str] = ..., sync_id: _Optional[str] = ..., total_before_usd: _Optional[str] = ..., total_after_usd: _Optional[str] = ..., changes: _Optional[_Iterable[_Union[_budget_pb2.BudgetChange, _Mapping]]] = ..., change_count: _Optional[int] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
