"""/api/aws/account: the AWS account registry and each account's live diagram."""
from __future__ import annotations

import json

import grpc
from flask import Response, current_app, g, jsonify, request
from google.protobuf import json_format

from cloudsketch.accounts.v1 import accounts_pb2 as accounts_pb
from cloudsketch.diagram.v1 import diagram_pb2 as diagram_pb
from cloudsketch.identity.v1 import identity_pb2 as identity_pb
from gateway.api import api
from gateway.api.body import field, json_body
from gateway.auth import authorize, authorized_scope
from gateway.errors import ApiError, not_found_as
from services.common.timeutil import iso

VERIFICATION = {accounts_pb.VERIFICATION_STATE_PENDING: "pending",
                accounts_pb.VERIFICATION_STATE_VERIFIED: "verified",
                accounts_pb.VERIFICATION_STATE_FAILED: "failed"}
# Verifying every member of a large organisation takes a while (8 at a time, ~1 s each).
ORGANIZATION_TIMEOUT_SECONDS = 600
MAX_PAGE = 1000        # accounts in one page of GET /aws/account?limit=...


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


def account_ref(account: accounts_pb.Account) -> identity_pb.ResourceRef:
    return identity_pb.ResourceRef(kind="account", id=account.id, owner_id=account.creator_id,
                                   read_team_ids=account.read_access, write_team_ids=account.write_access)


def authorized_account(account_id: str, action: str) -> accounts_pb.Account:
    """The account, if the caller may do `action` on it (404 when they may not know it exists)."""
    with not_found_as(404, "no such account"):
        account = clients().accounts.GetAccount(accounts_pb.GetAccountRequest(id=account_id)).account
    authorize(action, account_ref(account))
    return account


def checked_team_ids(body: dict, name: str) -> list[str] | None:
    team_ids = field(body, name, list, required=False)
    if team_ids is None:
        return None
    for team_id in set(team_ids):
        with not_found_as(400, f"{name}: no team with id {team_id[:60]!r}"):
            clients().identity.GetTeam(identity_pb.GetTeamRequest(id=team_id))
    return team_ids


@api.get("/aws/account/iamParameters")
def iam_parameters():
    """Cloudcraft's onboarding parameters: the account to trust, the External ID, a console link."""
    authorize("account:create")
    reply = clients().accounts.GetIamParameters(accounts_pb.GetIamParametersRequest())
    return jsonify(accountId=reply.account_id, externalId=reply.external_id, awsConsoleUrl=reply.aws_console_url)


def account_scope(scope: identity_pb.GetAuthorizedScopeResponse) -> accounts_pb.AccountScope:
    """The accounts service's filter for a SHARED or OWN scope of the caller."""
    return accounts_pb.AccountScope(
        creator_id=g.principal.user.id, write_only=scope.scope == identity_pb.SCOPE_SHARED_WRITE,
        team_ids=[] if scope.scope == identity_pb.SCOPE_OWN else scope.team_ids)


@api.get("/aws/account")
def list_accounts():
    """Cloudcraft's `{"accounts": [...]}`, filtered and paged by the accounts service in SQL. Paging
    is an extension: `limit` (1 to 1,000) gives a page and `nextCursor`, which `cursor` takes."""
    search = request.args.get("search", "")[:200]
    limit = request.args.get("limit", "")
    if limit and (not (limit.isascii() and limit.isdigit()) or not 1 <= int(limit) <= MAX_PAGE):
        raise ApiError(400, f"limit must be a whole number from 1 to {MAX_PAGE}")
    cursor = request.args.get("cursor", "")[:1000]
    scope = authorized_scope("account:read")
    if scope.scope in (identity_pb.SCOPE_NONE, identity_pb.SCOPE_UNSPECIFIED):
        return jsonify(accounts=[])
    listing = accounts_pb.ListAccountsRequest(search=search, limit=int(limit or 0), cursor=cursor)
    if scope.scope != identity_pb.SCOPE_ALL:
        listing.visible_to.CopyFrom(account_scope(scope))
    reply = clients().accounts.ListAccounts(listing)
    body: dict = {"accounts": [account_json(a) for a in reply.accounts]}
    if reply.next_cursor:
        body["nextCursor"] = reply.next_cursor
    return jsonify(body)


@api.post("/aws/account")
def create_account():
    authorize("account:create")
    body = json_body()
    reply = clients().accounts.CreateAccount(accounts_pb.CreateAccountRequest(
        name=field(body, "name", str), role_arn=field(body, "roleArn", str),
        region=field(body, "region", str, required=False, default=""),
        creator_id=g.principal.user.id, regions=field(body, "regions", list, required=False, default=[])))
    return jsonify(account_json(reply.account)), 201


