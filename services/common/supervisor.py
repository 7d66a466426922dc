"""Runs cloudsketch's processes on one machine for `cloudsketch up` and `cloudsketch demo`:
starts them in order, waits until each is healthy, prints one status line per process, and
stops them all on Ctrl-C, SIGTERM, or when one of them dies.
"""
from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from services.common import config
from services.common.healthcheck import grpc_serving, http_ok
from services.common.processes import PROCESSES, Process
from services.common.stop_signal import StopSignal

START_TIMEOUT_SECONDS = 60
STOP_TIMEOUT_SECONDS = 10


@dataclass
class Child:
    name: str
    args: list[str]
    ready: Callable[[], bool]
    describe: str                  # where it listens, for the status line
    env: dict[str, str] = field(default_factory=dict)
    popen: subprocess.Popen | None = None
    log_path: Path | None = None

    @property
    def process(self) -> subprocess.Popen:
        """The running process, once Supervisor.start_group has started it."""
        if self.popen is None:
            raise RuntimeError(f"{self.name} has not been started")
        return self.popen


def child_for(process: Process) -> Child:
    """How to start and health-check one of cloudsketch's own processes."""
    args = [sys.executable, "-m", *process.module_args]
    if process.role == "api":
        addr = config.api_addr(process.service)
        port = config.metrics_port(process.service, "api")
        return Child(process.name, args, lambda: grpc_serving(addr, timeout=0.5),
                     f"grpc {addr}  metrics :{port}")
    if process.role == "worker":
        port = config.metrics_port(process.service, "worker")
        return Child(process.name, args, lambda: http_ok(f"http://127.0.0.1:{port}/healthz", timeout=0.5),
                     f"metrics :{port}")
    url = f"http://127.0.0.1:{config.gateway_port()}"
    return Child(process.name, args, lambda: http_ok(f"{url}/healthz", timeout=0.5), url)


# moto runs no containers: an ECS service it creates reports none of its tasks running (live
# status: Critical) unless told how many run. The demo estate's services want 2 each.
DEMO_ECS_TASKS_RUNNING = 2


