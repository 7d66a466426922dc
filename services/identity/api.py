"""identity-api: the gRPC servicer, wiring IdentityService to the domain."""
from __future__ import annotations

from datetime import timezone

from cloudsketch.identity.v1 import identity_pb2 as pb
from cloudsketch.identity.v1 import identity_pb2_grpc as pb_grpc
from services.common.database import open_database
from services.identity.domain import Identity


class IdentityServicer(pb_grpc.IdentityServiceServicer):
    def __init__(self, identity: Identity):
        self.identity = identity

    def CreateUser(self, request, context):
        return pb.CreateUserResponse(user=self.identity.create_user(
            request.email, request.name, request.role, request.password))

    def GetUser(self, request, context):
        return pb.GetUserResponse(user=self.identity.get_user(request.id))

    def AuthenticateApiKey(self, request, context):
        return pb.AuthenticateApiKeyResponse(principal=self.identity.authenticate_api_key(request.api_key))

    def CreateApiKey(self, request, context):
        expires = request.expires_at.ToDatetime(tzinfo=timezone.utc) if request.HasField("expires_at") else None
        key, secret = self.identity.create_api_key(request.user_id, request.name, request.mode, expires)
        return pb.CreateApiKeyResponse(api_key=key, secret=secret)

    def ListApiKeys(self, request, context):
        return pb.ListApiKeysResponse(api_keys=self.identity.list_api_keys(request.user_id))

    def RevokeApiKey(self, request, context):
        return pb.RevokeApiKeyResponse(api_key=self.identity.revoke_api_key(request.id))


def register(server) -> list[str]:
    pb_grpc.add_IdentityServiceServicer_to_server(IdentityServicer(Identity(open_database("identity"))), server)
    return [pb.DESCRIPTOR.services_by_name["IdentityService"].full_name]
