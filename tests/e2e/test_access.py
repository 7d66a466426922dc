"""Access control end to end: a real stack (`cloudsketch up`) per database backend, driven only
through HTTP to the gateway, as the four roles with their own API keys and web sessions.

One stack per backend serves every test of this module. Its organisation is built through the
public API, starting with the first-run web flow (/setup):

    owner@          Owner (first-run setup)
    admin@          Administrator
    user@, viewer@  User and Viewer, members of teams A (visible) and S (secret)
    outsider@       User in no team
    team B          no members; the "other" account is shared with it only
    account own     write access for team A             (the callers' own-team account)
    account other   read and write access for team B    (outside user@'s and viewer@'s reach)

Accounts are connected as a customer would: a role in the session's moto server that trusts
this installation with its External ID (from /api/aws/account/iamParameters).

The expectations below are written out by hand from docs/permissions.md, not derived from
services/identity/permissions.py, so a change to the table shows up here.
"""
from __future__ import annotations

import json
import os
import time
import uuid
from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie
from types import SimpleNamespace

import pytest
import requests

from services.demo import ensure_role
from tests.helpers.stack import cloudsketch_up, stack_env, wait_for

pytestmark = pytest.mark.slow
PASSWORD = "correct horse battery staple"
TIMEOUT = 10
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
ROLES = ("owner", "administrator", "user", "viewer")




# --- talking to the gateway ------------------------------------------------------------------

class Client:
    """One principal: an API key, or a web session (cookie and CSRF token). Session cookies are
    Secure, so requests' cookie jar would not send them over http: they go in the header."""

    def __init__(self, url: str, key: str | None = None, session: str | None = None, csrf: str | None = None):
        self.url, self.key, self.session, self.csrf = url, key, session, csrf

    def request(self, method: str, path: str, headers: dict | None = None, csrf: bool = True,
                **kwargs) -> requests.Response:
        sent = {}
        if self.key:
            sent["Authorization"] = f"Bearer {self.key}"
        if self.session:
            sent["Cookie"] = f"cs_session={self.session}"
        if self.csrf and csrf and method in WRITE_METHODS:
            sent["X-CSRF-Token"] = self.csrf
        sent.update(headers or {})
        return requests.request(method, self.url + path, headers=sent, timeout=TIMEOUT, allow_redirects=False,
                                **kwargs)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.request("POST", path, **kwargs)

    def put(self, path, **kwargs):
        return self.request("PUT", path, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)


def expect(reply: requests.Response, status: int) -> dict:
    assert reply.status_code == status, (reply.request.method, reply.request.url, reply.status_code, reply.text)
    if status == 204:
        return {}
    assert reply.headers["Content-Type"].startswith("application/json"), reply.headers["Content-Type"]
    return reply.json()


def session_cookie(reply: requests.Response):
    """The cs_session morsel of a Set-Cookie header."""
    cookie = SimpleCookie()
    cookie.load(reply.headers["Set-Cookie"])
    return cookie["cs_session"]


def sign_in(url: str, email: str, password: str = PASSWORD) -> Client:
    reply = requests.post(f"{url}/login", json={"email": email, "password": password}, timeout=TIMEOUT)
    body = expect(reply, 200)
    return Client(url, session=session_cookie(reply).value, csrf=body["csrfToken"])


# The AWS account (in the session's moto server) whose roles this module connects. A new moto
# account costs seconds (managed policies load), so both stacks share one, each with its own roles.
AWS_ACCOUNT = "310987654321"


def role_arn(name: str = "x") -> str:
    """A well-formed role ARN for a call that must be refused before any AWS call."""
    return f"arn:aws:iam::{uuid.uuid4().int % 10**12:012d}:role/{name}"


def connectable_role(world) -> str:
    """A read-only role that trusts this stack's cloudsketch with its External ID, as the
    onboarding asks a customer to create it: registration verifies it through STS."""
    return ensure_role(world.moto, world.iam["externalId"], aws_account_id=AWS_ACCOUNT,
                       role_name=f"cloudsketch-{uuid.uuid4().hex[:12]}", trusted_account_id=world.iam["accountId"])


def create_account(world, client: Client, name: str, read: list[str], write: list[str]) -> dict:
    account = expect(client.post("/api/aws/account", json={"name": name, "roleArn": connectable_role(world)}), 201)
    if read or write:
        account = expect(client.put(f"/api/aws/account/{account['id']}",
                                    json={"readAccess": read, "writeAccess": write}), 200)
    assert sorted(account["readAccess"]) == sorted(read) and sorted(account["writeAccess"]) == sorted(write)
    return account


def account_diagram(client: Client, account_id: str) -> requests.Response:
    return client.get(f"/api/aws/account/{account_id}/us-east-1/json")


READABLE = "readable"


