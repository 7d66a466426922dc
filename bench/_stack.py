"""Shared helper of the benchmarks: the real cloudsketch processes, started with
services.common.supervisor.LocalStack on free ports in a temporary directory.

    with running_stack(postgres=False) as env:
        ...  # os.environ holds env while the stack runs; every process is stopped on exit

- SQLite (one file per service in the temporary directory) by default; with postgres=True a fresh
  database on the local PostgreSQL server (CLOUDSKETCH_BENCH_POSTGRES_URL, default
  postgresql://postgres@127.0.0.1:5432/test names the server), dropped afterwards.
- RabbitMQ at CLOUDSKETCH_BENCH_AMQP_URI (default amqp://guest:guest@127.0.0.1:5672/), on a fresh
  vhost when rabbitmqctl is available (deleted afterwards), otherwise on the URL's own vhost.

The port plan is services.common.supervisor.isolated_env's, shared with the tests.
"""
from __future__ import annotations

import contextlib
import math
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

# Runnable as `python bench/<script>.py` from the repository root.
REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from services.common.config import SERVICE_PORT_OFFSETS  # noqa: E402
from services.common.supervisor import LocalStack, StartFailed, free_port, isolated_env  # noqa: E402

LOCAL_AMQP = os.environ.get("CLOUDSKETCH_BENCH_AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/")
LOCAL_POSTGRES = os.environ.get("CLOUDSKETCH_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def stack_env(directory: Path, amqp: str, database: str) -> dict[str, str]:
    """Environment for a whole stack on free ports, isolated in `directory`."""
    env = isolated_env(directory, amqp, database)
    env.update(CLOUDSKETCH_BIND_HOST="127.0.0.1", CLOUDSKETCH_METRICS_PORT="",
               # Every AWS call goes to the moto server on this port (running_stack(moto=True)),
               # never to AWS, with moto's fake credentials (accounts-api needs some to verify roles).
               AWS_ENDPOINT_URL=f"http://127.0.0.1:{env['CLOUDSKETCH_DEMO_MOTO_PORT']}",
               AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
    return env


def gateway_url(env: dict[str, str]) -> str:
    return f"http://127.0.0.1:{env['CLOUDSKETCH_GATEWAY_PORT']}"


def metrics_url(env: dict[str, str], service: str, role: str) -> str:
    """/metrics of a process of the stack (config.metrics_port's plan)."""
    port = int(env["CLOUDSKETCH_METRICS_PORT_BASE"]) + (0 if role == "api" else 100) + SERVICE_PORT_OFFSETS[service]
    return f"http://127.0.0.1:{port}/metrics"


def histogram(url: str, name: str, **labels: str) -> tuple[float, float]:
    """(sum, count) of a Prometheus histogram at a /metrics URL, summed over the series that carry
    `labels`."""
    with urllib.request.urlopen(url, timeout=5) as reply:
        text = reply.read().decode()
    wanted = [f'{k}="{v}"' for k, v in labels.items()]
    found = {}
    for line in text.splitlines():
        for suffix in ("_sum", "_count"):
            if line.startswith(name + suffix + "{") and all(w in line for w in wanted):
                found[suffix] = found.get(suffix, 0.0) + float(line.rsplit(" ", 1)[1])
    return found.get("_sum", 0.0), found.get("_count", 0.0)


@contextlib.contextmanager
def _vhost(amqp: str) -> Iterator[str]:
    ctl = shutil.which("rabbitmqctl")
    vhost = f"cloudsketch-bench-{uuid.uuid4().hex[:8]}"
    if not ctl or subprocess.run([ctl, "add_vhost", vhost], capture_output=True, timeout=60).returncode != 0:
        yield amqp  # no rabbitmqctl here: share the URL's vhost
        return
    try:
        user = urlsplit(amqp).username or "guest"
        subprocess.run([ctl, "set_permissions", "-p", vhost, user, ".*", ".*", ".*"],
                       check=True, capture_output=True, timeout=60)
        yield amqp.rstrip("/") + "/" + vhost
    finally:
        subprocess.run([ctl, "delete_vhost", vhost], capture_output=True, timeout=60)


@contextlib.contextmanager
def _database(postgres: bool, server_url: str) -> Iterator[str]:
    """'' (SQLite) or the URL of a fresh PostgreSQL database, dropped afterwards."""
    if not postgres:
        yield ""
        return
    import sqlalchemy as sa

    name = f"{BENCH_DATABASE_PREFIX}{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(server_url.replace("postgresql://", "postgresql+psycopg://", 1),
                             isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        try:
            yield urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))
        finally:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@contextlib.contextmanager
