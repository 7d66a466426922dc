"""Identity: users and API keys, in the domain (on SQLite and PostgreSQL) and through a real grpcio
server built the way identity-api builds it (interceptors, health, reflection, metrics)."""
from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone

import grpc
import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from prometheus_client import REGISTRY

from cloudsketch.identity.v1 import identity_pb2 as pb
from cloudsketch.identity.v1 import identity_pb2_grpc as pb_grpc
from services.common.database import open_database
from services.common.errors import AlreadyExists, InvalidArgument, NotFound
from services.common.grpc_server import build_server
from services.common.timeutil import as_utc, to_timestamp, utcnow
from services.identity.api import IdentityServicer
from services.identity.domain import Identity
from services.identity.tables import api_keys, users

SERVICE_NAME = "cloudsketch.identity.v1.IdentityService"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def engine(database_url):
    engine = open_database("identity")
    yield engine
    engine.dispose()


@pytest.fixture
def identity(engine):
    return Identity(engine)


@pytest.fixture
def user(identity):
    return identity.create_user("owner@example.com", "Owner", pb.ROLE_OWNER)


def user_rows(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(sa.select(users)).all()


def key_row(engine, key_id: str):
    with engine.connect() as conn:
        return conn.execute(sa.select(api_keys).where(api_keys.c.id == key_id)).one()


# --- users -----------------------------------------------------------------------------------

def test_create_user_stores_a_normalised_user(identity, engine):
    created = identity.create_user("  Alice@Example.COM ", "  Alice Liddell ", pb.ROLE_ADMINISTRATOR)
    assert created.email == "alice@example.com"
    assert created.name == "Alice Liddell"
    assert created.role == pb.ROLE_ADMINISTRATOR
    assert created.created_at.seconds > 0 and created.created_at == created.updated_at
    assert identity.get_user(created.id) == created
    assert identity.find_user_by_email("ALICE@example.com") == created
    [row] = user_rows(engine)
    assert (row.id, row.email, row.role, row.password_hash) == (created.id, "alice@example.com", "administrator", None)


@pytest.mark.parametrize("email", ["", "   ", "not-an-email", "a@b@example.com", "with space@example.com",
                                   "@example.com", "alice@"])
def test_create_user_rejects_a_bad_email(identity, engine, email):
    with pytest.raises(InvalidArgument, match="not an email address"):
        identity.create_user(email, "Alice", pb.ROLE_USER)
    assert user_rows(engine) == []


def test_create_user_rejects_bad_names_passwords_and_roles(identity, engine):
    with pytest.raises(InvalidArgument, match="a user needs a name"):
        identity.create_user("alice@example.com", "   ", pb.ROLE_USER)
    with pytest.raises(InvalidArgument, match="at least 12 characters"):
        identity.create_user("alice@example.com", "Alice", pb.ROLE_USER, "x" * 11)
    for role in (pb.ROLE_UNSPECIFIED, 99):
        with pytest.raises(InvalidArgument, match="role must be one of: owner, administrator, user, viewer"):
            identity.create_user("alice@example.com", "Alice", role)
    assert user_rows(engine) == []
    with pytest.raises(NotFound, match="no such user"):
        identity.get_user("no-such-id")
    with pytest.raises(NotFound):
        identity.find_user_by_email("alice@example.com")


def test_duplicate_email_is_rejected_case_insensitively(identity, engine):
    first = identity.create_user("alice@example.com", "Alice", pb.ROLE_USER)
    with pytest.raises(AlreadyExists, match="a user with email alice@example.com exists"):
        identity.create_user("ALICE@Example.com", "Another Alice", pb.ROLE_VIEWER)
    assert [row.id for row in user_rows(engine)] == [first.id]


def test_password_is_stored_as_an_argon2_hash(identity, engine):
    created = identity.create_user("alice@example.com", "Alice", pb.ROLE_USER, PASSWORD)
    [row] = user_rows(engine)
    assert row.password_hash.startswith("$argon2id$")
    assert PASSWORD not in row.password_hash
    assert PasswordHasher().verify(row.password_hash, PASSWORD)
    # set_password replaces the hash with a new one (new salt), still never the plaintext
    identity.set_password(created.id, PASSWORD + "!")
    [row2] = user_rows(engine)
    assert row2.password_hash != row.password_hash and PASSWORD not in row2.password_hash
    assert PasswordHasher().verify(row2.password_hash, PASSWORD + "!")
    with pytest.raises(InvalidArgument, match="at least 12 characters"):
        identity.set_password(created.id, "short")
    with pytest.raises(NotFound):
        identity.set_password("no-such-id", PASSWORD)


# --- API keys --------------------------------------------------------------------------------

def test_create_api_key_returns_the_secret_once_and_stores_only_its_sha256(identity, engine, user):
    key, secret = identity.create_api_key(user.id, "  CI  ", pb.API_KEY_MODE_READ_WRITE)
    assert secret.startswith("csk_") and len(secret) >= 4 + 43  # 32 random bytes, base64url
    assert key.user_id == user.id and key.name == "CI" and key.mode == pb.API_KEY_MODE_READ_WRITE
    assert key.prefix == secret[:10]
    assert not key.HasField("last_used_at") and not key.HasField("revoked_at") and not key.HasField("expires_at")

    row = key_row(engine, key.id)
    assert row.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    body = secret[len("csk_"):]
    for column, value in row._mapping.items():
        assert body not in str(value), f"api_keys.{column} holds the secret"
    # the secret is in no message returned afterwards
    for message in (key, *identity.list_api_keys(user.id)):
        assert body.encode() not in message.SerializeToString()
    # a second key is a different secret
    _, other = identity.create_api_key(user.id, "", pb.API_KEY_MODE_READ)
    assert other != secret and [k.name for k in identity.list_api_keys(user.id)] == ["CI", "API key"]


def test_create_api_key_rejects_unknown_users_and_modes(identity, engine, user):
    with pytest.raises(NotFound, match="no such user"):
        identity.create_api_key("no-such-user", "CI", pb.API_KEY_MODE_READ)
    with pytest.raises(InvalidArgument, match="read .r. or read-write .rw."):
        identity.create_api_key(user.id, "CI", pb.API_KEY_MODE_UNSPECIFIED)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(api_keys)).scalar() == 0