def read_outcome(reply: requests.Response) -> int | str:
    """READABLE when the caller may read the account's diagram, else the status code. The first
    sync runs in the background, so a readable account answers either 202 STILL_PROCESSING (sync
    not finished yet) or 200 with its blueprint: which one depends on timing, not on access."""
    if reply.status_code == 202 and reply.json()["code"] == "STILL_PROCESSING" and reply.json()["retry"] is True:
        return READABLE
    if reply.status_code == 200 and "data" in reply.json():
        return READABLE
    return reply.status_code


def new_key(world, client: Client, mode: str, name: str = "key", **extra) -> dict:
    created = expect(client.post("/api/apikey", json={"name": name, "mode": mode, **extra}), 201)
    assert created["key"].startswith("csk_") and created["mode"] == mode
    world.secrets.append(created["key"])
    return created


# --- the stack and its organisation ----------------------------------------------------------

@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def stack(request, tmp_path_factory, amqp_uri, moto_endpoint):
    """`cloudsketch up` on free ports, on SQLite or PostgreSQL, with AWS at the moto server;
    stopped with SIGTERM."""
    database = "" if request.param == "sqlite" else request.getfixturevalue("postgres_server_url")
    env = {**os.environ, **stack_env(tmp_path_factory.mktemp(f"access-{request.param}"), amqp_uri, database,
                                     moto_endpoint)}
    with cloudsketch_up(env):
        yield SimpleNamespace(url=f"http://127.0.0.1:{env['CLOUDSKETCH_GATEWAY_PORT']}", moto=moto_endpoint)


@pytest.fixture(scope="module")
def world(stack):
    url = stack.url
    w = SimpleNamespace(url=url, moto=stack.moto, secrets=[], users={}, keys={}, key_ids={}, teams={})

    # First run: the first visitor creates the Owner and is signed in.
    w.before_setup = requests.get(f"{url}/", allow_redirects=False, timeout=TIMEOUT)
    w.setup = requests.post(f"{url}/setup", timeout=TIMEOUT,
                            json={"email": "owner@example.com", "name": "Owner", "password": PASSWORD})
    body = expect(w.setup, 201)
    owner_session = Client(url, session=session_cookie(w.setup).value, csrf=body["csrfToken"])
    w.sessions = {"owner": owner_session}
    w.users["owner"] = expect(owner_session.get("/api/user/me"), 200)
    assert w.users["owner"]["role"] == "owner"

    created = new_key(w, owner_session, "rw", "owner rw")
    owner = w.keys["owner"] = Client(url, key=created["key"])
    w.key_ids["owner"] = created["id"]

    for role, email in (("administrator", "admin@example.com"), ("user", "user@example.com"),
                        ("viewer", "viewer@example.com"), ("outsider", "outsider@example.com")):
        w.users[role] = expect(owner.post("/api/user", json={
            "email": email, "name": role.title(), "role": "user" if role == "outsider" else role,
            "password": PASSWORD}), 201)
    for name, secret in (("A", False), ("S", True), ("B", False)):
        w.teams[name] = expect(owner.post("/api/team", json={"name": name, "secret": secret}), 201)["id"]
    for team in ("A", "S"):
        for role in ("user", "viewer"):
            team_json = expect(owner.post(f"/api/team/{w.teams[team]}/member",
                                          json={"userId": w.users[role]["id"]}), 200)
            assert w.users[role]["id"] in team_json["members"]

    # Every other role signs in and makes its own key; a Viewer's keys are read-only.
    for role in ("administrator", "user", "viewer", "outsider"):
        w.sessions[role] = sign_in(url, w.users[role]["email"])
    w.viewer_rw_key_attempt = w.sessions["viewer"].post("/api/apikey", json={"name": "viewer rw", "mode": "rw"})
    for role in ("administrator", "user", "viewer", "outsider"):
        created = new_key(w, w.sessions[role], "r" if role == "viewer" else "rw", f"{role} key")
        w.keys[role], w.key_ids[role] = Client(url, key=created["key"]), created["id"]

    w.iam = expect(owner.get("/api/aws/account/iamParameters"), 200)
    w.own = create_account(w, owner, "own", read=[], write=[w.teams["A"]])
    w.other = create_account(w, owner, "other", read=[w.teams["B"]], write=[w.teams["B"]])
    return w


# --- first run -------------------------------------------------------------------------------

def test_first_run_setup_creates_the_owner_once(world):
    url = world.url
    assert world.before_setup.status_code == 302
    assert world.before_setup.headers["Location"].endswith("/setup")
    body = world.setup.json()
    assert body["user"]["email"] == "owner@example.com" and body["csrfToken"]
    again = requests.post(f"{url}/setup", timeout=TIMEOUT,
                          json={"email": "intruder@example.com", "name": "Intruder", "password": PASSWORD})
    assert "already has an Owner" in expect(again, 409)["error"]
    emails = {u["email"] for u in expect(world.keys["owner"].get("/api/user"), 200)["users"]}
    assert "intruder@example.com" not in emails
    assert requests.get(f"{url}/", allow_redirects=False, timeout=TIMEOUT).status_code == 200
    later = requests.get(f"{url}/setup", allow_redirects=False, timeout=TIMEOUT)
    assert later.status_code == 302 and later.headers["Location"].endswith("/login")


