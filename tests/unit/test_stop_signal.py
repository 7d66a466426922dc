"""StopSignal: SIGTERM stops a process that waits in a tight loop, every time.

The waits below do not sleep at all, so that signals land while the waiting code runs: with
threading.Event.set() in the handler instead, 13 of 30 such processes hung for good on SIGTERM,
the signal having arrived while the main thread held the event's lock (`cloudsketch up` was seen
hanging so)."""
from __future__ import annotations

import signal
import subprocess
import sys
import textwrap

WAITER = textwrap.dedent("""
    import sys
    from services.common.stop_signal import StopSignal
    stop = StopSignal().install()
    print("waiting", flush=True)
    while not stop.wait(0):
        pass
    print("stopped", flush=True)
""")


def test_sigterm_ends_a_tight_wait_loop_every_time():
    for _ in range(20):
        waiter = subprocess.Popen([sys.executable, "-c", WAITER], stdout=subprocess.PIPE, text=True)
        assert waiter.stdout.readline() == "waiting\n"
        waiter.send_signal(signal.SIGTERM)
        try:
            out, _ = waiter.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            waiter.kill()
            raise AssertionError("the process hung on SIGTERM") from None
        assert waiter.returncode == 0
        assert out == "stopped\n"


def test_wait_returns_false_when_nobody_asked_and_true_once_asked():
    from services.common.stop_signal import StopSignal

    stop = StopSignal()
    assert stop.wait(0.01) is False
    stop.request()
    assert stop.wait(10) is True
