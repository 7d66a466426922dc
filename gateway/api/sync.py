"""/api/aws/account/{id}/sync: cloudsketch's extension for sync control, in Cloudcraft's style.

POST asks for a sync now (202: it runs in the background; poll GET for its progress). A request
while another sync of the account is still queued returns that sync instead of queueing a second.
"""
from __future__ import annotations

from flask import jsonify, request

from cloudsketch.collector.v1 import collector_pb2 as collector_pb
from gateway.api import api
from gateway.api.accounts import authorized_account, clients
from gateway.api.body import field, json_body
from gateway.errors import ApiError, not_found_as
from services.common.timeutil import iso

STATES = {collector_pb.SYNC_STATE_QUEUED: "queued", collector_pb.SYNC_STATE_RUNNING: "running",
          collector_pb.SYNC_STATE_FINISHED: "finished", collector_pb.SYNC_STATE_FAILED: "failed"}
GAP_REASONS = {1: "accessDenied", 2: "regionDisabled", 3: "throttled", 4: "error"}


def sync_json(status: collector_pb.SyncStatus) -> dict:
    counts = status.counts
    return {
        "syncId": status.sync_id, "state": STATES.get(status.state, "queued"),
        "requestedAt": iso(status.requested_at), "startedAt": iso(status.started_at),
        "finishedAt": iso(status.finished_at), "message": status.message,
        "counts": {"resources": counts.resources, "added": counts.added, "changed": counts.changed,
                   "removed": counts.removed, "apiCalls": counts.api_calls,
                   "durationSeconds": counts.duration_seconds},
        # "Limited access", as Cloudcraft shows it: what the role could not see, and why.
        "gaps": [{"region": gap.region, "service": gap.service, "reason": GAP_REASONS.get(gap.reason, "error"),
                  "message": gap.message, "regions": list(gap.regions) or [gap.region], "errorCode": gap.error_code}
                 for gap in status.gaps],
        "skippedRegions": list(status.skipped_regions),
    }


@api.post("/aws/account/<account_id>/sync")
def request_sync(account_id: str):
    account = authorized_account(account_id, "account:scan")
    regions = field(json_body(), "regions", list, required=False, default=[]) if request.content_length else []
    unknown = sorted(set(regions) - set(account.regions)) if account.regions else []
    if unknown:
        raise ApiError(400, f"regions not configured for this account: {', '.join(r[:30] for r in unknown[:5])}")
    reply = clients().collector.RequestSync(collector_pb.RequestSyncRequest(account_id=account_id, regions=regions))
    return jsonify(syncId=reply.sync_id, state="queued", queuedNew=reply.queued_new), 202


@api.get("/aws/account/<account_id>/sync")
def sync_status(account_id: str):
    authorized_account(account_id, "account:read")
    with not_found_as(404, "this account has not been synced yet"):
        reply = clients().collector.GetSyncStatus(collector_pb.GetSyncStatusRequest(account_id=account_id))
    return jsonify(sync_json(reply.status))
