"""The one way to run a service's worker process: a nameko service (eventlet) with Prometheus
metrics and a health check on CLOUDSKETCH_METRICS_PORT.

A worker class inherits `ObservableService`, which adds the metrics dependency and the
/metrics and /healthz HTTP entrypoints (nameko's own web server), so every worker is observed
the same way. The process must be eventlet-patched before this module is imported; `run_process`
in services.common.main does that.
"""
from __future__ import annotations

import logging
import signal
import threading
import time

import eventlet
from nameko import config as nameko_config
from nameko.extensions import DependencyProvider
from nameko.runners import ServiceRunner
from nameko.web.handlers import HttpRequestHandler, http
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
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
