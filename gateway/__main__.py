"""`python -m gateway`: serve the gateway with waitress, a threaded production WSGI server."""
from __future__ import annotations

import logging
import signal

import waitress

from gateway import create_app
from services.common import config
from services.common.logs import setup_logging

log = logging.getLogger("gateway")


def main() -> None:
    setup_logging("gateway")
    app = create_app()
    log.info("serving", extra={"port": config.gateway_port()})
    # waitress handles SIGINT/SIGTERM by closing its sockets and returning.
    # SIGTERM as Ctrl-C: waitress then closes its sockets and returns, and the process exits 0.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    waitress.serve(app, host=config.bind_host(), port=config.gateway_port(), threads=config.gateway_threads(),
                   ident="cloudsketch")


if __name__ == "__main__":
    main()
