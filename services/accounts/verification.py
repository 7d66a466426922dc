"""Verifying a cross-account role before cloudsketch trusts it.

1. Assume the role with this installation's External ID, in the region the caller chose
   (regional STS, so an SCP that blocks a region shows up as such).
2. GetCallerIdentity with the assumed credentials must name the account the ARN names.
3. Read the role's trust policy (iam:GetRole) and refuse a role that does not require this
   External ID: AWS itself would enforce it, but a trust policy without the condition would let
   any other customer of any deputy that learns the ARN use the role (the confused deputy), and
   moto, which the demo and the tests use, does not evaluate trust policies at all.
4. Warn (not refuse) when the role's policies allow more than reading.

Every failure raises VerificationFailed with a message that says what to fix; no message holds
the External ID or credentials.
"""
from __future__ import annotations

import json
import logging
import re
from urllib.parse import unquote

from botocore.exceptions import BotoCoreError, ClientError

from services.common import aws, config
from services.common.errors import FailedPrecondition, InvalidArgument

log = logging.getLogger(__name__)

# Actions a read-only role may allow; anything else counts as write access.
READ_ONLY_ACTION = re.compile(r"^[a-z0-9-]+:(Get|List|Describe|Search|Lookup|Scan|Query|Select|BatchGet|View|"
                              r"Check|Validate|Preview|Estimate|Test|Verify|Read)[A-Za-z0-9*]*$|"
                              r"^[a-z0-9-]+:(Get|List|Describe)\*$",
                              re.IGNORECASE)  # API Gateway's read action is apigateway:GET
WRITE_POLICIES = {"AdministratorAccess", "PowerUserAccess", "IAMFullAccess"}


class VerificationFailed(InvalidArgument):
    """The role cannot be used; the message says why and what to do. `kind` names the cause for
    account health (services/accounts/health.py: TRANSIENT kinds change no state), `code` is
    AWS's error code behind it."""

    def __init__(self, message: str, kind: str = "other", code: str = ""):
        super().__init__(message)
        self.kind = kind
        self.code = code


def _error_code(exc: ClientError) -> str:
    return exc.response.get("Error", {}).get("Code", "")


def _statements(document) -> list[dict]:
    if isinstance(document, str):
        try:
            document = json.loads(unquote(document))
        except ValueError:  # not a policy document we can read: nothing to go on
            log.info("unreadable policy document")
            return []
    statements = document.get("Statement", [])
    return [statements] if isinstance(statements, dict) else list(statements)


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def requires_external_id(trust_policy, external_id: str) -> bool:
    """True when every statement that lets someone assume the role demands this External ID."""
    allowing = [s for s in _statements(trust_policy) if s.get("Effect") == "Allow"
                and any(a in ("sts:AssumeRole", "sts:*", "*") for a in _as_list(s.get("Action", [])))]
    if not allowing:
        return False
    for statement in allowing:
        equals = statement.get("Condition", {}).get("StringEquals", {})
        values = next((_as_list(v) for k, v in equals.items() if k.lower() == "sts:externalid"), [])
        if values != [external_id]:
            return False
    return True


def write_findings(iam, role_name: str) -> list[str]:
    """What in the role's policies allows more than reading (best effort: a read-only role that
    cannot read its own policies yields no finding)."""
    findings = []
    try:
        for page in iam.get_paginator("list_attached_role_policies").paginate(RoleName=role_name):
            for policy in page["AttachedPolicies"]:
                if policy["PolicyName"] in WRITE_POLICIES:
                    findings.append(f"the attached policy {policy['PolicyName']} allows changes")
        for page in iam.get_paginator("list_role_policies").paginate(RoleName=role_name):
            for name in page["PolicyNames"]:
                document = iam.get_role_policy(RoleName=role_name, PolicyName=name)["PolicyDocument"]
                for statement in _statements(document):
                    if statement.get("Effect") != "Allow":
                        continue
                    writes = [a for a in _as_list(statement.get("Action", [])) if not READ_ONLY_ACTION.match(a)]
                    if writes:
                        findings.append(f"the inline policy {name} allows {', '.join(sorted(writes)[:3])}")
    except ClientError as exc:
        log.info("could not read the role's policies", extra={"code": _error_code(exc)})
    return findings


