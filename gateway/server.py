"""The gateway's server (`python -m gateway`): gevent's WSGI server, one greenlet per connection.

A live-status stream holds its connection for as long as the page is open: a thread per
connection (waitress's fixed pool) could not hold a thousand of them, a greenlet can
(docs/architecture.md, "The gateway's server"). gateway/__main__.py patches the standard library
for gevent and switches grpcio to gevent before it imports this module; importing it does neither.
"""
from __future__ import annotations

import logging
import signal
import socket

import gevent
from gevent.pool import Pool
from gevent.pywsgi import WSGIHandler, WSGIServer

from gateway import create_app
from gateway.api.body import MAX_BODY_BYTES
from gateway.observability import metrics_app
from services.common import config
from services.common.logs import setup_logging

log = logging.getLogger("gateway")

# The server's own limits, a backstop behind the app's (which answer in JSON): bodies above twice
# the app's limit are refused unread, headers are bounded, a connection idle (or a client not
# reading) this long is closed.
SERVER_LIMITS = dict(max_request_body_size=2 * MAX_BODY_BYTES, max_request_header_size=64 * 1024,
                     channel_timeout=60)
DRAIN_SECONDS = 5   # on SIGTERM, requests in flight get this long; live streams end (clients reconnect)


class LimitedHandler(WSGIHandler):
    """gevent's handler with SERVER_LIMITS: 413 and 431 answered before the app runs, a socket
    timeout (a read or write that waits longer ends the connection), and no Nagle delay."""

    def handle(self):
        self.socket.settimeout(SERVER_LIMITS["channel_timeout"])
        # gevent writes a response's headers and body separately: without TCP_NODELAY, Nagle's
        # algorithm holds the body until the client's delayed ACK (measured: 45 ms a request).
        self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return super().handle()

    def handle_one_response(self):
        environ = self.environ
        header_bytes = sum(len(k) + len(v) for k, v in self.headers.items())
        length = environ.get("CONTENT_LENGTH") or "0"
        if header_bytes > SERVER_LIMITS["max_request_header_size"]:
            return self._refuse("431 Request Header Fields Too Large")
        if not length.isdigit() or int(length) > SERVER_LIMITS["max_request_body_size"]:
            return self._refuse("413 Content Too Large")
        return super().handle_one_response()

    def _refuse(self, status: str):
        self.close_connection = True
        body = status.encode()
        self.start_response(status, [("Content-Type", "text/plain"), ("Content-Length", str(len(body))),
                                     ("Connection", "close")])
        self.write(body)
        self.response_length = len(body)
        self.status = status


def main() -> None:
    setup_logging("gateway")
    app = create_app()
    host = config.bind_host()
    # /metrics and /readyz on a port of their own, off the public one (docs/security.md).
    metrics_port = config.metrics_port("gateway", "gateway")
    metrics_server = WSGIServer((host, metrics_port), metrics_app(), spawn=Pool(16), handler_class=LimitedHandler,
                                log=None)
    metrics_server.start()
    server = WSGIServer((host, config.gateway_port()), app, spawn=Pool(config.gateway_connections()),
                        handler_class=LimitedHandler, log=None, error_log=log)
    server.start()
    log.info("serving", extra={"port": config.gateway_port(), "metrics_port": metrics_port})

    def stop(signum, frame):
        # SIGTERM or Ctrl-C: stop accepting, end the live streams, give requests in flight
        # DRAIN_SECONDS, then exit 0.
        app.extensions["live_hub"].stop()
        gevent.spawn(lambda: (server.stop(timeout=DRAIN_SECONDS), metrics_server.stop(timeout=1)))

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server.serve_forever()
