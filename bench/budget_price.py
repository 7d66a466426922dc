"""The budget's cost model at scale: catalog load, pricing 10,000 components, and a budget updated
after 100 changes. Pure Python in one process, no services.

- Catalog load: services.budget.catalog.load() of the packaged catalog in a fresh interpreter
  (module already imported): wall time and the process's resident-memory growth; then the peak
  memory a second, traced load allocates (tracemalloc). Targets: < 1 s, < 100 MiB.
- Pricing: price_all() of 10,000 components, a mix of the priced, free and unpriced types a
  collector sync publishes, across 6 regions. Target: < 200 ms.
- Update: a Budget holding those 10,000 components applies 100 changes (50 resized instances,
  25 grown volumes, 15 new NAT gateways, 10 removed databases) and returns what changed.
  Target: < 50 ms.
- Worker: budget-worker's domain code (services/budget/live.py) on a real database (a SQLite file,
  or --database-url): an account of those 10,000 components synced once, then each run a sync
  of 100 changes (50 resized instances, 25 grown or shrunk volumes, 15 new NAT gateways, 10
  removals) as one resources_changed batch and its sync_finished: pricing the batch, writing it,
  the completeness check, settling the changes and writing budget_changed to the outbox.
  Target: < 50 ms.

The machine is shared: the pricing figure also gives the process's CPU time, which other
processes' load does not inflate. Each figure is the median of --repeat runs (the first, warm-up run
excluded for pricing and
update). Prints figures only; docs/performance.md records them.

    .venv/bin/python bench/budget_price.py
"""
from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from services.budget import catalog  # noqa: E402
from services.budget.costs import Component, price_all  # noqa: E402
from services.budget.totals import Budget  # noqa: E402

REGIONS = ("us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2", "sa-east-1")
INSTANCE_TYPES = ("t3.micro", "t3.medium", "m5.large", "m5.xlarge", "c6g.xlarge", "r6i.large", "m6i.2xlarge")

LOAD_PROBE = """
import json, resource, time, tracemalloc
from services.budget import catalog
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
loaded = catalog.load()
elapsed = time.perf_counter() - start
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
del loaded
tracemalloc.start()  # a second load, traced (tracing slows allocation: not timed)
loaded = catalog.load()
peak = tracemalloc.get_traced_memory()[1]
print(json.dumps({"seconds": elapsed, "peak": peak, "rss_growth_kib": after - before, "prices": len(loaded)}))
"""


def component(index: int, rng: random.Random) -> Component:
    region = REGIONS[index % len(REGIONS)]
    arn = f"arn:aws:bench:{region}:123456789012:item/{index}"
    pick = index % 20
    vpc = {"vpcId": f"vpc-{index % 50}"}
    if pick < 6:
        return Component(arn, "AWS::EC2::Instance", region, f"i-{index}", {"team": f"t{index % 7}"},
                         {**vpc, "instanceType": rng.choice(INSTANCE_TYPES), "platform": "Linux/UNIX",
                          "state": "running"})
    if pick < 10:
        return Component(arn, "AWS::EC2::Volume", region, f"vol-{index}", {},
                         {"volumeType": rng.choice(("gp3", "gp2", "io1")), "size": rng.choice((8, 20, 100, 500)),
                          "iops": 3000, "throughput": 125})
    if pick == 10:
        return Component(arn, "AWS::RDS::DBInstance", region, f"db-{index}", {},
                         {**vpc, "engine": "postgres", "instanceClass": "db.m5.large", "multiAz": index % 2 == 0,
                          "storageType": "gp3", "allocatedStorage": 100})
    if pick == 11:
        return Component(arn, "AWS::ElasticLoadBalancingV2::LoadBalancer", region, f"lb-{index}", {},
                         {**vpc, "type": "application"})
    if pick == 12:
        return Component(arn, "AWS::Lambda::Function", region, f"fn-{index}", {}, {"memorySize": 512})
    if pick == 13:
        return Component(arn, "AWS::DynamoDB::Table", region, f"t-{index}", {},
                         {"billingMode": "PAY_PER_REQUEST", "tableSizeBytes": 10 ** 9})
    if pick == 14:
        return Component(arn, "AWS::S3::Bucket", region, f"b-{index}", {}, {})
    if pick == 15:
        return Component(arn, "AWS::SQS::Queue", region, f"q-{index}", {}, {"fifo": False})
    if pick == 16:
        return Component(arn, "AWS::EC2::Instance", region, f"w-{index}", {},
                         {"instanceType": "m5.large", "platform": "Windows"})   # unpriced
    return Component(arn, rng.choice(("AWS::EC2::Subnet", "AWS::EC2::SecurityGroup", "AWS::EC2::RouteTable")),
                     region, f"free-{index}", {}, vpc)


