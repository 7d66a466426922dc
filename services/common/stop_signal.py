"""Stopping a process on SIGTERM or Ctrl-C, without the hang threading.Event invites.

A Python signal handler runs on the main thread between two bytecodes, possibly while that thread
is inside threading.Event.wait() and holds the event's internal lock: Event.set() from the handler
then waits for that lock forever, and the process never stops (`cloudsketch up` was seen hanging
so). The handler here only records the signal; `wait` sleeps in short steps and looks at it.
"""
from __future__ import annotations

import signal
import time

POLL_SECONDS = 0.05


class StopSignal:
    def __init__(self) -> None:
        self.received = False

    def install(self) -> StopSignal:
        """Handle SIGTERM and SIGINT (Ctrl-C) from now on; call it on the main thread."""
        signal.signal(signal.SIGTERM, self.request)
        signal.signal(signal.SIGINT, self.request)
        return self

    def request(self, *_) -> None:
        """Ask to stop: the signal handler, or anyone else."""
        self.received = True

    def wait(self, seconds: float) -> bool:
        """Sleep until asked to stop or `seconds` have passed; whether asked to stop."""
        deadline = time.monotonic() + seconds
        while not self.received:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            time.sleep(min(left, POLL_SECONDS))
        return self.received
