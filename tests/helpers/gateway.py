"""Stand-ins for the gateway's tests: identity answering every API key and every authorisation."""
from __future__ import annotations

from cloudsketch.identity.v1 import identity_pb2 as identity_pb

KEY = {"Authorization": "Bearer test-key"}


class Identity:
    def __init__(self):
        self.decision = identity_pb.DECISION_ALLOW
        self.asked = []

    def AuthenticateApiKey(self, request):
        return identity_pb.AuthenticateApiKeyResponse(principal=identity_pb.Principal(
            user=identity_pb.User(id="user-1"), key_mode=identity_pb.API_KEY_MODE_READ_WRITE))

    def Authorize(self, request):
        self.asked.append((request.action, request.resource.kind))
        return identity_pb.AuthorizeResponse(decision=self.decision, reason="not allowed")
