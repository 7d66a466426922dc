"""Identity's teams, sessions, sign-in limits, Owner rules and audit log, on SQLite and PostgreSQL."""
from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from cloudsketch.identity.v1 import identity_pb2 as pb
from services.common.database import open_database
from services.common.errors import FailedPrecondition, InvalidArgument, RateLimited, Unauthenticated
from services.identity import domain
from services.identity.domain import Identity
from services.identity.tables import audit_events, sessions

PASSWORD = "correct horse battery staple"


@pytest.fixture
def identity(database_url):
    engine = open_database("identity")
    yield Identity(engine)
    engine.dispose()


@pytest.fixture
def owner(identity):
    return identity.create_first_owner("owner@example.com", "Owner", PASSWORD)


def test_first_owner_only_on_a_fresh_install(identity):
    assert identity.needs_first_owner()
    owner = identity.create_first_owner("first@example.com", "First", PASSWORD)
    assert owner.role == pb.ROLE_OWNER and not identity.needs_first_owner()
    with pytest.raises(FailedPrecondition, match="already has users"):
        identity.create_first_owner("second@example.com", "Second", PASSWORD)


def race(count: int, call) -> list:
    """call(n) in `count` threads released at once: each result or the exception it raised."""
    start = threading.Barrier(count)
    outcomes = [None] * count

    def run(n):
        start.wait()
        try:
            outcomes[n] = call(n)
        except Exception as exc:
            outcomes[n] = exc

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_concurrent_first_run_setups_make_one_owner(identity):
    outcomes = race(8, lambda n: identity.create_first_owner(f"owner{n}@example.com", f"Owner {n}", PASSWORD))
    [winner] = [o for o in outcomes if isinstance(o, pb.User)]
    refused = [o for o in outcomes if not isinstance(o, pb.User)]
    assert len(refused) == 7 and all(isinstance(o, FailedPrecondition) for o in refused), refused
    assert {str(o) for o in refused} == {"this installation already has users; sign in instead"}
    assert [u.id for u in identity.list_users()] == [winner.id]


def test_owners_demoting_each_other_at_once_leave_an_owner(identity, owner):
    for round_ in range(5):
        other = identity.create_user(f"owner{round_}@example.com", "Other", pb.ROLE_OWNER, actor_id=owner.id)
        pair = [owner, other]
        outcomes = race(2, lambda n, pair=pair: identity.update_user(pair[1 - n].id, None, pb.ROLE_ADMINISTRATOR,
                                                                      pair[n].id))
        owners = [u for u in identity.list_users() if u.role == pb.ROLE_OWNER]
        assert len(owners) == 1, (round_, outcomes)
        assert sorted(type(o).__name__ for o in outcomes) == ["FailedPrecondition", "User"], outcomes
        owner = owners[0]


class Clock:
    """domain.utcnow, moved by the test: delays are checked without waiting for them."""

    def __init__(self):
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self):
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(domain, "utcnow", clock)
    return clock


def fail_sign_ins(identity, count, email="owner@example.com", client="10.0.0.9"):
    for _ in range(count):
        with pytest.raises(Unauthenticated):
            identity.login(email, "wrong password!", client)


def test_concurrent_wrong_passwords_are_checked_no_more_often_than_the_limit(identity, owner, clock):
    outcomes = race(40, lambda n: identity.login("owner@example.com", "wrong password!", "10.0.0.9"))
    wrong = [o for o in outcomes if isinstance(o, Unauthenticated)]
    limited = [o for o in outcomes if isinstance(o, RateLimited)]
    free = domain.LOGIN_FREE_FAILURES_PER_EMAIL
    assert (len(wrong), len(limited)) == (free, 40 - free)
    with pytest.raises(RateLimited):
        identity.login("owner@example.com", PASSWORD, "10.0.0.9")


def test_someone_elses_failures_never_lock_the_owner_out(identity, owner, clock):
    """The throttled key is (email, client): an attacker's wrong passwords delay only the
    attacker's own attempts at that email."""
    fail_sign_ins(identity, domain.LOGIN_FREE_FAILURES_PER_EMAIL, client="203.0.113.66")
    with pytest.raises(RateLimited):
        identity.login("owner@example.com", "another guess!", "203.0.113.66")
    assert identity.login("owner@example.com", PASSWORD, "198.51.100.7")[2].user.id == owner.id


