"""Account health: what an account's access state says, and what to do about it.

Pure functions from a verification's outcome (services/accounts/verification.py) or a sync's
denials (reported by the collector) to the columns the registry keeps: state, a one-line
reason, AWS's error code, the fix for people and the policy document it asks for. Which IAM
actions a role lacks comes from the collector (its declarations name the actions of whatever was
denied); the fix's policy scopes them as the minimal policy would (services/accounts/onboarding.py).
docs/accounts.md ("Account health") describes the states and the fixes.
"""
from __future__ import annotations

import json

from cloudsketch.accounts.v1 import accounts_pb2 as pb
from services.accounts.onboarding import Onboarding, RequiredPermissions
from services.accounts.verification import VerificationFailed

STATES = {"verified": pb.ACCESS_STATE_VERIFIED, "limited": pb.ACCESS_STATE_LIMITED, "lost": pb.ACCESS_STATE_LOST}
# Verification failures that say nothing about the role: the state stays as it was.
TRANSIENT = frozenset({"throttled", "unreachable"})
RECHECK = "then re-check the account (Re-check now in the account list, or POST /api/aws/account/{id}/verify)"
MAX_REGIONS_NAMED = 3


def _document(value: dict) -> str:
    return json.dumps(value, indent=2)


def _regions(regions: list[str]) -> str:
    named = ["global services" if not r else r for r in regions]
    if len(named) > MAX_REGIONS_NAMED:
        return f"{len(named)} regions"
    return ", ".join(named)


def lost(failure: VerificationFailed, onboarding: Onboarding, account: pb.Account) -> dict:
    """The columns of an account whose role cannot be used, from why verification failed."""
    role_name, aws_account_id = account.role_arn.rsplit("/", 1)[-1], account.aws_account_id
    trust = _document(onboarding.trust_policy())
    recheck = RECHECK.replace("{id}", account.id)
    code = failure.code
    if failure.kind == "role_missing":
        reason = f"the role {role_name} no longer exists in AWS account {aws_account_id}"
        fix = (f"Create the role {role_name} again in AWS account {aws_account_id} with the trust policy below and "
               "a read-only policy (the onboarding CloudFormation template or Terraform creates both), " + recheck)
        document = trust
    elif failure.kind == "no_external_id":
        reason = "the role's trust policy no longer requires this installation's External ID"
        fix = ("Put the sts:ExternalId condition back into the role's trust policy (the trust policy below): without "
               "it anyone who learns the role's ARN could have another service assume it. cloudsketch stops "
               "using the role until then; " + recheck)
        document = trust
    elif failure.kind == "assume_denied":
        reason = f"AWS refused sts:AssumeRole on {role_name} ({code or 'error'})"
        fix = (f"Check that the role {role_name} exists in AWS account {aws_account_id} and that its trust policy "
               f"lets AWS account {onboarding.trusted_account_id} assume it with this installation's External ID "
               "(the trust policy below); a service control policy may also deny sts:AssumeRole. " +
               recheck[0].upper() + recheck[1:])
        document = trust
    elif failure.kind == "trust_unreadable":
        reason = f"the role may not read its own trust policy (iam:GetRole, {code or 'denied'})"
        fix = ("Allow iam:GetRole on the role itself (the statement below), so that cloudsketch can check that it "
               "still requires the External ID; " + recheck)
        document = _document({"Version": "2012-10-17", "Statement": [{
            "Sid": "ReadOwnTrustPolicy", "Effect": "Allow", "Action": "iam:GetRole",
            "Resource": f"arn:{onboarding.partition}:iam::{aws_account_id}:role/{role_name}"}]})
    elif failure.kind == "wrong_account":
        reason = str(failure)
        fix = "Edit the account and give the role ARN of a role in the AWS account you mean."
        document = ""
    else:   # a disabled STS region, or anything else AWS refused
        reason = str(failure).split(": ", 1)[0] if failure.kind == "region" else str(failure)
        fix = str(failure)
        document = ""
    return dict(access_state="lost", access_reason=_one_line(reason), access_error_code=code[:100],
                access_fix=fix, access_fix_document=document)


def from_denied(denied: list[dict], onboarding: Onboarding | None, account_id: str) -> dict:
    """The columns of an account whose role works: limited when a sync was denied something
    (`denied`: [{service, regions, actions, error_code, what}]), verified otherwise. Without
    `onboarding` (the collector's permissions were unavailable) the fix names the actions only."""
    if not denied:
        return dict(access_state="verified", access_reason="", access_error_code="", access_fix="",
                    access_fix_document="", access_denied=[])
    parts = [f"{d['service']} in {_regions(d['regions'])}" for d in denied]
    reason = f"denied {', '.join(parts)}"
    actions = sorted({a for d in denied for a in d["actions"]})
    document = ""
    if onboarding is not None and actions:
        scopes = onboarding.permissions.scopes
        needed = RequiredPermissions({a: scopes[a] for a in actions if a in scopes},
                                     tuple(sorted({a.split(":", 1)[0] for a in actions})))
        if needed.scopes:
            missing = Onboarding(onboarding.trusted_account_id, onboarding.external_id, needed,
                                 onboarding.role_name, onboarding.partition)
            document = _document(missing.minimal_policy())
    if actions:
        fix = (f"Allow {', '.join(actions[:6])}{' and more' if len(actions) > 6 else ''} in the role's policy "
               + ("(add the statements below as an inline policy)" if document else "(the minimal policy lists them)")
               + ", or lift the service control policy that denies them; " + RECHECK.replace("{id}", account_id))
    else:
        fix = "Allow the denied services in the role's policy; " + RECHECK.replace("{id}", account_id)
    return dict(access_state="limited", access_reason=_one_line(reason), access_error_code=denied[0]["error_code"],
                access_fix=fix, access_fix_document=document, access_denied=denied)


def _one_line(text: str, limit: int = 300) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[:limit - 1] + "…"


def denied_rows(denied: list[pb.DeniedAccess]) -> list[dict]:
    """The collector's report as stored (JSON), services and regions in a stable order."""
    rows = [{"service": d.service, "regions": sorted(set(d.regions)), "actions": sorted(set(d.actions)),
             "error_code": d.error_code, "what": d.what} for d in denied]
    return sorted(rows, key=lambda d: (d["service"], d["what"]))


def denied_messages(rows: list[dict]) -> list[pb.DeniedAccess]:
    return [pb.DeniedAccess(service=d["service"], regions=d["regions"], actions=d["actions"],
                            error_code=d["error_code"], what=d.get("what", "")) for d in rows]