# --- 1. the role x action x account matrix ---------------------------------------------------

# Each role calls with its own API key (read-write, except the Viewer's read key).
#   role             action         own-team account   other-team account
MATRIX = [
    ("owner",         "list",        True,              True),
    ("owner",         "read",        READABLE,          READABLE),
    ("owner",         "update",      200,               200),
    ("owner",         "team_access", 200,               200),
    ("owner",         "delete",      204,               204),
    ("owner",         "sync",        202,               202),
    ("administrator", "list",        True,              True),
    ("administrator", "read",        READABLE,          READABLE),
    ("administrator", "update",      200,               200),
    ("administrator", "team_access", 200,               200),
    ("administrator", "delete",      204,               204),
    ("administrator","sync",        202,               202),
    ("user",          "list",        True,              False),
    ("user",          "read",        READABLE,          404),
    ("user",          "update",      403,               404),
    ("user",          "team_access", 403,               404),
    ("user",          "delete",      403,               404),
    ("user",          "sync",        202,               404),
    ("viewer",        "list",        True,              False),
    ("viewer",        "read",        READABLE,          404),
    ("viewer",        "update",      403,               404),
    ("viewer",        "team_access", 403,               404),
    ("viewer",        "delete",      403,               404),
    ("viewer",        "sync",        403,               404),
]
CREATE = {"owner": 201, "administrator": 201, "user": 403, "viewer": 403}
# The reason a 403 gives. A Viewer's key is read-only, but its role forbids the change in the
# first place, and that is the reason given (permissions.decide: "read-only" only when the role
# itself would allow the action, so the caller knows a read-write key would help).
FORBIDDEN_REASON = {"user": "your role (user) does not allow {action}",
                    "viewer": "your role (viewer) does not allow {action}"}
ACTION_NAME = {"update": "account:update", "team_access": "account:update", "delete": "account:delete",
               "create": "account:create", "sync": "account:scan"}


def test_account_matrix_by_role_and_team(world):
    owner = world.keys["owner"]
    targets = {"own": world.own, "other": world.other}
    read_access = {"own": list(world.own["readAccess"]), "other": list(world.other["readAccess"])}
    names = {"own": world.own["name"], "other": world.other["name"]}
    mismatches = []

    def check(role, action, which, expected, reply=None, actual=None):
        actual = reply.status_code if reply is not None else actual
        if actual != expected:
            mismatches.append(f"{role} {action} {which}: expected {expected}, got {actual}"
                              + (f" {reply.text.strip()}" if reply is not None else ""))
            return
        if reply is not None and reply.status_code == 404:
            if reply.json() != {"error": "no such account"}:
                mismatches.append(f"{role} {action} {which}: 404 body {reply.text.strip()}")
        if reply is not None and reply.status_code == 403:
            reason = FORBIDDEN_REASON[role].format(action=ACTION_NAME[action])
            if reply.json() != {"error": reason}:
                mismatches.append(f"{role} {action} {which}: 403 body {reply.text.strip()}, expected {reason!r}")

    for role, action, *expected in MATRIX:
        client = world.keys[role]
        for which, want in zip(("own", "other"), expected, strict=False):
            account = targets[which]
            path = f"/api/aws/account/{account['id']}"
            if action == "list":
                listed = {a["id"] for a in expect(client.get("/api/aws/account"), 200)["accounts"]}
                check(role, action, which, want, actual=account["id"] in listed)
            elif action == "read":
                reply = account_diagram(client, account["id"])
                if want == READABLE:
                    check(role, action, which, want, actual=read_outcome(reply))
                else:
                    check(role, action, which, want, reply)
            elif action == "update":
                new_name = f"{which} renamed by {role}"
                reply = client.put(path, json={"name": new_name})
                check(role, action, which, want, reply)
                if reply.status_code == 200:
                    assert reply.json()["name"] == new_name
                    names[which] = new_name
            elif action == "team_access":
                # Toggle between no read team and team B: neither changes what user@ and
                # viewer@ may see (own: write access for A; other: write access for B only).
                new_read = [] if read_access[which] else [world.teams["B"]]
                reply = client.put(path, json={"readAccess": new_read})
                check(role, action, which, want, reply)
                if reply.status_code == 200:
                    assert reply.json()["readAccess"] == new_read
                    read_access[which] = new_read
            elif action == "sync":
                reply = client.post(f"{path}/sync")
                check(role, action, which, want, reply)
                if reply.status_code == 202:
                    assert reply.json()["state"] == "queued" and reply.json()["syncId"]
            elif action == "delete":
                # a throwaway account shared like the target, so the other rows keep theirs
                throwaway = create_account(world, owner, f"{which} throwaway for {role}", read=account["readAccess"],
                                           write=account["writeAccess"])
                reply = client.delete(f"/api/aws/account/{throwaway['id']}")
                check(role, action, which, want, reply)
                still_there = read_outcome(account_diagram(owner, throwaway["id"]))
                assert still_there == (404 if reply.status_code == 204 else READABLE), (role, which, still_there)

    for role, want in CREATE.items():
        reply = world.keys[role].post("/api/aws/account", json={"name": f"created by {role}",
                                                                "roleArn": connectable_role(world)})
        check(role, "create", "-", want, reply)

    assert not mismatches, "\n".join(mismatches)

    # What the refused calls did not change, as the Owner sees it.
    current = {a["id"]: a for a in expect(owner.get("/api/aws/account"), 200)["accounts"]}
    for which, account in targets.items():
        assert current[account["id"]]["name"] == names[which]
        assert current[account["id"]]["readAccess"] == read_access[which]
        assert current[account["id"]]["writeAccess"] == account["writeAccess"]
    created_names = {a["name"] for a in current.values()}
    assert {"created by owner", "created by administrator"} <= created_names
    assert not {"created by user", "created by viewer"} & created_names


