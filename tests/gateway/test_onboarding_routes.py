"""The onboarding routes of the gateway (gateway/api/onboarding.py) against stand-ins for identity
and accounts (whose GetOnboardingDocument renders with accounts' own onboarding module):
authorisation, status codes, content types, and that these static paths win over
/api/aws/account/<account_id>/<region>/<fmt>. The whole stack's tests cover the real services."""
from __future__ import annotations

import grpc
import pytest

from cloudsketch.accounts.v1 import accounts_pb2 as accounts_pb
from cloudsketch.identity.v1 import identity_pb2 as identity_pb
from gateway import create_app
from services.accounts.onboarding import Onboarding, document
from tests.helpers.aws import collector_permissions
from tests.helpers.gateway import KEY, Identity

TRUSTED = "123456789012"
EXTERNAL_ID = "00112233445566778899aabbccddeeff"
REQUIRED = collector_permissions()


class Accounts:
    def GetIamParameters(self, request):
        return accounts_pb.GetIamParametersResponse(account_id=TRUSTED, external_id=EXTERNAL_ID)

    def GetOnboardingDocument(self, request):
        optional = {name: getattr(request, name) for name in ("role_name", "partition", "policy")
                    if request.HasField(name)}
        try:
            return document(TRUSTED, EXTERNAL_ID, REQUIRED, request.document, **optional)
        except ValueError as exc:
            raise _RpcError(grpc.StatusCode.INVALID_ARGUMENT, str(exc)) from None

    def GetAccount(self, request):
        raise _RpcError(grpc.StatusCode.NOT_FOUND, "no such account")


class _RpcError(grpc.RpcError):
    def __init__(self, code: grpc.StatusCode, details: str):
        super().__init__(details)
        self._code, self._details = code, details

    def code(self):
        return self._code

    def details(self):
        return self._details


class Clients:
    def __init__(self):
        self.identity = Identity()
        self.accounts = Accounts()
        self.diagram = None


@pytest.fixture
def clients():
    return Clients()


@pytest.fixture
def http(clients):
    return create_app(clients).test_client()


EXPECTED = Onboarding(TRUSTED, EXTERNAL_ID, REQUIRED)


@pytest.mark.parametrize("path,body", [
    ("/api/aws/account/iamParameters/policy/minimal", EXPECTED.minimal_policy()),
    ("/api/aws/account/iamParameters/policy/custom", EXPECTED.custom_policy()),
    ("/api/aws/account/iamParameters/trustPolicy", EXPECTED.trust_policy()),
    ("/api/aws/account/iamParameters/cloudformation", EXPECTED.cloudformation_template("readonly")),
    ("/api/aws/account/iamParameters/cloudformation?policy=minimal", EXPECTED.cloudformation_template("minimal")),
    ("/api/aws/account/iamParameters/stackset?policy=minimal", EXPECTED.stackset_template("minimal")),
    ("/api/aws/account/iamParameters/stackset", EXPECTED.stackset_template("readonly")),
])
def test_json_material(http, clients, path, body):
    reply = http.get(path, headers=KEY)
    assert reply.status_code == 200 and reply.mimetype == "application/json"
    assert reply.get_json() == body
    assert clients.identity.asked == [("account:create", "organization")]


def test_terraform_is_plain_text(http):
    reply = http.get("/api/aws/account/iamParameters/terraform?policy=minimal", headers=KEY)
    assert reply.status_code == 200 and reply.mimetype == "text/plain"
    assert reply.get_data(as_text=True) == EXPECTED.terraform("minimal")
    assert http.get("/api/aws/account/iamParameters/terraform", headers=KEY).get_data(as_text=True) == \
        EXPECTED.terraform("readonly")


def test_role_name_and_partition(http):
    reply = http.get("/api/aws/account/iamParameters/policy/minimal?roleName=Reader&partition=aws-cn", headers=KEY)
    assert reply.get_json() == Onboarding(TRUSTED, EXTERNAL_ID, REQUIRED, "Reader", "aws-cn").minimal_policy()
    reply = http.get("/api/aws/account/iamParameters/trustPolicy?roleName=no/slash", headers=KEY)
    assert reply.status_code == 400 and "role name" in reply.get_json()["error"]


@pytest.mark.parametrize("path,status,error", [
    ("/api/aws/account/iamParameters/policy/admin", 404, "no policy 'admin'"),
    ("/api/aws/account/iamParameters/cloudformation?policy=admin", 400, "unknown policy 'admin'"),
    ("/api/aws/account/iamParameters/stackset?policy=", 400, "unknown policy ''"),
    ("/api/aws/account/iamParameters/terraform?policy=ReadOnly", 400, "unknown policy 'ReadOnly'"),
])
def test_errors_are_json(http, path, status, error):
    reply = http.get(path, headers=KEY)
    assert reply.status_code == status and error in reply.get_json()["error"]


@pytest.mark.parametrize("path", [
    "/api/aws/account/iamParameters/policy/minimal", "/api/aws/account/iamParameters/trustPolicy",
    "/api/aws/account/iamParameters/cloudformation", "/api/aws/account/iamParameters/stackset",
    "/api/aws/account/iamParameters/terraform", "/api/aws/account/iamParameters/policy/admin",
])
def test_only_those_who_may_connect_accounts(http, clients, path):
    clients.identity.decision = identity_pb.DECISION_DENY
    reply = http.get(path, headers=KEY)
    assert reply.status_code == 403 and reply.get_json() == {"error": "not allowed"}
    assert http.get(path).status_code == 401


def test_static_paths_win_over_the_account_diagram_route(http):
    adapter = http.application.url_map.bind("localhost")
    assert adapter.match("/api/aws/account/iamParameters/policy/minimal")[0] == "api.iam_policy"
    assert adapter.match("/api/aws/account/iamParameters/policy/json")[0] == "api.iam_policy"
    assert adapter.match("/api/aws/account/some-id/us-east-1/json")[0] == "api.account_diagram"
    assert adapter.match("/api/aws/account/iamParameters/trustPolicy")[0] == "api.trust_policy"
    # And through a request: the diagram route would have answered "no such account".
    assert http.get("/api/aws/account/iamParameters/policy/json", headers=KEY).get_json()["error"].startswith(
        "no policy 'json'")
