"""/api/user/me in Cloudcraft's shape."""
from flask import g, jsonify

from cloudsketch.identity.v1 import identity_pb2 as identity_pb
from gateway.api import api
from services.common.timeutil import iso

ROLE_NAMES = {identity_pb.ROLE_OWNER: "owner", identity_pb.ROLE_ADMINISTRATOR: "administrator",
              identity_pb.ROLE_USER: "user", identity_pb.ROLE_VIEWER: "viewer"}


@api.get("/user/me")
def me():
    user = g.principal.user
    return jsonify(id=user.id, name=user.name, email=user.email, role=ROLE_NAMES[user.role], settings={},
                   createdAt=iso(user.created_at), updatedAt=iso(user.updated_at))
