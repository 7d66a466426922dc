"""One error table: every domain error, raised in a real grpcio server built by
services/common/grpc_server.py, reaches the gateway's error handler and the HTTP client with the
status codes pinned here (docs/architecture.md, "Runtime")."""
from __future__ import annotations

import grpc
import pytest
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
    app = Flask(__name__)
    register_error_handlers(app)

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