def running_stack(postgres: bool = False, moto: bool = False, verbose: bool = True,
                  attempts: int = 3) -> Iterator[dict[str, str]]:
    """Every process of the stack, healthy, with os.environ set to its configuration; yields the
    environment. With moto=True a moto server at AWS_ENDPOINT_URL too (accounts-api verifies an
    account's role before registering it). On exit every process is stopped and the vhost, database
    and files are removed. A port taken by someone else between choosing it and binding it means
    another try on new ports."""
    out = sys.stderr if verbose else None
    with tempfile.TemporaryDirectory(prefix="cloudsketch-bench-") as tmp, \
            _vhost(LOCAL_AMQP) as amqp, _database(postgres, LOCAL_POSTGRES) as database:
        saved = {name: os.environ.get(name) for name in stack_env(Path(tmp), amqp, database)}
        try:
            for attempt in range(1, attempts + 1):
                directory = Path(tmp) / f"try{attempt}"
                env = stack_env(directory, amqp, database)
                os.environ.update(env)
                if verbose:
                    print(f"starting the stack on {'PostgreSQL' if postgres else 'SQLite'} in {directory}",
                          file=sys.stderr)
                moto_port = int(env["CLOUDSKETCH_DEMO_MOTO_PORT"]) if moto else None
                stack = LocalStack(directory / "logs", moto_port=moto_port, out=out)
                try:
                    stack.__enter__()  # stops whatever it started if it fails
                except StartFailed as exc:
                    if "Address already in use" not in str(exc) or attempt == attempts:
                        raise
                    continue
                break
            try:
                yield env
            finally:
                stack.__exit__(None, None, None)
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


# --- figures -----------------------------------------------------------------------------------

def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an ascending list (q in 0..100)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), math.ceil(q / 100 * len(sorted_values))))
    return sorted_values[rank - 1]


# Ours: this process and its descendants (the stack), PostgreSQL backends serving a benchmark's
# database, RabbitMQ (one process serves everybody, so its CPU cannot be split; the gRPC benchmark
# hardly uses it) and the kernel's threads (children of kthreadd, pid 2).
_SHARED = {"beam.smp", "epmd", "erl_child_setup", "inet_gethost"}
BENCH_DATABASE_PREFIX = "cloudsketch_bench_"


def _bench_postgres(pid: int) -> bool:
    """A PostgreSQL backend of a benchmark's database ("postgres: 15/main: user db host(port) ...")."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            title = cmdline.read().replace(b"\0", b" ").decode(errors="replace").split()
    except OSError:
        return False
    return len(title) >= 4 and title[0] == "postgres:" and title[3].startswith(BENCH_DATABASE_PREFIX)


def _ours_ticks() -> dict[int, int]:
    """pid -> CPU ticks of the processes counted as ours (see above)."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                data = stat.read()
        except OSError:
            continue
        fields = data[data.rindex(")") + 2:].split()
        table[int(entry)] = (data[data.index("(") + 1:data.rindex(")")], int(fields[1]),
                             int(fields[11]) + int(fields[12]))
    children: dict[int, list[int]] = {}
    for pid, (_, ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    ours, todo = set(), [os.getpid(), 2]
    while todo:
        pid = todo.pop()
        ours.add(pid)
        todo.extend(children.get(pid, []))
    return {pid: ticks for pid, (name, _, ticks) in table.items()
            if pid in ours or name in _SHARED or (name == "postgres" and _bench_postgres(pid))}


def _machine_ticks() -> tuple[int, int]:
    """(busy, steal) CPU ticks of the whole machine so far (/proc/stat)."""
    with open("/proc/stat") as stat:
        user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in stat.readline().split()[1:9])
    return user + nice + system + irq + softirq, steal


class OtherLoad:
    """The CPU the rest of a shared machine used while a benchmark ran, in cores: everything the
    machine spent (/proc/stat, so short-lived processes count too) minus what this benchmark's own
    processes spent; and the steal time, CPU the hypervisor gave to other guests.
    `with OtherLoad() as load: ...` then load.mean, load.peak, load.steal."""

    def __init__(self, interval: float = 1.0):
        self.interval = interval
        self.mean: float | None = None
        self.peak: float | None = None
        self.steal: float | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        tick = os.sysconf("SC_CLK_TCK")
        ours, (busy, steal), started = _ours_ticks(), _machine_ticks(), time.monotonic()
        last, first_steal, total, peak = started, steal, 0.0, 0.0
        while not self._stop.wait(self.interval):
            now_ours, (now_busy, now_steal), now = _ours_ticks(), _machine_ticks(), time.monotonic()
            ours_used = sum(max(0, t - ours.get(pid, 0)) for pid, t in now_ours.items())
            other = max(0, (now_busy - busy) - ours_used) / tick
            total += other
            peak = max(peak, other / (now - last))
            ours, busy, last = now_ours, now_busy, now
            self.mean, self.peak = total / (now - started), peak
            self.steal = (now_steal - first_steal) / tick / (now - started)

    def __enter__(self) -> OtherLoad:
        if os.path.isfile("/proc/stat"):
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def line(self) -> str:
        if self.mean is None:
            return "other load on the machine during the measurements: unknown"
        warning = "  (shared machine busy: figures are pessimistic)" if self.mean > 0.2 else ""
        return (f"other load on the machine during the measurements: {self.mean:.2f} cores on average, peak "
                f"{self.peak:.2f}, steal {self.steal:.2f} (of {os.cpu_count()}){warning}")


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


class moto_server:
    """A moto server of the benchmark's own, its log in `tmp`: `with moto_server(tmp) as url`."""

    def __init__(self, tmp):
        self.port = free_port()
        self.log = open(os.path.join(tmp, "moto.log"), "wb")

    def __enter__(self) -> str:
        self.proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{self.port}"
        for _ in range(300):
            try:
                urllib.request.urlopen(url + "/moto-api/", timeout=1)
                return url
            except OSError:
                time.sleep(0.1)
        raise SystemExit("moto server did not start")

    def __exit__(self, *exc):
        self.proc.kill()
        self.proc.wait()