def test_the_account_list_pages_within_what_the_caller_may_see(world):
    owner, user = world.keys["owner"], world.keys["user"]
    every = [a["id"] for a in expect(owner.get("/api/aws/account"), 200)["accounts"]]
    assert "nextCursor" not in expect(owner.get("/api/aws/account"), 200)   # Cloudcraft's answer, unpaged
    paged, cursor = [], ""
    while True:
        page = expect(owner.get("/api/aws/account", params={"limit": 1, **({"cursor": cursor} if cursor else {})}), 200)
        paged += [a["id"] for a in page["accounts"]]
        cursor = page.get("nextCursor", "")
        if not cursor:
            break
    assert paged == every and len(every) >= 2
    # the user's team A has write access to "own" only
    page = expect(user.get("/api/aws/account", params={"limit": 1000}), 200)
    assert world.own["id"] in [a["id"] for a in page["accounts"]]
    assert world.other["id"] not in [a["id"] for a in page["accounts"]]
    for bad in ({"limit": 0}, {"limit": 1001}, {"limit": "ten"}, {"limit": 5, "cursor": "garbage"}):
        assert "error" in expect(owner.get("/api/aws/account", params=bad), 400)


def test_viewer_session_may_not_change_an_account_either(world):
    viewer = world.sessions["viewer"]
    reply = viewer.put(f"/api/aws/account/{world.own['id']}", json={"name": "renamed by viewer session"})
    assert expect(reply, 403) == {"error": "your role (viewer) does not allow account:update"}
    assert read_outcome(account_diagram(viewer, world.own["id"])) == READABLE
    names = {a["name"] for a in expect(world.keys["owner"].get("/api/aws/account"), 200)["accounts"]}
    assert "renamed by viewer session" not in names


# --- 2. what a guessed id or a hidden resource reveals ---------------------------------------

def test_a_guessed_account_id_answers_like_an_account_out_of_reach(world):
    user = world.keys["user"]
    guessed, hidden = str(uuid.uuid4()), world.other["id"]
    calls = [
        lambda account_id: account_diagram(user, account_id),
        lambda account_id: user.put(f"/api/aws/account/{account_id}", json={"name": "mine now"}),
        lambda account_id: user.put(f"/api/aws/account/{account_id}", json={"readAccess": [world.teams["A"]]}),
        lambda account_id: user.delete(f"/api/aws/account/{account_id}"),
    ]
    for call in calls:
        for_guess, for_hidden = call(guessed), call(hidden)
        assert for_guess.status_code == for_hidden.status_code == 404, (for_guess.text, for_hidden.text)
        assert for_guess.json() == for_hidden.json() == {"error": "no such account"}
        assert for_guess.headers["Content-Type"] == for_hidden.headers["Content-Type"]
    # and the Owner sees the hidden account untouched
    assert read_outcome(account_diagram(world.keys["owner"], hidden)) == READABLE
    assert expect(account_diagram(world.keys["owner"], guessed), 404) == {"error": "no such account"}


def test_secret_teams_are_seen_by_members_owners_and_administrators_only(world):
    secret = world.teams["S"]
    for role in ("owner", "administrator", "user", "viewer", "outsider"):
        listed = {t["id"] for t in expect(world.keys[role].get("/api/team"), 200)["teams"]}
        assert world.teams["A"] in listed and world.teams["B"] in listed, role
        assert (secret in listed) == (role != "outsider"), role
    for role in ("owner", "administrator", "user", "viewer"):
        assert expect(world.keys[role].get(f"/api/team/{secret}"), 200)["secret"] is True
    outsider = world.keys["outsider"]
    hidden = outsider.get(f"/api/team/{secret}")
    guessed = outsider.get(f"/api/team/{uuid.uuid4()}")
    assert expect(hidden, 404) == expect(guessed, 404) == {"error": "no such team"}
    # a change to the secret team is as unknown to them as the team itself
    assert expect(outsider.put(f"/api/team/{secret}", json={"name": "found you"}), 404) == {"error": "no such team"}
    assert expect(outsider.post(f"/api/team/{secret}/member", json={"userId": world.users["outsider"]["id"]}),
                  404) == {"error": "no such team"}
    # a visible team: known, but not theirs to change
    assert "does not allow team:update" in expect(
        outsider.put(f"/api/team/{world.teams['A']}", json={"name": "A2"}), 403)["error"]


