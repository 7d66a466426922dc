"""identity-api: the gRPC servicer, wiring IdentityService to the domain."""
from __future__ import annotations

from datetime import UTC

from cloudsketch.identity.v1 import identity_pb2 as pb
from cloudsketch.identity.v1 import identity_pb2_grpc as pb_grpc
from services.common.database import open_database
from services.common.timeutil import to_timestamp
from services.identity.domain import Identity


def _optional(request, field: str):
    return getattr(request, field) if request.HasField(field) else None


class IdentityServicer(pb_grpc.IdentityServiceServicer):
    def __init__(self, identity: Identity):
        self.identity = identity

    def CreateUser(self, request, context):
        return pb.CreateUserResponse(user=self.identity.create_user(
            request.email, request.name, request.role, request.password, request.actor_id))

    def GetUser(self, request, context):
        return pb.GetUserResponse(user=self.identity.get_user(request.id))

    def ListUsers(self, request, context):
        return pb.ListUsersResponse(users=self.identity.list_users())

    def UpdateUser(self, request, context):
        return pb.UpdateUserResponse(user=self.identity.update_user(
            request.id, _optional(request, "name"), _optional(request, "role"), request.actor_id))

    def DeleteUser(self, request, context):
        self.identity.delete_user(request.id, request.actor_id)
        return pb.DeleteUserResponse()

    def GetSetupState(self, request, context):
        return pb.GetSetupStateResponse(needs_first_owner=self.identity.needs_first_owner())

    def CreateFirstOwner(self, request, context):
        return pb.CreateFirstOwnerResponse(user=self.identity.create_first_owner(
            request.email, request.name, request.password))

    def Login(self, request, context):
        token, csrf, principal, expires_at = self.identity.login(request.email, request.password, request.client_ip)
        return pb.LoginResponse(session_token=token, csrf_token=csrf, principal=principal,
                                expires_at=to_timestamp(expires_at))

    def AuthenticateSession(self, request, context):
        principal, csrf = self.identity.authenticate_session(request.session_token)
        return pb.AuthenticateSessionResponse(principal=principal, csrf_token=csrf)

    def Logout(self, request, context):
        self.identity.logout(request.session_token)
        return pb.LogoutResponse()

    def AuthenticateApiKey(self, request, context):
        return pb.AuthenticateApiKeyResponse(principal=self.identity.authenticate_api_key(request.api_key))

    def CreateApiKey(self, request, context):
        expires = request.expires_at.ToDatetime(tzinfo=UTC) if request.HasField("expires_at") else None
        key, secret = self.identity.create_api_key(request.user_id, request.name, request.mode, expires,
                                                   request.actor_id)
        return pb.CreateApiKeyResponse(api_key=key, secret=secret)

    def GetApiKey(self, request, context):
        return pb.GetApiKeyResponse(api_key=self.identity.get_api_key(request.id))

    def ListApiKeys(self, request, context):
        return pb.ListApiKeysResponse(api_keys=self.identity.list_api_keys(request.user_id))

    def RevokeApiKey(self, request, context):
        return pb.RevokeApiKeyResponse(api_key=self.identity.revoke_api_key(request.id, request.actor_id))

    def CreateTeam(self, request, context):
        return pb.CreateTeamResponse(team=self.identity.create_team(request.name, request.secret, request.actor_id))

    def ListTeams(self, request, context):
        return pb.ListTeamsResponse(teams=self.identity.list_teams(request.user_id))

    def GetTeam(self, request, context):
        return pb.GetTeamResponse(team=self.identity.get_team(request.id))

    def UpdateTeam(self, request, context):
        return pb.UpdateTeamResponse(team=self.identity.update_team(
            request.id, _optional(request, "name"), _optional(request, "secret"), request.actor_id))

    def DeleteTeam(self, request, context):
        self.identity.delete_team(request.id, request.actor_id)
        return pb.DeleteTeamResponse()

    def AddTeamMember(self, request, context):
        return pb.AddTeamMemberResponse(team=self.identity.add_team_member(
            request.team_id, request.user_id, request.actor_id))

    def RemoveTeamMember(self, request, context):
        return pb.RemoveTeamMemberResponse(team=self.identity.remove_team_member(
            request.team_id, request.user_id, request.actor_id))

    def Authorize(self, request, context):
        decision, reason = self.identity.authorize(request.user_id, request.key_mode, request.action, request.resource)
        return pb.AuthorizeResponse(decision=decision, reason=reason)

    def FilterAuthorized(self, request, context):
        return pb.FilterAuthorizedResponse(allowed_ids=self.identity.filter_authorized(
            request.user_id, request.key_mode, request.action, list(request.resources)))

    def GetAuthorizedScope(self, request, context):
        return self.identity.authorized_scope(request.user_id, request.key_mode, request.action)

    def ListAuditEvents(self, request, context):
        return pb.ListAuditEventsResponse(events=self.identity.list_audit_events(request.limit, request.before_id))


def register(server) -> list[str]:
    pb_grpc.add_IdentityServiceServicer_to_server(IdentityServicer(Identity(open_database("identity"))), server)
    return [pb.DESCRIPTOR.services_by_name["IdentityService"].full_name]
