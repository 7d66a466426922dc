"""`python -m gateway`: the gateway on gevent (gateway/server.py). The standard library is patched
before anything else is imported, and grpcio is switched to gevent before any channel exists."""
from gevent import monkey

monkey.patch_all()

import grpc.experimental.gevent  # noqa: E402  (after the patching, on purpose)

grpc.experimental.gevent.init_gevent()

from gateway.server import main  # noqa: E402

main()
