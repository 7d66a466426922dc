"""The diagram's whole pipeline: a synthetic estate composed, laid out and rendered to SVG; 10
changed components applied and re-laid out; and a 10,000-component account's JSON snapshot served
by the real diagram-api over gRPC. Prints figures; asserts nothing.

    .venv/bin/python bench/diagram_pipeline.py [--sizes 10000,50000] [--repeat 3] [--grpc-size 10000]
    .venv/bin/python bench/diagram_pipeline.py --no-grpc        # the in-process parts only

- Pipeline: bench/diagram_compose.py's estate (about 108 resources per VPC, accounts of 10 VPCs),
  each size in a fresh child process so that its maximum RSS is its own. compose() with the
  default options (collapse at 50), then render(data, "svg") in the isometric projection. Wall
  and CPU seconds, best of --repeat; "max RSS" is the child's peak (the estate, the document and
  the SVG held at once, Python's own ~30 MiB included).
- 10 changes (bench/diagram_compose.ten_changes: 5 resized, 3 added, 2 removed) applied to a kept
  composition (Composer.update, then compose with the stored layout: what diagram-api does with its
  cached composition), against compose() of the changed estate from nothing, and the re-layout
  (layout.arrange) alone; and how many nodes moved (the layout keeps them put).
- Snapshot over gRPC: the real stack started by services.common.supervisor.LocalStack (bench/_stack.py,
  SQLite); --grpc-size resources of one AWS account written into the diagram's live model through
  its own domain code (LiveModel's resources_changed and sync_finished handlers, as diagram-worker
  does), then GetAccountBlueprint(format json, region all) timed from a client over gRPC (the
  gateway's stubs): the first call, calls on an unchanged model (the cached document), and calls
  after 10 changes written into the live model each time; and its steps timed in this process
  (CPU) to say where the time goes.
- First request after start: a fresh diagram-api process (`python -m services.diagram api`, the
  stack's configuration, a port of its own) started against the seeded database, with the time
  until its health check says SERVING, then GetAccountBlueprint json and svg (the app's first
  request) either at once (while the cache warms, services/diagram/domain.py `Warmer`) or once
  it logged the end of warm-up; and after a sync (10 changes) once its refresh ran.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import resource as rlimit
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import diagram_compose  # noqa: E402  (the estate)


def best_of(fn, repeat: int):
    """(best wall s, best CPU s, last result)."""
    best_wall = best_cpu = float("inf")
    result = None
    for _ in range(repeat):
        gc.collect()
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    return best_wall, best_cpu, result


def one_size(size: int, repeat: int) -> dict:
    from services.diagram.compose import Composer, compose
    from services.diagram.options import ExportOptions
    from services.diagram.render import render

    resources = diagram_compose.estate(size)
    options = ExportOptions()
    base_rss = rlimit.getrusage(rlimit.RUSAGE_SELF).ru_maxrss / 1024

    def pipeline():
        composed = compose(resources, options, name="bench")
        return composed, render(composed.data, "svg", options)[0]

    wall, cpu, (composed, svg) = best_of(pipeline, repeat)
    compose_wall, compose_cpu, _ = best_of(lambda: compose(resources, options, name="bench"), repeat)
    svg_wall, svg_cpu, _ = best_of(lambda: render(composed.data, "svg", options), repeat)
    peak_rss = rlimit.getrusage(rlimit.RUSAGE_SELF).ru_maxrss / 1024

    changed = diagram_compose.ten_changes(resources)
    upserted, removed = diagram_compose.delta(resources, changed)
    full_wall, full_cpu, _ = best_of(lambda: compose(changed, options, name="bench", layout=composed.layout), repeat)

    def incremental():
        # What diagram-api does with its cached composition: apply the changed rows, lay out again.
        composer = Composer(options, None, resources)
        composer.compose("bench", {})
        wall, cpu = time.perf_counter(), time.process_time()
        composer.update(upserted, removed)
        result = composer.compose("bench", composed.layout)
        return time.perf_counter() - wall, time.process_time() - cpu, result
    runs = [incremental() for _ in range(repeat)]
    changes_wall, changes_cpu = min(r[0] for r in runs), min(r[1] for r in runs)
    again = runs[-1][2]
    arrange_wall, arrange_cpu = arrange_time(changed, options, composed.layout)
    return {"resources": len(resources), "nodes": len(composed.data["nodes"]), "groups": len(composed.data["groups"]),
            "edges": len(composed.data["edges"]), "svg_mb": len(svg) / 2 ** 20,
            "wall": wall, "cpu": cpu, "compose_wall": compose_wall, "compose_cpu": compose_cpu,
            "svg_wall": svg_wall, "svg_cpu": svg_cpu, "base_rss": base_rss, "peak_rss": peak_rss,
            "changes_wall": changes_wall, "changes_cpu": changes_cpu, "full_wall": full_wall, "full_cpu": full_cpu,
            "arrange_wall": arrange_wall,
            "arrange_cpu": arrange_cpu, "moved": moved(composed.data, again.data)}


def arrange_time(resources, options, layout) -> tuple[float, float]:
    """Wall and CPU of layout.arrange alone within one composition (with the collector paused, as
    compose runs it)."""
    from services.diagram import compose as compose_mod
    from services.diagram.compose import compose
    original, taken = compose_mod.layout_mod.arrange, []

    def timed(*args, **kwargs):
        wall, cpu = time.perf_counter(), time.process_time()
        result = original(*args, **kwargs)
        taken.append((time.perf_counter() - wall, time.process_time() - cpu))
        return result
    compose_mod.layout_mod.arrange = timed
    try:
        compose(resources, options, name="bench", layout=layout)
    finally:
        compose_mod.layout_mod.arrange = original
    return taken[0]


def moved(before: dict, after: dict) -> int:
    """Nodes present in both documents whose position changed (the layout keeps them: 0)."""
    old = {n["id"]: n["mapPos"] for n in before["nodes"]}
    return sum(1 for n in after["nodes"] if n["id"] in old and old[n["id"]] != n["mapPos"])


def pipeline_report(sizes: list[int], repeat: int) -> None:
    print(f"{'resources':>9} {'nodes':>6} {'groups':>6} {'edges':>6} | {'compose+layout+svg':>22} | "
          f"{'compose':>15} | {'svg':>15} | {'max RSS':>8} | {'10 changes applied':>18} | {'arrange':>15}")
    print(f"{'':>9} (10 changes applied: Composer.update + compose, wall / CPU; arrange: the re-layout inside it)")
    for size in sizes:
        child = subprocess.run([sys.executable, __file__, "--one", str(size), "--repeat", str(repeat)],
                               capture_output=True, text=True, check=True)
        r = json.loads(child.stdout.strip().splitlines()[-1])
        print(f"{r['resources']:>9,} {r['nodes']:>6,} {r['groups']:>6,} {r['edges']:>6,} | "
              f"{r['wall']:6.2f} s wall {r['cpu']:5.2f} s CPU | {r['compose_wall']:5.2f} / {r['compose_cpu']:5.2f} s | "
              f"{r['svg_wall']:5.2f} / {r['svg_cpu']:5.2f} s | {r['peak_rss']:5.0f} MiB | "
              f"{r['changes_wall'] * 1000:6.0f} / {r['changes_cpu'] * 1000:5.0f} ms | "
              f"{r['arrange_wall'] * 1000:5.0f} / {r['arrange_cpu'] * 1000:4.0f} ms", flush=True)
        print(f"{'':>9} SVG {r['svg_mb']:.1f} MiB; RSS with the estate built, before composing: "
              f"{r['base_rss']:.0f} MiB; nodes moved by the 10 changes: {r['moved']}; the same 10 changes "
              f"recomposed from nothing: {r['full_wall'] * 1000:.0f} / {r['full_cpu'] * 1000:.0f} ms", flush=True)


def to_pb(resource):
    from google.protobuf import struct_pb2

    from cloudsketch.common.v1 import resource_pb2
    attributes = struct_pb2.Struct()
    attributes.update(resource.attributes)
    return resource_pb2.Resource(
        arn=resource.arn, type=resource.type, aws_account_id=resource.aws_account_id, region=resource.region,
        name=resource.name, attributes=attributes, fingerprint=str(hash(repr(resource))),
        tags=[resource_pb2.Tag(key=k, value=v) for k, v in resource.tags.items()],
        relationships=[resource_pb2.Relationship(type=resource_pb2.RelationshipType.Value(
            f"RELATIONSHIP_TYPE_{kind.upper()}"), source_arn=source, target_arn=target)
            for kind, source, target in resource.relationships])


def seed_live_model(size: int) -> tuple[str, list]:
    """An account in the diagram's database (the stack's, by os.environ) whose live model holds
    about `size` resources of one AWS account; returns (account id, the resources)."""
    import uuid
    from collections import defaultdict

    from cloudsketch.accounts.v1 import events_pb2 as account_events
    from cloudsketch.collector.v1 import collector_pb2
    from cloudsketch.collector.v1 import events_pb2 as events
    from services.common.database import open_database
    from services.common.timeutil import to_timestamp, utcnow
    from services.diagram.domain import Diagrams
    from services.diagram.live import LiveModel

    diagram_compose.VPCS_PER_ACCOUNT = 10 ** 6          # every VPC in one AWS account
    resources = diagram_compose.estate(size)
    aws_account_id = resources[0].aws_account_id
    engine = open_database("diagram")
    account_id = str(uuid.uuid4())
    Diagrams(engine).on_account_registered(account_events.AccountRegistered(
        account_id=account_id, aws_account_id=aws_account_id, name="Bench", occurred_at=to_timestamp(utcnow())))
    live = LiveModel(engine, gap_seconds=0)
    # Registration asks for a rebuild from collector-api, which has never synced this account:
    # cleared, as a rebuild that finds nothing synced does, so that the sync below makes it ready.
    live._clear_rebuild(account_id, utcnow())
    by_region = defaultdict(list)
    for r in resources:
        by_region[r.region].append(r)
    batches = {}
    for region, members in by_region.items():
        chunks = [members[i:i + 500] for i in range(0, len(members), 500)]
        batches[region] = len(chunks)
        for index, chunk in enumerate(chunks):
            live.on_resources_changed(events.ResourcesChanged(
                account_id=account_id, sync_id="bench", region=region, batch_index=index,
                upserted=[to_pb(r) for r in chunk], occurred_at=to_timestamp(utcnow())))
    live.on_sync_finished(events.SyncFinished(
        account_id=account_id, sync_id="bench", state=collector_pb2.SYNC_STATE_FINISHED,
        occurred_at=to_timestamp(utcnow()),
        region_batches=[events.RegionBatches(region=r, batches=n) for r, n in batches.items()]))
    engine.dispose()
    return account_id, resources


def apply_ten_changes(account_id: str, resources: list, serial: int) -> list:
    """bench/diagram_compose.ten_changes written into the live model as diagram-worker does (one
    resources_changed batch)."""
    from cloudsketch.collector.v1 import events_pb2 as events
    from services.common.database import open_database
    from services.common.timeutil import to_timestamp, utcnow
    from services.diagram.live import LiveModel

    changed = diagram_compose.ten_changes(resources, serial)
    upserted, removed = diagram_compose.delta(resources, changed)
    engine = open_database("diagram")
    LiveModel(engine).on_resources_changed(events.ResourcesChanged(
        account_id=account_id, sync_id="bench-2", region=resources[0].region, batch_index=0,
        upserted=[to_pb(r) for r in upserted], removed_arns=removed, occurred_at=to_timestamp(utcnow())))
    engine.dispose()
    return changed


def grpc_report(size: int, calls: int) -> None:
    import _stack

    with _stack.running_stack():
        from cloudsketch.diagram.v1 import diagram_pb2 as pb
        from gateway.clients import Clients
        from services.common.database import open_database

        started = time.perf_counter()
        account_id, resources = seed_live_model(size)
        count = len(resources)
        print(f"seeded {count:,} resources into the live model in {time.perf_counter() - started:.1f} s", flush=True)
        request = pb.GetAccountBlueprintRequest(account_id=account_id, region="all", format="json")
        diagram = Clients().diagram

        def call() -> tuple[float, object]:
            wall = time.perf_counter()
            reply = diagram.GetAccountBlueprint(request, timeout=60)
            return time.perf_counter() - wall, reply

        first, reply = call()
        latencies = sorted(call()[0] for _ in range(calls))
        document = json.loads(reply.content)
        print(f"GetAccountBlueprint json over gRPC, {count:,} resources -> {len(document['nodes']):,} nodes, "
              f"{len(document['groups']):,} groups, {len(reply.content) / 2 ** 20:.1f} MiB of JSON, reply "
              f"{reply.ByteSize() / 2 ** 20:.1f} MiB (client side, load average {os.getloadavg()[0]:.1f})")
        print(f"    first call (composes from nothing, stores the layout) {first * 1000:.0f} ms")
        print(f"    unchanged model, {calls} calls (the cached document): best {latencies[0] * 1000:.0f} ms, "
              f"median {latencies[len(latencies) // 2] * 1000:.0f} ms wall")
        after_change = []
        for serial in range(1, calls + 1):
            resources = apply_ten_changes(account_id, resources, serial)
            after_change.append(call()[0])
        after_change.sort()
        print(f"    after 10 changes each time, {calls} calls (the changed rows applied to the cached composition, "
              f"rendered again): best {after_change[0] * 1000:.0f} ms, median "
              f"{after_change[len(after_change) // 2] * 1000:.0f} ms wall")

        first_request_after_start(account_id, resources, calls)

        # Where the time goes: the steps of Diagrams.get_account_blueprint, in this process.
        print("    its steps in this process (CPU, best of 3):")
        for step, cpu in steps(open_database("diagram"), account_id).items():
            print(f"        {step:<52} {cpu * 1000:6.0f} ms")


def first_request_after_start(account_id: str, resources: list, calls: int) -> None:
    """A new diagram-api process on the seeded database: its readiness, and its first requests
    at once and after warm-up; then a sync's changes picked up by its refresh."""
    import _stack
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    from cloudsketch.diagram.v1 import diagram_pb2 as pb
    from cloudsketch.diagram.v1 import diagram_pb2_grpc as pb_grpc
    from services.common import grpc_client
    from services.diagram.domain import REFRESH_SECONDS

    def fresh_api(wait_for_warm_up: bool) -> dict[str, float]:
        addr = f"127.0.0.1:{_stack.free_port()}"
        env = {**os.environ, "CLOUDSKETCH_DIAGRAM_API_ADDR": addr, "CLOUDSKETCH_METRICS_PORT": str(_stack.free_port()),
               "CLOUDSKETCH_LOG_FORMAT": "text"}
        log = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-diagram-api-{os.getpid()}.log"
        started = time.perf_counter()
        with open(log, "w") as out:
            child = subprocess.Popen([sys.executable, "-m", "services.diagram", "api"], env=env, stderr=out,
                                     stdout=out, cwd=Path(__file__).resolve().parent.parent)
        try:
            channel = grpc_client.channel(addr)
            health = health_pb2_grpc.HealthStub(channel)
            while True:
                try:
                    if health.Check(health_pb2.HealthCheckRequest(), timeout=1).status == \
                            health_pb2.HealthCheckResponse.SERVING:
                        break
                except grpc.RpcError:
                    time.sleep(0.02)
            found = {"ready": time.perf_counter() - started}
            if wait_for_warm_up:
                while "diagram cache warmed" not in log.read_text():
                    time.sleep(0.05)
                found["warmed"] = time.perf_counter() - started
            stub = pb_grpc.DiagramServiceStub(channel)
            for fmt, options in (("json", {}), ("svg", {"groupBy": "infrastructure", "projection": "isometric",
                                                        "theme": "light"})):
                wall = time.perf_counter()
                stub.GetAccountBlueprint(pb.GetAccountBlueprintRequest(
                    account_id=account_id, region="all", format=fmt, options=options), timeout=60)
                found[fmt] = time.perf_counter() - wall
            if wait_for_warm_up:
                found["after sync"] = 10.0 ** 9
                for serial in range(calls):
                    resources[:] = apply_ten_changes(account_id, resources, 200 + serial)
                    time.sleep(REFRESH_SECONDS + 1.5)       # its refresh has run (and finished: 10 changes)
                    wall = time.perf_counter()
                    stub.GetAccountBlueprint(pb.GetAccountBlueprintRequest(
                        account_id=account_id, region="all", format="json"), timeout=60)
                    found["after sync"] = min(found["after sync"], time.perf_counter() - wall)
            channel.close()
            return found
        finally:
            child.terminate()
            child.wait(10)
            log.unlink(missing_ok=True)

    print("    a fresh diagram-api process on this database:")
    at_once, warmed = fresh_api(False), fresh_api(True)
    print(f"        ready (health SERVING) {at_once['ready'] * 1000:.0f} / {warmed['ready'] * 1000:.0f} ms after "
          f"start; warm-up logged done {warmed['warmed'] * 1000:.0f} ms after start")
    print(f"        first requests at readiness (warm-up under way): json {at_once['json'] * 1000:.0f} ms, "
          f"then svg {at_once['svg'] * 1000:.0f} ms")
    print(f"        first requests after warm-up: json {warmed['json'] * 1000:.0f} ms, "
          f"svg {warmed['svg'] * 1000:.0f} ms")
    print(f"        json after a sync of 10 changes, once the refresh ran: best of {calls} "
          f"{warmed['after sync'] * 1000:.0f} ms")


