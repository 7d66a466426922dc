"""Identity: users, API keys, web sessions, teams, authorisation and the audit log.
Returns protobuf messages, the shared vocabulary."""
from __future__ import annotations

import hashlib
import math
import re
import secrets
import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from cloudsketch.identity.v1 import identity_pb2 as pb
from services.common.database import insert_if_absent, lock_table_for_writes, read_connection
from services.common.errors import (
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    RateLimited,
    Unauthenticated,
)
from services.common.timeutil import as_utc, to_timestamp, utcnow
from services.identity import permissions
from services.identity.permissions import OWNER, ROLE_NAMES, ROLE_OF, Caller
from services.identity.tables import api_keys, audit_events, login_delays, sessions, team_members, teams, users

MODE_NAMES = {"r": pb.API_KEY_MODE_READ, "rw": pb.API_KEY_MODE_READ_WRITE}
KEY_PREFIX = "csk_"
LAST_USED_RESOLUTION_SECONDS = 60
SESSION_LIFETIME = timedelta(hours=12)
# Sign-in throttling (login): growing delays, never a lockout a stranger can cause. Each
# (email, client address) pair has LOGIN_FREE_FAILURES_PER_EMAIL failures without delay, then waits
# 32, 64, 128 ... seconds (at most LOGIN_MAX_DELAY) before its next attempt; each client address has
# LOGIN_FREE_FAILURES_PER_CLIENT (any emails) before its own delays start. A key's failures are
# forgotten after LOGIN_QUIET without an attempt, and an email's at its sign-in from that client.
LOGIN_FREE_FAILURES_PER_EMAIL = 5
LOGIN_FREE_FAILURES_PER_CLIENT = 20
LOGIN_MAX_DELAY = timedelta(minutes=15)
LOGIN_QUIET = timedelta(minutes=15)
EMAIL = re.compile(r"[^@\s]+@[^@\s]+")

BAD_LOGIN = "invalid email or password"

_hasher = PasswordHasher()
# Verified when the email is unknown, so a failed login takes as long either way.
_DUMMY_HASH = _hasher.hash("cloudsketch-timing-equaliser")

# Statements of the hot paths, built once: building a select() on every call cost more than running
# it on SQLite (docs/performance.md). Values go in as bind parameters.
_USER_COLUMNS = (users.c.id, users.c.email, users.c.name, users.c.role, users.c.created_at, users.c.updated_at)
# The user's team ids in the same round trip as the user, comma-separated (ids are UUIDs), or NULL.
_TEAM_IDS = (sa.select(sa.func.aggregate_strings(team_members.c.team_id, sa.literal_column("','")))
             .where(team_members.c.user_id == users.c.id).scalar_subquery().label("team_ids"))
_KEY_PRINCIPAL = (sa.select(api_keys.c.id.label("key_id"), api_keys.c.mode, api_keys.c.last_used_at,
                            api_keys.c.expires_at, api_keys.c.revoked_at, *_USER_COLUMNS, _TEAM_IDS)
                  .join(users, users.c.id == api_keys.c.user_id)
                  .where(api_keys.c.key_hash == sa.bindparam("key_hash")))
_CALLER = sa.select(users.c.role, _TEAM_IDS).where(users.c.id == sa.bindparam("user_id"))
_USER_TEAM_IDS = sa.select(team_members.c.team_id).where(team_members.c.user_id == sa.bindparam("user_id"))
_RECORD_LAST_USED = (api_keys.update().where(api_keys.c.id == sa.bindparam("key_id"))
                     .values(last_used_at=sa.bindparam("used_at")))


def _audit_insert(dialect_insert):
    """One statement per audit entry: the actor's email comes from a subquery, and a redelivered
    event's entry (same source_event_id) is skipped. The other columns' values come with execute()."""
    actor_email = sa.select(users.c.email).where(users.c.id == sa.bindparam("email_of")).scalar_subquery()
    return dialect_insert(audit_events).values(actor_email=sa.func.coalesce(actor_email, "")).on_conflict_do_nothing()


_INSERT_AUDIT = {"postgresql": _audit_insert(postgresql.insert), "sqlite": _audit_insert(sqlite.insert)}


def _sha256(secret: str) -> str:
    # API keys and session tokens carry 256 random bits, so a fast hash is safe and lets us look
    # them up by it; passwords, which people choose, get Argon2.
    return hashlib.sha256(secret.encode()).hexdigest()


