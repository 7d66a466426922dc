"""Authentication at the edge: `Authorization: Bearer <API key>` on /api.

Until the identity issue brings Authorize(principal, action, resource), two rules hold:
a read key cannot change anything, and only Owners and Administrators manage AWS accounts.
"""
from __future__ import annotations

import grpc
from flask import current_app, g, request

from cloudsketch.identity.v1 import identity_pb2 as identity_pb
from gateway.errors import ApiError

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
ACCOUNT_MANAGERS = {identity_pb.ROLE_OWNER, identity_pb.ROLE_ADMINISTRATOR}


def authenticate() -> None:
    """before_request of the /api blueprint: sets g.principal or answers 401/403."""
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise ApiError(401, "missing API key: send 'Authorization: Bearer <key>'")
    try:
        reply = current_app.extensions["clients"].identity.AuthenticateApiKey(
            identity_pb.AuthenticateApiKeyRequest(api_key=key.strip()))
    except grpc.RpcError as exc:
        if exc.code() == grpc.StatusCode.NOT_FOUND:
            raise ApiError(401, "invalid API key") from None
        raise
    g.principal = reply.principal
    if request.method in WRITE_METHODS and g.principal.key_mode != identity_pb.API_KEY_MODE_READ_WRITE:
        raise ApiError(403, "this API key is read-only")


def require_account_manager() -> None:
    if g.principal.user.role not in ACCOUNT_MANAGERS:
        raise ApiError(403, "only Owners and Administrators can add, edit or remove AWS accounts")
