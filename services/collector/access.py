"""Account health as collector-worker sees it: accounts-api checks the role before every sync
and hears what the sync was denied (services/collector/sync.py, AccessChecks; docs/accounts.md).

grpcio blocks, so the calls run in eventlet's thread pool (docs/architecture.md, "Runtime rules").
accounts-api being away must not stop syncs: the check then says nothing, and a report that
fails is sent again by the next sync."""
from __future__ import annotations

import logging

import grpc
from eventlet import tpool

from cloudsketch.accounts.v1 import accounts_pb2, accounts_pb2_grpc
from services.common.grpc_client import DEFAULT_TIMEOUT_SECONDS, stub

log = logging.getLogger(__name__)


class AccountsAccess:
    def verify(self, account_id: str) -> accounts_pb2.AccountAccess | None:
        accounts = stub("accounts", accounts_pb2_grpc.AccountsServiceStub)
        try:
            return tpool.execute(accounts.VerifyAccountAccess, accounts_pb2.VerifyAccountAccessRequest(id=account_id),
                                 timeout=DEFAULT_TIMEOUT_SECONDS).access
        except grpc.RpcError as exc:
            log.warning("access check unavailable", extra={"account_id": account_id, "code": exc.code().name})
            return None

    def report(self, account_id: str, sync_id: str, denied: list[accounts_pb2.DeniedAccess]) -> None:
        accounts = stub("accounts", accounts_pb2_grpc.AccountsServiceStub)
        try:
            tpool.execute(accounts.ReportAccountAccess, accounts_pb2.ReportAccountAccessRequest(
                id=account_id, sync_id=sync_id, denied=denied), timeout=DEFAULT_TIMEOUT_SECONDS)
        except grpc.RpcError as exc:
            log.warning("access report failed", extra={"account_id": account_id, "code": exc.code().name})
