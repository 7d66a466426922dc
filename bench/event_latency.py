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

i.e. publish + routing + delivery to the worker + nameko's dispatch to a green thread +
JSON/protobuf parsing, up to the start of the handler's database work (the broker's publisher
confirm usually reaches the publisher after the delivery). Each worker's own handling time (its
transaction) comes from its Prometheus histogram and is reported next to it: every worker that
consumes account_registered (diagram-worker, and identity-worker for the audit log where it exists)
handles each event, on the same cores. Before the next mode starts, all of them have caught up.

Modes, each with --events events (default 500):
- paced, one per --interval-ms value (default 20 and 5 ms, i.e. 50 and 200 events/s): the latency
  of an event on a bus that keeps up;
- burst: published back to back with no pacing: handled/s is the workers' sustained rate, and the
  latency includes queueing behind earlier events.

All traffic goes to 127.0.0.1. The script waits at most --timeout seconds for the rows, stops by
itself and stops every process it started.

    .venv/bin/python bench/event_latency.py               # SQLite
    .venv/bin/python bench/event_latency.py --postgres    # PostgreSQL

Target: p50 < 20 ms from publish to handled; every mode is reported against it (the paced
modes are the latency target proper, the burst mode shows what happens beyond capacity).
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
    handler_ms: dict[str, float] = field(default_factory=dict)  # worker -> mean handling time

    def p(self, q: float) -> float:
        return _stack.percentile(self.latencies_ms, q)


def worker_services() -> list[str]:
    from services.common.processes import PROCESSES
    return [p.service for p in PROCESSES if p.role == "worker"]


def handling(env) -> dict[str, tuple[float, float]]:
    """Per worker: (sum, count) of its on_account_registered handling times, from its /metrics."""
    return {service: _stack.histogram(_stack.metrics_url(env, service, "worker"), "nameko_worker_handling_seconds",
                                      service=service, entrypoint="on_account_registered")
            for service in worker_services()}


def run_mode(mode: str, events: int, interval_s: float, publisher, engine, env, timeout: float) -> Run:
    """Publishes `events` events, waits until diagram-worker has stored them all and every other
    worker consuming the event has handled them too (so that no backlog spills into the next mode)."""
    import sqlalchemy as sa

    from cloudsketch.accounts.v1 import events_pb2
    from services.common.timeutil import as_utc, to_timestamp, utcnow
    from services.diagram.tables import live_blueprints

    print(f"  {mode}: {events} events{f', one every {interval_s * 1000:g} ms' if interval_s else ''} ...",
          file=sys.stderr, flush=True)
    run = Run(mode)
    before = handling(env)

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

    while True:  # every consumer of the event (any worker that ever handled one) catches up
        after = handling(env)
        behind = [s for s, (_, count) in after.items() if count and count - before[s][1] < events]
        if not behind or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    for service, (total, count) in after.items():
        if count > before[service][1]:
            run.handler_ms[service] = (total - before[service][0]) / (count - before[service][1]) * 1000
    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", action="store_true", help="run the stack on PostgreSQL (default SQLite)")
    parser.add_argument("--events", type=int, default=500, help="events per mode")
    parser.add_argument("--interval-ms", default="20,5",
                        help="pacing of the paced modes, one mode per comma-separated value (ms between events)")
    parser.add_argument("--no-burst", action="store_true", help="skip the burst mode")
    parser.add_argument("--warmup", type=int, default=50, help="events published and awaited before measuring")
    parser.add_argument("--timeout", type=float, default=120.0, help="longest wait for the rows of one mode (s)")
    args = parser.parse_args(argv)
    try:
        args.intervals = [float(v) for v in args.interval_ms.split(",") if v.strip()]
    except ValueError:
        parser.error("--interval-ms takes numbers, e.g. 20,5")
    if args.events < 1 or any(v <= 0 for v in args.intervals) or (args.no_burst and not args.intervals):
        parser.error("--events >= 1, intervals > 0, and at least one mode")

    with _stack.running_stack(postgres=args.postgres) as env, _stack.OtherLoad() as other_load:
        from services.common.database import create_engine
        from services.common.events import EventPublisher

        publisher = EventPublisher("accounts")
        engine = create_engine("diagram")  # the worker migrated it when it started
        try:
            print("measuring publish -> handled", file=sys.stderr)
            if args.warmup:  # connections, pools, the workers' first database transactions
                run_mode("warm-up", args.warmup, 0.0, publisher, engine, env, args.timeout)
            runs = [run_mode(f"paced ({interval:g} ms)", args.events, interval / 1000, publisher, engine, env,
                             args.timeout) for interval in args.intervals]
            if not args.no_burst:
                runs.append(run_mode("burst (no pacing)", args.events, 0.0, publisher, engine, env, args.timeout))
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
    header = (f"{'mode':<20}{'events':>7}{'p50 ms':>8}{'p90 ms':>8}{'p99 ms':>8}{'max ms':>9}{'published/s':>13}"
              f"{'handled/s':>11}{'publish p50/p99 ms':>20}   handler ms")
    print(header)
    print("-" * len(header))
    for run in runs:
        publish = f"{_stack.percentile(run.publish_ms, 50):.2f} / {_stack.percentile(run.publish_ms, 99):.2f}"
        handlers = ", ".join(f"{service} {ms:.2f}" for service, ms in run.handler_ms.items())
        print(f"{run.mode:<20}{len(run.latencies_ms):>7}{run.p(50):>8.2f}{run.p(90):>8.2f}{run.p(99):>8.2f}"
              f"{run.latencies_ms[-1]:>9.2f}{run.publish_per_s:>13,.0f}{run.events_per_s:>11,.0f}{publish:>20}"
              f"   {handlers}")
    print()
    print("published/s: the one publishing thread's rate (each publish waits for the broker's confirm);")
    print("handled/s: events / (last stored by diagram-worker - first published);")
    print("publish ms: duration of EventPublisher.publish(), which an api request that publishes waits for;")
    print("handler ms: each worker's mean time in its on_account_registered handler (its database transaction),")
    print("from its nameko_worker_handling_seconds histogram; every worker listed consumes the event, "
          "on the same cores")
    print()
    print(f"target: p50 < {TARGET_P50_MS:g} ms")
    for run in runs:
        print(f"  {run.mode:<20} p50 {run.p(50):7.2f} ms  {_stack.verdict(run.p(50) < TARGET_P50_MS)}")


if __name__ == "__main__":
    sys.exit(main())
