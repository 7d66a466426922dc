"""Entry point shared by every service package: `python -m services.<service> api|worker`."""
from __future__ import annotations

import importlib
import importlib.util
import os
import sys


def run_process(service: str, argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    roles = [r for r in ("api", "worker") if importlib.util.find_spec(f"services.{service}.{r}")]
    if len(args) != 1 or args[0] not in roles:
        raise SystemExit(f"usage: python -m services.{service} {{{'|'.join(roles)}}}")
    role = args[0]
    if role == "worker":
        # Before anything else is imported: nameko needs a green process.
        import eventlet
        eventlet.monkey_patch()
        # psycopg waits on its socket in C (wait_c), which blocks eventlet's hub: every green
        # thread would stall during each query. select() is green once patched.
        os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_select")
        # grpcio runs only in real threads here (eventlet.tpool): give it real locks and threads.
        from services.common.grpc_client import grpc_threads_outside_eventlet
        grpc_threads_outside_eventlet()
        module = importlib.import_module(f"services.{service}.worker")
        from services.common.worker import run_worker
        run_worker(service, module.SERVICE)
    else:
        module = importlib.import_module(f"services.{service}.api")
        from services.common.grpc_server import run_api
        run_api(service, module.register)