def test_other_peoples_api_keys_are_hidden_from_a_user_but_not_from_an_administrator(world):
    user, admin = world.keys["user"], world.keys["administrator"]
    admin_id, user_id = world.users["administrator"]["id"], world.users["user"]["id"]
    own = expect(user.get("/api/apikey"), 200)["apiKeys"]
    assert {k["userId"] for k in own} == {user_id} and world.key_ids["user"] in {k["id"] for k in own}
    assert all("key" not in k for k in own)  # the secret is shown once, at creation
    assert expect(user.get(f"/api/apikey?userId={admin_id}"), 404) == {"error": "no such apikey"}
    hidden = user.delete(f"/api/apikey/{world.key_ids['administrator']}")
    guessed = user.delete(f"/api/apikey/{uuid.uuid4()}")
    assert expect(hidden, 404) == expect(guessed, 404) == {"error": "no such apikey"}
    expect(admin.get("/api/user/me"), 200)  # the admin's key still works

    # An Administrator lists and revokes another user's key.
    spare = new_key(world, world.sessions["user"], "rw", "spare")
    expect(Client(world.url, key=spare["key"]).get("/api/user/me"), 200)
    listed = expect(admin.get(f"/api/apikey?userId={user_id}"), 200)["apiKeys"]
    assert {world.key_ids["user"], spare["id"]} <= {k["id"] for k in listed}
    expect(admin.delete(f"/api/apikey/{spare['id']}"), 204)
    assert expect(Client(world.url, key=spare["key"]).get("/api/user/me"), 401) == {"error": "invalid API key"}
    revoked = {k["id"]: k for k in expect(user.get("/api/apikey"), 200)["apiKeys"]}[spare["id"]]
    assert revoked["revokedAt"]
    expect(user.get("/api/user/me"), 200)  # the user's other key is unaffected


# --- 3. API keys -------------------------------------------------------------------------------

def test_a_revoked_key_is_refused_at_once(world):
    session = world.sessions["user"]
    created = new_key(world, session, "rw", "to revoke")
    key = Client(world.url, key=created["key"])
    assert expect(key.get("/api/user/me"), 200)["email"] == "user@example.com"  # now in the gateway's cache
    expect(session.delete(f"/api/apikey/{created['id']}"), 204)
    assert expect(key.get("/api/user/me"), 401) == {"error": "invalid API key"}
    assert expect(key.get("/api/aws/account"), 401) == {"error": "invalid API key"}
    # revoking again is harmless
    expect(session.delete(f"/api/apikey/{created['id']}"), 204)


def _expiring_key(world, seconds: float) -> tuple[Client, datetime]:
    expires = (datetime.now(UTC) + timedelta(seconds=seconds)).replace(microsecond=0) + timedelta(seconds=1)
    created = new_key(world, world.sessions["user"], "rw", "expiring",
                      expiresAt=expires.isoformat().replace("+00:00", "Z"))
    assert created["expiresAt"] == expires.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    key = Client(world.url, key=created["key"])
    assert expect(key.get("/api/user/me"), 200)["email"] == "user@example.com"
    return key, expires


def test_an_expired_key_is_refused(world):
    key, expires = _expiring_key(world, 1)

    def refused():
        """the key is refused once its expiry has passed"""
        return key.get("/api/user/me").status_code == 401

    wait_for(refused, timeout=20, interval=0.25)
    assert datetime.now(UTC) >= expires
    assert expect(key.get("/api/aws/account"), 401) == {"error": "invalid API key"}


def test_an_expired_key_is_refused_as_soon_as_it_expires(world):
    key, expires = _expiring_key(world, 1)  # just used: the gateway now caches it for 5 s
    time.sleep(max(0.0, (expires - datetime.now(UTC)).total_seconds()) + 0.3)
    assert key.get("/api/user/me").status_code == 401


