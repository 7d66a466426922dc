"""The gateway's input limits (gateway/__init__.py, gateway/api/body.py, gateway/errors.py) against
stand-ins for the services: oversized bodies, text the services cannot store, out-of-range numbers
and times answer clear 4xx JSON errors instead of 500s; gRPC's message-size error is not a 429."""
from __future__ import annotations

import json

import grpc
import pytest

from cloudsketch.accounts.v1 import accounts_pb2 as accounts_pb
from cloudsketch.identity.v1 import identity_pb2 as identity_pb
from gateway import create_app
from gateway.api.body import MAX_BODY_BYTES
from gateway.server import SERVER_LIMITS

KEY = {"Authorization": "Bearer test-key"}
ROLE_ARN = "arn:aws:iam::123456789012:role/cloudsketch"


class Exhausted(grpc.RpcError):
    def __init__(self, details: str):
        self._details = details

    def code(self):
        return grpc.StatusCode.RESOURCE_EXHAUSTED

    def details(self):
        return self._details


class Identity:
    def __init__(self):
        self.asked = []

    def AuthenticateApiKey(self, request):
        return identity_pb.AuthenticateApiKeyResponse(principal=identity_pb.Principal(
            user=identity_pb.User(id="user-1"), key_mode=identity_pb.API_KEY_MODE_READ_WRITE))

    def Authorize(self, request):
        return identity_pb.AuthorizeResponse(decision=identity_pb.DECISION_ALLOW)

    def GetAuthorizedScope(self, request):
        return identity_pb.GetAuthorizedScopeResponse(scope=identity_pb.SCOPE_ALL)

    def ListAuditEvents(self, request):
        self.asked.append(("ListAuditEvents", request.limit))
        return identity_pb.ListAuditEventsResponse()

    def CreateApiKey(self, request):
        self.asked.append(("CreateApiKey", request.expires_at.ToJsonString()))
        return identity_pb.CreateApiKeyResponse(api_key=identity_pb.ApiKey(id="k1", mode=request.mode), secret="csk_x")


class Accounts:
    def __init__(self):
        self.created = []
        self.list_error = None

    def CreateAccount(self, request):
        self.created.append(request)
        return accounts_pb.CreateAccountResponse(account=accounts_pb.Account(id="a1", name=request.name))

    def ListAccounts(self, request):
        if self.list_error:
            raise self.list_error
        return accounts_pb.ListAccountsResponse()


class Clients:
    def __init__(self):
        self.identity = Identity()
        self.accounts = Accounts()


@pytest.fixture
def clients():
    return Clients()


@pytest.fixture
def http(clients):
    return create_app(clients).test_client()


def test_a_body_above_the_limit_is_413_json_and_never_reaches_a_service(http, clients):
    body = json.dumps({"name": "x" * MAX_BODY_BYTES, "roleArn": ROLE_ARN})
    reply = http.post("/api/aws/account", headers=KEY, data=body, content_type="application/json")
    assert reply.status_code == 413
    assert reply.get_json() == {"error": f"the request body is larger than {MAX_BODY_BYTES} bytes"}
    assert clients.accounts.created == []
    # just below the limit is read
    small = json.dumps({"name": "Production", "roleArn": ROLE_ARN, "region": "us-east-1"})
    assert http.post("/api/aws/account", headers=KEY, data=small, content_type="application/json").status_code == 201
    # the server refuses what the app would not read anyway, unread
    assert SERVER_LIMITS["max_request_body_size"] >= MAX_BODY_BYTES


