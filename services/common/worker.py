"""The one way to run a service's worker process: a nameko service (eventlet) with Prometheus
metrics and a health check on CLOUDSKETCH_METRICS_PORT.

A worker class inherits `ObservableService`, which adds the metrics dependency and the
/metrics and /healthz HTTP entrypoints (nameko's own web server), so every worker is observed
the same way. The process must be eventlet-patched before this module is imported; `run_process`
in services.common.main does that.

Event handlers are declared with this module's `event_handler` (not nameko's), which never lets a
poison message stall a queue or vanish (docs/operations.md, "Dead letters"): a failing delivery is
retried with a backoff from the tail of its queue, a database or service outage indefinitely, any
other error up to MAX_ATTEMPTS times; a message that cannot be decoded or parsed, or that kept
failing, is published to the dead-letter exchange (queue `cloudsketch.dead-letter`), counted and
acknowledged. Done by the process rather than by queue arguments, so the durable queues that
running installations already declared need no change (RabbitMQ refuses to redeclare a queue
with other arguments).
"""
from __future__ import annotations

import logging
import signal
import threading
import time

import eventlet
import grpc
from google.protobuf import json_format
from kombu import Exchange, Queue
from kombu.exceptions import OperationalError as BrokerUnavailable
from nameko import config as nameko_config
from nameko.amqp.publish import Publisher
from nameko.events import EventHandler
from nameko.extensions import DependencyProvider
from nameko.runners import ServiceRunner
from nameko.web.handlers import HttpRequestHandler, http
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from sqlalchemy import exc as sa_exc
from werkzeug.wrappers import Response

from services.common import config
from services.common.database import open_database
from services.common.logs import setup_logging
from services.common.outbox import start_relay

log = logging.getLogger(__name__)

# Set once every entrypoint has started, i.e. the event consumers are connected and their durable
# queues declared: until then an event published would have no queue to land in.
READY = threading.Event()

HANDLED = Counter("nameko_worker_handled_total", "Entrypoint calls completed by a worker, by outcome.",
                  ["service", "entrypoint", "outcome"])
HANDLING_SECONDS = Histogram(
    "nameko_worker_handling_seconds", "Time a worker spent in an entrypoint.", ["service", "entrypoint"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))

RETRIED = Counter("nameko_worker_retried_total", "Failed deliveries put back at the tail of their queue, by reason "
                  "(transient: a dependency was unavailable; error: anything else).",
                  ["service", "entrypoint", "reason"])
DEAD_LETTERED = Counter("nameko_worker_dead_lettered_total", "Messages moved to the dead-letter queue, by reason "
                        "(undecodable, malformed, failing).", ["service", "entrypoint", "reason"])

DEAD_LETTER_EXCHANGE = Exchange("cloudsketch.dead-letter", type="fanout", durable=True)
DEAD_LETTER_QUEUE = Queue("cloudsketch.dead-letter", DEAD_LETTER_EXCHANGE, durable=True)
ATTEMPTS_HEADER = "x-cloudsketch-attempts"
# A handler that fails for any other reason than an outage gets this many deliveries in all.
MAX_ATTEMPTS = 5
# Backoff before a failed delivery goes back: 0.2 s, doubling, at most 30 s (an outage's pace).
RETRY_FIRST_SECONDS, RETRY_MAX_SECONDS = 0.2, 30.0
# Outages rather than defects: retried until the dependency is back, never dead-lettered.
TRANSIENT = (sa_exc.OperationalError, sa_exc.TimeoutError, sa_exc.InterfaceError, ConnectionError,
             BrokerUnavailable)
TRANSIENT_GRPC = {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED}
# What the message says cannot change by retrying it.
MALFORMED = (json_format.ParseError,)


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, grpc.RpcError) and hasattr(exc, "code"):
        return exc.code() in TRANSIENT_GRPC
    return isinstance(exc, TRANSIENT)


def retry_delay(attempt: int) -> float:
    return min(RETRY_FIRST_SECONDS * 2 ** (attempt - 1), RETRY_MAX_SECONDS)


