"""The gateway's health and metrics.

The public port answers only /healthz (liveness: the process serves HTTP; nothing about the
services behind it). /metrics and /readyz (every service the gateway calls is SERVING, by name)
are served by metrics_app() on the gateway's metrics port (config.metrics_port("gateway",
"gateway"), 9100 in containers), which only Prometheus and the kubelet reach (docs/security.md)."""
from __future__ import annotations

import time

from flask import Blueprint, Flask, Response, g, jsonify, request
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

from services.common import config
from services.common.healthcheck import grpc_serving
from services.common.processes import PROCESSES

REQUESTS = Counter("http_requests_total", "HTTP requests answered by the gateway.",
                   ["method", "endpoint", "status"])
LATENCY = Histogram("http_request_duration_seconds", "Time to answer an HTTP request.", ["method", "endpoint"],
                    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
UPSTREAMS = tuple(p.service for p in PROCESSES if p.role == "api")  # every service api (processes.py)

observability = Blueprint("observability", __name__)  # the public port's


@observability.get("/healthz")
def healthz():
    return jsonify(status="ok")


internal = Blueprint("internal", __name__)  # the metrics port's


@internal.get("/readyz")
def readyz():
    upstreams = {name: "serving" if grpc_serving(config.api_addr(name), timeout=1.0) else "unavailable"
                 for name in UPSTREAMS}
    ready = all(state == "serving" for state in upstreams.values())
    return jsonify(status="ok" if ready else "unavailable", upstreams=upstreams), 200 if ready else 503


@internal.get("/metrics")
def metrics():
    return Response(generate_latest(), mimetype=CONTENT_TYPE_LATEST)


def metrics_app() -> Flask:
    """The metrics port's app: /metrics, /readyz and /healthz."""
    app = Flask("gateway.metrics")
    app.register_blueprint(internal)
    app.add_url_rule("/healthz", "healthz", healthz)
    return app


def register_request_metrics(app: Flask) -> None:
    @app.before_request
    def _start_timer():
        g.request_started = time.perf_counter()

    @app.after_request
    def _record(response):
        # The endpoint name, not the path: ids in paths would explode the label set.
        endpoint = request.endpoint or "unmatched"
        started = g.get("request_started")
        if started is not None:
            LATENCY.labels(request.method, endpoint).observe(time.perf_counter() - started)
        REQUESTS.labels(request.method, endpoint, str(response.status_code)).inc()
        return response
