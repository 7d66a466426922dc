"""Cloudcraft's SDKs call the REST API without /api on any host but localhost (gateway/sdk.py):
Bearer requests are served at both prefixes, cookie sessions only under /api, and the OpenAPI
document is at /api/openapi.json."""
from __future__ import annotations

import pytest
import yaml

from cloudsketch.identity.v1 import identity_pb2 as identity_pb
from gateway import create_app
from tests.helpers.stack import REPO

HOST = {"Host": "cloudsketch.example.com"}
KEY = {"Authorization": "Bearer csk_test", **HOST}


class Identity:
    def AuthenticateApiKey(self, request):
        return identity_pb.AuthenticateApiKeyResponse(principal=identity_pb.Principal(
            user=identity_pb.User(id="user-1", email="sdk@example.com", role=identity_pb.ROLE_USER),
            key_mode=identity_pb.API_KEY_MODE_READ))

    def AuthenticateSession(self, request):
        raise AssertionError("no session in these tests")

    def GetSetupState(self, request):
        return identity_pb.GetSetupStateResponse(needs_first_owner=False)


class Clients:
    identity = Identity()


@pytest.fixture
def http():
    return create_app(Clients()).test_client()


def test_bearer_requests_reach_the_api_without_its_prefix(http):
    for path in ("/user/me", "/api/user/me"):
        reply = http.get(path, headers=KEY)
        assert reply.status_code == 200, (path, reply.get_data(as_text=True))
        assert reply.get_json()["email"] == "sdk@example.com"
    # no key: the prefix-less path is not the API (no 401 from it, and no page either)
    assert http.get("/user/me", headers=HOST).status_code == 404
    assert http.get("/api/user/me", headers=HOST).status_code == 401


def test_page_routes_stay_pages_for_bearer_requests(http):
    assert http.get("/login", headers=KEY).mimetype == "text/html"
    assert http.get("/", headers=KEY).status_code == 200


def test_the_openapi_document_is_served_as_json(http):
    reply = http.get("/api/openapi.json", headers=HOST)
    assert reply.status_code == 200
    document = yaml.safe_load((REPO / "docs" / "openapi.yaml").read_text())
    assert reply.get_json() == document
