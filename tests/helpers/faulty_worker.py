"""A nameko worker (services.common.worker, as every cloudsketch worker) whose one event handler
fails on every message that asks for it and handles the others: what a poison message does to a
queue, in a real process. Run as `python -m tests.helpers.faulty_worker` with
CLOUDSKETCH_AMQP_URI and CLOUDSKETCH_METRICS_PORT set."""
from __future__ import annotations

import eventlet

eventlet.monkey_patch()

from services.common.worker import ObservableService, event_handler, run_worker  # noqa: E402


class FaultyWorker(ObservableService):
    name = "faulty"

    @event_handler("faults", "job")
    def on_job(self, payload):
        if payload.get("fail"):
            raise RuntimeError(f"job {payload.get('id')} always fails")


if __name__ == "__main__":
    run_worker("faulty", FaultyWorker)