class DeadLetteringEventHandler(EventHandler):
    """nameko's event handler (same queue, same declaration) that retries a failed delivery and
    dead-letters a poison message instead of acknowledging it away (nameko's default) or
    requeueing it forever (requeue_on_error)."""

    def setup(self):
        # kombu calls this for a body it cannot decode; unhandled, the error would stop the
        # consumer and the broker would hand the same message to the next one, forever.
        self.consumer_options["on_decode_error"] = self._on_decode_error
        super().setup()
        self.publisher = Publisher(self.amqp_uri, use_confirms=True, declare=[DEAD_LETTER_QUEUE],
                                   retry_policy={"max_retries": 3, "interval_start": 0.5, "interval_step": 1},
                                   confirm_timeout=config.publish_confirm_timeout_seconds())

    def handle_message_processed(self, message, result=None, exc_info=None):
        if exc_info is None:
            self.consumer.ack_message(message)
            return
        exc = exc_info[1]
        attempt = int((message.headers or {}).get(ATTEMPTS_HEADER, 1))
        if isinstance(exc, MALFORMED):
            self._dead_letter(message, "malformed", exc, attempt)
        elif is_transient(exc) or attempt < MAX_ATTEMPTS:
            self._retry(message, "transient" if is_transient(exc) else "error", attempt)
        else:
            self._dead_letter(message, "failing", exc, attempt)

    def _on_decode_error(self, message, exc):
        self._dead_letter(message, "undecodable", exc, 1)

    def _labels(self, reason: str) -> tuple[str, str, str]:
        return self.container.service_name, self.method_name, reason

    def _retry(self, message, reason: str, attempt: int) -> None:
        eventlet.sleep(retry_delay(attempt))
        try:
            # At the tail of the same queue (default exchange, routing key = queue name): the
            # messages behind it go first, and the attempt count travels with it.
            self._republish(message, exchange="", routing_key=self.queue.name,
                            headers={ATTEMPTS_HEADER: attempt + 1})
        except Exception:
            log.warning("could not put a failed delivery back; the broker redelivers it",
                        extra={"queue": self.queue.name}, exc_info=True)
            self.consumer.requeue_message(message)
            return
        RETRIED.labels(*self._labels(reason)).inc()
        self.consumer.ack_message(message)

    def _dead_letter(self, message, reason: str, exc: BaseException, attempt: int) -> None:
        delivery = message.delivery_info or {}
        headers = {ATTEMPTS_HEADER: attempt, "x-cloudsketch-reason": reason, "x-cloudsketch-queue": self.queue.name,
                   "x-cloudsketch-exchange": delivery.get("exchange", ""),
                   "x-cloudsketch-routing-key": delivery.get("routing_key", ""),
                   "x-cloudsketch-error": f"{type(exc).__name__}: {exc}"[:500]}
        try:
            self._republish(message, exchange=DEAD_LETTER_EXCHANGE.name, routing_key=self.queue.name,
                            headers=headers)
        except Exception:
            log.warning("could not dead-letter a message; the broker redelivers it",
                        extra={"queue": self.queue.name}, exc_info=True)
            eventlet.sleep(RETRY_MAX_SECONDS)   # the broker is in trouble: don't spin on this message
            self.consumer.requeue_message(message)
            return
        DEAD_LETTERED.labels(*self._labels(reason)).inc()
        log.error("dead-lettered a message", extra={"queue": self.queue.name, "reason": reason,
                                                    "attempts": attempt, "error": headers["x-cloudsketch-error"]})
        self.consumer.ack_message(message)

    def _republish(self, message, exchange: str, routing_key: str, headers: dict) -> None:
        # The body as received (bytes, its content type): a copy, not a re-encoding.
        self.publisher.publish(message.body, exchange=exchange, routing_key=routing_key,
                               headers={**(message.headers or {}), **headers},
                               content_type=message.content_type or "application/octet-stream",
                               content_encoding=message.content_encoding or "binary")


event_handler = DeadLetteringEventHandler.decorator


class WorkerMetrics(DependencyProvider):
    """Counts and times every non-HTTP entrypoint call (events, timers)."""

    def setup(self):
        self._started: dict[int, float] = {}

    def worker_setup(self, worker_ctx):
        self._started[id(worker_ctx)] = time.perf_counter()

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        started = self._started.pop(id(worker_ctx), None)
        if started is None or isinstance(worker_ctx.entrypoint, HttpRequestHandler):
            return
        name = worker_ctx.entrypoint.method_name
        service = worker_ctx.service_name
        HANDLING_SECONDS.labels(service, name).observe(time.perf_counter() - started)
        HANDLED.labels(service, name, "error" if exc_info else "ok").inc()


class Database(DependencyProvider):
    """The service's SQLAlchemy engine, opened (and migrated) once when the worker starts.
    Tests replace it with nameko's testing helpers like any dependency."""

    def setup(self):
        self.engine = open_database(self.container.service_name)

    def stop(self):
        self.engine.dispose()

    def get_dependency(self, worker_ctx):
        return self.engine


class OutboxRelayProvider(DependencyProvider):
    """Runs the service's outbox relay (services/common/outbox.py) beside the worker's entrypoints;
    the dependency is the relay's wake-up, for domain code to call after it committed events."""

    def __init__(self, table):
        self.table = table

    def setup(self):
        self.engine = open_database(self.container.service_name)

    def start(self):
        self.relay = start_relay(self.engine, self.table, self.container.service_name)

    def stop(self):
        self.relay.stop()
        self.engine.dispose()

    def get_dependency(self, worker_ctx):
        return self.relay.wake


class ObservableService:
    """Base class of every nameko service in cloudsketch."""

    metrics = WorkerMetrics()

    @http("GET", "/metrics")
    def metrics_endpoint(self, request):
        return Response(generate_latest(), mimetype=CONTENT_TYPE_LATEST)

    @http("GET", "/healthz")
    def healthz(self, request):
        # Once started, nameko reconnects to the broker by itself: answering means healthy.
        if not READY.is_set():
            return Response('{"status": "starting"}', status=503, mimetype="application/json")
        return Response('{"status": "ok"}', mimetype="application/json")


def run_worker(service: str, service_cls) -> None:
    """Main loop of `python -m services.<service> worker`."""
    process = f"{service}-worker"
    setup_logging(process)
    nameko_config.update({
        "AMQP_URI": config.amqp_uri(),
        "WEB_SERVER_ADDRESS": f"{config.bind_host()}:{config.metrics_port(service, 'worker')}",
        "SERIALIZER": "json",
        # nameko's default (60 s) would leave a consumer deaf for two minutes after a partition.
        "HEARTBEAT": config.amqp_heartbeat_seconds(),
        # Unacknowledged events per consumer: enough to keep the worker busy, few enough that a
        # crash redelivers little.
        "PREFETCH_COUNT": 10,
        "max_workers": 10,
    })
    runner = ServiceRunner()
    runner.add_service(service_cls)

    def shutdown(signum, frame):
        eventlet.spawn_n(runner.stop)

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    runner.start()
    READY.set()
    log.info("serving", extra={"metrics_port": config.metrics_port(service, "worker")})
    runner.wait()
    log.info("stopped")
