import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class VerificationState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    VERIFICATION_STATE_UNSPECIFIED: _ClassVar[VerificationState]
    VERIFICATION_STATE_PENDING: _ClassVar[VerificationState]
    VERIFICATION_STATE_VERIFIED: _ClassVar[VerificationState]
    VERIFICATION_STATE_FAILED: _ClassVar[VerificationState]

class OnboardingDocument(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ONBOARDING_DOCUMENT_UNSPECIFIED: _ClassVar[OnboardingDocument]
    ONBOARDING_DOCUMENT_TRUST_POLICY: _ClassVar[OnboardingDocument]
    ONBOARDING_DOCUMENT_MINIMAL_POLICY: _ClassVar[OnboardingDocument]
    ONBOARDING_DOCUMENT_CUSTOM_POLICY: _ClassVar[OnboardingDocument]
    ONBOARDING_DOCUMENT_CLOUDFORMATION: _ClassVar[OnboardingDocument]
    ONBOARDING_DOCUMENT_STACKSET: _ClassVar[OnboardingDocument]
    ONBOARDING_DOCUMENT_TERRAFORM: _ClassVar[OnboardingDocument]
VERIFICATION_STATE_UNSPECIFIED: VerificationState
VERIFICATION_STATE_PENDING: VerificationState
VERIFICATION_STATE_VERIFIED: VerificationState
VERIFICATION_STATE_FAILED: VerificationState
ONBOARDING_DOCUMENT_UNSPECIFIED: OnboardingDocument
ONBOARDING_DOCUMENT_TRUST_POLICY: OnboardingDocument
ONBOARDING_DOCUMENT_MINIMAL_POLICY: OnboardingDocument
ONBOARDING_DOCUMENT_CUSTOM_POLICY: OnboardingDocument
ONBOARDING_DOCUMENT_CLOUDFORMATION: OnboardingDocument
ONBOARDING_DOCUMENT_STACKSET: OnboardingDocument
ONBOARDING_DOCUMENT_TERRAFORM: OnboardingDocument

class Account(_message.Message):
    __slots__ = ("id", "name", "role_arn", "external_id", "aws_account_id", "regions", "read_access", "write_access", "creator_id", "source", "verification_state", "verification_message", "verified_at", "created_at", "updated_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ROLE_ARN_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_ID_FIELD_NUMBER: _ClassVar[int]
    AWS_ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    REGIONS_FIELD_NUMBER: _ClassVar[int]
    READ_ACCESS_FIELD_NUMBER: _ClassVar[int]
    WRITE_ACCESS_FIELD_NUMBER: _ClassVar[int]
    CREATOR_ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    VERIFICATION_STATE_FIELD_NUMBER: _ClassVar[int]
    VERIFICATION_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    VERIFIED_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    role_arn: str
    external_id: str
    aws_account_id: str
    regions: _containers.RepeatedScalarFieldContainer[str]
    read_access: _containers.RepeatedScalarFieldContainer[str]
    write_access: _containers.RepeatedScalarFieldContainer[str]
    creator_id: str
    source: str
    verification_state: VerificationState
    verification_message: str
    verified_at: _timestamp_pb2.Timestamp
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., role_arn: _Optional[str] = ..., external_id: _Optional[str] = ..., aws_account_id: _Optional[str] = ..., regions: _Optional[_Iterable[str]] = ..., read_access: _Optional[_Iterable[str]] = ..., write_access: _Optional[_Iterable[str]] = ..., creator_id: _Optional[str] = ..., source: _Optional[str] = ..., verification_state: _Optional[_Union[VerificationState, str]] = ..., verification_message: _Optional[str] = ..., verified_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetIamParametersRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetIamParametersResponse(_message.Message):
    __slots__ = ("account_id", "external_id", "aws_console_url", "role_name")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_ID_FIELD_NUMBER: _ClassVar[int]
    AWS_CONSOLE_URL_FIELD_NUMBER: _ClassVar[int]
    ROLE_NAME_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    external_id: str
    aws_console_url: str
    role_name: str
    def __init__(self, account_id: _Optional[str] = ..., external_id: _Optional[str] = ..., aws_console_url: _Optional[str] = ..., role_name: _Optional[str] = ...) -> None: ...

class GetOnboardingDocumentRequest(_message.Message):
    __slots__ = ("document", "role_name", "partition", "policy")
    DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    ROLE_NAME_FIELD_NUMBER: _ClassVar[int]
    PARTITION_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    document: OnboardingDocument
    role_name: str
    partition: str
    policy: str
    def __init__(self, document: _Optional[_Union[OnboardingDocument, str]] = ..., role_name: _Optional[str] = ..., partition: _Optional[str] = ..., policy: _Optional[str] = ...) -> None: ...

class GetOnboardingDocumentResponse(_message.Message):
    __slots__ = ("content_type", "content")
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    content_type: str
    content: str
    def __init__(self, content_type: _Optional[str] = ..., content: _Optional[str] = ...) -> None: ...

class CreateAccountRequest(_message.Message):
    __slots__ = ("name", "role_arn", "region", "creator_id", "regions")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ROLE_ARN_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    CREATOR_ID_FIELD_NUMBER: _ClassVar[int]
    REGIONS_FIELD_NUMBER: _ClassVar[int]
    name: str
    role_arn: str
    region: str
    creator_id: str
    regions: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, name: _Optional[str] = ..., role_arn: _Optional[str] = ..., region: _Optional[str] = ..., creator_id: _Optional[str] = ..., regions: _Optional[_Iterable[str]] = ...) -> None: ...

class CreateAccountResponse(_message.Message):
    __slots__ = ("account",)
    ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    account: Account
    def __init__(self, account: _Optional[_Union[Account, _Mapping]] = ...) -> None: ...

class GetAccountRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class GetAccountResponse(_message.Message):
    __slots__ = ("account",)
    ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    account: Account
    def __init__(self, account: _Optional[_Union[Account, _Mapping]] = ...) -> None: ...

class ListAccountsRequest(_message.Message):
    __slots__ = ("ids", "search", "visible_to", "limit", "cursor")
    IDS_FIELD_NUMBER: _ClassVar[int]
    SEARCH_FIELD_NUMBER: _ClassVar[int]
    VISIBLE_TO_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    ids: _containers.RepeatedScalarFieldContainer[str]
    search: str
    visible_to: AccountScope
    limit: int
    cursor: str
    def __init__(self, ids: _Optional[_Iterable[str]] = ..., search: _Optional[str] = ..., visible_to: _Optional[_Union[AccountScope, _Mapping]] = ..., limit: _Optional[int] = ..., cursor: _Optional[str] = ...) -> None: ...

class AccountScope(_message.Message):
    __slots__ = ("creator_id", "team_ids", "write_only")
    CREATOR_ID_FIELD_NUMBER: _ClassVar[int]
    TEAM_IDS_FIELD_NUMBER: _ClassVar[int]
    WRITE_ONLY_FIELD_NUMBER: _ClassVar[int]
    creator_id: str
    team_ids: _containers.RepeatedScalarFieldContainer[str]
    write_only: bool
    def __init__(self, creator_id: _Optional[str] = ..., team_ids: _Optional[_Iterable[str]] = ..., write_only: _Optional[bool] = ...) -> None: ...

class ListAccountsResponse(_message.Message):
    __slots__ = ("accounts", "next_cursor")
    ACCOUNTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_CURSOR_FIELD_NUMBER: _ClassVar[int]
    accounts: _containers.RepeatedCompositeFieldContainer[Account]
    next_cursor: str
    def __init__(self, accounts: _Optional[_Iterable[_Union[Account, _Mapping]]] = ..., next_cursor: _Optional[str] = ...) -> None: ...

class TeamIds(_message.Message):
    __slots__ = ("ids",)
    IDS_FIELD_NUMBER: _ClassVar[int]
    ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, ids: _Optional[_Iterable[str]] = ...) -> None: ...

