"""The one way to run a service's api process: a grpcio server on a thread pool, with
grpc.health.v1, the internal token check, Prometheus metrics and domain errors mapped to status
codes (server reflection only with CLOUDSKETCH_GRPC_REFLECTION=true).

Api processes never import eventlet (grpcio deadlocks in eventlet-patched processes; docs/architecture.md).
"""
from __future__ import annotations

import hmac
import ipaddress
import logging
import time
from collections.abc import Callable, Iterable
from concurrent import futures

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from prometheus_client import Counter, Histogram, start_http_server
from sqlalchemy import exc as sa_exc

from services.common import config, errors
from services.common.logs import setup_logging
from services.common.stop_signal import StopSignal

log = logging.getLogger(__name__)

# Names follow go-grpc-prometheus, so existing Grafana dashboards work unchanged.
HANDLED = Counter("grpc_server_handled_total", "RPCs completed on the server, by status code.",
                  ["grpc_service", "grpc_method", "grpc_code"])
HANDLING_SECONDS = Histogram(
    "grpc_server_handling_seconds", "Time to handle an RPC on the server.",
    ["grpc_service", "grpc_method"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))

# A domain error's status is its class's entry, or its nearest base class's (a subclass such as
# accounts' VerificationFailed answers as the InvalidArgument it is); DomainError is the fallback.
DOMAIN_STATUS = {
    errors.DomainError: grpc.StatusCode.FAILED_PRECONDITION,
    errors.InvalidArgument: grpc.StatusCode.INVALID_ARGUMENT,
    errors.NotFound: grpc.StatusCode.NOT_FOUND,
    errors.AlreadyExists: grpc.StatusCode.ALREADY_EXISTS,
    errors.PermissionDenied: grpc.StatusCode.PERMISSION_DENIED,
    errors.Unauthenticated: grpc.StatusCode.UNAUTHENTICATED,
    errors.FailedPrecondition: grpc.StatusCode.FAILED_PRECONDITION,
    errors.RateLimited: grpc.StatusCode.RESOURCE_EXHAUSTED,
    errors.Unavailable: grpc.StatusCode.UNAVAILABLE,
    errors.Stale: grpc.StatusCode.ABORTED,
}


def status_of(error: errors.DomainError) -> grpc.StatusCode:
    """The status code of a domain error, found along its class hierarchy (MRO)."""
    return next(DOMAIN_STATUS[cls] for cls in type(error).__mro__ if cls in DOMAIN_STATUS)


def _wrap_handler(handler: grpc.RpcMethodHandler, wrap: Callable) -> grpc.RpcMethodHandler:
    """The same handler with its behaviour function passed through `wrap`."""
    if handler.unary_unary:
        return grpc.unary_unary_rpc_method_handler(
            wrap(handler.unary_unary), handler.request_deserializer, handler.response_serializer)
    if handler.unary_stream:
        return grpc.unary_stream_rpc_method_handler(
            wrap(handler.unary_stream), handler.request_deserializer, handler.response_serializer)
    if handler.stream_unary:
        return grpc.stream_unary_rpc_method_handler(
            wrap(handler.stream_unary), handler.request_deserializer, handler.response_serializer)
    if handler.stream_stream:  # server reflection, when enabled
        return grpc.stream_stream_rpc_method_handler(
            wrap(handler.stream_stream), handler.request_deserializer, handler.response_serializer)
    return handler


class _WrapOncePerMethod(grpc.ServerInterceptor):
    """grpcio asks the interceptors for every call's handler. Building the wrapped handler anew each
    time cost 10-15 % of a trivial call, so each method's is built on its first call and reused
    for as long as grpcio hands out the same handler for the method."""

    def __init__(self):
        self._wrapped: dict[str, tuple[grpc.RpcMethodHandler, grpc.RpcMethodHandler]] = {}

    def intercept_service(self, continuation, handler_call_details):
        handler = continuation(handler_call_details)
        if handler is None:
            return None  # unknown method: nothing is cached for it
        method = handler_call_details.method
        cached = self._wrapped.get(method)
        if cached is None or cached[0] is not handler:
            # Threads racing on a method's first calls build equivalent handlers; any one will do.
            cached = self._wrapped[method] = (handler, self.build_handler(handler, method))
        return cached[1]

    def build_handler(self, handler: grpc.RpcMethodHandler, method: str) -> grpc.RpcMethodHandler:
        raise NotImplementedError


# The service's own database is down, unreachable or out of connections: the caller may retry.
# (OperationalError: connection refused or lost, PostgreSQL restarting, SQLite locked past the busy
# timeout; TimeoutError: no pooled connection came free.) Never the statement or its parameters.
DATABASE_UNAVAILABLE = (sa_exc.OperationalError, sa_exc.TimeoutError)
DATABASE_UNAVAILABLE_MESSAGE = "the service's database is unavailable; try again shortly"