def test_delays_grow_after_the_free_failures_and_end_at_a_sign_in(identity, owner, clock):
    free = domain.LOGIN_FREE_FAILURES_PER_EMAIL
    fail_sign_ins(identity, free)
    for delay in (32, 64, 128):
        with pytest.raises(RateLimited, match=f"try again in {delay} s"):  # even the right password
            identity.login("owner@example.com", PASSWORD, "10.0.0.9")
        clock.advance(delay - 1)
        with pytest.raises(RateLimited, match="try again in 1 s"):
            identity.login("owner@example.com", PASSWORD, "10.0.0.9")
        clock.advance(1)
        fail_sign_ins(identity, 1)
    assert domain.Identity.login_delay(100, free) == domain.LOGIN_MAX_DELAY
    clock.advance(256)
    identity.login("owner@example.com", PASSWORD, "10.0.0.9")
    fail_sign_ins(identity, free)  # a fresh allowance after the sign-in


def test_failures_are_forgotten_after_a_quiet_time(identity, owner, clock):
    fail_sign_ins(identity, domain.LOGIN_FREE_FAILURES_PER_EMAIL)
    clock.advance((domain.LOGIN_QUIET + domain.Identity.login_delay(5, 5)).total_seconds())
    fail_sign_ins(identity, domain.LOGIN_FREE_FAILURES_PER_EMAIL)


def test_a_client_trying_many_emails_is_delayed_and_a_sign_in_gives_back_its_attempt(identity, owner, clock):
    per_client = domain.LOGIN_FREE_FAILURES_PER_CLIENT
    fail_sign_ins(identity, 4, client="10.0.0.11")
    identity.login("owner@example.com", PASSWORD, "10.0.0.11")
    # the client's count holds only its failures: 4 + 0 for the success
    for n in range(per_client - 4):
        fail_sign_ins(identity, 1, email=f"someone{n}@example.com", client="10.0.0.11")
    with pytest.raises(RateLimited, match="try again in 32 s"):
        identity.login("someone-else@example.com", "wrong password!", "10.0.0.11")
    identity.login("owner@example.com", PASSWORD, "10.0.0.12")  # other clients are not affected


def test_sessions_are_stored_hashed_and_end_at_logout(identity, owner):
    token, csrf, principal, expires_at = identity.login("Owner@Example.com ", PASSWORD, "10.0.0.1")
    assert principal.user.id == owner.id and len(csrf) >= 40
    with identity.engine.connect() as conn:
        row = conn.execute(sa.select(sessions)).one()
    assert row.id == hashlib.sha256(token.encode()).hexdigest() and token not in str(tuple(row))
    assert identity.authenticate_session(token) == (principal, csrf)
    identity.logout(token)
    with pytest.raises(Unauthenticated):
        identity.authenticate_session(token)


def test_sign_in_failures_say_the_same_and_are_rate_limited(identity, owner, clock):
    messages = set()
    for email, password in [("owner@example.com", "wrong password!"), ("nobody@example.com", PASSWORD)]:
        with pytest.raises(Unauthenticated) as caught:
            identity.login(email, password, "10.0.0.2")
        messages.add(str(caught.value))
    assert messages == {"invalid email or password"}
    fail_sign_ins(identity, domain.LOGIN_FREE_FAILURES_PER_EMAIL - 1, client="10.0.0.2")
    with pytest.raises(RateLimited, match="try again in"):  # even with the right password now
        identity.login("owner@example.com", PASSWORD, "10.0.0.2")


def test_the_organisation_keeps_an_owner(identity, owner):
    admin = identity.create_user("admin@example.com", "Admin", pb.ROLE_ADMINISTRATOR, actor_id=owner.id)
    with pytest.raises(FailedPrecondition, match="at least one Owner"):
        identity.update_user(owner.id, None, pb.ROLE_ADMINISTRATOR, actor_id=owner.id)
    with pytest.raises(FailedPrecondition, match="at least one Owner"):
        identity.delete_user(owner.id, actor_id=owner.id)
    identity.update_user(admin.id, None, pb.ROLE_OWNER, actor_id=owner.id)
    assert identity.update_user(owner.id, None, pb.ROLE_USER, actor_id=owner.id).role == pb.ROLE_USER


