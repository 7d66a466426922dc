"""Identity: users and API keys. Returns protobuf messages, the shared vocabulary."""
from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from datetime import datetime, timezone

import sqlalchemy as sa
from argon2 import PasswordHasher
from sqlalchemy.engine import Engine

from cloudsketch.identity.v1 import identity_pb2 as pb
from services.common.errors import AlreadyExists, InvalidArgument, NotFound
from services.common.timeutil import as_utc, to_timestamp, utcnow
from services.identity.tables import api_keys, users

ROLE_NAMES = {"owner": pb.ROLE_OWNER, "administrator": pb.ROLE_ADMINISTRATOR,
              "user": pb.ROLE_USER, "viewer": pb.ROLE_VIEWER}
MODE_NAMES = {"r": pb.API_KEY_MODE_READ, "rw": pb.API_KEY_MODE_READ_WRITE}
KEY_PREFIX = "csk_"
LAST_USED_RESOLUTION_SECONDS = 60
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")

_hasher = PasswordHasher()


def _key_hash(secret: str) -> str:
    # API keys carry 256 random bits, so a fast hash is safe and lets us look a key up by it;
    # passwords, which people choose, get Argon2.
    return hashlib.sha256(secret.encode()).hexdigest()


def _user(row) -> pb.User:
    return pb.User(id=row.id, email=row.email, name=row.name, role=ROLE_NAMES[row.role],
                   created_at=to_timestamp(row.created_at), updated_at=to_timestamp(row.updated_at))


def _api_key(row) -> pb.ApiKey:
    return pb.ApiKey(id=row.id, user_id=row.user_id, name=row.name, mode=MODE_NAMES[row.mode], prefix=row.prefix,
                     created_at=to_timestamp(row.created_at), last_used_at=to_timestamp(row.last_used_at),
                     expires_at=to_timestamp(row.expires_at), revoked_at=to_timestamp(row.revoked_at))


def _role_name(role: int) -> str:
    for name, value in ROLE_NAMES.items():
        if value == role:
            return name
    raise InvalidArgument("role must be one of: " + ", ".join(ROLE_NAMES))


class Identity:
    def __init__(self, engine: Engine):
        self.engine = engine

    def create_user(self, email: str, name: str, role: int, password: str = "") -> pb.User:
        email = email.strip().lower()
        if not EMAIL.fullmatch(email):
            raise InvalidArgument(f"not an email address: {email!r}")
        if not name.strip():
            raise InvalidArgument("a user needs a name")
        role_name = _role_name(role)
        if password and len(password) < 12:
            raise InvalidArgument("a password needs at least 12 characters")
        now = utcnow()
        row = dict(id=str(uuid.uuid4()), email=email, name=name.strip(), role=role_name,
                   password_hash=_hasher.hash(password) if password else None, created_at=now, updated_at=now)
        try:
            with self.engine.begin() as conn:
                conn.execute(users.insert().values(**row))
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

    def set_password(self, user_id: str, password: str) -> None:
        if len(password) < 12:
            raise InvalidArgument("a password needs at least 12 characters")
        with self.engine.begin() as conn:
            done = conn.execute(users.update().where(users.c.id == user_id).values(
                password_hash=_hasher.hash(password), updated_at=utcnow()))
        if done.rowcount == 0:
            raise NotFound("no such user")

    def create_api_key(self, user_id: str, name: str, mode: int,
                       expires_at: datetime | None = None) -> tuple[pb.ApiKey, str]:
        mode_name = next((n for n, v in MODE_NAMES.items() if v == mode), None)
        if mode_name is None:
            raise InvalidArgument("an API key's mode is read (r) or read-write (rw)")
        self.get_user(user_id)
        if expires_at is not None:
            expires_at = as_utc(expires_at).astimezone(timezone.utc)  # SQLite keeps no zone: store UTC
            if expires_at <= utcnow():
                raise InvalidArgument("an API key's expiry must lie in the future")
        secret = KEY_PREFIX + secrets.token_urlsafe(32)
        row = dict(id=str(uuid.uuid4()), user_id=user_id, name=name.strip() or "API key", mode=mode_name,
                   prefix=secret[:len(KEY_PREFIX) + 6], key_hash=_key_hash(secret), created_at=utcnow(),
                   expires_at=expires_at)
        with self.engine.begin() as conn:
            conn.execute(api_keys.insert().values(**row))
        return self._get_api_key(row["id"]), secret

    def _get_api_key(self, key_id: str) -> pb.ApiKey:
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

    def revoke_api_key(self, key_id: str) -> pb.ApiKey:
        with self.engine.begin() as conn:
            done = conn.execute(api_keys.update().where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
                                .values(revoked_at=utcnow()))
        key = self._get_api_key(key_id)
        if done.rowcount == 0 and not key.revoked_at.seconds:
            raise NotFound("no such API key")
        return key

    def authenticate_api_key(self, secret: str) -> pb.Principal:
        """The key's principal; one NotFound for unknown, revoked and expired keys alike."""
        unknown = NotFound("unknown, revoked or expired API key")
        if not secret.startswith(KEY_PREFIX):
            raise unknown
        now = utcnow()
        with self.engine.begin() as conn:
            key = conn.execute(sa.select(api_keys).where(api_keys.c.key_hash == _key_hash(secret))).first()
            if key is None or key.revoked_at is not None or (key.expires_at and as_utc(key.expires_at) <= now):
                raise unknown
            user = conn.execute(sa.select(users).where(users.c.id == key.user_id)).one()
            # last-used time to the minute: no write on every request
            if key.last_used_at is None or (now - as_utc(key.last_used_at)).total_seconds() > LAST_USED_RESOLUTION_SECONDS:
                conn.execute(api_keys.update().where(api_keys.c.id == key.id).values(last_used_at=now))
        return pb.Principal(user=_user(user), key_mode=MODE_NAMES[key.mode], api_key_id=key.id)
