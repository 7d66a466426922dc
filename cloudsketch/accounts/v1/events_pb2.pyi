import datetime

from cloudsketch.accounts.v1 import accounts_pb2 as _accounts_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AccountRegistered(_message.Message):
    __slots__ = ("account_id", "aws_account_id", "name", "regions", "occurred_at", "actor_id")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    AWS_ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    REGIONS_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    aws_account_id: str
    name: str
    regions: _containers.RepeatedScalarFieldContainer[str]
    occurred_at: _timestamp_pb2.Timestamp
    actor_id: str
    def __init__(self, account_id: _Optional[str] = ..., aws_account_id: _Optional[str] = ..., name: _Optional[str] = ..., regions: _Optional[_Iterable[str]] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., actor_id: _Optional[str] = ...) -> None: ...

class AccountUpdated(_message.Message):
    __slots__ = ("account_id", "aws_account_id", "name", "regions", "occurred_at", "actor_id", "changed", "read_access", "write_access")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    AWS_ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    REGIONS_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    CHANGED_FIELD_NUMBER: _ClassVar[int]
    READ_ACCESS_FIELD_NUMBER: _ClassVar[int]
    WRITE_ACCESS_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    aws_account_id: str
    name: str
    regions: _containers.RepeatedScalarFieldContainer[str]
    occurred_at: _timestamp_pb2.Timestamp
    actor_id: str
    changed: _containers.RepeatedScalarFieldContainer[str]
    read_access: _containers.RepeatedScalarFieldContainer[str]
    write_access: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, account_id: _Optional[str] = ..., aws_account_id: _Optional[str] = ..., name: _Optional[str] = ..., regions: _Optional[_Iterable[str]] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., actor_id: _Optional[str] = ..., changed: _Optional[_Iterable[str]] = ..., read_access: _Optional[_Iterable[str]] = ..., write_access: _Optional[_Iterable[str]] = ...) -> None: ...

class AccountRemoved(_message.Message):
    __slots__ = ("account_id", "aws_account_id", "occurred_at", "actor_id", "name")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    AWS_ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    aws_account_id: str
    occurred_at: _timestamp_pb2.Timestamp
    actor_id: str
    name: str
    def __init__(self, account_id: _Optional[str] = ..., aws_account_id: _Optional[str] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., actor_id: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class AccountAccessChanged(_message.Message):
    __slots__ = ("account_id", "aws_account_id", "name", "state", "previous_state", "reason", "error_code", "denied", "occurred_at", "actor_id")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    AWS_ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_STATE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    ERROR_CODE_FIELD_NUMBER: _ClassVar[int]
    DENIED_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    aws_account_id: str
    name: str
    state: _accounts_pb2.AccessState
    previous_state: _accounts_pb2.AccessState
    reason: str
    error_code: str
    denied: _containers.RepeatedCompositeFieldContainer[_accounts_pb2.DeniedAccess]
    occurred_at: _timestamp_pb2.Timestamp
    actor_id: str
    def __init__(self, account_id: _Optional[str] = ..., aws_account_id: _Optional[str] = ..., name: _Optional[str] = ..., state: _Optional[_Union[_accounts_pb2.AccessState, str]] = ..., previous_state: _Optional[_Union[_accounts_pb2.AccessState, str]] = ..., reason: _Optional[str] = ..., error_code: _Optional[str] = ..., denied: _Optional[_Iterable[_Union[_accounts_pb2.DeniedAccess, _Mapping]]] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., actor_id: _Optional[str] = ...) -> None: ...