def moto_child(port: int) -> Child:
    """The simulated AWS of the demo: a moto server."""
    return Child("moto", [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                 lambda: http_ok(f"http://127.0.0.1:{port}/moto-api/", timeout=0.5),
                 f"http://127.0.0.1:{port}", env={"MOTO_IAM_LOAD_MANAGED_POLICIES": "true",
                                                  "MOTO_ECS_SERVICE_RUNNING": str(DEMO_ECS_TASKS_RUNNING)})


def _die_with_parent() -> None:
    """In the child, before exec: on Linux, get SIGTERM when the supervisor dies, even by SIGKILL,
    so no process outlives `cloudsketch up`."""
    if sys.platform.startswith("linux"):
        import ctypes
        PR_SET_PDEATHSIG = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class StartFailed(Exception):
    pass


class Supervisor:
    def __init__(self, log_dir: Path, out=sys.stdout):
        self.log_dir = log_dir
        self.out = out
        self.children: list[Child] = []
        self.stop_signal = StopSignal()

    def say(self, line: str) -> None:
        print(line, file=self.out, flush=True)

    def start_group(self, group: list[Child]) -> None:
        """Start the children of one group together; return when all are healthy."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ)
        # One host, many processes: a single explicit metrics port cannot serve them all.
        env.pop("CLOUDSKETCH_METRICS_PORT", None)
        started = time.monotonic()
        for child in group:
            child.log_path = self.log_dir / f"{child.name}.log"
            log_file = open(child.log_path, "ab")
            child.popen = subprocess.Popen(child.args, env={**env, **child.env}, stdout=log_file,
                                           stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                           start_new_session=True, preexec_fn=_die_with_parent)
            log_file.close()
            self.children.append(child)
        pending = list(group)
        while pending:
            for child in list(pending):
                if child.process.poll() is not None:
                    raise StartFailed(f"{child.name} exited with code {child.process.returncode} while starting"
                                      f"\n{self.tail(child)}")
                if child.ready():
                    pending.remove(child)
                    self.say(f"  ok  {child.name:<17} pid {child.process.pid:<7} {child.describe:<40} "
                             f"ready in {time.monotonic() - started:.1f}s")
            if time.monotonic() - started > START_TIMEOUT_SECONDS:
                names = ", ".join(c.name for c in pending)
                raise StartFailed(f"not healthy after {START_TIMEOUT_SECONDS}s: {names}\n"
                                  + "\n".join(self.tail(c) for c in pending))
            if self.stop_signal.wait(0.05):
                raise StartFailed("interrupted while starting")

    @staticmethod
    def tail(child: Child, lines: int = 15) -> str:
        if child.log_path is None:   # never started: no log
            return ""
        try:
            text = child.log_path.read_text(errors="replace").splitlines()[-lines:]
        except OSError:
            return ""
        return f"  last lines of {child.log_path}:\n" + "\n".join(f"    {line}" for line in text)

    def wait(self) -> int:
        """Block until asked to stop (0) or until a child dies (1)."""
        while not self.stop_signal.wait(0.5):
            for child in self.children:
                if child.process.poll() is not None:
                    self.say(f"  !!  {child.name} exited with code {child.process.returncode}; stopping everything"
                             f"\n{self.tail(child)}")
                    return 1
        return 0

    def stop_all(self) -> None:
        """SIGTERM in reverse start order, then SIGKILL whatever is left after the timeout."""
        for child in reversed(self.children):
            if child.process.poll() is None:
                child.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        for child in reversed(self.children):
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
                self.say(f"  --  {child.name:<17} stopped")
            except subprocess.TimeoutExpired:
                child.process.kill()
                child.process.wait()
                self.say(f"  --  {child.name:<17} killed after {STOP_TIMEOUT_SECONDS}s")
        self.children.clear()


def stack_groups() -> list[list[Child]]:
    """PROCESSES in start order: workers (they declare the event queues), then apis, then the gateway."""
    by_role = {role: [child_for(p) for p in PROCESSES if p.role == role] for role in ("worker", "api", "gateway")}
    return [group for group in by_role.values() if group]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# Blocks of ports come from below Linux's ephemeral range (32768-60999), which the kernel hands out
# to outgoing connections: a test run leaves thousands of them in TIME_WAIT there (moto closes every
# connection), and 320 consecutive free ports are then hard to find.
BLOCK_RANGE = (15000, 32000)


def free_port_block(size: int) -> int:
    """The first of `size` consecutive free ports on 127.0.0.1. SO_REUSEADDR as the servers set it:
    a port whose old connections linger in TIME_WAIT is free for them."""
    for _ in range(100):
        base = random.randrange(BLOCK_RANGE[0], BLOCK_RANGE[1] - size)
        socks = []
        try:
            for port in range(base, base + size):
                sock = socket.socket()
                socks.append(sock)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                sock.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for sock in socks:
                sock.close()
    raise RuntimeError("no block of free ports")


def isolated_env(directory: Path, amqp: str, database: str) -> dict[str, str]:
    """Configuration for a whole stack on free ports with its files in `directory`: for tests and
    benchmarks that run beside a real installation."""
    base = free_port_block(320)
    env = {
        "CLOUDSKETCH_AMQP_URI": amqp,
        "CLOUDSKETCH_DATABASE_URL": database,
        "CLOUDSKETCH_DATA_DIR": str(directory / "data"),
        "CLOUDSKETCH_GATEWAY_PORT": str(base),
        "CLOUDSKETCH_METRICS_PORT_BASE": str(base + 100),
        "CLOUDSKETCH_DEMO_MOTO_PORT": str(base + 300),
        "CLOUDSKETCH_LOG_FORMAT": "json",
    }
    for service, offset in config.SERVICE_PORT_OFFSETS.items():
        env[f"CLOUDSKETCH_{service.upper()}_API_ADDR"] = f"127.0.0.1:{base + 10 + offset}"
    return env


class LocalStack:
    """Every process of PROCESSES (plus a moto server if asked), started and healthy, for tests
    and benchmarks: `with LocalStack(log_dir) as stack: ...`. Configuration comes from os.environ."""

    def __init__(self, log_dir: Path, moto_port: int | None = None, out=None):
        self.supervisor = Supervisor(log_dir, out=out or open(os.devnull, "w"))
        self.moto_port = moto_port

    def __enter__(self) -> LocalStack:
        try:
            if self.moto_port:
                self.supervisor.start_group([moto_child(self.moto_port)])
            for group in stack_groups():
                self.supervisor.start_group(group)
        except BaseException:
            self.supervisor.stop_all()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.supervisor.stop_all()

    def child(self, name: str) -> Child:
        return next(c for c in self.supervisor.children if c.name == name)