def steps(engine, account_id: str) -> dict[str, float]:
    """CPU seconds of each step of serving the json snapshot (services/diagram/domain.py)."""
    from services.diagram.compose import Composer
    from services.diagram.domain import Diagrams
    from services.diagram.live import LiveModel
    from services.diagram.options import ExportOptions
    from services.diagram.render import render

    live, options = LiveModel(engine), ExportOptions()
    found: dict[str, float] = {}

    def step(label, fn):
        _, cpu, result = best_of(fn, 3)
        found[label] = cpu
        return result

    resources = step("read the whole live model (LiveModel.resources)", lambda: live.resources(account_id))
    step("read the rows changed since a revision", lambda: live.changes(account_id, since=10 ** 9))
    composed = step("compose and lay out from nothing", lambda: Composer(options, None, resources).compose("Bench", {}))
    step("render json", lambda: render(composed.data, "json", options)[0])
    diagrams = Diagrams(engine)
    step("the whole domain call, from nothing", lambda: Diagrams(engine).get_account_blueprint(account_id, "all"))
    reply = step("the whole domain call, cached", lambda: diagrams.get_account_blueprint(account_id, "all"))

    def after_ten_changes(serial: int) -> float:
        resources_now[:] = apply_ten_changes(account_id, resources_now, serial)
        cpu = time.process_time()
        diagrams.get_account_blueprint(account_id, "all")
        return time.process_time() - cpu
    resources_now = list(resources)
    found["the whole domain call, after 10 changes"] = min(after_ten_changes(100 + i) for i in range(3))
    step("serialise the reply", reply.SerializeToString)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,50000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--grpc-size", type=int, default=10000)
    parser.add_argument("--grpc-calls", type=int, default=5)
    parser.add_argument("--no-grpc", action="store_true")
    parser.add_argument("--no-pipeline", action="store_true")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_size(args.one, args.repeat)))
        return
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the "
          f"start; best of {args.repeat}, wall and CPU (on a shared machine CPU is the steadier figure)")
    if not args.no_pipeline:
        pipeline_report([int(s) for s in args.sizes.split(",")], args.repeat)
    if not args.no_grpc:
        grpc_report(args.grpc_size, args.grpc_calls)
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
