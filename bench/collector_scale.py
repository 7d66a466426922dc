"""Scaling out the collector: --accounts connected accounts (one region each, a small estate in
moto) synced by 1, 2 and 4 collector-worker replicas, with --latency seconds added to every AWS
call (tests/helpers/aws_faults.py's proxy, in this process). Figures go to docs/operations.md
("Scaling out").

Real processes: a moto server, accounts-api (collector-worker asks it for each account) and N
collector-workers (python -m services.collector worker), on PostgreSQL (a fresh database) and
RabbitMQ (a fresh vhost). The accounts are stored straight into the accounts database (registering
verifies each role through STS, which is not what this measures), spread over --aws-accounts AWS
accounts (a role each), and moto is warmed up by one sync per AWS account before measuring. For each replica count the
collector's schema starts empty, every account gets a sync request (the way the gateway's POST
/sync or the schedule makes one: a queued sync and its sync_requested event, relayed by the
workers' outbox relays), and a tenth of them a second request once the first is running (so that
two replicas may hold syncs of one account at once: the leases must keep its region apart).

Figures per replica count: wall time from the requests to the last sync ended, region runs (an
account-region a sync held; the global services count as a region) per second, AWS calls per
second; each worker's CPU (cores, averaged over the run) and peak RSS; the longest the
sync_requested queue got; the broker's alarms; PostgreSQL connections (peak) and the collector
schema's size per resource. Checks: every sync finished, no two held runs of
one account-region overlap (region_runs' holder and times), no lease left behind.

    .venv/bin/python bench/collector_scale.py                         # 1,000 accounts, 50 ms a call
    .venv/bin/python bench/collector_scale.py --accounts 200 --replicas 1 2
"""
from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _stack  # noqa: E402  (puts the repository on sys.path)
import sqlalchemy as sa  # noqa: E402
from kombu import Connection  # noqa: E402

from cloudsketch.accounts.v1 import accounts_pb2, accounts_pb2_grpc  # noqa: E402
from services.collector.domain import Collector  # noqa: E402
from services.common import config  # noqa: E402
from services.common.database import open_database  # noqa: E402
from services.common.grpc_client import DEFAULT_TIMEOUT_SECONDS, stub  # noqa: E402
from services.common.healthcheck import http_ok  # noqa: E402
from services.common.processes import PROCESSES  # noqa: E402
from services.common.supervisor import Child, Supervisor, child_for, free_port, isolated_env, moto_child  # noqa: E402
from services.common.timeutil import utcnow  # noqa: E402
from services.demo import account_client, ensure_role  # noqa: E402
from tests.helpers.aws_faults import FaultProxy  # noqa: E402

REGION = "us-east-1"
SYNC_QUEUE = "evt-collector-sync_requested--collector.on_sync_requested"


def seed_accounts(moto: str, count: int, aws_accounts: int) -> dict[str, str]:
    """`count` accounts in the accounts database over `aws_accounts` AWS accounts (each with a VPC
    and two queues in moto), each connected through a role of its own."""
    from services.accounts.tables import accounts

    for index in range(aws_accounts):
        aws_account_id = str(200000000000 + index)
        account_client("ec2", moto, aws_account_id, REGION).create_vpc(CidrBlock="10.0.0.0/16")
        sqs = account_client("sqs", moto, aws_account_id, REGION)
        for queue in ("orders", "jobs"):
            sqs.create_queue(QueueName=queue)
    ids, rows, now = {}, [], utcnow()
    for index in range(count):
        aws_account_id = str(200000000000 + index % aws_accounts)
        account_id = str(uuid.uuid4())
        ids[account_id] = aws_account_id
        role_arn = f"arn:aws:iam::{aws_account_id}:role/cs-{index}"
        rows.append(dict(id=account_id, name=f"scale-{index:05d}", role_arn=role_arn,
                         aws_account_id=aws_account_id, regions=[REGION], creator_id="bench", source="manual",
                         read_access=[], write_access=[], verification_state="verified", verification_message="",
                         verified_at=now, created_at=now, updated_at=now))
    engine = open_database("accounts")
    with engine.begin() as conn:
        for start in range(0, count, 500):
            conn.execute(sa.insert(accounts), rows[start:start + 500])
    engine.dispose()
    return ids


