"""`python -m gateway`: serve the gateway with waitress, a threaded production WSGI server."""
from __future__ import annotations

import logging
import signal
import threading

import waitress

from gateway import create_app
from gateway.api.body import MAX_BODY_BYTES
from gateway.observability import metrics_app
from services.common import config
from services.common.logs import setup_logging

log = logging.getLogger("gateway")

# waitress's own limits, a backstop behind the app's (which answer in JSON): bodies above twice
# the app's limit are refused unread, headers are bounded, idle connections are closed.
WAITRESS_LIMITS = dict(max_request_body_size=2 * MAX_BODY_BYTES, max_request_header_size=64 * 1024,
                       channel_timeout=60)


def main() -> None:
    setup_logging("gateway")
    app = create_app()
    # /metrics and /readyz on a port of their own, off the public one (docs/security.md).
    metrics_port = config.metrics_port("gateway", "gateway")
    metrics_server = waitress.create_server(metrics_app(), host=config.bind_host(), port=metrics_port, threads=2,
                                            ident="cloudsketch-metrics")
    threading.Thread(target=metrics_server.run, name="metrics", daemon=True).start()
    log.info("serving", extra={"port": config.gateway_port(), "metrics_port": metrics_port})
    # waitress handles SIGINT/SIGTERM by closing its sockets and returning.
    # SIGTERM as Ctrl-C: waitress then closes its sockets and returns, and the process exits 0.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    waitress.serve(app, host=config.bind_host(), port=config.gateway_port(), threads=config.gateway_threads(),
                   ident="cloudsketch", **WAITRESS_LIMITS)


if __name__ == "__main__":
    main()
