"""/api/blueprint: saved blueprints (Cloudcraft's shape), their exports, versions and diffs.

A blueprint is authorised with identity's blueprint:* actions; one linked to live accounts also
needs account:read on each of them (it shows what they contain)."""
from __future__ import annotations

import json
from typing import Any

from flask import Response, g, jsonify, request
from google.protobuf import json_format, struct_pb2

from cloudsketch.accounts.v1 import accounts_pb2 as accounts_pb
from cloudsketch.diagram.v1 import diagram_pb2 as diagram_pb
from cloudsketch.identity.v1 import identity_pb2 as identity_pb
from gateway.api import api
from gateway.api.accounts import account_ref, authorized_account, checked_team_ids, clients
from gateway.api.body import field, json_body
from gateway.auth import authorize, filter_authorized
from gateway.errors import not_found_as
from services.common.timeutil import iso


def blueprint_ref(blueprint: diagram_pb.SavedBlueprint) -> identity_pb.ResourceRef:
    return identity_pb.ResourceRef(kind="blueprint", id=blueprint.id, owner_id=blueprint.owner_id,
                                   read_team_ids=blueprint.read_access, write_team_ids=blueprint.write_access)


def blueprint_json(blueprint: diagram_pb.SavedBlueprint, data: dict | None = None) -> dict:
    body: dict[str, Any] = {"id": blueprint.id, "name": blueprint.name, "ownerId": blueprint.owner_id,
            "readAccess": list(blueprint.read_access), "writeAccess": list(blueprint.write_access),
            "createdAt": iso(blueprint.created_at), "updatedAt": iso(blueprint.updated_at)}
    if blueprint.linked_account_ids:
        body.update(linkedAccounts=list(blueprint.linked_account_ids), region=blueprint.region)
    if data is not None:
        body["data"] = data
    return body


def authorized_blueprint(blueprint_id: str, action: str) -> diagram_pb.SavedBlueprint:
    """The blueprint's record, if the caller may do `action` on it (and read its live accounts)."""
    with not_found_as(404, "no such blueprint"):
        blueprint = clients().diagram.GetBlueprint(diagram_pb.GetBlueprintRequest(id=blueprint_id)).blueprint
    authorize(action, blueprint_ref(blueprint))
    for account_id in blueprint.linked_account_ids:
        authorized_account(account_id, "account:read")
    return blueprint


def with_etag(response: Response, blueprint: diagram_pb.SavedBlueprint) -> Response:
    response.headers["ETag"] = blueprint.etag
    return response


def _struct(document: dict) -> struct_pb2.Struct:
    data = struct_pb2.Struct()
    data.update(document)
    return data


@api.get("/blueprint")
def list_blueprints():
    blueprints = clients().diagram.ListBlueprints(diagram_pb.ListBlueprintsRequest()).blueprints
    readable = filter_authorized("blueprint:read", [blueprint_ref(b) for b in blueprints])
    blueprints = [b for b in blueprints if b.id in readable]
    if any(b.linked_account_ids for b in blueprints):
        # A linked blueprint shows its accounts: listed only for those who may read every one.
        accounts = clients().accounts.ListAccounts(accounts_pb.ListAccountsRequest()).accounts
        readable_accounts = filter_authorized("account:read", [account_ref(a) for a in accounts])
        blueprints = [b for b in blueprints if set(b.linked_account_ids) <= readable_accounts]
    return jsonify(blueprints=[blueprint_json(b) for b in blueprints])


@api.post("/blueprint")
def create_blueprint():
    authorize("blueprint:create")
    body = json_body()
    data = field(body, "data", dict, required=False, default={})
    linked = field(body, "linkedAccounts", list, required=False, default=[])
    for account_id in linked:
        authorized_account(account_id, "account:read")
    reply = clients().diagram.CreateBlueprint(diagram_pb.CreateBlueprintRequest(
        name=field(body, "name", str, required=False, default=""), data=_struct(data), owner_id=g.principal.user.id,
        read_access=checked_team_ids(body, "readAccess") or [],
        write_access=checked_team_ids(body, "writeAccess") or [],
        linked_account_ids=linked, region=field(body, "region", str, required=False, default="")))
    blueprint = reply.blueprint
    response = jsonify(blueprint_json(blueprint, json_format.MessageToDict(blueprint.data)))
    response.status_code = 201
    return with_etag(response, blueprint)


@api.get("/blueprint/<blueprint_id>")
def read_blueprint(blueprint_id: str):
    blueprint = authorized_blueprint(blueprint_id, "blueprint:read")
    if blueprint.linked_account_ids:
        return export_blueprint(blueprint_id, "json")
    return with_etag(jsonify(blueprint_json(blueprint, json_format.MessageToDict(blueprint.data))), blueprint)


@api.put("/blueprint/<blueprint_id>")
def update_blueprint(blueprint_id: str):
    authorized_blueprint(blueprint_id, "blueprint:update")
    body = json_body()
    update = diagram_pb.UpdateBlueprintRequest(id=blueprint_id, if_match=request.headers.get("If-Match", ""))
    if "data" in body:
        update.data.CopyFrom(_struct(field(body, "data", dict)))
    if "name" in body:
        update.name = field(body, "name", str)
    for name, flag, target in (("readAccess", "set_read_access", update.read_access),
                               ("writeAccess", "set_write_access", update.write_access)):
        team_ids = checked_team_ids(body, name)
        if team_ids is not None:
            setattr(update, flag, True)
            target.extend(team_ids)
    blueprint = clients().diagram.UpdateBlueprint(update).blueprint   # a stale If-Match: ABORTED, 412
    return with_etag(Response(status=204), blueprint)


@api.delete("/blueprint/<blueprint_id>")
def delete_blueprint(blueprint_id: str):
    authorized_blueprint(blueprint_id, "blueprint:delete")
    clients().diagram.DeleteBlueprint(diagram_pb.DeleteBlueprintRequest(id=blueprint_id))
    return "", 204


@api.get("/blueprint/<blueprint_id>/<fmt>")
def export_blueprint(blueprint_id: str, fmt: str):
    authorized_blueprint(blueprint_id, "blueprint:read")
    reply = clients().diagram.GetBlueprint(diagram_pb.GetBlueprintRequest(
        id=blueprint_id, format=fmt, options=request.args.to_dict()))
    if reply.content_type != "application/json":
        return with_etag(Response(reply.content, mimetype=reply.content_type), reply.blueprint)
    return with_etag(jsonify(blueprint_json(reply.blueprint, json.loads(reply.content))), reply.blueprint)


@api.get("/blueprint/<blueprint_id>/versions")
def blueprint_versions(blueprint_id: str):
    authorized_blueprint(blueprint_id, "blueprint:read")
    reply = clients().diagram.ListBlueprintVersions(diagram_pb.ListBlueprintVersionsRequest(id=blueprint_id))
    return jsonify(versions=[{"version": v.version, "name": v.name, "reason": v.reason,
                              "createdAt": iso(v.created_at)} for v in reply.versions])


@api.get("/blueprint/<blueprint_id>/versions/<int:from_version>/diff/<int:to_version>")
def blueprint_diff(blueprint_id: str, from_version: int, to_version: int):
    authorized_blueprint(blueprint_id, "blueprint:read")
    reply = clients().diagram.DiffBlueprintVersions(diagram_pb.DiffBlueprintVersionsRequest(
        id=blueprint_id, from_version=from_version, to_version=to_version))
    return jsonify(fromVersion=from_version, toVersion=to_version, diff=json_format.MessageToDict(reply.diff))