def create_roles(moto: str, count: int, aws_accounts: int) -> None:
    """Each account's role in moto, trusting this installation with its External ID as onboarding
    creates it: accounts-api checks the role before every sync (docs/accounts.md, "Account health")."""
    parameters = stub("accounts", accounts_pb2_grpc.AccountsServiceStub).GetIamParameters(
        accounts_pb2.GetIamParametersRequest(), timeout=DEFAULT_TIMEOUT_SECONDS)
    for index in range(count):
        ensure_role(moto, parameters.external_id, str(200000000000 + index % aws_accounts), f"cs-{index}",
                    trusted_account_id=parameters.account_id)


class Sampler(threading.Thread):
    """Every second: each worker's CPU ticks and RSS peak, the sync queue's depth, PostgreSQL's
    connections to the benchmark's database."""

    def __init__(self, pids: list[int], amqp: str, database: str):
        super().__init__(daemon=True)
        self.pids, self.amqp, self.database = pids, amqp, database
        self.stop = threading.Event()
        self.queue_peak = self.connections_peak = 0
        self.hwm: dict[int, int] = {}
        self.ticks_start = {pid: self._ticks(pid) for pid in pids}
        self.ticks_end = dict(self.ticks_start)

    @staticmethod
    def _ticks(pid: int) -> int:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])

    def run(self):
        engine = sa.create_engine(self.database.replace("postgresql://", "postgresql+psycopg://", 1))
        name = self.database.rsplit("/", 1)[1]
        while not self.stop.wait(1.0):
            for pid in self.pids:
                try:
                    self.ticks_end[pid] = self._ticks(pid)
                    with open(f"/proc/{pid}/status") as status:
                        for line in status:
                            if line.startswith("VmHWM:"):
                                self.hwm[pid] = int(line.split()[1])
                except OSError:
                    pass
            try:
                with Connection(self.amqp) as conn:
                    depth = conn.default_channel.queue_declare(SYNC_QUEUE, passive=True).message_count
                self.queue_peak = max(self.queue_peak, depth)
            except Exception:   # not declared yet
                pass
            with engine.connect() as conn:
                self.connections_peak = max(self.connections_peak, conn.execute(sa.text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = :d"), {"d": name}).scalar())
        engine.dispose()


def rows(engine: sa.Engine, sql: str, **params) -> list:
    with engine.connect() as conn:
        return conn.execute(sa.text(sql), params).all()


def overlaps(rows) -> int:
    """Held (not skipped) runs of one account-region that overlap in time."""
    spans: dict[tuple[str, str], list] = {}
    for account_id, region_runs in rows:
        for run in region_runs or []:
            if not run["skipped"] and run["started_at"] and run["finished_at"]:
                spans.setdefault((account_id, run["region"]), []).append(
                    (datetime.fromisoformat(run["started_at"]), datetime.fromisoformat(run["finished_at"])))
    found = 0
    for intervals in spans.values():
        intervals.sort()
        found += sum(1 for (_, end), (start, _) in zip(intervals, intervals[1:], strict=False) if start < end)
    return found


def measure(replicas: int, account_ids: dict[str, str], supervisor: Supervisor, proxy: FaultProxy, amqp: str,
            database: str, timeout: float) -> dict:
    engine = sa.create_engine(database.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA IF EXISTS collector CASCADE"))
    engine.dispose()
    workers = []
    for index in range(replicas):
        port = free_port()
        args = [sys.executable, "-m", "services.collector", "worker"]
        workers.append(Child(f"collector-worker-{replicas}-{index}", args,
                             lambda port=port: http_ok(f"http://127.0.0.1:{port}/healthz", timeout=0.5),
                             f"metrics :{port}", env={"CLOUDSKETCH_METRICS_PORT": str(port)}))
    supervisor.start_group(workers)
    collector = Collector(open_database("collector"), lambda: None)   # the workers' relays publish
    db = collector.engine
    # What account_registered does: the collector keeps (and records resources for) scheduled
    # accounts only. The schedule itself is far off: only the requests below sync.
    for account_id, aws_account_id in account_ids.items():
        collector.schedule(account_id, aws_account_id, utcnow() + timedelta(days=1))

    def busy() -> bool:
        return bool(rows(db, "SELECT 1 FROM syncs WHERE state IN ('queued', 'running') LIMIT 1"))

    sampler = Sampler([w.process.pid for w in workers], amqp, database)
    calls_before = len(proxy.calls)
    sampler.start()
    started = time.monotonic()
    for account_id in account_ids:
        collector.request_sync(account_id, [], "bench")
    # A second request for a tenth of the accounts once their first sync runs: a second queued
    # sync that another replica may start while the first still holds the region.
    again = set(random.Random(replicas).sample(sorted(account_ids), len(account_ids) // 10))
    while again:
        running = {row.account_id for row in rows(db, "SELECT account_id FROM syncs WHERE state = 'running'")}
        for account_id in again & running:
            collector.request_sync(account_id, [], "bench-again")
        again -= running
        if again and not busy():
            break   # they finished before being seen running
        time.sleep(0.2)
    # A sync whose worker lost its database connection can stay "running" (the collector does not
    # sweep them yet): the deadline ends the wait and the sync counts as not finished.
    while busy() and time.monotonic() - started < timeout:
        time.sleep(0.5)
    wall = time.monotonic() - started
    sampler.stop.set()
    sampler.join()
    for worker in workers:
        worker.process.terminate()
    for worker in workers:
        worker.process.wait(30)
        supervisor.children.remove(worker)

    syncs = rows(db, "SELECT account_id, state, region_runs, message, gaps FROM syncs")
    why: dict[str, int] = {}
    for sync in syncs:
        keys = [f"gap {g['region']} {g['service']} {g['reason']}: {g['message'][:100]}" for g in sync.gaps or []]
        if sync.state != "finished":
            keys.append(f"{sync.state}: {(sync.message or '')[:160]}")
        for key in keys:
            why[key] = why.get(key, 0) + 1
    held = sum(1 for s in syncs for r in (s.region_runs or []) if not r["skipped"])
    skipped = sum(1 for s in syncs for r in (s.region_runs or []) if r["skipped"])
    resources = rows(db, "SELECT count(*) AS n, sum(pg_column_size(r.*)) AS bytes FROM resources r")[0]
    size = rows(db, "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON "
                          "n.oid = c.relnamespace WHERE n.nspname = 'collector' AND c.relkind = 'r'")[0][0]
    tick = os.sysconf("SC_CLK_TCK")
    db.dispose()
    alarms = subprocess.run(["rabbitmqctl", "-q", "list_alarms"], capture_output=True, text=True, timeout=30).stdout
    return dict(
        replicas=replicas, wall=wall, syncs=len(syncs), failed=sum(1 for s in syncs if s.state != "finished"),
        held=held, skipped=skipped, overlaps=overlaps([(s.account_id, s.region_runs) for s in syncs]),
        leases_left=rows(db, "SELECT count(*) FROM leases")[0][0],
        calls=len(proxy.calls) - calls_before, resources=resources.n, resource_bytes=resources.bytes or 0,
        schema_bytes=size or 0, queue_peak=sampler.queue_peak, connections_peak=sampler.connections_peak,
        cpu=[(sampler.ticks_end[p] - sampler.ticks_start[p]) / tick / wall for p in sampler.pids],
        rss_mib=[sampler.hwm.get(p, 0) / 1024 for p in sampler.pids],
        alarms=alarms.strip() or "none", why=why)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--replicas", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--latency", type=float, default=0.05, help="seconds added to every AWS call")
    parser.add_argument("--aws-accounts", type=int, default=20,
                        help="AWS accounts behind the connected ones (moto builds each account's backends on first "
                             "use, a second of its CPU per service: with one AWS account per connected account, moto "
                             "and not the collector would be measured)")
    parser.add_argument("--timeout", type=float, default=3600, help="longest wait for one replica count's syncs")
    args = parser.parse_args()
    # Stopped with SIGTERM: clean up (processes, vhost, database) as on Ctrl-C.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))

    with tempfile.TemporaryDirectory(prefix="cloudsketch-bench-") as tmp, \
            _stack._vhost(_stack.LOCAL_AMQP) as amqp, _stack._database(True, _stack.LOCAL_POSTGRES) as database:
        env = isolated_env(Path(tmp), amqp, database)
        moto_port = free_port()
        moto = f"http://127.0.0.1:{moto_port}"
        supervisor = Supervisor(Path(tmp) / "logs", out=sys.stderr)
        try:
            supervisor.start_group([moto_child(moto_port)])
            with FaultProxy(moto, latency=args.latency) as proxy, _stack.OtherLoad() as load:
                env.update(AWS_ENDPOINT_URL=proxy.url, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                           AWS_DEFAULT_REGION=REGION, CLOUDSKETCH_SYNC_INTERVAL_SECONDS="86400")
                os.environ.update(env)
                print(f"seeding {args.accounts} accounts ...", file=sys.stderr)
                account_ids = seed_accounts(moto, args.accounts, args.aws_accounts)
                supervisor.start_group([child_for(next(p for p in PROCESSES if p.name == "accounts-api"))])
                create_roles(moto, args.accounts, args.aws_accounts)
                # Warm-up, not reported: one sync per AWS account builds moto's backends.
                print("warming moto up ...", file=sys.stderr)
                one_each = {aws_account_id: account_id for account_id, aws_account_id in account_ids.items()}
                warm_up = {account_id: aws_account_id for aws_account_id, account_id in one_each.items()}
                measure(max(args.replicas), warm_up, supervisor, proxy, amqp, database, args.timeout)
                results = []
                for replicas in args.replicas:
                    print(f"syncing with {replicas} replica(s) ...", file=sys.stderr)
                    results.append(measure(replicas, account_ids, supervisor, proxy, amqp, database, args.timeout))
        finally:
            supervisor.stop_all()

    concurrency = config.sync_concurrency()
    print(f"\ncollector scale-out: {args.accounts} accounts ({args.aws_accounts} AWS accounts) x 1 region, "
          f"{args.latency * 1000:.0f} ms added per AWS "
          f"call, PostgreSQL, {os.cpu_count()} cores; per worker: 10 syncs at once (nameko max_workers), "
          f"{concurrency[0]} calls in flight per account")
    print("| replicas | wall s | region runs/s | AWS calls/s | speed-up | worker CPU (cores, each) | "
          "worker RSS peak MiB (each) | sync queue peak | PG connections peak |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    base = results[0]["held"] / results[0]["wall"] or float("nan")   # nothing held: every sync failed (see below)
    for r in results:
        rate = r["held"] / r["wall"]
        print(f"| {r['replicas']} | {r['wall']:.0f} | {rate:.1f} | {r['calls'] / r['wall']:.0f} | {rate / base:.2f}x | "
              f"{' '.join(f'{c:.2f}' for c in r['cpu'])} | {' '.join(f'{m:.0f}' for m in r['rss_mib'])} | "
              f"{r['queue_peak']} | {r['connections_peak']} |")
    for r in results:
        print(f"{r['replicas']} replica(s): {r['syncs']} syncs, {r['failed']} not finished, {r['held']} region runs "
              f"held, {r['skipped']} skipped (leased by another sync), {r['overlaps']} overlapping, "
              f"{r['leases_left']} leases left, {r['calls'] / max(1, r['held']):.0f} AWS calls per account-region; "
              f"{r['resources']} resources, {r['resource_bytes'] / max(1, r['resources']):.0f} bytes a row, collector "
              f"schema {r['schema_bytes'] / 2 ** 20:.1f} MiB; broker alarms: {r['alarms']}")
        for reason, count in sorted(r["why"].items()):
            print(f"    ({count}) {reason}")
    print(load.line())
    ok = all(r["failed"] == 0 and r["overlaps"] == 0 and r["leases_left"] == 0 for r in results)
    print(f"checks (every sync finished, no overlapping runs, no lease left): {_stack.verdict(ok)}")


if __name__ == "__main__":
    main()
