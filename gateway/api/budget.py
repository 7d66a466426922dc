"""Budgets: an account's live budget, its latest cost changes and its CSV or XLSX export
(cloudsketch extensions), and Cloudcraft's blueprint budget export
(`GET /api/blueprint/{id}/budget/{csv|xlsx}`)."""
from __future__ import annotations

import json

import grpc
from flask import Response, jsonify, request

from cloudsketch.budget.v1 import budget_pb2 as budget_pb
from cloudsketch.diagram.v1 import diagram_pb2 as diagram_pb
from gateway.api import api
from gateway.api.accounts import authorized_account, clients, stale_headers, stale_since
from gateway.api.blueprints import authorized_blueprint
from gateway.errors import ApiError
from gateway.headers import attachment
from services.common.timeutil import iso

# Cloudcraft's period names and cloudsketch's one-letter codes.
PERIODS = {"hourly": "h", "daily": "d", "weekly": "w", "monthly": "m", "yearly": "y"}


def pricing_args() -> dict:
    period = request.args.get("period", "m")
    return {"currency": request.args.get("currency", "USD")[:8], "period": PERIODS.get(period, period)[:8],
            "rate": request.args.get("rate", "")[:40]}


def still_processing(stage: str):
    return jsonify(code="STILL_PROCESSING", retry=True, stage=stage), 202


def item_json(item: budget_pb.LineItem) -> dict:
    body = {"arn": item.arn, "type": item.type, "region": item.region, "name": item.name, "service": item.service,
            "vpc": item.vpc, "tags": dict(item.tags), "status": item.status, "cost": item.amount or None,
            "basis": item.basis}
    return body


@api.get("/aws/account/<account_id>/budget")
def account_budget(account_id: str):
    account = authorized_account(account_id, "account:read")
    try:
        reply = clients().budget.GetAccountBudget(budget_pb.GetAccountBudgetRequest(
            account_id=account_id, region=request.args.get("region", "")[:32],
            group_by=request.args.get("groupBy", "service")[:200], **pricing_args()))
    except grpc.RpcError as exc:
        if exc.code() != grpc.StatusCode.NOT_FOUND:
            raise
        return still_processing("registering")   # the budget service has not heard of the account yet
    if reply.state != budget_pb.BUDGET_STATE_READY:
        return still_processing("awaiting_scan")
    items = [item_json(item) for item in reply.items]
    return stale_headers(jsonify(
        accountId=account_id, currency=reply.currency, period=reply.period, total=reply.total,
        groupBy=reply.groups[0].dimension if reply.groups else request.args.get("groupBy", "service"),
        groups=[{"key": group.key, "cost": group.amount} for group in reply.groups],
        components=[item for item in items if item["status"] != "unpriced"],
        unpriced=[{"arn": item["arn"], "type": item["type"], "name": item["name"], "reason": item["basis"]}
                  for item in items if item["status"] == "unpriced"],
        priceSource=reply.price_source, pricedAt=iso(reply.priced_at), syncId=reply.last_sync_id,
        staleSince=stale_since(account)), account)


@api.get("/aws/account/<account_id>/budget/changes")
def account_budget_changes(account_id: str):
    account = authorized_account(account_id, "account:read")
    try:
        reply = clients().budget.GetBudgetChanges(budget_pb.GetBudgetChangesRequest(account_id=account_id))
    except grpc.RpcError as exc:
        if exc.code() != grpc.StatusCode.NOT_FOUND:
            raise
        return still_processing("registering")
    if reply.state != budget_pb.BUDGET_STATE_READY:
        return still_processing("awaiting_scan")
    body = dict(accountId=account_id, syncId=reply.sync_id or None,
                changedAt=iso(reply.changed_at) if reply.sync_id else None,
                totalBefore=reply.total_before_usd or None, totalAfter=reply.total_after_usd or None,
                changes=[{"arn": c.arn, "type": c.type, "name": c.name, "before": c.before_usd or None,
                          "after": c.after_usd or None, "delta": c.delta_usd, "reason": c.reason}
                         for c in reply.changes], staleSince=stale_since(account))
    return stale_headers(jsonify(body), account)


def check_format(fmt: str) -> None:
    if fmt not in ("csv", "xlsx"):
        raise ApiError(400, f"budget format {fmt[:20]!r} is not one of csv, xlsx")


def budget_file(content: bytes, content_type: str, name: str, fallback: str, fmt: str) -> Response:
    """The file budget-<name>.<fmt>, `name` made safe (`fallback`, an id, when nothing of it is)."""
    response = Response(content, mimetype=content_type.split(";")[0])
    response.headers["Content-Disposition"] = attachment("budget-", name, fallback, fmt)
    return response


@api.get("/aws/account/<account_id>/budget/<fmt>")
def account_budget_file(account_id: str, fmt: str):
    """The account's live budget as the blueprint export's CSV or XLSX (the same columns)."""
    check_format(fmt)
    account = authorized_account(account_id, "account:read")
    try:
        reply = clients().budget.ExportAccountBudget(budget_pb.ExportAccountBudgetRequest(
            account_id=account_id, region=request.args.get("region", "")[:32], format=fmt, **pricing_args()))
    except grpc.RpcError as exc:
        if exc.code() != grpc.StatusCode.NOT_FOUND:
            raise
        return still_processing("registering")
    if reply.state != budget_pb.BUDGET_STATE_READY:
        return still_processing("awaiting_scan")
    return budget_file(reply.content, reply.content_type, account.name, account_id, fmt)


@api.get("/blueprint/<blueprint_id>/budget/<fmt>")
def blueprint_budget(blueprint_id: str, fmt: str):
    """Cloudcraft's blueprint budget export: nodes of the blueprint's live accounts are priced as
    the account's budget prices them, other nodes from their Cloudcraft fields."""
    check_format(fmt)
    blueprint = authorized_blueprint(blueprint_id, "blueprint:read")
    reply = clients().diagram.GetBlueprint(diagram_pb.GetBlueprintRequest(id=blueprint_id, format="json"))
    document = json.loads(reply.content) if reply.content else {}
    request_ = budget_pb.PriceBlueprintRequest(account_ids=list(blueprint.linked_account_ids), format=fmt,
                                               **pricing_args())
    request_.document.update(document)
    priced = clients().budget.PriceBlueprint(request_)
    return budget_file(priced.content, priced.content_type, blueprint_id, blueprint_id, fmt)