@pytest.mark.parametrize("raw_name, problem", [
    ('"Prod\\u0000uction"', "contains a NUL character"),
    ('"Prod\\ud800uction"', "contains an unpaired surrogate"),
    ('"\\udfff"', "contains an unpaired surrogate"),
])
def test_text_the_services_cannot_store_is_400(http, clients, raw_name, problem):
    body = f'{{"name": {raw_name}, "roleArn": "{ROLE_ARN}"}}'
    reply = http.post("/api/aws/account", headers=KEY, data=body, content_type="application/json")
    assert reply.status_code == 400, reply.get_data(as_text=True)
    assert reply.get_json()["error"].startswith(f"field 'name' {problem}")
    # nested: team ids in a list
    body = f'{{"name": "ok", "roleArn": "{ROLE_ARN}", "regions": ["us-east-1", {raw_name}]}}'
    reply = http.post("/api/aws/account", headers=KEY, data=body, content_type="application/json")
    assert reply.status_code == 400 and problem in reply.get_json()["error"]
    assert clients.accounts.created == []
    # a paired surrogate (an emoji, escaped) is fine
    body = f'{{"name": "Prod \\ud83d\\ude80", "roleArn": "{ROLE_ARN}"}}'
    assert http.post("/api/aws/account", headers=KEY, data=body, content_type="application/json").status_code == 201
    assert clients.accounts.created[0].name == "Prod \U0001F680"


def test_nul_in_the_query_or_path_is_400(http):
    reply = http.get("/api/aws/account?search=a%00b", headers=KEY)
    assert reply.status_code == 400
    assert reply.get_json() == {"error": "query parameter 'search' contains a NUL character"}
    reply = http.get("/api/aws/account/a%00b/us-east-1/json", headers=KEY)
    assert reply.status_code == 400 and reply.get_json() == {"error": "the path contains a NUL character"}


@pytest.mark.parametrize("limit, error", [
    ("99999999999", "limit must be from 1 to 1000"),
    ("0", "limit must be from 1 to 1000"),
    ("-1", "limit must be from 1 to 1000"),
    ("1001", "limit must be from 1 to 1000"),
    ("ten", "limit must be a number"),
])
def test_audit_limits_out_of_range_are_400(http, clients, limit, error):
    reply = http.get(f"/api/audit?limit={limit}", headers=KEY)
    assert reply.status_code == 400 and reply.get_json() == {"error": error}
    assert http.get("/api/audit?limit=1000", headers=KEY).status_code == 200
    assert http.get("/api/audit", headers=KEY).status_code == 200
    assert clients.identity.asked == [("ListAuditEvents", 1000), ("ListAuditEvents", 100)]


@pytest.mark.parametrize("expires", ["9999-12-31T23:59:59-01:00", "0001-01-01T00:30:00+01:00"])
def test_key_expiries_beyond_what_can_be_stored_are_400(http, clients, expires):
    reply = http.post("/api/apikey", headers=KEY, json={"mode": "r", "expiresAt": expires})
    assert reply.status_code == 400
    assert reply.get_json() == {"error": "field 'expiresAt' must lie between 0001-01-01 and 9999-12-31T23:59:59Z"}
    assert http.post("/api/apikey", headers=KEY, json={"mode": "r", "expiresAt": "not a time"}).status_code == 400
    # the latest storable instant, given in another zone, is taken
    reply = http.post("/api/apikey", headers=KEY, json={"mode": "r", "expiresAt": "9999-12-31T23:59:59+01:00"})
    assert reply.status_code == 201
    assert clients.identity.asked == [("CreateApiKey", "9999-12-31T22:59:59Z")]


def test_a_grpc_message_size_error_is_not_a_rate_limit(http, clients):
    clients.accounts.list_error = Exhausted("Received message larger than max (5242880 vs. 4194304)")
    reply = http.get("/api/aws/account", headers=KEY)
    assert reply.status_code == 502
    assert reply.get_json() == {"error": "a message between cloudsketch services was larger than allowed"}
    clients.accounts.list_error = Exhausted("too many failed sign-ins; try again in 60 s")
    reply = http.get("/api/aws/account", headers=KEY)
    assert reply.status_code == 429 and "too many" in reply.get_json()["error"]
    assert reply.headers["Retry-After"] == "60"