def test_a_read_key_reads_but_changes_nothing(world):
    owner = world.keys["owner"]
    reader = Client(world.url, key=new_key(world, world.sessions["owner"], "r", "owner read")["key"])
    for path in ("/api/aws/account", "/api/team", "/api/user", "/api/user/me", "/api/apikey", "/api/audit",
                 f"/api/team/{world.teams['S']}"):
        expect(reader.get(path), 200)
    assert read_outcome(account_diagram(reader, world.own["id"])) == READABLE
    before = {path: expect(owner.get(path), 200) for path in ("/api/aws/account", "/api/team", "/api/user")}
    writes = [
        ("POST", "/api/aws/account", {"name": "by read key", "roleArn": role_arn()}),
        ("PUT", f"/api/aws/account/{world.own['id']}", {"name": "by read key"}),
        ("PUT", f"/api/aws/account/{world.own['id']}", {"readAccess": [world.teams["S"]]}),
        ("DELETE", f"/api/aws/account/{world.own['id']}", None),
        ("POST", "/api/team", {"name": "by read key"}),
        ("PUT", f"/api/team/{world.teams['A']}", {"name": "by read key"}),
        ("DELETE", f"/api/team/{world.teams['B']}", None),
        ("POST", f"/api/team/{world.teams['B']}/member", {"userId": world.users["outsider"]["id"]}),
        ("DELETE", f"/api/team/{world.teams['A']}/member/{world.users['user']['id']}", None),
        ("POST", "/api/user", {"email": "byreadkey@example.com", "name": "x", "role": "user", "password": PASSWORD}),
        ("PUT", f"/api/user/{world.users['outsider']['id']}", {"name": "by read key"}),
        ("DELETE", f"/api/user/{world.users['outsider']['id']}", None),
        ("POST", "/api/apikey", {"name": "by read key", "mode": "r"}),
        ("POST", "/api/apikey", {"name": "by read key", "mode": "rw"}),
        ("DELETE", f"/api/apikey/{world.key_ids['outsider']}", None),
    ]
    for method, path, body in writes:
        reply = reader.request(method, path, json=body)
        assert reply.status_code == 403, (method, path, reply.text)
        assert reply.json() == {"error": "this API key is read-only"}, (method, path, reply.text)
    after = {path: expect(owner.get(path), 200) for path in before}
    assert after == before
    expect(world.keys["outsider"].get("/api/user/me"), 200)  # not revoked


def test_bad_api_key_requests_are_clear_400s(world):
    session = world.sessions["user"]
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat().replace("+00:00", "Z")
    assert "future" in expect(session.post("/api/apikey", json={"mode": "rw", "expiresAt": past}), 400)["error"]
    assert "ISO 8601" in expect(session.post("/api/apikey", json={"mode": "rw", "expiresAt": "next week"}),
                                400)["error"]
    assert "'mode'" in expect(session.post("/api/apikey", json={"mode": "admin"}), 400)["error"]
    assert "'mode'" in expect(session.post("/api/apikey", json={"name": "no mode"}), 400)["error"]
    for data in ("not json", "[1, 2]", '{"mode": '):
        reply = session.post("/api/apikey", data=data, headers={"Content-Type": "application/json"})
        assert expect(reply, 400) == {"error": "the request body must be a JSON object"}
    keys = expect(session.get("/api/apikey"), 200)["apiKeys"]
    assert not [k for k in keys if k["name"] == "no mode"]


# --- 4. roles ----------------------------------------------------------------------------------

def test_only_an_owner_manages_owners(world):
    owner, admin, owner_id = world.keys["owner"], world.keys["administrator"], world.users["owner"]["id"]
    admin_id = world.users["administrator"]["id"]
    assert "user:manage_owner" in expect(admin.post("/api/user", json={
        "email": "second-owner@example.com", "name": "Second", "role": "owner", "password": PASSWORD}), 403)["error"]
    assert "user:manage_owner" in expect(admin.put(f"/api/user/{owner_id}", json={"role": "administrator"}),
                                         403)["error"]
    assert "user:manage_owner" in expect(admin.put(f"/api/user/{admin_id}", json={"role": "owner"}), 403)["error"]
    assert "user:manage_owner" in expect(admin.delete(f"/api/user/{owner_id}"), 403)["error"]
    users = {u["id"]: u for u in expect(owner.get("/api/user"), 200)["users"]}
    assert users[owner_id]["role"] == "owner" and users[admin_id]["role"] == "administrator"
    assert "second-owner@example.com" not in {u["email"] for u in users.values()}

    # The Owner makes the admin an Owner (who may then manage Owners) and back.
    assert expect(owner.put(f"/api/user/{admin_id}", json={"role": "owner"}), 200)["role"] == "owner"
    assert expect(admin.get("/api/user/me"), 200)["role"] == "owner"
    temporary = expect(admin.post("/api/user", json={"email": "temp-owner@example.com", "name": "Temp",
                                                     "role": "owner", "password": PASSWORD}), 201)
    expect(admin.delete(f"/api/user/{temporary['id']}"), 204)
    assert expect(owner.put(f"/api/user/{admin_id}", json={"role": "administrator"}), 200)["role"] == "administrator"
    assert "user:manage_owner" in expect(admin.put(f"/api/user/{owner_id}", json={"role": "user"}), 403)["error"]

    # The last Owner can neither step down nor leave.
    assert "at least one Owner" in expect(owner.put(f"/api/user/{owner_id}", json={"role": "administrator"}),
                                          409)["error"]
    assert "at least one Owner" in expect(owner.delete(f"/api/user/{owner_id}"), 409)["error"]
    assert expect(owner.get("/api/user/me"), 200)["role"] == "owner"


def test_an_administrator_cannot_change_an_owner_at_all(world):
    owner_id = world.users["owner"]["id"]
    reply = world.keys["administrator"].put(f"/api/user/{owner_id}", json={"name": "Renamed by admin"})
    try:
        assert reply.status_code == 403, reply.text
    finally:  # leave the Owner's name as it was for the other tests
        world.keys["owner"].put(f"/api/user/{owner_id}", json={"name": "Owner"})


