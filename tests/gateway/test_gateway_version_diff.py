"""GET /api/aws/account/{id}/versions/{a}/diff/{b}/{format} (gateway/api/accounts.py): the "what
changed" overlay, rendered by diagram-api, against stand-ins for identity, accounts and diagram:
what is asked of diagram-api, content types, the json envelope, authorisation. Rendering itself is
tests/services/diagram/test_diagram_live.py's (the overlay's SVG marks)."""
from __future__ import annotations

import json

import pytest

from cloudsketch.accounts.v1 import accounts_pb2 as accounts_pb
from cloudsketch.diagram.v1 import diagram_pb2 as diagram_pb
from gateway import create_app
from tests.helpers.gateway import KEY, Identity

ACCOUNT = "acct-1"


class Accounts:
    def GetAccount(self, request):
        return accounts_pb.GetAccountResponse(account=accounts_pb.Account(id=request.id, aws_account_id="123456789012"))


class Diagram:
    def __init__(self):
        self.asked = []

    def DiffAccountVersions(self, request):
        self.asked.append(request)
        if request.format == "json":
            content, content_type = json.dumps({"nodes": [{"id": "n", "diff": "added"}]}).encode(), "application/json"
        else:
            content, content_type = b"<svg/>", "image/svg+xml"
        return diagram_pb.DiffAccountVersionsResponse(content=content, content_type=content_type)


class Clients:
    def __init__(self):
        self.identity, self.accounts, self.diagram = Identity(), Accounts(), Diagram()


@pytest.fixture
def clients():
    return Clients()


def test_the_overlay_of_two_versions_is_served_rendered(clients):
    http = create_app(clients).test_client()
    reply = http.get(f"/api/aws/account/{ACCOUNT}/versions/1/diff/2/svg?projection=2d&theme=dark", headers=KEY)
    assert reply.status_code == 200 and reply.mimetype == "image/svg+xml" and reply.data == b"<svg/>"
    [asked] = clients.diagram.asked
    assert (asked.account_id, asked.from_version, asked.to_version, asked.format) == (ACCOUNT, 1, 2, "svg")
    assert dict(asked.options) == {"projection": "2d", "theme": "dark"}
    assert ("account:read", "account") in clients.identity.asked

    envelope = http.get(f"/api/aws/account/{ACCOUNT}/versions/1/diff/2/json", headers=KEY).get_json()
    assert envelope == {"fromVersion": 1, "toVersion": 2, "data": {"nodes": [{"id": "n", "diff": "added"}]}}
    # The diff alone stays where it was.
    adapter = http.application.url_map.bind("localhost")
    assert adapter.match(f"/api/aws/account/{ACCOUNT}/versions/1/diff/2")[0] == "api.account_versions_diff"
