"""/api/aws/account/iamParameters/...: the onboarding material for the cross-account role.

Everything is generated from the installation's IAM parameters (the account to trust and the
External ID, from accounts' GetIamParameters) by services/accounts/onboarding.py. Like
GET /api/aws/account/iamParameters, every route needs the right to connect accounts.

Optional query parameters on every route: `roleName` (default cloudsketch-readonly) and, for the
plain JSON policies, `partition` (aws, aws-cn or aws-us-gov; the templates use their stack's own).
These static paths win over /aws/account/<account_id>/<region>/<fmt>: werkzeug ranks static
segments before converters (tests/test_onboarding_routes.py).
"""
from __future__ import annotations

from flask import Response, jsonify, request

from cloudsketch.accounts.v1 import accounts_pb2 as accounts_pb
from gateway.api import api
from gateway.api.accounts import clients
from gateway.auth import authorize
from gateway.errors import ApiError
from services.accounts.onboarding import DEFAULT_ROLE_NAME, POLICIES, Onboarding

KINDS = ("minimal", "custom")


def _onboarding() -> Onboarding:
    authorize("account:create")
    reply = clients().accounts.GetIamParameters(accounts_pb.GetIamParametersRequest())
    try:
        return Onboarding(reply.account_id, reply.external_id,
                          role_name=request.args.get("roleName", DEFAULT_ROLE_NAME),
                          partition=request.args.get("partition", "aws"))
    except ValueError as exc:
        raise ApiError(400, str(exc)) from None


def _policy_choice() -> str:
    policy = request.args.get("policy", "readonly")
    if policy not in POLICIES:
        raise ApiError(400, f"unknown policy {policy[:30]!r}; choose one of: {', '.join(POLICIES)}")
    return policy


@api.get("/aws/account/iamParameters/policy/<kind>")
def iam_policy(kind: str):
    """Cloudcraft's route: the permissions policy to attach to the role."""
    if kind not in KINDS:
        authorize("account:create")
        raise ApiError(404, f"no policy {kind[:30]!r}; choose one of: {', '.join(KINDS)}")
    onboarding = _onboarding()
    return jsonify(onboarding.minimal_policy() if kind == "minimal" else onboarding.custom_policy())


@api.get("/aws/account/iamParameters/trustPolicy")
def trust_policy():
    return jsonify(_onboarding().trust_policy())


@api.get("/aws/account/iamParameters/cloudformation")
def cloudformation_template():
    onboarding = _onboarding()
    return jsonify(onboarding.cloudformation_template(_policy_choice()))


@api.get("/aws/account/iamParameters/stackset")
def stackset_template():
    onboarding = _onboarding()
    return jsonify(onboarding.stackset_template(_policy_choice()))


@api.get("/aws/account/iamParameters/terraform")
def terraform():
    onboarding = _onboarding()
    return Response(onboarding.terraform(_policy_choice()), mimetype="text/plain")