def test_teams_and_what_each_user_sees(identity, owner):
    member = identity.create_user("member@example.com", "Member", pb.ROLE_USER, actor_id=owner.id)
    outsider = identity.create_user("outsider@example.com", "Outsider", pb.ROLE_USER, actor_id=owner.id)
    visible = identity.create_team("Platform", False, owner.id)
    secret = identity.create_team("Security", True, owner.id)
    identity.add_team_member(secret.id, member.id, owner.id)
    identity.add_team_member(secret.id, member.id, owner.id)  # twice: still one membership
    assert identity.get_team(secret.id).member_ids == [member.id]
    assert [t.name for t in identity.list_teams(owner.id)] == ["Platform", "Security"]
    assert [t.name for t in identity.list_teams(member.id)] == ["Platform", "Security"]
    assert [t.name for t in identity.list_teams(outsider.id)] == ["Platform"]
    assert identity.authenticate_api_key(identity.create_api_key(member.id, "k", pb.API_KEY_MODE_READ)[1]).team_ids \
        == [secret.id]
    with pytest.raises(InvalidArgument):
        identity.create_team("  ", False, owner.id)
    identity.delete_team(visible.id, owner.id)
    assert [t.name for t in identity.list_teams(outsider.id)] == []


def test_authorize_uses_role_and_teams(identity, owner):
    member = identity.create_user("member@example.com", "Member", pb.ROLE_USER, actor_id=owner.id)
    team = identity.create_team("Platform", False, owner.id)
    identity.add_team_member(team.id, member.id, owner.id)
    shared = pb.ResourceRef(kind="account", id="a1", owner_id=owner.id, read_team_ids=[team.id])
    private = pb.ResourceRef(kind="account", id="a2", owner_id=owner.id)
    assert identity.authorize(member.id, pb.API_KEY_MODE_READ_WRITE, "account:read", shared)[0] == pb.DECISION_ALLOW
    assert identity.authorize(member.id, pb.API_KEY_MODE_READ_WRITE, "account:read", private)[0] == pb.DECISION_HIDDEN
    assert identity.filter_authorized(member.id, 0, "account:read", [shared, private]) == ["a1"]
    assert identity.filter_authorized(owner.id, 0, "account:read", [shared, private]) == ["a1", "a2"]
    with pytest.raises(InvalidArgument, match="unknown action"):
        identity.authorize(member.id, 0, "account:explode", shared)
    with pytest.raises(Unauthenticated):
        identity.authorize("no-such-user", 0, "account:read", shared)


def test_the_authorized_scope_of_a_list_follows_the_permission_table(identity, owner):
    member = identity.create_user("member@example.com", "Member", pb.ROLE_USER, actor_id=owner.id)
    viewer = identity.create_user("viewer@example.com", "Viewer", pb.ROLE_VIEWER, actor_id=owner.id)
    team = identity.create_team("Platform", False, owner.id)
    identity.add_team_member(team.id, member.id, owner.id)

    def scope(user, action, mode=pb.API_KEY_MODE_READ_WRITE):
        answer = identity.authorized_scope(user.id, mode, action)
        return answer.scope, list(answer.team_ids)
    assert scope(owner, "account:read") == (pb.SCOPE_ALL, [])
    assert scope(member, "account:read") == (pb.SCOPE_SHARED_READ, [team.id])
    assert scope(member, "account:scan") == (pb.SCOPE_SHARED_WRITE, [team.id])
    assert scope(member, "account:scan", pb.API_KEY_MODE_READ)[0] == pb.SCOPE_NONE   # a read-only key
    assert scope(member, "blueprint:delete")[0] == pb.SCOPE_OWN
    assert scope(viewer, "account:update")[0] == pb.SCOPE_NONE
    for action in ("team:read", "account:explode"):
        with pytest.raises(InvalidArgument, match="no scope"):
            identity.authorized_scope(member.id, 0, action)


def test_audit_log_records_changes_and_pages(identity, owner):
    key, secret = identity.create_api_key(owner.id, "ci", pb.API_KEY_MODE_READ_WRITE)
    identity.revoke_api_key(key.id, actor_id=owner.id)
    identity.create_team("Platform", True, owner.id)
    for _ in range(2):  # a redelivered event records nothing new
        identity.record_audit(owner.id, "account.added", "account", "acc-1", "Prod (AWS account 210987654321)",
                              "account_registered:acc-1:2026-01-01T00:00:00Z")
    events = identity.list_audit_events()
    assert [e.action for e in events] == ["account.added", "team.created", "api_key.revoked", "api_key.created",
                                          "user.created"]
    assert all(e.actor_email == "owner@example.com" for e in events)
    assert secret not in str(events) and secret[:12] not in str(events)
    newest_two = identity.list_audit_events(limit=2)
    assert [e.action for e in newest_two] == ["account.added", "team.created"]
    assert [e.action for e in identity.list_audit_events(limit=2, before_id=newest_two[-1].id)] == \
        ["api_key.revoked", "api_key.created"]
    with identity.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(audit_events)).scalar() == 5