def verify_role(role_arn: str, role_name: str, aws_account_id: str, external_id: str, region: str,
                trusted_account_id: str, warn: bool = True) -> list[str]:
    """Checks the role; returns warnings (empty when all is well, or not `warn`: the access check
    before each sync skips step 4) or raises VerificationFailed."""
    try:
        credentials = aws.assume_role(role_arn, external_id, region, "cloudsketch-verify", duration_seconds=900,
                                      config=aws.INTERACTIVE_CONFIG)
    except ClientError as exc:
        code = _error_code(exc)
        if code in ("RegionDisabledException", "InvalidClientTokenId") or "region" in str(exc).lower():
            raise VerificationFailed(
                f"AWS STS in {region} refused the request ({code}): the region may be disabled for this "
                "account; verify in another region, e.g. \"region\": \"us-east-1\"", "region", code) from None
        if code in ("Throttling", "ThrottlingException", "RequestLimitExceeded"):
            raise VerificationFailed("AWS throttled the verification; try again in a minute", "throttled",
                                     code) from None
        raise VerificationFailed(
            f"cloudsketch could not assume {role_arn} ({code or 'error'}). Likely causes: the role's trust "
            f"policy does not trust AWS account {trusted_account_id}; it requires another External ID than "
            f"this installation's; or a service control policy blocks STS in {region} (verify in another "
            "region with \"region\")", "assume_denied", code) from None
    except BotoCoreError as exc:
        raise VerificationFailed(f"cannot reach AWS STS in {region}: {exc}", "unreachable") from None

    try:
        caller = aws.client("sts", region, credentials, aws.INTERACTIVE_CONFIG).get_caller_identity()
    except (ClientError, BotoCoreError) as exc:
        raise VerificationFailed(f"the assumed role could not call sts:GetCallerIdentity: {exc}", "unreachable",
                                 _error_code(exc) if isinstance(exc, ClientError) else "") from None
    if caller["Account"] != aws_account_id:
        raise VerificationFailed(f"the role belongs to AWS account {caller['Account']}, not {aws_account_id} "
                                 "as the ARN says", "wrong_account")

    iam = aws.client("iam", region, credentials, aws.INTERACTIVE_CONFIG)
    try:
        role = iam.get_role(RoleName=role_name)["Role"]
    except ClientError as exc:
        if _error_code(exc) == "NoSuchEntity":
            raise VerificationFailed(f"AWS account {aws_account_id} has no role named {role_name}: check the "
                                     "account id and the role name in the ARN", "role_missing",
                                     "NoSuchEntity") from None
        raise VerificationFailed(
            f"cloudsketch could not read the role's trust policy ({_error_code(exc)}): allow iam:GetRole on "
            "the role itself, so that cloudsketch can check that it requires the External ID", "trust_unreadable",
            _error_code(exc)) from None
    if not requires_external_id(role["AssumeRolePolicyDocument"], external_id):
        raise VerificationFailed(
            "the role's trust policy does not require this installation's External ID (a StringEquals "
            "condition on sts:ExternalId in every statement that allows sts:AssumeRole); without it, anyone "
            "who learns the role's ARN could have another service assume it (the confused deputy problem)",
            "no_external_id")
    return write_findings(iam, role_name) if warn else []


class RoleVerifier:
    """verify_role with the account roles must trust: CLOUDSKETCH_AWS_ACCOUNT_ID, or else the
    account of cloudsketch's own AWS credentials (asked once)."""

    def __init__(self):
        self._trusted = config.env("CLOUDSKETCH_AWS_ACCOUNT_ID")

    @property
    def trusted_account_id(self) -> str:
        if not self._trusted:
            try:
                self._trusted = aws.own_account_id()
            except (ClientError, BotoCoreError) as exc:
                raise FailedPrecondition(
                    "cloudsketch has no working AWS credentials of its own, so it cannot tell which account "
                    f"roles must trust: set them in its environment, or set CLOUDSKETCH_AWS_ACCOUNT_ID ({exc})"
                ) from None
        return self._trusted

    def __call__(self, role_arn: str, role_name: str, aws_account_id: str, external_id: str,
                 region: str, warn: bool = True) -> list[str]:
        return verify_role(role_arn, role_name, aws_account_id, external_id, region, self.trusted_account_id, warn)

    def organization_members(self, role_arn: str, external_id: str, region: str) -> list[dict]:
        return organization_members(role_arn, external_id, region)


def organization_members(role_arn: str, external_id: str, region: str) -> list[dict]:
    """The organisation's ACTIVE accounts, listed through a management or delegated-admin role."""
    try:
        credentials = aws.assume_role(role_arn, external_id, region, "cloudsketch-organizations",
                                      duration_seconds=900, config=aws.INTERACTIVE_CONFIG)
        organizations = aws.client("organizations", region, credentials, aws.INTERACTIVE_CONFIG)
        members = []
        for page in organizations.get_paginator("list_accounts").paginate():
            members += [{"id": a["Id"], "name": a.get("Name", "")} for a in page["Accounts"]
                        if a.get("Status", "ACTIVE") == "ACTIVE"]
        return members
    except ClientError as exc:
        code = _error_code(exc)
        if code == "AWSOrganizationsNotInUseException":
            raise VerificationFailed("this account belongs to no AWS Organization") from None
        if code in ("AccessDeniedException", "AccessDenied"):
            raise VerificationFailed(
                "the role cannot list the organisation's accounts (organizations:ListAccounts): use a role in "
                "the management account or a delegated administrator account") from None
        raise VerificationFailed(f"listing the organisation's accounts failed ({code})") from None
    except BotoCoreError as exc:
        raise VerificationFailed(f"cannot reach AWS Organizations: {exc}") from None
