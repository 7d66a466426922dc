"""The gateway's gRPC clients: one stub per service, every call with a deadline."""
from __future__ import annotations

import functools

from cloudsketch.accounts.v1 import accounts_pb2_grpc
from cloudsketch.budget.v1 import budget_pb2_grpc
from cloudsketch.collector.v1 import collector_pb2_grpc
from cloudsketch.diagram.v1 import diagram_pb2_grpc
from cloudsketch.identity.v1 import identity_pb2_grpc
from services.common.grpc_client import DEFAULT_TIMEOUT_SECONDS, stub


class _WithDeadline:
    """Wraps a stub so that every call carries a timeout unless the caller gives one."""

    def __init__(self, inner):
        self._inner = inner

    def __getattr__(self, name):
        method = getattr(self._inner, name)
        return functools.partial(method, timeout=DEFAULT_TIMEOUT_SECONDS)


class Clients:
    def __init__(self):
        self.identity = _WithDeadline(stub("identity", identity_pb2_grpc.IdentityServiceStub))
        self.accounts = _WithDeadline(stub("accounts", accounts_pb2_grpc.AccountsServiceStub))
        self.collector = _WithDeadline(stub("collector", collector_pb2_grpc.CollectorServiceStub))
        self.diagram = _WithDeadline(stub("diagram", diagram_pb2_grpc.DiagramServiceStub))
        self.budget = _WithDeadline(stub("budget", budget_pb2_grpc.BudgetServiceStub))