@api.post("/aws/organization")
def onboard_organization():
    """Connect every member account of an AWS Organization whose member role verifies."""
    authorize("account:create")
    body = json_body()
    reply = clients().accounts.OnboardOrganization(accounts_pb.OnboardOrganizationRequest(
        role_arn=field(body, "roleArn", str),
        member_role_name=field(body, "memberRoleName", str, required=False, default=""),
        region=field(body, "region", str, required=False, default=""), creator_id=g.principal.user.id),
        timeout=ORGANIZATION_TIMEOUT_SECONDS)
    return jsonify(onboarded=[account_json(a) for a in reply.onboarded],
                   failed=[{"awsAccountId": f.aws_account_id, "name": f.name, "error": f.reason} for f in reply.failed],
                   alreadyConnected=list(reply.already_connected))


@api.put("/aws/account/<account_id>")
def update_account(account_id: str):
    authorized_account(account_id, "account:update")
    body = json_body()
    update = accounts_pb.UpdateAccountRequest(id=account_id, actor_id=g.principal.user.id)
    if (name := field(body, "name", str, required=False)) is not None:
        update.name = name
    if (role_arn := field(body, "roleArn", str, required=False)) is not None:
        update.role_arn = role_arn
        update.region = field(body, "region", str, required=False, default="")
    if (read_access := checked_team_ids(body, "readAccess")) is not None:
        update.read_access.ids.extend(read_access)
    if (write_access := checked_team_ids(body, "writeAccess")) is not None:
        update.write_access.ids.extend(write_access)
    return jsonify(account_json(clients().accounts.UpdateAccount(update).account))


@api.delete("/aws/account/<account_id>")
def delete_account(account_id: str):
    authorized_account(account_id, "account:delete")
    clients().accounts.DeleteAccount(accounts_pb.DeleteAccountRequest(id=account_id, actor_id=g.principal.user.id))
    return "", 204


@api.get("/aws/account/<account_id>/<region>/<fmt>")
def account_diagram(account_id: str, region: str, fmt: str):
    authorized_account(account_id, "account:read")
    try:
        # The format and the export options are diagram-api's to parse (400 with its message).
        reply = clients().diagram.GetAccountBlueprint(diagram_pb.GetAccountBlueprintRequest(
            account_id=account_id, region=region, format=fmt, options=request.args.to_dict()))
    except grpc.RpcError as exc:
        if exc.code() != grpc.StatusCode.NOT_FOUND:
            raise
        # The account exists but the diagram service has not heard of it yet.
        return jsonify(code="STILL_PROCESSING", retry=True, stage="registering"), 202
    if reply.state == diagram_pb.BLUEPRINT_STATE_AWAITING_SCAN:
        return jsonify(code="STILL_PROCESSING", retry=True, stage="awaiting_scan"), 202
    blueprint = reply.blueprint
    if reply.content_type != "application/json":
        return Response(reply.content, mimetype=reply.content_type)
    return jsonify(id=blueprint.id, name=blueprint.name, data=json.loads(reply.content),
                   createdAt=iso(blueprint.created_at), updatedAt=iso(blueprint.updated_at))


@api.get("/aws/account/<account_id>/versions")
def account_versions(account_id: str):
    authorized_account(account_id, "account:read")
    reply = clients().diagram.ListAccountVersions(diagram_pb.ListAccountVersionsRequest(account_id=account_id))
    return jsonify(versions=[{"version": v.version, "syncId": v.sync_id, "reason": v.reason,
                              "createdAt": iso(v.created_at)} for v in reply.versions])


@api.get("/aws/account/<account_id>/versions/<int:from_version>/diff/<int:to_version>")
def account_versions_diff(account_id: str, from_version: int, to_version: int):
    authorized_account(account_id, "account:read")
    reply = clients().diagram.DiffAccountVersions(diagram_pb.DiffAccountVersionsRequest(
        account_id=account_id, from_version=from_version, to_version=to_version))
    return jsonify(fromVersion=from_version, toVersion=to_version, diff=json_format.MessageToDict(reply.diff))


@api.get("/aws/account/<account_id>/versions/<int:from_version>/diff/<int:to_version>/<fmt>")
def account_versions_diff_rendered(account_id: str, from_version: int, to_version: int, fmt: str):
    """The "what changed" overlay of two versions, rendered (svg, png, pdf, mxGraph or json)."""
    authorized_account(account_id, "account:read")
    # The format and the export options are diagram-api's to parse (400 with its message).
    reply = clients().diagram.DiffAccountVersions(diagram_pb.DiffAccountVersionsRequest(
        account_id=account_id, from_version=from_version, to_version=to_version, format=fmt,
        options=request.args.to_dict()))
    if reply.content_type == "application/json":
        return jsonify(fromVersion=from_version, toVersion=to_version, data=json.loads(reply.content))
    return Response(reply.content, mimetype=reply.content_type)
