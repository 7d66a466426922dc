"""Who may do what: the one permission table (roles x actions) and the one decision function.

docs/permissions.md reproduces PERMISSIONS (a test keeps the two equal). A cell is a scope:

- ALL:          any resource of the organisation.
- SHARED_READ:  resources the user created, or shared with one of their teams (read or write).
- SHARED_WRITE: resources the user created, or shared with one of their teams with write access.
- OWN:          resources that belong to the user (their API keys, themselves).
- VISIBLE_TEAM: teams that are not secret, and secret teams the user belongs to.
- (absent):     never.

A decision is ALLOW, DENY (the caller may know the resource exists: 403) or HIDDEN (the caller
may not know it exists: 404). Whether a resource is hidden follows from its kind's read action.
Read-only API keys are limited to the read actions, whatever the role.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from cloudsketch.identity.v1 import identity_pb2 as pb
from services.common.enums import enum_names

ALL, SHARED_READ, SHARED_WRITE, OWN, VISIBLE_TEAM = "all", "shared-read", "shared-write", "own", "visible-team"

# Role names come from the identity proto's Role enum: "owner", "administrator", "user", "viewer".
ROLE_NAMES = enum_names(pb.Role, "ROLE_")
ROLE_OF = {value: name for name, value in ROLE_NAMES.items()}
OWNER, ADMIN, USER, VIEWER = (ROLE_OF[role] for role in (pb.ROLE_OWNER, pb.ROLE_ADMINISTRATOR, pb.ROLE_USER,
                                                         pb.ROLE_VIEWER))
ROLES = tuple(ROLE_NAMES)

PERMISSIONS: dict[str, dict[str, str]] = {
    # AWS accounts
    "account:read":          {OWNER: ALL, ADMIN: ALL, USER: SHARED_READ, VIEWER: SHARED_READ},
    "account:scan":          {OWNER: ALL, ADMIN: ALL, USER: SHARED_WRITE},
    "account:create":        {OWNER: ALL, ADMIN: ALL},
    "account:update":        {OWNER: ALL, ADMIN: ALL},
    "account:delete":        {OWNER: ALL, ADMIN: ALL},
    # blueprints (saved diagrams)
    "blueprint:read":        {OWNER: ALL, ADMIN: ALL, USER: SHARED_READ, VIEWER: SHARED_READ},
    "blueprint:create":      {OWNER: ALL, ADMIN: ALL, USER: ALL},
    "blueprint:update":      {OWNER: ALL, ADMIN: ALL, USER: SHARED_WRITE},
    "blueprint:delete":      {OWNER: ALL, ADMIN: ALL, USER: OWN},
    # teams
    "team:read":             {OWNER: ALL, ADMIN: ALL, USER: VISIBLE_TEAM, VIEWER: VISIBLE_TEAM},
    "team:create":           {OWNER: ALL, ADMIN: ALL},
    "team:update":           {OWNER: ALL, ADMIN: ALL},
    "team:delete":           {OWNER: ALL, ADMIN: ALL},
    "team:manage_members":   {OWNER: ALL, ADMIN: ALL},
    # users
    "user:read":             {OWNER: ALL, ADMIN: ALL, USER: ALL, VIEWER: ALL},
    "user:create":           {OWNER: ALL, ADMIN: ALL},
    "user:update":           {OWNER: ALL, ADMIN: ALL},
    "user:delete":           {OWNER: ALL, ADMIN: ALL},
    # granting or taking the Owner role, or changing an Owner
    "user:manage_owner":     {OWNER: ALL},
    # API keys (a key belongs to its user: OWN)
    "apikey:read":           {OWNER: ALL, ADMIN: ALL, USER: OWN, VIEWER: OWN},
    "apikey:create":         {OWNER: OWN, ADMIN: OWN, USER: OWN, VIEWER: OWN},
    # a Viewer changes nothing, so their keys are read-only
    "apikey:create_read_write": {OWNER: OWN, ADMIN: OWN, USER: OWN},
    "apikey:revoke":         {OWNER: ALL, ADMIN: ALL, USER: OWN, VIEWER: OWN},
    # the audit log
    "audit:read":            {OWNER: ALL, ADMIN: ALL},
}

# What a read-only API key may do.
READ_ACTIONS = {action for action in PERMISSIONS if action.endswith(":read")}

# The action that decides whether a resource of a kind is visible at all (else HIDDEN).
READ_ACTION_OF_KIND = {"account": "account:read", "blueprint": "blueprint:read", "team": "team:read",
                       "user": "user:read", "apikey": "apikey:read"}


@dataclass(frozen=True)
class Caller:
    user_id: str
    role: str
    team_ids: frozenset[str] = field(default_factory=frozenset)
    read_only_key: bool = False


def _in_scope(scope: str | None, caller: Caller, resource: pb.ResourceRef) -> bool:
    if scope is None:
        return False
    if scope == ALL:
        return True
    if scope == OWN:
        return resource.owner_id == caller.user_id
    if scope == VISIBLE_TEAM:
        return not resource.secret or resource.id in caller.team_ids
    if resource.owner_id and resource.owner_id == caller.user_id:
        return True
    teams = set(resource.write_team_ids)
    if scope == SHARED_READ:
        teams |= set(resource.read_team_ids)
    return bool(teams & caller.team_ids)


# Changing or deleting an Owner also takes user:manage_owner.
OWNER_GUARDED = {"user:update", "user:delete"}


def allowed(caller: Caller, action: str, resource: pb.ResourceRef) -> bool:
    if action not in PERMISSIONS:
        return False
    if caller.read_only_key and action not in READ_ACTIONS:
        return False
    if action in OWNER_GUARDED and resource.kind == "user" and resource.role == pb.ROLE_OWNER \
            and not allowed(caller, "user:manage_owner", resource):
        return False
    return _in_scope(PERMISSIONS[action].get(caller.role), caller, resource)


# The scopes of kinds whose resources have an owner and teams, as GetAuthorizedScope answers them.
SCOPES = {ALL: pb.SCOPE_ALL, SHARED_READ: pb.SCOPE_SHARED_READ, SHARED_WRITE: pb.SCOPE_SHARED_WRITE, OWN: pb.SCOPE_OWN}
SCOPED_KINDS = ("account:", "blueprint:")


def scope(caller: Caller, action: str) -> int:
    """What `allowed` lets the caller do across an account or blueprint list, as one pb.Scope."""
    if caller.read_only_key and action not in READ_ACTIONS:
        return pb.SCOPE_NONE
    return SCOPES.get(PERMISSIONS[action].get(caller.role) or "", pb.SCOPE_NONE)


def decide(caller: Caller, action: str, resource: pb.ResourceRef) -> tuple[int, str]:
    """(pb.Decision, reason)."""
    if allowed(caller, action, resource):
        return pb.DECISION_ALLOW, ""
    read_action = READ_ACTION_OF_KIND.get(resource.kind)
    if read_action and not allowed(caller, read_action, resource):  # read actions ignore the key mode
        return pb.DECISION_HIDDEN, "not found"
    if caller.read_only_key and action not in READ_ACTIONS and PERMISSIONS.get(action, {}).get(caller.role):
        return pb.DECISION_DENY, "this API key is read-only"
    if action in OWNER_GUARDED and resource.role == pb.ROLE_OWNER and PERMISSIONS[action].get(caller.role):
        return pb.DECISION_DENY, "only an Owner may change or delete an Owner (user:manage_owner)"
    return pb.DECISION_DENY, f"your role ({caller.role}) does not allow {action}"


def markdown_table() -> str:
    """The table docs/permissions.md reproduces (`python -m services.identity.permissions`)."""
    rows = ["| action | " + " | ".join(ROLES) + " |", "|---|" + "---|" * len(ROLES)]
    for action, scopes in PERMISSIONS.items():
        rows.append(f"| `{action}` | " + " | ".join(scopes.get(role, "-") for role in ROLES) + " |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(markdown_table())