def test_a_user_cannot_administer(world):
    user = world.keys["user"]
    assert expect(user.get("/api/audit"), 403) == {"error": "your role (user) does not allow audit:read"}
    assert expect(user.post("/api/user", json={"email": "new@example.com", "name": "New", "role": "user",
                                               "password": PASSWORD}), 403) == \
        {"error": "your role (user) does not allow user:create"}
    assert expect(user.post("/api/team", json={"name": "user's team"}), 403) == \
        {"error": "your role (user) does not allow team:create"}
    assert "does not allow user:update" in expect(
        user.put(f"/api/user/{world.users['user']['id']}", json={"role": "administrator"}), 403)["error"]
    owner = world.keys["owner"]
    assert "new@example.com" not in {u["email"] for u in expect(owner.get("/api/user"), 200)["users"]}
    assert "user's team" not in {t["name"] for t in expect(owner.get("/api/team"), 200)["teams"]}
    assert expect(user.get("/api/user/me"), 200)["role"] == "user"


# --- 5. web sessions ---------------------------------------------------------------------------

def test_sign_in_failures_all_look_the_same(world):
    url = world.url
    wrong = requests.post(f"{url}/login", json={"email": "user@example.com", "password": "not the password!"},
                          timeout=TIMEOUT)
    unknown = requests.post(f"{url}/login", json={"email": "nobody@example.com", "password": PASSWORD},
                            timeout=TIMEOUT)
    assert expect(wrong, 401) == expect(unknown, 401) == {"error": "invalid email or password"}
    assert "Set-Cookie" not in wrong.headers and "Set-Cookie" not in unknown.headers


def test_a_session_cookie_with_csrf_protection(world):
    url = world.url
    good = requests.post(f"{url}/login", json={"email": "admin@example.com", "password": PASSWORD}, timeout=TIMEOUT)
    csrf = expect(good, 200)["csrfToken"]
    header = good.headers["Set-Cookie"]
    attributes = {part.strip().split("=")[0].lower() for part in header.split(";")}
    assert {"httponly", "secure"} <= attributes, header
    assert "samesite=lax" in header.lower().replace(" ", ""), header
    token = session_cookie(good).value
    session = Client(url, session=token, csrf=csrf)
    assert expect(session.get("/api/user/me"), 200)["email"] == "admin@example.com"

    def team(name):
        return {"name": f"{name}-{uuid.uuid4().hex[:6]}"}

    assert "CSRF" in expect(session.post("/api/team", json=team("no-token"), csrf=False), 403)["error"]
    assert "CSRF" in expect(session.post("/api/team", json=team("wrong-token"), csrf=False,
                                         headers={"X-CSRF-Token": csrf[::-1]}), 403)["error"]
    assert "cross-origin" in expect(session.post("/api/team", json=team("evil-origin"),
                                                 headers={"Origin": "http://evil.example"}), 403)["error"]
    # another session's token is no good either
    assert "CSRF" in expect(session.post("/api/team", json=team("foreign-token"), csrf=False,
                                         headers={"X-CSRF-Token": world.sessions["owner"].csrf}), 403)["error"]
    names = {t["name"].split("-")[0] for t in expect(world.keys["owner"].get("/api/team"), 200)["teams"]}
    assert not {"no", "wrong", "evil", "foreign"} & names
    created = expect(session.post("/api/team", json=team("good-token")), 201)
    assert created["name"].startswith("good-token-")
    expect(session.post("/api/team", json=team("same-origin"), headers={"Origin": url}), 201)
    # signing in from another site's page is refused too
    assert "cross-origin" in expect(requests.post(f"{url}/login", timeout=TIMEOUT, headers={
        "Origin": "http://evil.example"}, json={"email": "admin@example.com", "password": PASSWORD}), 403)["error"]

    # Signing out needs the token as well, then ends the session.
    assert "CSRF" in expect(session.post("/logout", csrf=False, headers={"Accept": "application/json"}),
                            403)["error"]
    expect(session.get("/api/user/me"), 200)
    expect(session.post("/logout", headers={"Accept": "application/json"}), 200)
    assert expect(session.get("/api/user/me"), 401)["error"].startswith("sign in")
    expect(world.sessions["administrator"].get("/api/user/me"), 200)  # other sessions live on


def test_failed_sign_ins_are_rate_limited_per_email(world):
    url, email = world.url, "ratelimited@example.com"
    expect(world.keys["owner"].post("/api/user", json={"email": email, "name": "Rate", "role": "user",
                                                       "password": PASSWORD}), 201)
    for attempt in range(5):
        reply = requests.post(f"{url}/login", json={"email": email, "password": f"wrong password {attempt}"},
                              timeout=TIMEOUT)
        assert expect(reply, 401) == {"error": "invalid email or password"}, attempt
    limited = requests.post(f"{url}/login", json={"email": email, "password": PASSWORD}, timeout=TIMEOUT)
    assert "try again" in expect(limited, 429)["error"]
    assert 1 <= int(limited.headers["Retry-After"]) <= 32  # what is left of the first delay (32 s)
    assert "Set-Cookie" not in limited.headers
    # other people still sign in
    expect(sign_in(url, "viewer@example.com").get("/api/user/me"), 200)


