"""Event latency across the bus: an api process publishes, a worker handles.

Starts the whole stack (services.common.supervisor.LocalStack) on free ports in a temporary
directory, on SQLite or (with --postgres) on a fresh database of the local PostgreSQL server, and
on a fresh RabbitMQ vhost when rabbitmqctl is available. Then, from this process acting as an api
process, it publishes AccountRegistered events (cloudsketch.accounts.v1) with
services.common.events.EventPublisher("accounts") (nameko's standalone dispatcher: kombu with
publisher confirms, as accounts-api publishes), each with a unique account id and
occurred_at = now. The running diagram-worker handles each by inserting a row into the diagram
database's live_blueprints table, whose created_at the handler sets to utcnow() when it starts
handling the event. Reading the rows back gives, per event,

    latency = created_at - occurred_at   (same machine, same clock)

i.e. publish (including the broker's confirm) + routing + delivery to the worker + nameko's
dispatch to a green thread + JSON/protobuf parsing, up to the start of the handler's database
work. The handler's own duration (its transaction) comes from the worker's Prometheus histogram
and is reported next to it.

Two modes, each with --events events (default 500):
- paced: one event every --interval-ms (default 5 ms), the latency of a lightly loaded bus;
- burst: published back to back with no pacing, events/s is the worker's sustained rate and the
  latency includes queueing behind earlier events.

All traffic goes to 127.0.0.1. The script waits at most --timeout seconds for the rows, stops by
itself and stops every process it started.

    .venv/bin/python bench/event_latency.py               # SQLite
    .venv/bin/python bench/event_latency.py --postgres    # PostgreSQL

Target (issue): p50 < 20 ms from publish to handled (checked on the paced mode; the burst line is
reported against the same bar).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _stack  # noqa: E402  (puts the repository on sys.path)

TARGET_P50_MS = 20.0


@dataclass
class Run:
    mode: str
    latencies_ms: list[float] = field(default_factory=list)   # sorted
    publish_ms: list[float] = field(default_factory=list)     # duration of publish() calls, sorted
    events_per_s: float = 0.0
    publish_per_s: float = 0.0
    handler_ms: float | None = None                           # worker's mean handling time

    def p(self, q: float) -> float:
        return _stack.percentile(self.latencies_ms, q)


def run_mode(mode: str, events: int, interval_s: float, publisher, engine, env, timeout: float) -> Run:
    import sqlalchemy as sa

    from cloudsketch.accounts.v1 import events_pb2
    from services.common.timeutil import as_utc, to_timestamp, utcnow
    from services.diagram.tables import live_blueprints

    print(f"  {mode}: {events} events{f', one every {interval_s * 1000:g} ms' if interval_s else ''} ...",
          file=sys.stderr, flush=True)
    run = Run(mode)
    worker_metrics = _stack.metrics_url(env, "diagram", "worker")
    series = dict(service="diagram", entrypoint="on_account_registered")
    before = _stack.histogram(worker_metrics, "nameko_worker_handling_seconds", **series)

    occurred: dict[str, datetime] = {}
    publish_ms = []
    clock = time.perf_counter
    started = clock()
    for i in range(events):
        if interval_s:
            delay = started + i * interval_s - clock()
            if delay > 0:
                time.sleep(delay)
        account_id = str(uuid.uuid4())
        now = utcnow()
        occurred[account_id] = now
        event = events_pb2.AccountRegistered(account_id=account_id, aws_account_id="123456789012",
                                             name=f"bench {mode} {i}", regions=["us-east-1"],
                                             occurred_at=to_timestamp(now))
        t0 = clock()
        publisher.publish("account_registered", event)
        publish_ms.append((clock() - t0) * 1000)
    run.publish_per_s = events / (clock() - started)
    run.publish_ms = sorted(publish_ms)

    ids = list(occurred)
    query = sa.select(live_blueprints.c.account_id, live_blueprints.c.created_at).where(
        live_blueprints.c.account_id.in_(ids))
    deadline = time.monotonic() + timeout
    while True:
        with engine.connect() as conn:
            rows = conn.execute(query).all()
        if len(rows) == events:
            break
        if time.monotonic() > deadline:
            raise SystemExit(f"{mode}: only {len(rows)} of {events} events handled after {timeout:g} s")
        time.sleep(0.05)

    handled = {row.account_id: as_utc(row.created_at) for row in rows}
    run.latencies_ms = sorted((handled[i] - occurred[i]).total_seconds() * 1000 for i in ids)
    span = (max(handled.values()) - min(occurred.values())).total_seconds()
    run.events_per_s = events / span if span > 0 else float("inf")
    after = _stack.histogram(worker_metrics, "nameko_worker_handling_seconds", **series)
    if after[1] > before[1]:
        run.handler_ms = (after[0] - before[0]) / (after[1] - before[1]) * 1000
    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", action="store_true", help="run the stack on PostgreSQL (default SQLite)")
    parser.add_argument("--events", type=int, default=500, help="events per mode")
    parser.add_argument("--interval-ms", type=float, default=5.0, help="pacing of the paced mode")
    parser.add_argument("--warmup", type=int, default=50, help="events published and awaited before measuring")
    parser.add_argument("--timeout", type=float, default=120.0, help="longest wait for the rows of one mode (s)")
    parser.add_argument("--modes", default="paced,burst", help="which modes to run: paced, burst or both")
    args = parser.parse_args(argv)
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if not modes or set(modes) - {"paced", "burst"} or args.events < 1 or args.interval_ms <= 0:
        parser.error("--modes takes paced and/or burst; --events >= 1; --interval-ms > 0")

    with _stack.running_stack(postgres=args.postgres) as env, _stack.OtherLoad() as other_load:
        from services.common.database import create_engine
        from services.common.events import EventPublisher

        publisher = EventPublisher("accounts")
        engine = create_engine("diagram")  # the worker migrated it when it started
        try:
            print("measuring publish -> handled", file=sys.stderr)
            if args.warmup:  # connections, pools, the worker's first database transactions
                run_mode("warm-up", args.warmup, 0.0, publisher, engine, env, args.timeout)
            runs = [run_mode(mode, args.events, args.interval_ms / 1000 if mode == "paced" else 0.0,
                             publisher, engine, env, args.timeout) for mode in modes]
        finally:
            engine.dispose()

    args.other_load = other_load
    report(args, runs)
    return 0


def report(args, runs: list[Run]) -> None:
    database = "PostgreSQL" if args.postgres else "SQLite"
    print()
    print(f"event latency: EventPublisher('accounts') -> RabbitMQ -> diagram-worker handler "
          f"({database}, {os.cpu_count()} cores)")
    print(args.other_load.line())
    print("latency = live_blueprints.created_at (set as the handler starts) - event occurred_at (before publish)")
    print()
    header = (f"{'mode':<22}{'events':>7}{'p50 ms':>8}{'p90 ms':>8}{'p99 ms':>8}{'max ms':>8}{'published/s':>13}{'handled/s':>11}"
              f"{'handler ms':>12}{'publish p50/p99 ms':>20}")
    print(header)
    print("-" * len(header))
    for run in runs:
        label = f"paced ({args.interval_ms:g} ms)" if run.mode == "paced" else "burst (no pacing)"
        handler = f"{run.handler_ms:>12.2f}" if run.handler_ms is not None else f"{'-':>12}"
        publish = f"{_stack.percentile(run.publish_ms, 50):.2f} / {_stack.percentile(run.publish_ms, 99):.2f}"
        print(f"{label:<22}{len(run.latencies_ms):>7}{run.p(50):>8.2f}{run.p(90):>8.2f}{run.p(99):>8.2f}"
              f"{run.latencies_ms[-1]:>8.2f}{run.publish_per_s:>13,.0f}{run.events_per_s:>11,.0f}{handler}{publish:>20}")
    print()
    print("published/s: the one publishing thread's rate (each publish waits for the broker's confirm);")
    print("handled/s: events / (last handled - first published); handler ms: the worker's mean time in")
    print("on_account_registered (its database transaction), from its nameko_worker_handling_seconds histogram;")
    print("publish ms: duration of EventPublisher.publish(), which an api request that publishes waits for")
    print()
    print(f"target: p50 < {TARGET_P50_MS:g} ms")
    for run in runs:
        label = f"paced ({args.interval_ms:g} ms)" if run.mode == "paced" else "burst (no pacing)"
        print(f"  {label:<22} p50 {run.p(50):7.2f} ms  {_stack.verdict(run.p(50) < TARGET_P50_MS)}")


if __name__ == "__main__":
    sys.exit(main())
