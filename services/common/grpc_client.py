"""gRPC clients: one channel per service address per process, shared by every thread."""
from __future__ import annotations

import functools

import grpc

from services.common import config

# A stuck service must not hang a caller forever; every call gets this deadline unless it
# passes its own timeout.
DEFAULT_TIMEOUT_SECONDS = 10.0
MAX_RECEIVE_BYTES = 256 * 2 ** 20


TOKEN_METADATA_KEY = "x-cloudsketch-internal-token"  # checked by grpc_server.InternalTokenInterceptor


class _SendToken(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor,
                 grpc.StreamUnaryClientInterceptor, grpc.StreamStreamClientInterceptor):
    """Adds CLOUDSKETCH_INTERNAL_TOKEN to every call's metadata."""

    def __init__(self, token: str):
        self._metadata = (TOKEN_METADATA_KEY, token)

    def _details(self, details):
        return details._replace(metadata=[*(details.metadata or ()), self._metadata])

    def intercept_unary_unary(self, continuation, client_call_details, request):
        return continuation(self._details(client_call_details), request)

    def intercept_unary_stream(self, continuation, client_call_details, request):
        return continuation(self._details(client_call_details), request)

    def intercept_stream_unary(self, continuation, client_call_details, request_iterator):
        return continuation(self._details(client_call_details), request_iterator)

    def intercept_stream_stream(self, continuation, client_call_details, request_iterator):
        return continuation(self._details(client_call_details), request_iterator)


@functools.cache
def channel(addr: str, token: str | None = None) -> grpc.Channel:
    """The channel to `addr`, sending the internal token (default: CLOUDSKETCH_INTERNAL_TOKEN)."""
    plain = grpc.insecure_channel(addr, options=[
        ("grpc.keepalive_time_ms", 30_000),
        ("grpc.enable_retries", 1),
        # Headless Kubernetes Services resolve to every replica; spread calls over them.
        ("grpc.lb_policy_name", "round_robin"),
        # Replies carry rendered diagrams: a 10,000-component account's JSON is about 4 MiB,
        # grpcio's default limit (docs/performance.md, "Diagram pipeline").
        ("grpc.max_receive_message_length", MAX_RECEIVE_BYTES),
    ])
    token = config.internal_token() if token is None else token
    return grpc.intercept_channel(plain, _SendToken(token)) if token else plain


def stub(service: str, stub_class):
    """A stub for `service`'s api at its configured address (CLOUDSKETCH_<SERVICE>_API_ADDR)."""
    return stub_class(channel(config.api_addr(service)))


def grpc_threads_outside_eventlet() -> None:
    """In an eventlet-patched worker, give grpcio's Python layer the original `threading`. Every
    worker calls this at start (services/common/main.py), right after monkey-patching.

    Workers call grpcio only from real OS threads (eventlet.tpool), so its locks, conditions and
    threads must be real ones too. With the patched module, grpcio's channel polling thread is a
    green thread blocked inside the C core (measured: a server-streaming call through the tpool
    hung until its deadline), and its locks are green locks taken from OS threads, which eventlet
    does not support. The collector-worker, the one worker that had not called this, aborted
    twice in a few hundred runs with grpcio's "epoll_wait error: Bad file descriptor", and with
    ten syncs starting at once it stalled for good on "greenlet.error: Cannot switch to a
    different thread" (bench/collector_scale.py found it)."""
    import grpc._channel
    import grpc._utilities
    from eventlet import patcher
    from grpc._cython import cygrpc

    original = patcher.original("threading")
    for module in (grpc._channel, grpc._utilities, cygrpc):
        module.threading = original
