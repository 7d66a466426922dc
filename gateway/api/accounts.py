"""/api/aws/account: the AWS account registry and each account's live diagram."""
from __future__ import annotations

import grpc
from flask import current_app, g, jsonify, request

from cloudsketch.accounts.v1 import accounts_pb2 as accounts_pb
from cloudsketch.diagram.v1 import diagram_pb2 as diagram_pb
from gateway.api import api
from gateway.auth import require_account_manager
from gateway.errors import ApiError
from google.protobuf import json_format
from services.common.timeutil import iso

VERIFICATION = {accounts_pb.VERIFICATION_STATE_PENDING: "pending",
                accounts_pb.VERIFICATION_STATE_VERIFIED: "verified",
                accounts_pb.VERIFICATION_STATE_FAILED: "failed"}
# Formats of GET /api/aws/account/{id}/{region}/{format} served so far; the diagram issue adds
# svg, png, pdf and mxGraph.
DIAGRAM_FORMATS = {"json"}


def clients():
    return current_app.extensions["clients"]


def account_json(account: accounts_pb.Account) -> dict:
    return {
        "id": account.id, "name": account.name, "roleArn": account.role_arn, "externalId": account.external_id,
        "awsAccountId": account.aws_account_id, "regions": list(account.regions),
        "readAccess": list(account.read_access), "writeAccess": list(account.write_access),
        "creatorId": account.creator_id, "source": account.source,
        "createdAt": iso(account.created_at), "updatedAt": iso(account.updated_at),
        "verification": {"state": VERIFICATION.get(account.verification_state, "pending"),
                         "message": account.verification_message, "verifiedAt": iso(account.verified_at)},
    }


def json_body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "the request body must be a JSON object")
    return body


def string_field(body: dict, name: str, required: bool = True, default: str = "") -> str:
    value = body.get(name, None)
    if value is None:
        if required:
            raise ApiError(400, f"missing field {name!r}")
        return default
    if not isinstance(value, str):
        raise ApiError(400, f"field {name!r} must be a string")
    return value


@api.get("/aws/account")
def list_accounts():
    reply = clients().accounts.ListAccounts(accounts_pb.ListAccountsRequest())
    return jsonify(accounts=[account_json(a) for a in reply.accounts])


@api.post("/aws/account")
def create_account():
    require_account_manager()
    body = json_body()
    regions = body.get("regions", [])
    if not isinstance(regions, list) or not all(isinstance(r, str) for r in regions):
        raise ApiError(400, "field 'regions' must be a list of region codes")
    reply = clients().accounts.CreateAccount(accounts_pb.CreateAccountRequest(
        name=string_field(body, "name"), role_arn=string_field(body, "roleArn"),
        region=string_field(body, "region", required=False, default="us-east-1"),
        creator_id=g.principal.user.id, regions=regions))
    return jsonify(account_json(reply.account)), 201


@api.delete("/aws/account/<account_id>")
def delete_account(account_id: str):
    require_account_manager()
    clients().accounts.DeleteAccount(accounts_pb.DeleteAccountRequest(id=account_id))
    return "", 204


@api.get("/aws/account/<account_id>/<region>/<fmt>")
def account_diagram(account_id: str, region: str, fmt: str):
    clients().accounts.GetAccount(accounts_pb.GetAccountRequest(id=account_id))  # 404 for unknown ids
    if fmt not in DIAGRAM_FORMATS:
        raise ApiError(400, f"unsupported format {fmt[:20]!r}; supported: {', '.join(sorted(DIAGRAM_FORMATS))}")
    try:
        reply = clients().diagram.GetAccountBlueprint(
            diagram_pb.GetAccountBlueprintRequest(account_id=account_id, region=region))
    except grpc.RpcError as exc:
        if exc.code() != grpc.StatusCode.NOT_FOUND:
            raise
        # The account exists but the diagram service has not heard of it yet.
        return jsonify(code="STILL_PROCESSING", retry=True, stage="registering"), 202
    if reply.state == diagram_pb.BLUEPRINT_STATE_AWAITING_SCAN:
        return jsonify(code="STILL_PROCESSING", retry=True, stage="awaiting_scan"), 202
    blueprint = reply.blueprint
    return jsonify(id=blueprint.id, name=blueprint.name, data=json_format.MessageToDict(blueprint.data),
                   createdAt=iso(blueprint.created_at), updatedAt=iso(blueprint.updated_at))