# --- 6. the audit log ------------------------------------------------------------------------

def test_the_audit_log_names_who_did_what_and_holds_no_secret(world):
    owner, admin = world.keys["owner"], world.keys["administrator"]
    owner_email, admin_email, user_email = "owner@example.com", "admin@example.com", "user@example.com"

    account = create_account(world, owner, "audited", read=[], write=[])
    expect(owner.put(f"/api/aws/account/{account['id']}", json={"readAccess": [world.teams["A"]]}), 200)
    expect(admin.put(f"/api/aws/account/{account['id']}", json={"name": "audited, renamed"}), 200)
    expect(admin.delete(f"/api/aws/account/{account['id']}"), 204)
    key = new_key(world, world.sessions["user"], "rw", "audited key")
    expect(admin.delete(f"/api/apikey/{key['id']}"), 204)
    audited = expect(admin.post("/api/user", json={"email": "audited@example.com", "name": "Audited",
                                                   "role": "user", "password": PASSWORD}), 201)
    expect(owner.put(f"/api/user/{audited['id']}", json={"role": "viewer"}), 200)
    team = expect(admin.post("/api/team", json={"name": "audited team", "secret": True}), 201)
    expect(admin.post(f"/api/team/{team['id']}/member", json={"userId": audited["id"]}), 200)

    expected = {
        ("account.added", account["id"], owner_email),
        ("account.team_access_changed", account["id"], owner_email),
        ("account.edited", account["id"], admin_email),
        ("account.removed", account["id"], admin_email),
        ("api_key.created", key["id"], user_email),
        ("api_key.revoked", key["id"], admin_email),
        ("user.created", audited["id"], admin_email),
        ("user.role_changed", audited["id"], owner_email),
        ("team.created", team["id"], admin_email),
        ("team.member_added", team["id"], admin_email),
        # from the module's set-up
        ("team.created", world.teams["S"], owner_email),
        ("team.member_added", world.teams["S"], owner_email),
        ("api_key.created", world.key_ids["viewer"], "viewer@example.com"),
        ("account.added", world.own["id"], owner_email),
    }

    def entries():
        """every expected entry is in the audit log (account entries come via the identity-worker)"""
        events = expect(owner.get("/api/audit?limit=1000"), 200)["events"]
        found = {(e["action"], e["targetId"], e["actorEmail"]) for e in events}
        return events if expected <= found else None

    events = wait_for(entries, timeout=20, interval=0.2)
    by_id = {e["id"]: e for e in events}
    users = {u["email"]: u["id"] for u in expect(owner.get("/api/user"), 200)["users"]}
    for event in events:
        if (event["action"], event["targetId"], event["actorEmail"]) in expected:
            assert event["actorId"] == users[event["actorEmail"]], event
            assert event["occurredAt"].endswith("Z"), event
    role_change = next(e for e in events if e["action"] == "user.role_changed" and e["targetId"] == audited["id"])
    assert role_change["detail"] == "audited@example.com: user -> viewer"

    # Newest first; ?limit and ?before page through it. Account entries arrive through the
    # worker, so take a snapshot that did not move while it was read.
    for _ in range(20):
        full = [e["id"] for e in expect(owner.get("/api/audit?limit=1000"), 200)["events"]]
        first = [e["id"] for e in expect(owner.get("/api/audit?limit=2"), 200)["events"]]
        second = [e["id"] for e in expect(owner.get(f"/api/audit?limit=2&before={first[-1]}"), 200)["events"]]
        again = [e["id"] for e in expect(owner.get("/api/audit?limit=1000"), 200)["events"]]
        if full == again:
            break
        time.sleep(0.2)
    assert full == again
    assert [int(i) for i in full] == sorted((int(i) for i in full), reverse=True)
    assert first == full[:2] and second == full[2:4]
    assert by_id.keys() <= set(full)
    assert "before" in expect(owner.get("/api/audit?before=latest"), 400)["error"]
    assert "limit" in expect(owner.get("/api/audit?limit=many"), 400)["error"]
    expect(admin.get("/api/audit?limit=1"), 200)

    # No secret ever: API keys (the prefix is fine, the key is not), passwords, session tokens.
    text = owner.get("/api/audit?limit=1000").text
    secrets = [*world.secrets, PASSWORD, *(s.session for s in world.sessions.values()),
               *(s.csrf for s in world.sessions.values())]
    assert len(world.secrets) >= 6
    leaked = [secret[:10] + "..." for secret in secrets if secret in text]
    assert not leaked, leaked
    created = next(e for e in events if e["action"] == "api_key.created" and e["targetId"] == key["id"])
    assert key["prefix"] in created["detail"] and key["key"] not in json.dumps(created)
