"""/api/team: teams and their members."""
from __future__ import annotations

from flask import g, jsonify

from cloudsketch.identity.v1 import identity_pb2 as identity_pb
from gateway.api import api
from gateway.api.body import field, json_body
from gateway.auth import authorize, identity, principal_cache
from gateway.errors import not_found_as
from services.common.timeutil import iso


def team_json(team: identity_pb.Team) -> dict:
    return {"id": team.id, "name": team.name, "secret": team.secret, "members": list(team.member_ids),
            "createdAt": iso(team.created_at), "updatedAt": iso(team.updated_at)}


def authorized_team(team_id: str, action: str) -> identity_pb.Team:
    with not_found_as(404, "no such team"):
        team = identity().GetTeam(identity_pb.GetTeamRequest(id=team_id)).team
    authorize(action, identity_pb.ResourceRef(kind="team", id=team.id, secret=team.secret))
    return team


@api.get("/team")
def list_teams():
    teams = identity().ListTeams(identity_pb.ListTeamsRequest(user_id=g.principal.user.id)).teams
    return jsonify(teams=[team_json(t) for t in teams])


@api.post("/team")
def create_team():
    authorize("team:create")
    body = json_body()
    team = identity().CreateTeam(identity_pb.CreateTeamRequest(
        name=field(body, "name", str), secret=field(body, "secret", bool, required=False, default=False),
        actor_id=g.principal.user.id)).team
    return jsonify(team_json(team)), 201


@api.get("/team/<team_id>")
def get_team(team_id: str):
    return jsonify(team_json(authorized_team(team_id, "team:read")))


@api.put("/team/<team_id>")
def update_team(team_id: str):
    authorized_team(team_id, "team:update")
    body = json_body()
    update = identity_pb.UpdateTeamRequest(id=team_id, actor_id=g.principal.user.id)
    if (name := field(body, "name", str, required=False)) is not None:
        update.name = name
    if (secret := field(body, "secret", bool, required=False)) is not None:
        update.secret = secret
    return jsonify(team_json(identity().UpdateTeam(update).team))


@api.delete("/team/<team_id>")
def delete_team(team_id: str):
    authorized_team(team_id, "team:delete")
    identity().DeleteTeam(identity_pb.DeleteTeamRequest(id=team_id, actor_id=g.principal.user.id))
    principal_cache().clear()  # members' team lists changed
    return "", 204


@api.post("/team/<team_id>/member")
def add_member(team_id: str):
    authorized_team(team_id, "team:manage_members")
    user_id = field(json_body(), "userId", str)
    team = identity().AddTeamMember(identity_pb.AddTeamMemberRequest(
        team_id=team_id, user_id=user_id, actor_id=g.principal.user.id)).team
    principal_cache().clear()
    return jsonify(team_json(team))


@api.delete("/team/<team_id>/member/<user_id>")
def remove_member(team_id: str, user_id: str):
    authorized_team(team_id, "team:manage_members")
    team = identity().RemoveTeamMember(identity_pb.RemoveTeamMemberRequest(
        team_id=team_id, user_id=user_id, actor_id=g.principal.user.id)).team
    principal_cache().clear()
    return jsonify(team_json(team))