def test_authenticate_api_key_resolves_the_principal_and_mode(identity, user):
    read_key, read_secret = identity.create_api_key(user.id, "reader", pb.API_KEY_MODE_READ)
    rw_key, rw_secret = identity.create_api_key(user.id, "writer", pb.API_KEY_MODE_READ_WRITE,
                                                expires_at=utcnow() + timedelta(days=1))
    reader = identity.authenticate_api_key(read_secret)
    assert reader.user == user and reader.api_key_id == read_key.id and reader.key_mode == pb.API_KEY_MODE_READ
    writer = identity.authenticate_api_key(rw_secret)
    assert writer.user == user and writer.api_key_id == rw_key.id
    assert writer.key_mode == pb.API_KEY_MODE_READ_WRITE


def test_unknown_revoked_and_expired_keys_fail_with_one_message(identity, engine, user):
    revoked_key, revoked = identity.create_api_key(user.id, "revoked", pb.API_KEY_MODE_READ)
    identity.revoke_api_key(revoked_key.id)
    expired_key, expired = identity.create_api_key(user.id, "expired", pb.API_KEY_MODE_READ,
                                                   expires_at=utcnow() + timedelta(minutes=1))
    with engine.begin() as conn:  # time passes: the key's expiry is now a minute ago
        conn.execute(api_keys.update().where(api_keys.c.id == expired_key.id)
                     .values(expires_at=utcnow() - timedelta(minutes=1)))
    _, valid = identity.create_api_key(user.id, "valid", pb.API_KEY_MODE_READ)
    unknown = "csk_" + "A" * 43
    messages = set()
    for secret in (unknown, valid[:-1] + ("B" if valid[-1] != "B" else "C"), "not-a-key", "", revoked, expired):
        with pytest.raises(NotFound) as caught:
            identity.authenticate_api_key(secret)
        messages.add(str(caught.value))
    assert messages == {"unknown, revoked or expired API key"}
    assert identity.authenticate_api_key(valid).user.id == user.id


