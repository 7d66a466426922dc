"""Authentication and authorisation at the edge.

Callers authenticate with `Authorization: Bearer <API key>` or with the web session cookie; a
session's state-changing requests must carry its CSRF token in `X-CSRF-Token` and, when the
browser sends one, an Origin of this host. Every route then asks identity's Authorize (the one
decision point) through `authorize()`, `filter_authorized()` or `authorized_scope()`.
"""
from __future__ import annotations

import hashlib
import hmac
import threading
import time
from urllib.parse import urlsplit

import grpc
from flask import current_app, g, request

from cloudsketch.identity.v1 import identity_pb2 as identity_pb
from gateway.errors import ApiError
from services.common import config
from services.common.enums import enum_names

SESSION_COOKIE = "cs_session"
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
ORGANIZATION = identity_pb.ResourceRef(kind="organization")
# Role names, from the identity proto's Role enum: "owner", "administrator", "user", "viewer".
ROLE_NAMES = enum_names(identity_pb.Role, "ROLE_")
ROLE_OF = {value: name for name, value in ROLE_NAMES.items()}


class PrincipalCache:
    """Verified credentials for a few seconds, so that a burst of requests costs one identity call.
    Cleared whenever this gateway changes something a principal depends on."""

    def __init__(self):
        self._entries: dict[str, tuple[float, identity_pb.Principal, str]] = {}
        self._lock = threading.Lock()

    def get(self, credential: str):
        entry = self._entries.get(credential)
        if entry and entry[0] > time.monotonic():
            return entry[1], entry[2]
        return None

    def put(self, credential: str, principal: identity_pb.Principal, csrf: str = "") -> None:
        ttl = config.auth_cache_seconds()
        if principal.HasField("credential_expires_at"):  # never past the credential's own expiry
            ttl = min(ttl, principal.credential_expires_at.ToSeconds() - time.time())
        if ttl <= 0:
            return
        with self._lock:
            if len(self._entries) > 10_000:
                self._entries.clear()
            self._entries[credential] = (time.monotonic() + ttl, principal, csrf)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def identity():
    return current_app.extensions["clients"].identity


def principal_cache() -> PrincipalCache:
    return current_app.extensions["principal_cache"]


def _credential_key(kind: str, secret: str) -> str:
    return kind + ":" + hashlib.sha256(secret.encode()).hexdigest()


def _from_api_key(key: str) -> identity_pb.Principal:
    cache_key = _credential_key("key", key)
    cached = principal_cache().get(cache_key)
    if cached:
        return cached[0]
    try:
        principal = identity().AuthenticateApiKey(identity_pb.AuthenticateApiKeyRequest(api_key=key)).principal
    except grpc.RpcError as exc:
        if exc.code() == grpc.StatusCode.NOT_FOUND:
            raise ApiError(401, "invalid API key") from None
        raise
    principal_cache().put(cache_key, principal)
    return principal


def session_principal(token: str) -> tuple[identity_pb.Principal, str] | None:
    """The session's principal and CSRF token, or None when the session is unknown or over."""
    cache_key = _credential_key("session", token)
    cached = principal_cache().get(cache_key)
    if cached:
        return cached
    try:
        reply = identity().AuthenticateSession(identity_pb.AuthenticateSessionRequest(session_token=token))
    except grpc.RpcError as exc:
        if exc.code() == grpc.StatusCode.UNAUTHENTICATED:
            return None
        raise
    principal_cache().put(cache_key, reply.principal, reply.csrf_token)
    return reply.principal, reply.csrf_token


def check_same_origin() -> None:
    origin = request.headers.get("Origin")
    if origin and urlsplit(origin).netloc != request.host:
        raise ApiError(403, "cross-origin request refused")


def check_csrf(csrf_token: str) -> None:
    sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token", "")
    if not sent or not hmac.compare_digest(sent.encode(), csrf_token.encode()):
        raise ApiError(403, "missing or invalid CSRF token")


def authenticate() -> None:
    """before_request of the /api blueprint: sets g.principal or answers 401/403."""
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() == "bearer" and key.strip():
        g.principal = _from_api_key(key.strip())
        return
    token = request.cookies.get(SESSION_COOKIE)
    session = session_principal(token) if token else None
    if session is None:
        raise ApiError(401, "sign in, or send an API key: 'Authorization: Bearer <key>'")
    g.principal, csrf_token = session
    if request.method in WRITE_METHODS:
        check_same_origin()
        check_csrf(csrf_token)


def authorize(action: str, resource: identity_pb.ResourceRef = ORGANIZATION) -> None:
    """Raises 404 for what the caller may not know exists, 403 for what they may not do."""
    reply = identity().Authorize(identity_pb.AuthorizeRequest(
        user_id=g.principal.user.id, key_mode=g.principal.key_mode, action=action, resource=resource))
    if reply.decision == identity_pb.DECISION_HIDDEN:
        raise ApiError(404, f"no such {resource.kind}")
    if reply.decision != identity_pb.DECISION_ALLOW:
        raise ApiError(403, reply.reason or "not allowed")


def filter_authorized(action: str, resources: list[identity_pb.ResourceRef]) -> set[str]:
    if not resources:
        return set()
    reply = identity().FilterAuthorized(identity_pb.FilterAuthorizedRequest(
        user_id=g.principal.user.id, key_mode=g.principal.key_mode, action=action, resources=resources))
    return set(reply.allowed_ids)


def authorized_scope(action: str) -> identity_pb.GetAuthorizedScopeResponse:
    """What `action` allows the caller across a list of accounts or blueprints (for SQL filtering)."""
    return identity().GetAuthorizedScope(identity_pb.GetAuthorizedScopeRequest(
        user_id=g.principal.user.id, key_mode=g.principal.key_mode, action=action))