def _user(row) -> pb.User:
    return pb.User(id=row.id, email=row.email, name=row.name, role=ROLE_NAMES[row.role],
                   created_at=to_timestamp(row.created_at), updated_at=to_timestamp(row.updated_at))


def _split_team_ids(aggregated: str | None) -> list[str]:
    return sorted(aggregated.split(",")) if aggregated else []


def _principal(user_row, team_ids: list[str], key_mode: int = pb.API_KEY_MODE_UNSPECIFIED,
               api_key_id: str = "", expires_at: datetime | None = None) -> pb.Principal:
    return pb.Principal(user=_user(user_row), key_mode=key_mode, api_key_id=api_key_id, team_ids=team_ids,
                        credential_expires_at=to_timestamp(expires_at))


def _api_key(row) -> pb.ApiKey:
    return pb.ApiKey(id=row.id, user_id=row.user_id, name=row.name, mode=MODE_NAMES[row.mode], prefix=row.prefix,
                     created_at=to_timestamp(row.created_at), last_used_at=to_timestamp(row.last_used_at),
                     expires_at=to_timestamp(row.expires_at), revoked_at=to_timestamp(row.revoked_at))


def _role_name(role: int) -> str:
    if role not in ROLE_OF:
        raise InvalidArgument("role must be one of: " + ", ".join(ROLE_NAMES))
    return ROLE_OF[role]


def _check_password(password: str) -> None:
    if len(password) < 12:
        raise InvalidArgument("a password needs at least 12 characters")


def _check_name(name: str, what: str) -> str:
    name = name.strip()
    if not name or len(name) > 200:
        raise InvalidArgument(f"{what} needs a name of 1 to 200 characters")
    return name


