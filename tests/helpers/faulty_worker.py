"""A nameko worker (services.common.worker, as every cloudsketch worker) for the fault tests, run
as a real process: `python -m tests.helpers.faulty_worker` (tests.helpers.stack.faulty_worker
builds its Child). Its one handler fails on every message that asks for it (a poison message),
holds a message until a file that it names exists (to be killed mid-handling), and handles the
others; it writes what it started and finished to a SQLite journal (FAULTY_JOURNAL) that outlives
the process."""
from __future__ import annotations

import eventlet

eventlet.monkey_patch()

import os  # noqa: E402
import sqlite3  # noqa: E402

from services.common.worker import ObservableService, event_handler, run_worker  # noqa: E402


def journal(step: str, job: str) -> None:
    with sqlite3.connect(os.environ["FAULTY_JOURNAL"]) as db:
        db.execute("CREATE TABLE IF NOT EXISTS journal (step TEXT, job TEXT)")
        db.execute("INSERT INTO journal VALUES (?, ?)", (step, job))


class FaultyWorker(ObservableService):
    name = "faulty"

    @event_handler("faults", "job")
    def on_job(self, payload):
        journal("started", payload["id"])
        if payload.get("fail"):
            raise RuntimeError(f"job {payload['id']} always fails")
        while payload.get("until") and not os.path.exists(payload["until"]):   # held until the test says so
            eventlet.sleep(0.05)
        journal("finished", payload["id"])


if __name__ == "__main__":
    run_worker("faulty", FaultyWorker)