def changes(components: list[Component]) -> tuple[list[Component], list[str]]:
    instances = [c for c in components
                 if c.type == "AWS::EC2::Instance" and c.attributes.get("platform") == "Linux/UNIX"]
    volumes = [c for c in components if c.type == "AWS::EC2::Volume"]
    databases = [c for c in components if c.type == "AWS::RDS::DBInstance"]
    changed = [Component(c.arn, c.type, c.region, c.name, c.tags, {**c.attributes, "instanceType": "m5.2xlarge"})
               for c in instances[:50]]
    changed += [Component(c.arn, c.type, c.region, c.name, c.tags, {**c.attributes, "size": 1000})
                for c in volumes[:25]]
    changed += [Component(f"arn:aws:ec2:us-east-1:123456789012:natgateway/new-{i}", "AWS::EC2::NatGateway",
                          "us-east-1", f"nat-{i}") for i in range(15)]
    return changed, [c.arn for c in databases[:10]]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--components", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--database-url", default="", help="the worker figure's database (default: a SQLite file)")
    args = parser.parse_args()
    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}")

    import json
    loads = [json.loads(subprocess.run([sys.executable, "-c", LOAD_PROBE], capture_output=True, text=True, check=True,
                                       cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__)))).stdout)
             for _ in range(max(3, args.repeat // 2))]
    print(f"catalog load: {statistics.median(x['seconds'] for x in loads) * 1000:.0f} ms median of {len(loads)}, "
          f"peak allocated {max(x['peak'] for x in loads) / 2 ** 20:.1f} MiB, "
          f"RSS growth {max(x['rss_growth_kib'] for x in loads) / 1024:.1f} MiB, {loads[0]['prices']:,} prices "
          "(targets < 1 s, < 100 MiB)")

    loaded = catalog.default()
    rng = random.Random(7)
    components = [component(i, rng) for i in range(args.components)]
    price_all(components, catalog=loaded)  # warm-up
    times, cpu = [], []
    for _ in range(args.repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        priced = price_all(components, catalog=loaded)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    statuses = {status: sum(1 for p in priced if p.status == status) for status in ("priced", "free", "unpriced")}
    print(f"price {len(components):,} components: {statistics.median(times) * 1000:.1f} ms wall median "
          f"(min {min(times) * 1000:.1f}), {statistics.median(cpu) * 1000:.1f} ms CPU median, of {args.repeat}; "
          f"{statuses} (target < 200 ms)")

    changed, removed = changes(components)
    times = []
    for run in range(args.repeat + 1):
        budget = Budget(catalog=loaded)
        budget.apply(components)
        start = time.perf_counter()
        moved = budget.apply(changed, removed)
        elapsed = time.perf_counter() - start
        if run:
            times.append(elapsed)
    print(f"budget update after {len(changed) + len(removed)} changes: {statistics.median(times) * 1000:.2f} ms "
          f"median of {args.repeat}; {len(moved)} components moved, total {budget.total:.2f} USD/month "
          "(target < 50 ms)")
    worker_sync(components, loaded, args)
    return 0


def resource(c: Component):
    from google.protobuf import struct_pb2

    from cloudsketch.common.v1 import resource_pb2
    attributes = struct_pb2.Struct()
    attributes.update(dict(c.attributes))
    return resource_pb2.Resource(arn=c.arn, type=c.type, region=c.region, name=c.name, attributes=attributes,
                                 tags=[resource_pb2.Tag(key=k, value=v) for k, v in c.tags.items()])


def worker_sync(components: list[Component], loaded, args) -> None:
    """budget-worker's handlers (LiveBudget) on a database: a sync of 100 changes, settled."""
    import tempfile
    import uuid
    from datetime import timedelta

    from cloudsketch.collector.v1 import collector_pb2
    from cloudsketch.collector.v1 import events_pb2 as events
    from services.budget.live import LiveBudget
    from services.common.database import open_database
    from services.common.timeutil import to_timestamp, utcnow

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/budget.db"
        engine = open_database("budget", url)
        live = LiveBudget(engine, catalog=loaded)
        account = str(uuid.uuid4())
        live.on_account_registered(account, "123456789012", "bench")
        live._clear_rebuild(account, utcnow() + timedelta(days=1))  # no earlier sync to rebuild from
        at = utcnow()

        def sync(sync_id, upserted, removed):
            live.on_resources_changed(events.ResourcesChanged(
                account_id=account, sync_id=sync_id, region="us-east-1", batch_index=0, upserted=upserted,
                removed_arns=removed, occurred_at=to_timestamp(at)))
            return live.on_sync_finished(events.SyncFinished(
                account_id=account, sync_id=sync_id, state=collector_pb2.SYNC_STATE_FINISHED,
                occurred_at=to_timestamp(at), region_batches=[events.RegionBatches(region="us-east-1", batches=1)]))

        start = time.perf_counter()
        sync("first", [resource(c) for c in components], [])
        first = time.perf_counter() - start
        instances = [c for c in components
                     if c.type == "AWS::EC2::Instance" and c.attributes.get("platform") == "Linux/UNIX"][:50]
        volumes = [c for c in components if c.type == "AWS::EC2::Volume"][:25]
        removable = [c.arn for c in components if c.type == "AWS::RDS::DBInstance"][:10]
        times, cpu, published = [], [], 0
        for run in range(args.repeat + 1):
            at += timedelta(seconds=1)
            size, grown = ("m5.2xlarge", 1000) if run % 2 == 0 else ("m5.large", 200)
            upserted = [resource(Component(c.arn, c.type, c.region, c.name, c.tags,
                                           {**c.attributes, "instanceType": size})) for c in instances]
            upserted += [resource(Component(c.arn, c.type, c.region, c.name, c.tags, {**c.attributes, "size": grown}))
                         for c in volumes]
            nats = [Component(f"arn:aws:ec2:us-east-1:123456789012:natgateway/r{run}-{i}", "AWS::EC2::NatGateway",
                              "us-east-1", f"nat-{run}-{i}") for i in range(15)]
            upserted += [resource(c) for c in nats]
            started, started_cpu = time.perf_counter(), time.process_time()
            published += sync(f"sync-{run}", upserted, removable)
            elapsed, elapsed_cpu = time.perf_counter() - started, time.process_time() - started_cpu
            removable = [c.arn for c in nats[:10]]
            if run:
                times.append(elapsed)
                cpu.append(elapsed_cpu)
        changes = live.latest_changes(account)
        engine.dispose()
    print(f"budget-worker ({engine.dialect.name}): first sync of {len(components):,} components {first * 1000:.0f} ms; "
          f"a sync of 100 changes priced, settled and published to the outbox: "
          f"{statistics.median(times) * 1000:.1f} ms "
          f"wall median (min {min(times) * 1000:.1f}), {statistics.median(cpu) * 1000:.1f} ms CPU median, of "
          f"{args.repeat}; {len(changes)} changes, "
          f"{published} budget_changed events (target < 50 ms)")


if __name__ == "__main__":
    sys.exit(main())
