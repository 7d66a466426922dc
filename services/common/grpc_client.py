"""gRPC clients: one channel per service address per process, shared by every thread."""
from __future__ import annotations

import functools

import grpc

from services.common import config

# A stuck service must not hang a caller forever; every call gets this deadline unless it
# passes its own timeout.
DEFAULT_TIMEOUT_SECONDS = 10.0


@functools.cache
def channel(addr: str) -> grpc.Channel:
    return grpc.insecure_channel(addr, options=[
        ("grpc.keepalive_time_ms", 30_000),
        ("grpc.enable_retries", 1),
        # Headless Kubernetes Services resolve to every replica; spread calls over them.
        ("grpc.lb_policy_name", "round_robin"),
    ])


def stub(service: str, stub_class):
    """A stub for `service`'s api at its configured address (CLOUDSKETCH_<SERVICE>_API_ADDR)."""
    return stub_class(channel(config.api_addr(service)))


def grpc_threads_outside_eventlet() -> None:
    """In an eventlet-patched worker, give grpcio's own threads real OS threads (idempotent).

    Measured: a server-streaming call made through eventlet.tpool.execute hangs until its deadline,
    because grpcio starts the channel's polling thread with the patched `threading` module (a
    green thread that blocks inside the C core, so the stream never advances); unary calls do not
    use that thread and work either way. With grpcio's modules on the original `threading`, a
    stream read in the tpool works. Call before the worker's first streaming call."""
    import grpc._channel
    from eventlet import patcher
    from grpc._cython import cygrpc

    original = patcher.original("threading")
    grpc._channel.threading = original
    cygrpc.threading = original
