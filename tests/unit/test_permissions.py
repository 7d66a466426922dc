"""The permission table and the decision function, case by case (the HTTP matrix in
test_access.py checks the same through the gateway)."""
from __future__ import annotations

import pytest

from cloudsketch.identity.v1 import identity_pb2 as pb
from services.identity import permissions
from services.identity.permissions import Caller, decide
from tests.helpers.stack import REPO

DOC = (REPO / "docs" / "permissions.md").read_text()
ALLOW, DENY, HIDDEN = pb.DECISION_ALLOW, pb.DECISION_DENY, pb.DECISION_HIDDEN


def account(owner="creator", read=(), write=()):
    return pb.ResourceRef(kind="account", id="acc", owner_id=owner, read_team_ids=read, write_team_ids=write)


def test_the_docs_reproduce_the_table():
    assert permissions.markdown_table() in DOC, "regenerate: python docs/generate.py"


def test_every_role_reads_and_only_read_actions_pass_a_read_key():
    assert permissions.READ_ACTIONS == {a for a in permissions.PERMISSIONS if a.endswith(":read")}
    assert all(set(scopes) <= set(permissions.ROLES) for scopes in permissions.PERMISSIONS.values())


@pytest.mark.parametrize("role,resource,action,expected", [
    # Owners and Administrators: every account, shared or not
    ("owner", account(), "account:delete", ALLOW),
    ("administrator", account(), "account:update", ALLOW),
    # a User sees accounts of their teams (read or write), scans only with write access
    ("user", account(read=["t1"]), "account:read", ALLOW),
    ("user", account(read=["t1"]), "account:scan", DENY),
    ("user", account(write=["t1"]), "account:scan", ALLOW),
    ("user", account(read=["t1"]), "account:update", DENY),
    ("user", account(read=["other"]), "account:read", HIDDEN),
    ("user", account(read=["other"]), "account:delete", HIDDEN),
    ("user", account(owner="me"), "account:read", ALLOW),          # private to its creator
    # a Viewer reads and changes nothing
    ("viewer", account(write=["t1"]), "account:read", ALLOW),
    ("viewer", account(write=["t1"]), "account:scan", DENY),
    ("viewer", account(write=["other"]), "account:scan", HIDDEN),
    # blueprints: write access lets a User edit, only the creator deletes
    ("user", pb.ResourceRef(kind="blueprint", owner_id="x", write_team_ids=["t1"]), "blueprint:update", ALLOW),
    ("user", pb.ResourceRef(kind="blueprint", owner_id="x", read_team_ids=["t1"]), "blueprint:update", DENY),
    ("user", pb.ResourceRef(kind="blueprint", owner_id="x", write_team_ids=["t1"]), "blueprint:delete", DENY),
    ("user", pb.ResourceRef(kind="blueprint", owner_id="me"), "blueprint:delete", ALLOW),
    # secret teams are hidden from non-members
    ("user", pb.ResourceRef(kind="team", id="t1", secret=True), "team:read", ALLOW),
    ("user", pb.ResourceRef(kind="team", id="t9", secret=True), "team:read", HIDDEN),
    ("user", pb.ResourceRef(kind="team", id="t9"), "team:read", ALLOW),
    ("user", pb.ResourceRef(kind="team", id="t9"), "team:update", DENY),
    ("administrator", pb.ResourceRef(kind="team", id="t9", secret=True), "team:delete", ALLOW),
    # organisation-level actions
    ("administrator", pb.ResourceRef(kind="organization"), "user:manage_owner", DENY),
    ("owner", pb.ResourceRef(kind="organization"), "user:manage_owner", ALLOW),
    # changing or deleting an Owner takes an Owner
    ("administrator", pb.ResourceRef(kind="user", id="o", role=pb.ROLE_OWNER), "user:update", DENY),
    ("administrator", pb.ResourceRef(kind="user", id="o", role=pb.ROLE_OWNER), "user:delete", DENY),
    ("administrator", pb.ResourceRef(kind="user", id="u", role=pb.ROLE_USER), "user:update", ALLOW),
    ("owner", pb.ResourceRef(kind="user", id="o", role=pb.ROLE_OWNER), "user:update", ALLOW),
    ("user", pb.ResourceRef(kind="organization"), "audit:read", DENY),
    # API keys belong to their user
    ("user", pb.ResourceRef(kind="apikey", owner_id="someone"), "apikey:revoke", HIDDEN),
    ("administrator", pb.ResourceRef(kind="apikey", owner_id="someone"), "apikey:revoke", ALLOW),
    ("viewer", pb.ResourceRef(kind="apikey", owner_id="me"), "apikey:create_read_write", DENY),
    ("viewer", pb.ResourceRef(kind="apikey", owner_id="me"), "apikey:create", ALLOW),
    # unknown actions are never allowed
    ("owner", account(), "account:launch_missiles", DENY),
])
def test_decisions(role, resource, action, expected):
    assert decide(Caller("me", role, frozenset({"t1"})), action, resource)[0] == expected


def test_a_read_key_is_refused_writes_with_its_own_reason():
    caller = Caller("me", "owner", frozenset(), read_only_key=True)
    assert decide(caller, "account:read", account())[0] == ALLOW
    assert decide(caller, "account:delete", account()) == (DENY, "this API key is read-only")
    # a read key still learns nothing about what its user cannot see
    user_key = Caller("me", "user", frozenset({"t1"}), read_only_key=True)
    assert decide(user_key, "account:delete", account(read=["other"]))[0] == HIDDEN