class DomainErrorInterceptor(_WrapOncePerMethod):
    """Turns a services.common.errors.DomainError into its status code with the error's message,
    and a database outage into UNAVAILABLE; anything else is logged and becomes INTERNAL, without
    leaking details to the caller."""

    def build_handler(self, handler, method):
        def wrap(behaviour):
            def guarded(request, context):
                try:
                    return behaviour(request, context)
                except errors.DomainError as exc:
                    context.abort(status_of(exc), str(exc))
                except DATABASE_UNAVAILABLE as exc:
                    cause = type(getattr(exc, "orig", None) or exc).__name__
                    log.error("database unavailable in %s (%s)", method, cause)  # no statement, no parameters
                    context.abort(grpc.StatusCode.UNAVAILABLE, DATABASE_UNAVAILABLE_MESSAGE)
                except Exception as exc:
                    if context.code() not in (None, grpc.StatusCode.OK):
                        raise  # context.abort() was called: its status stands
                    log.exception("unhandled error in %s", method)
                    context.abort(grpc.StatusCode.INTERNAL, f"internal error ({type(exc).__name__})")
            return guarded

        return _wrap_handler(handler, wrap)


TOKEN_METADATA_KEY = "x-cloudsketch-internal-token"
UNAUTHENTICATED_PATHS = ("/grpc.health.v1.Health/",)  # kubelet and `cloudsketch up` probes carry no token


class InternalTokenInterceptor(_WrapOncePerMethod):
    """Every call but health checks must carry one of the deployment's CLOUDSKETCH_INTERNAL_TOKEN
    values in its metadata (compared in constant time); otherwise UNAUTHENTICATED before the
    method runs. Several comma-separated values are all accepted, for rotation without a gap."""

    def __init__(self, tokens: list[str]):
        super().__init__()
        self._tokens = [token.encode() for token in tokens]

    def build_handler(self, handler, method):
        if method.startswith(UNAUTHENTICATED_PATHS):
            return handler
        tokens = self._tokens

        def wrap(behaviour):
            def checked(request, context):
                sent = next((value for key, value in context.invocation_metadata() if key == TOKEN_METADATA_KEY), "")
                sent = sent.encode() if isinstance(sent, str) else sent
                # Every accepted token is compared (no early exit), each in constant time.
                if not sum(hmac.compare_digest(sent, token) for token in tokens):
                    context.abort(grpc.StatusCode.UNAUTHENTICATED, "this call needs cloudsketch's internal token")
                return behaviour(request, context)
            return checked

        return _wrap_handler(handler, wrap)


def _loopback(listen_addr: str) -> bool:
    host = listen_addr.rsplit(":", 1)[0].strip("[]")
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


class PrometheusInterceptor(_WrapOncePerMethod):
    """Counts RPCs by method and status code and records their latency."""

    def build_handler(self, handler, full_method):
        _, service, method = full_method.split("/")
        latency = HANDLING_SECONDS.labels(service, method)

        def wrap(behaviour):
            def measured(request, context):
                start = time.perf_counter()
                failed = False
                try:
                    return behaviour(request, context)
                except Exception:
                    failed = True
                    raise
                finally:
                    latency.observe(time.perf_counter() - start)
                    code = context.code() or (grpc.StatusCode.UNKNOWN if failed else grpc.StatusCode.OK)
                    HANDLED.labels(service, method, code.name).inc()
            return measured

        return _wrap_handler(handler, wrap)


def build_server(service: str, register: Callable[[grpc.Server], Iterable[str]],
                 listen_addr: str | None = None) -> tuple[grpc.Server, health.HealthServicer, int]:
    """A started-ready (not yet started) server: `register(server)` adds the servicers and
    returns their full service names (for health and reflection). Returns the bound port."""
    listen_addr = listen_addr or config.api_listen_addr(service)
    tokens = config.internal_tokens()
    if not tokens and not _loopback(listen_addr):
        raise SystemExit(f"{service}-api: set CLOUDSKETCH_INTERNAL_TOKEN (the same secret in every process) "
                         f"to listen on {listen_addr}; only an api on 127.0.0.1 may run without it")
    interceptors = [PrometheusInterceptor(), *([InternalTokenInterceptor(tokens)] if tokens else []),
                    DomainErrorInterceptor()]
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=config.grpc_threads(), thread_name_prefix=f"{service}-grpc"),
        interceptors=interceptors,
        options=[("grpc.so_reuseport", 0)],
    )
    names = list(register(server))
    health_servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    if config.grpc_reflection():  # off by default: it lists every method to whoever asks
        reflection.enable_server_reflection([*names, health.SERVICE_NAME, reflection.SERVICE_NAME], server)
    port = server.add_insecure_port(listen_addr)
    if port == 0:
        raise SystemExit(f"{service}-api: cannot listen on {listen_addr}")
    for name in ["", *names]:
        health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    return server, health_servicer, port


def run_api(service: str, register: Callable[[grpc.Server], Iterable[str]]) -> None:
    """Main loop of `python -m services.<service> api`: serve until SIGTERM or Ctrl-C, then
    report NOT_SERVING and drain in-flight calls for up to 5 s."""
    process = f"{service}-api"
    setup_logging(process)
    start_http_server(config.metrics_port(service, "api"), addr=config.bind_host())
    server, health_servicer, port = build_server(service, register)
    server.start()
    log.info("serving", extra={"grpc_addr": config.api_listen_addr(service),
                               "metrics_port": config.metrics_port(service, "api")})

    stopping = StopSignal().install()
    while not stopping.wait(1.0):
        pass
    health_servicer.enter_graceful_shutdown()
    server.stop(grace=5).wait()
    log.info("stopped")