def test_last_used_at_is_set_on_first_use_and_then_to_the_minute(identity, engine, user):
    key, secret = identity.create_api_key(user.id, "CI", pb.API_KEY_MODE_READ)
    assert key_row(engine, key.id).last_used_at is None
    before = utcnow()
    identity.authenticate_api_key(secret)
    after = utcnow()
    first = as_utc(key_row(engine, key.id).last_used_at)
    assert before <= first <= after
    [listed] = identity.list_api_keys(user.id)
    assert listed.last_used_at == to_timestamp(first)

    # a second use within the resolution writes nothing
    identity.authenticate_api_key(secret)
    assert as_utc(key_row(engine, key.id).last_used_at) == first

    # a use after the resolution updates it
    long_ago = utcnow() - timedelta(hours=2)
    with engine.begin() as conn:
        conn.execute(api_keys.update().where(api_keys.c.id == key.id).values(last_used_at=long_ago))
    before = utcnow()
    identity.authenticate_api_key(secret)
    assert as_utc(key_row(engine, key.id).last_used_at) >= before


def test_an_expiry_in_the_past_is_refused(identity, user):
    with pytest.raises(InvalidArgument, match="expiry must lie in the future"):
        identity.create_api_key(user.id, "CI", pb.API_KEY_MODE_READ, expires_at=utcnow() - timedelta(seconds=1))
    assert identity.list_api_keys(user.id) == []


def test_expiry_given_in_another_time_zone_is_the_same_instant(identity, user):
    in_an_hour = datetime.now(timezone(timedelta(hours=-5))) + timedelta(hours=1)
    key, secret = identity.create_api_key(user.id, "CI", pb.API_KEY_MODE_READ, expires_at=in_an_hour)
    assert key.expires_at.ToDatetime(tzinfo=UTC) == in_an_hour.astimezone(UTC)
    assert identity.authenticate_api_key(secret).api_key_id == key.id


def test_list_and_revoke_api_keys(identity, engine, user):
    other_user = identity.create_user("other@example.com", "Other", pb.ROLE_VIEWER)
    first, first_secret = identity.create_api_key(user.id, "first", pb.API_KEY_MODE_READ)
    second, _ = identity.create_api_key(user.id, "second", pb.API_KEY_MODE_READ_WRITE)
    identity.create_api_key(other_user.id, "not mine", pb.API_KEY_MODE_READ)
    assert [k.id for k in identity.list_api_keys(user.id)] == [first.id, second.id]
    assert identity.list_api_keys("no-such-user") == []

    before = utcnow()
    revoked = identity.revoke_api_key(first.id)
    assert revoked.id == first.id and revoked.revoked_at.ToDatetime() >= before.replace(tzinfo=None)
    assert key_row(engine, first.id).revoked_at is not None
    # revoking again is harmless and keeps the first revocation time
    assert identity.revoke_api_key(first.id).revoked_at == revoked.revoked_at
    listed = {k.id: k for k in identity.list_api_keys(user.id)}
    assert listed[first.id].HasField("revoked_at") and not listed[second.id].HasField("revoked_at")
    with pytest.raises(NotFound):
        identity.authenticate_api_key(first_secret)
    with pytest.raises(NotFound, match="no such API key"):
        identity.revoke_api_key("no-such-key")


# --- the gRPC api ----------------------------------------------------------------------------

@pytest.fixture
def identity_api(engine):
    def register(server):
        pb_grpc.add_IdentityServiceServicer_to_server(IdentityServicer(Identity(engine)), server)
        return [SERVICE_NAME]

    server, _, port = build_server("identity", register, listen_addr="127.0.0.1:0")
    server.start()
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    yield channel
    channel.close()
    server.stop(grace=None).wait()


def handled(method: str, code: str) -> float:
    value = REGISTRY.get_sample_value("grpc_server_handled_total", {
        "grpc_service": SERVICE_NAME, "grpc_method": method, "grpc_code": code})
    return value or 0.0


def rpc_error(call, request) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as caught:
        call(request, timeout=10)
    return caught.value


