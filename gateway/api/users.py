"""/api/user (Cloudcraft's /user/me, plus user management), /api/apikey and /api/audit."""
from __future__ import annotations

from typing import cast

from flask import g, jsonify, request

from cloudsketch.identity.v1 import identity_pb2 as identity_pb
from gateway.api import api
from gateway.api.body import field, iso_time, json_body, query_int
from gateway.auth import ROLE_NAMES, ROLE_OF, authorize, identity, principal_cache
from gateway.errors import ApiError, not_found_as
from services.common.timeutil import iso, to_timestamp

MODES = {"r": identity_pb.API_KEY_MODE_READ, "rw": identity_pb.API_KEY_MODE_READ_WRITE}
MODE_OF = {value: name for name, value in MODES.items()}


def user_json(user: identity_pb.User) -> dict:
    return {"id": user.id, "name": user.name, "email": user.email, "role": ROLE_OF[user.role],
            "createdAt": iso(user.created_at), "updatedAt": iso(user.updated_at)}


def api_key_json(key: identity_pb.ApiKey) -> dict:
    return {"id": key.id, "name": key.name, "mode": MODE_OF[key.mode], "prefix": key.prefix, "userId": key.user_id,
            "createdAt": iso(key.created_at), "lastUsedAt": iso(key.last_used_at),
            "expiresAt": iso(key.expires_at), "revokedAt": iso(key.revoked_at)}


def role_field(body: dict, required: bool) -> identity_pb.Role | None:
    name = field(body, "role", str, required=required)
    if name is None:
        return None
    if name not in ROLE_NAMES:
        raise ApiError(400, "field 'role' must be one of: " + ", ".join(ROLE_NAMES))
    return cast("identity_pb.Role", ROLE_NAMES[name])


def target_user(user_id: str, action: str) -> identity_pb.User:
    with not_found_as(404, "no such user"):
        user = identity().GetUser(identity_pb.GetUserRequest(id=user_id)).user
    authorize(action, identity_pb.ResourceRef(kind="user", id=user.id, owner_id=user.id, role=user.role))
    return user


@api.get("/user/me")
def me():
    user = g.principal.user
    return jsonify({**user_json(user), "settings": {}, "teams": list(g.principal.team_ids)})


@api.get("/user")
def list_users():
    authorize("user:read")
    return jsonify(users=[user_json(u) for u in identity().ListUsers(identity_pb.ListUsersRequest()).users])


@api.post("/user")
def create_user():
    authorize("user:create")
    body = json_body()
    role = role_field(body, required=True)
    if role == identity_pb.ROLE_OWNER:
        authorize("user:manage_owner")
    user = identity().CreateUser(identity_pb.CreateUserRequest(
        email=field(body, "email", str), name=field(body, "name", str), role=role,
        password=field(body, "password", str, required=False, default=""), actor_id=g.principal.user.id)).user
    return jsonify(user_json(user)), 201


@api.put("/user/<user_id>")
def update_user(user_id: str):
    target = target_user(user_id, "user:update")  # an Owner target also takes user:manage_owner
    body = json_body()
    update = identity_pb.UpdateUserRequest(id=user_id, actor_id=g.principal.user.id)
    if (name := field(body, "name", str, required=False)) is not None:
        update.name = name
    if (role := role_field(body, required=False)) is not None:
        if role == identity_pb.ROLE_OWNER and target.role != role:  # granting the Owner role
            authorize("user:manage_owner")
        update.role = role
    user = identity().UpdateUser(update).user
    principal_cache().clear()  # the user's role may have changed
    return jsonify(user_json(user))


@api.delete("/user/<user_id>")
def delete_user(user_id: str):
    target_user(user_id, "user:delete")  # an Owner target also takes user:manage_owner (permissions.py)
    identity().DeleteUser(identity_pb.DeleteUserRequest(id=user_id, actor_id=g.principal.user.id))
    principal_cache().clear()
    return "", 204


@api.get("/apikey")
def list_api_keys():
    user_id = request.args.get("userId", g.principal.user.id)
    authorize("apikey:read", identity_pb.ResourceRef(kind="apikey", owner_id=user_id))
    keys = identity().ListApiKeys(identity_pb.ListApiKeysRequest(user_id=user_id)).api_keys
    return jsonify(apiKeys=[api_key_json(k) for k in keys])


@api.post("/apikey")
def create_api_key():
    body = json_body()
    mode_name = field(body, "mode", str)
    if mode_name not in MODES:
        raise ApiError(400, "field 'mode' must be 'r' (read) or 'rw' (read-write)")
    mine = identity_pb.ResourceRef(kind="apikey", owner_id=g.principal.user.id)
    authorize("apikey:create_read_write" if mode_name == "rw" else "apikey:create", mine)
    create = identity_pb.CreateApiKeyRequest(user_id=g.principal.user.id, name=field(body, "name", str, False, ""),
                                             mode=MODES[mode_name], actor_id=g.principal.user.id)
    if (expires := field(body, "expiresAt", str, required=False)) is not None:
        create.expires_at.CopyFrom(to_timestamp(iso_time(expires, "expiresAt")))
    reply = identity().CreateApiKey(create)
    # The secret is in this answer only: it is stored hashed.
    return jsonify({**api_key_json(reply.api_key), "key": reply.secret}), 201


@api.delete("/apikey/<key_id>")
def revoke_api_key(key_id: str):
    with not_found_as(404, "no such apikey"):
        key = identity().GetApiKey(identity_pb.GetApiKeyRequest(id=key_id)).api_key
    authorize("apikey:revoke", identity_pb.ResourceRef(kind="apikey", id=key.id, owner_id=key.user_id))
    identity().RevokeApiKey(identity_pb.RevokeApiKeyRequest(id=key_id, actor_id=g.principal.user.id))
    principal_cache().clear()  # the key stops working now, not when the cache expires
    return "", 204


@api.get("/audit")
def audit_log():
    authorize("audit:read")
    limit = query_int("limit", 100, 1, 1000)
    events = identity().ListAuditEvents(identity_pb.ListAuditEventsRequest(
        limit=limit, before_id=request.args.get("before", ""))).events
    return jsonify(events=[{"id": e.id, "occurredAt": iso(e.occurred_at), "actorId": e.actor_id,
                            "actorEmail": e.actor_email, "action": e.action, "targetKind": e.target_kind,
                            "targetId": e.target_id, "detail": e.detail} for e in events])