class Identity:
    def __init__(self, engine: Engine):
        self.engine = engine

    # --- audit log ---------------------------------------------------------------------------

    def _audit(self, conn: Connection, actor_id: str, action: str, target_kind: str, target_id: str,
               detail: str, source_event_id: str | None = None) -> None:
        conn.execute(_INSERT_AUDIT[conn.dialect.name], {
            "email_of": actor_id, "occurred_at": utcnow(), "actor_id": actor_id or "", "action": action,
            "target_kind": target_kind, "target_id": target_id, "detail": detail[:1000],
            "source_event_id": source_event_id})

    def record_audit(self, actor_id: str, action: str, target_kind: str, target_id: str, detail: str,
                     source_event_id: str) -> None:
        """An audit entry for a change another service made (from its event); idempotent. One
        statement, so no transaction around it (on PostgreSQL, no BEGIN and COMMIT round trips)."""
        with read_connection(self.engine) as conn:
            self._audit(conn, actor_id, action, target_kind, target_id, detail, source_event_id)
            conn.commit()

    def list_audit_events(self, limit: int = 100, before_id: str = "") -> list[pb.AuditEvent]:
        limit = 100 if limit <= 0 else min(limit, 1000)
        query = sa.select(audit_events).order_by(audit_events.c.id.desc()).limit(limit)
        if before_id:
            if not before_id.isdigit():
                raise InvalidArgument("before must be an audit event id")
            query = query.where(audit_events.c.id < int(before_id))
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [pb.AuditEvent(id=str(r.id), occurred_at=to_timestamp(r.occurred_at), actor_id=r.actor_id,
                              actor_email=r.actor_email, action=r.action, target_kind=r.target_kind,
                              target_id=r.target_id, detail=r.detail) for r in rows]

    # --- users -------------------------------------------------------------------------------

    def create_user(self, email: str, name: str, role: int, password: str = "", actor_id: str = "",
                    only_if_no_users: bool = False) -> pb.User:
        """`only_if_no_users`: the fresh-install path; the check and the insert are one step against
        every other writer of users, so of concurrent callers exactly one creates a user."""
        email = email.strip().lower()
        if not EMAIL.fullmatch(email) or len(email) > 320:
            raise InvalidArgument(f"not an email address: {email[:100]!r}")
        name = _check_name(name, "a user")
        role_name = _role_name(role)
        if password:
            _check_password(password)
        now = utcnow()
        row = dict(id=str(uuid.uuid4()), email=email, name=name, role=role_name,
                   password_hash=_hasher.hash(password) if password else None, created_at=now, updated_at=now)
        try:
            with self.engine.begin() as conn:
                if only_if_no_users:
                    lock_table_for_writes(conn, users)
                    if conn.execute(sa.select(users.c.id).limit(1)).first() is not None:
                        raise FailedPrecondition("this installation already has users; sign in instead")
                conn.execute(users.insert().values(**row))
                self._audit(conn, actor_id or row["id"], "user.created", "user", row["id"],
                            f"{email} as {role_name}")
        except sa.exc.IntegrityError:  # the unique email index decides, also between concurrent calls
            raise AlreadyExists(f"a user with email {email} exists") from None
        return self.get_user(row["id"])

    def get_user(self, user_id: str) -> pb.User:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(users).where(users.c.id == user_id)).first()
        if row is None:
            raise NotFound("no such user")
        return _user(row)

    def find_user_by_email(self, email: str) -> pb.User:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(users).where(users.c.email == email.strip().lower())).first()
        if row is None:
            raise NotFound(f"no user with email {email}")
        return _user(row)

    def list_users(self) -> list[pb.User]:
        with self.engine.connect() as conn:
            return [_user(r) for r in conn.execute(sa.select(users).order_by(users.c.email))]

    def _owner_count(self, conn: Connection) -> int:
        return conn.execute(sa.select(sa.func.count()).select_from(users).where(users.c.role == OWNER)).scalar()

    def update_user(self, user_id: str, name: str | None, role: int | None, actor_id: str) -> pb.User:
        values = {}
        if name is not None:
            values["name"] = _check_name(name, "a user")
        if role is not None:
            _role_name(role)
        with self.engine.begin() as conn:
            # The last-Owner rule holds under concurrency: role changes and deletions of users take
            # turns, so two Owners demoting each other at once cannot both see the other one.
            lock_table_for_writes(conn, users)
            before = conn.execute(sa.select(users).where(users.c.id == user_id)).first()
            if before is None:
                raise NotFound("no such user")
            if role is not None and ROLE_NAMES[before.role] != role:
                values["role"] = _role_name(role)
            if not values:
                return _user(before)
            conn.execute(users.update().where(users.c.id == user_id).values(**values, updated_at=utcnow()))
            if "role" in values:
                if before.role == "owner" and self._owner_count(conn) == 0:
                    raise FailedPrecondition("the organisation must keep at least one Owner")
                self._audit(conn, actor_id, "user.role_changed", "user", user_id,
                            f"{before.email}: {before.role} -> {values['role']}")
        return self.get_user(user_id)

    def delete_user(self, user_id: str, actor_id: str) -> None:
        with self.engine.begin() as conn:
            lock_table_for_writes(conn, users)  # the last-Owner rule, as in update_user
            user = conn.execute(sa.select(users).where(users.c.id == user_id)).first()
            if user is None:
                raise NotFound("no such user")
            conn.execute(users.delete().where(users.c.id == user_id))
            if user.role == "owner" and self._owner_count(conn) == 0:
                raise FailedPrecondition("the organisation must keep at least one Owner")
            self._audit(conn, actor_id, "user.deleted", "user", user_id, user.email)

    def set_password(self, user_id: str, password: str) -> None:
        _check_password(password)
        with self.engine.begin() as conn:
            done = conn.execute(users.update().where(users.c.id == user_id).values(
                password_hash=_hasher.hash(password), updated_at=utcnow()))
        if done.rowcount == 0:
            raise NotFound("no such user")

    def needs_first_owner(self) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(users.c.id).limit(1)).first() is None

    def create_first_owner(self, email: str, name: str, password: str) -> pb.User:
        """The fresh-install path: only while there are no users at all."""
        if not password:
            raise InvalidArgument("the first Owner needs a password")
        if not self.needs_first_owner():  # the cheap answer; create_user decides under a lock
            raise FailedPrecondition("this installation already has users; sign in instead")
        return self.create_user(email, name, pb.ROLE_OWNER, password, only_if_no_users=True)

    # --- principals and authorisation ----------------------------------------------------------

    def _team_ids(self, conn: Connection, user_id: str) -> list[str]:
        return sorted(conn.execute(_USER_TEAM_IDS, {"user_id": user_id}).scalars())

    def _caller(self, user_id: str, key_mode: int) -> Caller:
        """Who is asking, for Authorize and FilterAuthorized (every API request): one read."""
        with read_connection(self.engine) as conn:
            row = conn.execute(_CALLER, {"user_id": user_id}).first()
        if row is None:
            raise Unauthenticated("unknown user")
        return Caller(user_id, row.role, frozenset(_split_team_ids(row.team_ids)),
                      read_only_key=key_mode == pb.API_KEY_MODE_READ)

    def authorize(self, user_id: str, key_mode: int, action: str, resource: pb.ResourceRef) -> tuple[int, str]:
        if action not in permissions.PERMISSIONS:
            raise InvalidArgument(f"unknown action {action[:60]!r}")
        return permissions.decide(self._caller(user_id, key_mode), action, resource)

    def filter_authorized(self, user_id: str, key_mode: int, action: str,
                          resources: list[pb.ResourceRef]) -> list[str]:
        if action not in permissions.PERMISSIONS:
            raise InvalidArgument(f"unknown action {action[:60]!r}")
        caller = self._caller(user_id, key_mode)
        return [r.id for r in resources if permissions.allowed(caller, action, r)]

    def authorized_scope(self, user_id: str, key_mode: int, action: str) -> pb.GetAuthorizedScopeResponse:
        if action not in permissions.PERMISSIONS or not action.startswith(permissions.SCOPED_KINDS):
            raise InvalidArgument(f"no scope for action {action[:60]!r}: only account and blueprint actions have one")
        caller = self._caller(user_id, key_mode)
        return pb.GetAuthorizedScopeResponse(scope=permissions.scope(caller, action), team_ids=sorted(caller.team_ids))

    # --- API keys ------------------------------------------------------------------------------

    def create_api_key(self, user_id: str, name: str, mode: int, expires_at: datetime | None = None,
                       actor_id: str = "") -> tuple[pb.ApiKey, str]:
        mode_name = next((n for n, v in MODE_NAMES.items() if v == mode), None)
        if mode_name is None:
            raise InvalidArgument("an API key's mode is read (r) or read-write (rw)")
        user = self.get_user(user_id)
        if expires_at is not None:
            expires_at = as_utc(expires_at).astimezone(UTC)  # SQLite keeps no zone: store UTC
            if expires_at <= utcnow():
                raise InvalidArgument("an API key's expiry must lie in the future")
        secret = KEY_PREFIX + secrets.token_urlsafe(32)
        row = dict(id=str(uuid.uuid4()), user_id=user_id, name=(name.strip() or "API key")[:200], mode=mode_name,
                   prefix=secret[:len(KEY_PREFIX) + 6], key_hash=_sha256(secret), created_at=utcnow(),
                   expires_at=expires_at)
        with self.engine.begin() as conn:
            conn.execute(api_keys.insert().values(**row))
            self._audit(conn, actor_id or user_id, "api_key.created", "apikey", row["id"],
                        f"{row['prefix']}... ({mode_name}) for {user.email}")
        return self.get_api_key(row["id"]), secret

    def get_api_key(self, key_id: str) -> pb.ApiKey:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(api_keys).where(api_keys.c.id == key_id)).first()
        if row is None:
            raise NotFound("no such API key")
        return _api_key(row)

    def list_api_keys(self, user_id: str) -> list[pb.ApiKey]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(api_keys).where(api_keys.c.user_id == user_id)
                                .order_by(api_keys.c.created_at)).all()
        return [_api_key(r) for r in rows]

    def revoke_api_key(self, key_id: str, actor_id: str = "") -> pb.ApiKey:
        key = self.get_api_key(key_id)
        if key.revoked_at.seconds:
            return key
        with self.engine.begin() as conn:
            conn.execute(api_keys.update().where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
                         .values(revoked_at=utcnow()))
            self._audit(conn, actor_id or key.user_id, "api_key.revoked", "apikey", key_id, f"{key.prefix}...")
        return self.get_api_key(key_id)

    def authenticate_api_key(self, secret: str) -> pb.Principal:
        """The key's principal; one NotFound for unknown, revoked and expired keys alike.
        The hot path of every API request: one read (key, user and teams) outside a transaction,
        and a write only when the last-used time is more than a minute old."""
        unknown = NotFound("unknown, revoked or expired API key")
        if not secret.startswith(KEY_PREFIX):
            raise unknown
        now = utcnow()
        with read_connection(self.engine) as conn:
            row = conn.execute(_KEY_PRINCIPAL, {"key_hash": _sha256(secret)}).first()
            if row is None or row.revoked_at is not None or (row.expires_at and as_utc(row.expires_at) <= now):
                raise unknown
            if (row.last_used_at is None
                    or (now - as_utc(row.last_used_at)).total_seconds() > LAST_USED_RESOLUTION_SECONDS):
                conn.execute(_RECORD_LAST_USED, {"key_id": row.key_id, "used_at": now})
                conn.commit()
        return _principal(row, _split_team_ids(row.team_ids), MODE_NAMES[row.mode], row.key_id, row.expires_at)

    # --- web sessions --------------------------------------------------------------------------

    @staticmethod
    def login_delay(failures: int, free: int) -> timedelta:
        """How long a key waits after its `failures`-th failure: nothing before the `free`-th,
        then 32, 64, 128 ... seconds, at most LOGIN_MAX_DELAY."""
        if failures < free:
            return timedelta(0)
        return min(timedelta(seconds=2 ** min(failures - free + 5, 30)), LOGIN_MAX_DELAY)

    def _admit_attempt(self, conn: Connection, key: str, free: int, now: datetime) -> None:
        """Counts a sign-in attempt against `key` (before its password is checked), or raises
        RateLimited while the key must wait. The row is locked for the transaction (PostgreSQL:
        FOR UPDATE; SQLite: the write lock the first insert takes), so concurrent attempts are
        admitted one at a time and each sees the delay the one before it set."""
        conn.execute(insert_if_absent(conn, login_delays, key=key, failures=0, next_attempt_at=now))
        row = conn.execute(sa.select(login_delays).where(login_delays.c.key == key).with_for_update()).one()
        next_attempt_at = as_utc(row.next_attempt_at)
        if now < next_attempt_at:
            wait = math.ceil((next_attempt_at - now).total_seconds())
            raise RateLimited(f"too many failed sign-ins; try again in {wait} s")
        failures = 1 if now - next_attempt_at >= LOGIN_QUIET else row.failures + 1
        conn.execute(login_delays.update().where(login_delays.c.key == key).values(
            failures=failures, next_attempt_at=now + self.login_delay(failures, free)))

    def login(self, email: str, password: str, client_ip: str) -> tuple[str, str, pb.Principal, datetime]:
        """(session token, CSRF token, principal, expiry). Every failure says the same thing,
        whether or not the email exists.

        Throttling (see LOGIN_FREE_FAILURES_PER_EMAIL): each attempt is counted before its password
        is checked, per (email, client) and per client, in one transaction that refuses it while
        either key must still wait. A successful sign-in clears its (email, client) count and takes
        its own attempt back from the client's. `client_ip` is the gateway's view of the client
        (behind trusted proxies, their forwarded address)."""
        email = email.strip().lower()[:320]
        now = utcnow()
        client = client_ip[:100]
        pair_key, client_key = f"email:{email}|client:{client}", f"client:{client}"
        with self.engine.begin() as conn:  # a refusal rolls back the other key's count too
            self._admit_attempt(conn, pair_key, LOGIN_FREE_FAILURES_PER_EMAIL, now)
            self._admit_attempt(conn, client_key, LOGIN_FREE_FAILURES_PER_CLIENT, now)
        with self.engine.connect() as conn:
            user = conn.execute(sa.select(users).where(users.c.email == email)).first()
        try:
            _hasher.verify(user.password_hash if user and user.password_hash else _DUMMY_HASH, password)
            ok = user is not None and user.password_hash is not None
        except VerificationError:
            ok = False
        if not ok:
            raise Unauthenticated(BAD_LOGIN)  # the attempt is already counted
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        expires_at = now + SESSION_LIFETIME
        with self.engine.begin() as conn:
            conn.execute(login_delays.delete().where(login_delays.c.key == pair_key))
            conn.execute(login_delays.update().where(login_delays.c.key == client_key, login_delays.c.failures > 0)
                         .values(failures=login_delays.c.failures - 1))
            conn.execute(sessions.delete().where(sessions.c.expires_at < now))  # housekeeping
            conn.execute(sessions.insert().values(id=_sha256(token), user_id=user.id, csrf_token=csrf,
                                                  created_at=now, expires_at=expires_at))
            return token, csrf, _principal(user, self._team_ids(conn, user.id), expires_at=expires_at), expires_at

    def authenticate_session(self, token: str) -> tuple[pb.Principal, str]:
        with self.engine.connect() as conn:
            session = conn.execute(sa.select(sessions).where(sessions.c.id == _sha256(token))).first()
            if session is None or as_utc(session.expires_at) <= utcnow():
                raise Unauthenticated("your session has ended; sign in again")
            user = conn.execute(sa.select(users).where(users.c.id == session.user_id)).one()
            return _principal(user, self._team_ids(conn, user.id), expires_at=session.expires_at), session.csrf_token

    def logout(self, token: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(sessions.delete().where(sessions.c.id == _sha256(token)))

    # --- teams ---------------------------------------------------------------------------------

    def _team(self, conn: Connection, team_id: str) -> pb.Team:
        row = conn.execute(sa.select(teams).where(teams.c.id == team_id)).first()
        if row is None:
            raise NotFound("no such team")
        members = sorted(conn.execute(sa.select(team_members.c.user_id)
                                      .where(team_members.c.team_id == team_id)).scalars())
        return pb.Team(id=row.id, name=row.name, secret=row.secret, member_ids=members,
                       created_at=to_timestamp(row.created_at), updated_at=to_timestamp(row.updated_at))

    def get_team(self, team_id: str) -> pb.Team:
        with self.engine.connect() as conn:
            return self._team(conn, team_id)

    def create_team(self, name: str, secret: bool, actor_id: str) -> pb.Team:
        name = _check_name(name, "a team")
        now = utcnow()
        team_id = str(uuid.uuid4())
        try:
            with self.engine.begin() as conn:
                conn.execute(teams.insert().values(id=team_id, name=name, secret=secret, created_at=now,
                                                   updated_at=now))
                self._audit(conn, actor_id, "team.created", "team", team_id,
                            f"{name} ({'secret' if secret else 'visible'})")
        except sa.exc.IntegrityError:
            raise AlreadyExists(f"a team named {name!r} exists") from None
        return self.get_team(team_id)

    def list_teams(self, user_id: str) -> list[pb.Team]:
        caller = self._caller(user_id, pb.API_KEY_MODE_UNSPECIFIED)
        with self.engine.connect() as conn:
            ids = conn.execute(sa.select(teams.c.id, teams.c.secret).order_by(teams.c.name)).all()
            return [self._team(conn, team_id) for team_id, secret in ids
                    if permissions.allowed(caller, "team:read", pb.ResourceRef(kind="team", id=team_id, secret=secret))]

    def update_team(self, team_id: str, name: str | None, secret: bool | None, actor_id: str) -> pb.Team:
        values = {}
        if name is not None:
            values["name"] = _check_name(name, "a team")
        if secret is not None:
            values["secret"] = secret
        self.get_team(team_id)
        if values:
            try:
                with self.engine.begin() as conn:
                    conn.execute(teams.update().where(teams.c.id == team_id).values(**values, updated_at=utcnow()))
                    self._audit(conn, actor_id, "team.updated", "team", team_id,
                                ", ".join(f"{k}={v}" for k, v in values.items()))
            except sa.exc.IntegrityError:
                raise AlreadyExists(f"a team named {values.get('name')!r} exists") from None
        return self.get_team(team_id)

    def delete_team(self, team_id: str, actor_id: str) -> None:
        team = self.get_team(team_id)
        with self.engine.begin() as conn:
            conn.execute(teams.delete().where(teams.c.id == team_id))
            self._audit(conn, actor_id, "team.deleted", "team", team_id, team.name)

    def add_team_member(self, team_id: str, user_id: str, actor_id: str) -> pb.Team:
        team, user = self.get_team(team_id), self.get_user(user_id)
        with self.engine.begin() as conn:
            conn.execute(insert_if_absent(conn, team_members, team_id=team_id, user_id=user_id))
            self._audit(conn, actor_id, "team.member_added", "team", team_id, f"{user.email} to {team.name}")
        return self.get_team(team_id)

    def remove_team_member(self, team_id: str, user_id: str, actor_id: str) -> pb.Team:
        team = self.get_team(team_id)
        with self.engine.begin() as conn:
            done = conn.execute(team_members.delete().where(team_members.c.team_id == team_id,
                                                            team_members.c.user_id == user_id))
            if done.rowcount == 0:
                raise NotFound("that user is not a member of this team")
            self._audit(conn, actor_id, "team.member_removed", "team", team_id, f"{user_id} from {team.name}")
        return self.get_team(team_id)