def test_grpc_api_maps_domain_errors_to_status_codes(identity_api):
    stub = pb_grpc.IdentityServiceStub(identity_api)
    counted = [("CreateUser", "OK"), ("CreateUser", "INVALID_ARGUMENT"), ("CreateUser", "ALREADY_EXISTS"),
               ("GetUser", "NOT_FOUND"), ("GetUser", "OK"), ("CreateApiKey", "OK"),
               ("AuthenticateApiKey", "OK"), ("AuthenticateApiKey", "NOT_FOUND"), ("RevokeApiKey", "NOT_FOUND")]
    before = {label: handled(*label) for label in counted}

    user = stub.CreateUser(pb.CreateUserRequest(email="Owner@Example.com", name="Owner", role=pb.ROLE_OWNER),
                           timeout=10).user
    assert user.email == "owner@example.com" and user.role == pb.ROLE_OWNER
    assert stub.GetUser(pb.GetUserRequest(id=user.id), timeout=10).user == user

    error = rpc_error(stub.CreateUser, pb.CreateUserRequest(email="nope", name="X", role=pb.ROLE_USER))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and error.details() == "not an email address: 'nope'"
    error = rpc_error(stub.CreateUser, pb.CreateUserRequest(email="owner@example.com", name="X", role=pb.ROLE_USER))
    assert error.code() == grpc.StatusCode.ALREADY_EXISTS
    assert error.details() == "a user with email owner@example.com exists"
    error = rpc_error(stub.GetUser, pb.GetUserRequest(id="no-such-id"))
    assert error.code() == grpc.StatusCode.NOT_FOUND and error.details() == "no such user"

    expires = to_timestamp(utcnow() + timedelta(hours=1))
    created = stub.CreateApiKey(pb.CreateApiKeyRequest(user_id=user.id, name="CI", mode=pb.API_KEY_MODE_READ,
                                                       expires_at=expires), timeout=10)
    assert created.secret.startswith("csk_") and created.api_key.expires_at.seconds == expires.seconds
    principal = stub.AuthenticateApiKey(pb.AuthenticateApiKeyRequest(api_key=created.secret), timeout=10).principal
    assert principal.user.id == user.id and principal.key_mode == pb.API_KEY_MODE_READ
    error = rpc_error(stub.AuthenticateApiKey, pb.AuthenticateApiKeyRequest(api_key="csk_nope"))
    assert error.code() == grpc.StatusCode.NOT_FOUND and error.details() == "unknown, revoked or expired API key"
    error = rpc_error(stub.RevokeApiKey, pb.RevokeApiKeyRequest(id="no-such-key"))
    assert error.code() == grpc.StatusCode.NOT_FOUND and error.details() == "no such API key"

    [listed] = stub.ListApiKeys(pb.ListApiKeysRequest(user_id=user.id), timeout=10).api_keys
    assert listed.id == created.api_key.id and listed.HasField("last_used_at")

    after = {label: handled(*label) for label in counted}
    assert {label: after[label] - before[label] for label in counted} == {
        ("CreateUser", "OK"): 1, ("CreateUser", "INVALID_ARGUMENT"): 1, ("CreateUser", "ALREADY_EXISTS"): 1,
        ("GetUser", "NOT_FOUND"): 1, ("GetUser", "OK"): 1, ("CreateApiKey", "OK"): 1,
        ("AuthenticateApiKey", "OK"): 1, ("AuthenticateApiKey", "NOT_FOUND"): 1, ("RevokeApiKey", "NOT_FOUND"): 1,
    }


@pytest.fixture
def reflection_on(monkeypatch):
    monkeypatch.setenv("CLOUDSKETCH_GRPC_REFLECTION", "true")  # off by default (docs/security.md)


def test_grpc_api_reports_health_and_reflection(reflection_on, identity_api):
    health = health_pb2_grpc.HealthStub(identity_api)
    for service in ("", SERVICE_NAME):
        reply = health.Check(health_pb2.HealthCheckRequest(service=service), timeout=10)
        assert reply.status == health_pb2.HealthCheckResponse.SERVING, service
    error = rpc_error(health.Check, health_pb2.HealthCheckRequest(service="no.such.Service"))
    assert error.code() == grpc.StatusCode.NOT_FOUND

    reflection = reflection_pb2_grpc.ServerReflectionStub(identity_api)
    requests = [reflection_pb2.ServerReflectionRequest(list_services=""),
                reflection_pb2.ServerReflectionRequest(file_containing_symbol=SERVICE_NAME)]
    listed, described = list(reflection.ServerReflectionInfo(iter(requests), timeout=10))
    names = {service.name for service in listed.list_services_response.service}
    assert {SERVICE_NAME, "grpc.health.v1.Health", "grpc.reflection.v1alpha.ServerReflection"} <= names
    # the service's own descriptor is served too, so grpcurl needs no .proto files
    assert described.file_descriptor_response.file_descriptor_proto
    assert b"IdentityService" in described.file_descriptor_response.file_descriptor_proto[0]
