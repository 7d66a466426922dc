"""One error table: every domain error, raised in a real grpcio server built by
services/common/grpc_server.py, reaches the gateway's error handler and the HTTP client with the
status codes pinned here (docs/architecture.md, "Runtime")."""
from __future__ import annotations

import tempfile
import uuid

import grpc
import pytest
import sqlalchemy as sa
from flask import Flask

from gateway.errors import register_error_handlers
from services.accounts.verification import VerificationFailed
from services.common import errors
from services.common.grpc_server import build_server

# error class, gRPC status code, HTTP status code
TABLE = [
    (errors.InvalidArgument, grpc.StatusCode.INVALID_ARGUMENT, 400),
    (VerificationFailed, grpc.StatusCode.INVALID_ARGUMENT, 400),  # docs/accounts.md: a role that fails answers 400
    (errors.NotFound, grpc.StatusCode.NOT_FOUND, 404),
    (errors.AlreadyExists, grpc.StatusCode.ALREADY_EXISTS, 409),
    (errors.PermissionDenied, grpc.StatusCode.PERMISSION_DENIED, 403),
    (errors.Unauthenticated, grpc.StatusCode.UNAUTHENTICATED, 401),
    (errors.FailedPrecondition, grpc.StatusCode.FAILED_PRECONDITION, 409),
    (errors.RateLimited, grpc.StatusCode.RESOURCE_EXHAUSTED, 429),
    (errors.Unavailable, grpc.StatusCode.UNAVAILABLE, 503),
    (errors.Stale, grpc.StatusCode.ABORTED, 412),
    (errors.DomainError, grpc.StatusCode.FAILED_PRECONDITION, 409),
]
ERRORS = {cls.__name__: cls for cls, _, _ in TABLE}
SERVICE = "cloudsketch.test.v1.ErrorService"


def _raise(request: bytes, context):
    if request == b"database":  # a real SQLAlchemy OperationalError: the database file cannot be opened
        engine = sa.create_engine(f"sqlite:///{tempfile.gettempdir()}/no-such-directory-{uuid.uuid4()}/x.db")
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT secret FROM users WHERE password = 'hunter2'"))
    raise ERRORS[request.decode()]("what went wrong, for the caller")


def _register(server) -> list[str]:
    handler = grpc.unary_unary_rpc_method_handler(_raise, request_deserializer=None, response_serializer=None)
    server.add_generic_rpc_handlers([grpc.method_handlers_generic_handler(SERVICE, {"Raise": handler})])
    return [SERVICE]


@pytest.fixture(scope="module")
def channel():
    server, _, port = build_server("test", _register, listen_addr="127.0.0.1:0")
    server.start()
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        yield channel
    server.stop(grace=None)


@pytest.fixture(scope="module")
def http(channel):
    call = channel.unary_unary(f"/{SERVICE}/Raise")
    app = Flask("gateway")  # the gateway's templates, for the HTML error page
    register_error_handlers(app)

    @app.get("/page/raise/<name>")
    def page_raise(name: str):
        call(name.encode(), timeout=10)
        return "unreachable"

    @app.get("/api/deadline")
    def deadline():
        raise Deadline()

    @app.get("/api/raise/<name>")
    def raise_(name: str):
        call(name.encode(), timeout=10)
        return "unreachable"

    return app.test_client()


def test_every_domain_error_is_in_the_table():
    def subclasses(cls):
        return {cls} | {s for sub in cls.__subclasses__() for s in subclasses(sub)}

    assert subclasses(errors.DomainError) == set(ERRORS.values())


@pytest.mark.parametrize("error,grpc_code,http_status", TABLE, ids=[cls.__name__ for cls, _, _ in TABLE])
def test_a_domain_error_has_one_grpc_and_one_http_code(channel, http, error, grpc_code, http_status):
    with pytest.raises(grpc.RpcError) as raised:
        channel.unary_unary(f"/{SERVICE}/Raise")(error.__name__.encode(), timeout=10)
    assert raised.value.code() == grpc_code
    assert raised.value.details() == "what went wrong, for the caller"

    reply = http.get(f"/api/raise/{error.__name__}")
    assert reply.status_code == http_status
    expected = "what went wrong, for the caller" if http_status < 500 else \
        "a cloudsketch service is unavailable; try again shortly"
    assert reply.get_json() == {"error": expected}


class Deadline(grpc.RpcError):
    def code(self):
        return grpc.StatusCode.DEADLINE_EXCEEDED

    def details(self):
        return "Deadline Exceeded"


def test_a_database_outage_is_unavailable_with_retry_after_and_no_statement(channel, http):
    with pytest.raises(grpc.RpcError) as raised:
        channel.unary_unary(f"/{SERVICE}/Raise")(b"database", timeout=10)
    assert raised.value.code() == grpc.StatusCode.UNAVAILABLE
    assert raised.value.details() == "the service's database is unavailable; try again shortly"

    reply = http.get("/api/raise/database")
    assert (reply.status_code, reply.headers["Retry-After"]) == (503, "5")
    assert reply.get_json() == {"error": "a cloudsketch service is unavailable; try again shortly"}
    assert "hunter2" not in reply.get_data(as_text=True)

    page = http.get("/page/raise/database", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert (page.status_code, page.headers["Retry-After"], page.mimetype) == (503, "5", "text/html")
    assert "Temporarily unavailable" in page.get_data(as_text=True)


def test_a_service_too_slow_to_answer_is_503_with_retry_after(http):
    reply = http.get("/api/deadline")
    assert (reply.status_code, reply.headers["Retry-After"]) == (503, "5")
    assert reply.get_json() == {"error": "a cloudsketch service is unavailable; try again shortly"}
