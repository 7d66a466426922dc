"""Live status benchmark: what the status poller costs in AWS calls, counted at the moto server
(tests/helpers/aws_faults.py's proxy sees every request). Figures go to docs/live-status.md and
docs/performance.md.

Runs the real poller (services.collector.status.poller.StatusPoller) in this process the way
collector-worker runs it: eventlet monkey-patched, the collector's database (SQLite in a
temporary directory) filled by a real sync (SyncRunner, every discovery unit). AWS is a moto
server seeded with services/demo_estate.py: account A (watched) with about --resources resources
in two regions, account B (never watched) in a third region of its own, so every call B would
cost shows up under that region. The poller's clock is the benchmark's: "an interval later" costs
no waiting, and the calls counted are exactly those of the polls made.

Figures, for each size:
1. Nobody watches either account for 20 intervals: status calls (target: zero).
2. A watched: calls of the first poll (a snapshot, with metrics), of a poll between metric
   refreshes, and of a poll that refreshes the metrics, by AWS action; and the calls per minute at
   the default 15 s interval (4 polls, 1 metric refresh).
3. While A is watched, calls made in B's region (target: zero).

    .venv/bin/python bench/live_poller.py                      # 500 and 2,000 resources
    .venv/bin/python bench/live_poller.py --resources 300
"""
from __future__ import annotations

import eventlet

eventlet.monkey_patch()  # as in collector-worker: boto3's sockets become green

import argparse  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from collections import Counter  # noqa: E402
from datetime import timedelta  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _stack  # noqa: E402  (puts the repository on sys.path)

from cloudsketch.accounts.v1 import accounts_pb2  # noqa: E402
from cloudsketch.collector.v1 import events_pb2 as events  # noqa: E402
from services.collector.domain import Collector  # noqa: E402
from services.collector.status.poller import METRIC_REFRESH_SECONDS, StatusPoller, read_inventory  # noqa: E402
from services.collector.sync import SyncRunner  # noqa: E402
from services.common.database import open_database  # noqa: E402
from services.common.timeutil import utcnow  # noqa: E402
from services.demo_estate import scale_for, seed  # noqa: E402
from tests.helpers.aws_faults import FaultProxy  # noqa: E402

INTERVAL = 15.0
WATCHED, UNWATCHED = "123456789012", "210987654321"
WATCHED_REGIONS, UNWATCHED_REGION = ("us-east-1", "eu-west-1"), "us-west-2"


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def account(aws_account_id: str, regions) -> accounts_pb2.Account:
    return accounts_pb2.Account(id=f"bench-{aws_account_id}", aws_account_id=aws_account_id, regions=regions,
                                external_id="x" * 32,
                                role_arn=f"arn:aws:iam::{aws_account_id}:role/cloudsketch-readonly")


def measure(resources: int) -> None:
    with tempfile.TemporaryDirectory(prefix="cloudsketch-bench-") as tmp, _stack.moto_server(tmp) as endpoint:
        os.environ.update(CLOUDSKETCH_DATA_DIR=tmp, CLOUDSKETCH_DATABASE_URL="", AWS_ENDPOINT_URL=endpoint,
                          AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
        seed(endpoint, accounts=(WATCHED,), regions=WATCHED_REGIONS,
             scale=scale_for(resources, regions=len(WATCHED_REGIONS), accounts=1))
        seed(endpoint, accounts=(UNWATCHED,), regions=(UNWATCHED_REGION,), scale=1)
        collector = Collector(open_database("collector"))
        accounts = {a.id: a for a in (account(WATCHED, WATCHED_REGIONS), account(UNWATCHED, [UNWATCHED_REGION]))}
        for each in accounts.values():
            collector.schedule(each.id, each.aws_account_id, utcnow() + timedelta(hours=1))
            sync_id, _ = collector.request_sync(each.id, [], "bench")
            SyncRunner(collector, lambda kind, message: None, accounts.get, "bench").run(sync_id)
        [a, b] = accounts
        total = collector.status(a).counts.resources
        polled = Counter(w.type.split("::", 1)[1] for ws in read_inventory(collector.engine, a).values() for w in ws)
        print(f"\naccount A: {total:,} resources in {len(WATCHED_REGIONS)} regions, {sum(polled.values()):,} with "
              f"live status ({', '.join(f'{n} {t}' for t, n in polled.most_common())}); account B: "
              f"{collector.status(b).counts.resources:,} resources in {UNWATCHED_REGION}", flush=True)

        clock = Clock()
        published: list[str] = []
        poller = StatusPoller(collector.engine, accounts.__getitem__, "bench", INTERVAL, clock=clock)

        def tick(advance: float) -> None:
            clock.now += advance
            poller.tick(lambda kind, message: published.append(kind))
            poller.wait()

        with FaultProxy(endpoint) as proxy:
            os.environ["AWS_ENDPOINT_URL"] = proxy.url
            for _ in range(20):
                tick(INTERVAL)
            print(f"1. nobody watching, 20 intervals: {len(proxy.calls)} AWS calls (target 0)")

            def poll(what: str, advance: float) -> int:
                before = len(proxy.calls)
                poller.watched(events.StatusWatched(account_id=a, watcher_id="bench-gateway", ttl_seconds=300))
                tick(advance)
                made = Counter(call.action for call in proxy.calls[before:] if call.action != "AssumeRole")
                by_action = ", ".join(f"{k} {v}" for k, v in sorted(made.items()))
                print(f"   {what}: {sum(made.values())} calls ({by_action})")
                return sum(made.values())

            print(f"2. account A watched, {INTERVAL:.0f} s interval:")
            poll("first poll (snapshot, metrics)", 0)
            steady = poll("a poll between metric refreshes", INTERVAL)
            for _ in range(int(METRIC_REFRESH_SECONDS // INTERVAL) - 2):
                tick(INTERVAL)
            refresh = poll("a poll that refreshes the metrics", INTERVAL)
            per_minute = refresh + (60 / INTERVAL - 1) * steady
            print(f"   per minute while watched: {per_minute:.0f} calls; per resource with live status: "
                  f"{per_minute / max(1, sum(polled.values())):.2f}")
            in_b = sum(1 for call in proxy.calls if call.region == UNWATCHED_REGION)
            print(f"3. calls in account B's region while A was watched: {in_b} (target 0); "
                  f"events published: {Counter(published)}", flush=True)
        poller.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--resources", type=int, nargs="*", default=[500, 2000])
    for size in parser.parse_args().resources:
        measure(size)


if __name__ == "__main__":
    main()
