"""Trust between services (services/common/grpc_server.py, grpc_client.py): every gRPC call but
health checks must carry CLOUDSKETCH_INTERNAL_TOKEN, compared in constant time; reflection is off
unless asked for; an api that listens beyond 127.0.0.1 refuses to start without a token."""
from __future__ import annotations

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from services.common import grpc_client
from services.common.grpc_server import build_server

SERVICE = "cloudsketch.test.v1.EchoService"
TOKEN = "t0ken-for-this-deployment-only-0123456789"


def _register(server) -> list[str]:
    echo = grpc.unary_unary_rpc_method_handler(lambda request, context: request)
    stream = grpc.unary_stream_rpc_method_handler(lambda request, context: iter([request, request]))
    server.add_generic_rpc_handlers([grpc.method_handlers_generic_handler(SERVICE, {"Echo": echo, "Stream": stream})])
    return [SERVICE]


@pytest.fixture
def address(monkeypatch):
    monkeypatch.setenv("CLOUDSKETCH_INTERNAL_TOKEN", TOKEN)
    server, _, port = build_server("test", _register, listen_addr="127.0.0.1:0")
    server.start()
    yield f"127.0.0.1:{port}"
    server.stop(grace=None)


def echo(channel, method="Echo"):
    call = channel.unary_unary if method == "Echo" else channel.unary_stream
    reply = call(f"/{SERVICE}/{method}")(b"hello", timeout=10)
    return reply if method == "Echo" else list(reply)


@pytest.mark.parametrize("method", ["Echo", "Stream"])
def test_calls_without_or_with_a_wrong_token_are_unauthenticated(address, method):
    for channel in (grpc.insecure_channel(address), grpc_client.channel(address, "wrong-token"),
                    grpc_client.channel(address, TOKEN[:-1])):
        with channel, pytest.raises(grpc.RpcError) as refused:
            echo(channel, method)
        assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED, channel
    assert echo(grpc_client.channel(address, TOKEN), method) in (b"hello", [b"hello", b"hello"])


def test_the_client_sends_the_configured_token(address):
    assert echo(grpc_client.channel(address)) == b"hello"  # CLOUDSKETCH_INTERNAL_TOKEN from the environment


def test_health_checks_need_no_token_and_reflection_is_off(address):
    with grpc.insecure_channel(address) as channel:
        reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=""), timeout=10)
        assert reply.status == health_pb2.HealthCheckResponse.SERVING
    reflection = reflection_pb2_grpc.ServerReflectionStub(grpc_client.channel(address, TOKEN))
    with pytest.raises(grpc.RpcError) as off:
        list(reflection.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]),
                                             timeout=10))
    assert off.value.code() == grpc.StatusCode.UNIMPLEMENTED


def test_reflection_when_enabled_needs_the_token_too(monkeypatch):
    monkeypatch.setenv("CLOUDSKETCH_INTERNAL_TOKEN", TOKEN)
    monkeypatch.setenv("CLOUDSKETCH_GRPC_REFLECTION", "true")
    server, _, port = build_server("test", _register, listen_addr="127.0.0.1:0")
    server.start()
    try:
        request = iter([reflection_pb2.ServerReflectionRequest(list_services="")])
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel, pytest.raises(grpc.RpcError) as refused:
            list(reflection_pb2_grpc.ServerReflectionStub(channel).ServerReflectionInfo(request, timeout=10))
        assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED
        listed = reflection_pb2_grpc.ServerReflectionStub(grpc_client.channel(f"127.0.0.1:{port}", TOKEN)) \
            .ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]), timeout=10)
        names = {s.name for reply in listed for s in reply.list_services_response.service}
        assert SERVICE in names
    finally:
        server.stop(grace=None)


def test_an_api_beyond_localhost_needs_a_token(monkeypatch):
    monkeypatch.delenv("CLOUDSKETCH_INTERNAL_TOKEN", raising=False)
    with pytest.raises(SystemExit, match="CLOUDSKETCH_INTERNAL_TOKEN"):
        build_server("test", _register, listen_addr="0.0.0.0:0")
    server, _, _ = build_server("test", _register, listen_addr="127.0.0.1:0")  # the local demo may
    server.stop(grace=None)


def test_rotation_accepts_every_listed_token_and_sends_the_first(monkeypatch):
    monkeypatch.setenv("CLOUDSKETCH_INTERNAL_TOKEN", f"new-{TOKEN}, {TOKEN}")
    server, _, port = build_server("test", _register, listen_addr="127.0.0.1:0")
    server.start()
    try:
        address = f"127.0.0.1:{port}"
        assert echo(grpc_client.channel(address, TOKEN)) == b"hello"  # a pod not yet restarted
        assert echo(grpc_client.channel(address, f"new-{TOKEN}")) == b"hello"
        with pytest.raises(grpc.RpcError) as refused:
            echo(grpc_client.channel(address, "old-and-gone"))
        assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED
        assert grpc_client.config.internal_token() == f"new-{TOKEN}"
    finally:
        server.stop(grace=None)
