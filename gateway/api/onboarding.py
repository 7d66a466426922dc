"""/api/aws/account/iamParameters/...: the onboarding material for the cross-account role.

accounts-api renders every document (GetOnboardingDocument); these routes check the right to
connect accounts (like GET /api/aws/account/iamParameters), forward the query parameters that are
present, and answer with the document and its content type.

Optional query parameters on every route: `roleName` (default: the role name accounts gives in
GetIamParameters) and, for the plain JSON policies, `partition` (aws, aws-cn or aws-us-gov; the
templates use their stack's own); the templates and Terraform take `policy` (readonly or minimal).
These static paths win over /aws/account/<account_id>/<region>/<fmt>: werkzeug ranks static
segments before converters (tests/gateway/test_onboarding_routes.py).
"""
from __future__ import annotations

from flask import Response, request

from cloudsketch.accounts.v1 import accounts_pb2 as accounts_pb
from gateway.api import api
from gateway.api.accounts import clients
from gateway.auth import authorize
from gateway.errors import ApiError

POLICY_DOCUMENTS = {"minimal": accounts_pb.ONBOARDING_DOCUMENT_MINIMAL_POLICY,
                    "custom": accounts_pb.ONBOARDING_DOCUMENT_CUSTOM_POLICY}
# query parameter -> request field
PARAMETERS = {"roleName": "role_name", "partition": "partition"}


def _document(document: accounts_pb.OnboardingDocument, with_policy: bool = False) -> Response:
    authorize("account:create")
    ask = accounts_pb.GetOnboardingDocumentRequest(document=document)
    for name, field in {**PARAMETERS, **({"policy": "policy"} if with_policy else {})}.items():
        if name in request.args:
            setattr(ask, field, request.args[name])
    reply = clients().accounts.GetOnboardingDocument(ask)
    return Response(reply.content, mimetype=reply.content_type)


@api.get("/aws/account/iamParameters/policy/<kind>")
def iam_policy(kind: str):
    """Cloudcraft's route: the permissions policy to attach to the role."""
    if kind not in POLICY_DOCUMENTS:
        authorize("account:create")
        raise ApiError(404, f"no policy {kind[:30]!r}; choose one of: {', '.join(POLICY_DOCUMENTS)}")
    return _document(POLICY_DOCUMENTS[kind])


@api.get("/aws/account/iamParameters/trustPolicy")
def trust_policy():
    return _document(accounts_pb.ONBOARDING_DOCUMENT_TRUST_POLICY)


@api.get("/aws/account/iamParameters/cloudformation")
def cloudformation_template():
    return _document(accounts_pb.ONBOARDING_DOCUMENT_CLOUDFORMATION, with_policy=True)


@api.get("/aws/account/iamParameters/stackset")
def stackset_template():
    return _document(accounts_pb.ONBOARDING_DOCUMENT_STACKSET, with_policy=True)


@api.get("/aws/account/iamParameters/terraform")
def terraform():
    return _document(accounts_pb.ONBOARDING_DOCUMENT_TERRAFORM, with_policy=True)