class UpdateAccountRequest(_message.Message):
    __slots__ = ("id", "name", "role_arn", "read_access", "write_access", "actor_id", "region")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ROLE_ARN_FIELD_NUMBER: _ClassVar[int]
    READ_ACCESS_FIELD_NUMBER: _ClassVar[int]
    WRITE_ACCESS_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    role_arn: str
    read_access: TeamIds
    write_access: TeamIds
    actor_id: str
    region: str
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., role_arn: _Optional[str] = ..., read_access: _Optional[_Union[TeamIds, _Mapping]] = ..., write_access: _Optional[_Union[TeamIds, _Mapping]] = ..., actor_id: _Optional[str] = ..., region: _Optional[str] = ...) -> None: ...

class UpdateAccountResponse(_message.Message):
    __slots__ = ("account",)
    ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    account: Account
    def __init__(self, account: _Optional[_Union[Account, _Mapping]] = ...) -> None: ...

class DeleteAccountRequest(_message.Message):
    __slots__ = ("id", "actor_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    actor_id: str
    def __init__(self, id: _Optional[str] = ..., actor_id: _Optional[str] = ...) -> None: ...

class DeleteAccountResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class OnboardOrganizationRequest(_message.Message):
    __slots__ = ("role_arn", "member_role_name", "region", "creator_id")
    ROLE_ARN_FIELD_NUMBER: _ClassVar[int]
    MEMBER_ROLE_NAME_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    CREATOR_ID_FIELD_NUMBER: _ClassVar[int]
    role_arn: str
    member_role_name: str
    region: str
    creator_id: str
    def __init__(self, role_arn: _Optional[str] = ..., member_role_name: _Optional[str] = ..., region: _Optional[str] = ..., creator_id: _Optional[str] = ...) -> None: ...

class OnboardingFailure(_message.Message):
    __slots__ = ("aws_account_id", "name", "reason")
    AWS_ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    aws_account_id: str
    name: str
    reason: str
    def __init__(self, aws_account_id: _Optional[str] = ..., name: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class OnboardOrganizationResponse(_message.Message):
    __slots__ = ("onboarded", "failed", "already_connected")
    ONBOARDED_FIELD_NUMBER: _ClassVar[int]
    FAILED_FIELD_NUMBER: _ClassVar[int]
    ALREADY_CONNECTED_FIELD_NUMBER: _ClassVar[int]
    onboarded: _containers.RepeatedCompositeFieldContainer[Account]
    failed: _containers.RepeatedCompositeFieldContainer[OnboardingFailure]
    already_connected: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, onboarded: _Optional[_Iterable[_Union[Account, _Mapping]]] = ..., failed: _Optional[_Iterable[_Union[OnboardingFailure, _Mapping]]] = ..., already_connected: _Optional[_Iterable[str]] = ...) -> None: ...
