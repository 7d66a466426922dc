"""The diagram view of a 2,000-component account: time until it is interactive in Chromium.

    .venv/bin/python bench/web_diagram.py [--resources 2400] [--repeat 5]

A whole stack (bench/_stack.py, SQLite, with a moto server) and an account connected the way a
user connects one (a role in moto, then registration). Once the collector's first sync of that
(nearly empty) moto account has made its diagram ready, the diagram service's live model gets the
components of bench/diagram_compose.py's synthetic estate (2,400 resources: about 2,000 components, the
rest VPCs, subnets, security groups and route tables) through its own event handlers
(services/diagram/live.py: `resources_changed` in 250-resource batches, then a complete
`sync_finished`), written into its database the way diagram-worker writes what the collector
publishes: seeding moto with 2,000 resources and syncing them would take minutes and measure the
collector, not the page. The API is asked for the JSON first, to check that the model holds them.

Then headless Chromium (/usr/bin/chromium) signs in and opens /app/diagram?account=<id>. The
figure is the time from the navigation's start to the first frame after the picture is shown
and fitted (`data-diagram-state="ready"`, then a requestAnimationFrame): the page's modules,
the account list, the SVG request (composed and rendered by diagram-api on every request), the
image decoded. The first load composes a layout that later loads reuse; both are printed. Also
the time from a zoom key to the next frame, and from a pan key to the next frame. Prints figures;
asserts nothing but that the components are there.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import requests  # noqa: E402
from _stack import OtherLoad, gateway_url, running_stack  # noqa: E402
from diagram_compose import estate  # noqa: E402
from google.protobuf import struct_pb2  # noqa: E402

from cloudsketch.collector.v1 import collector_pb2  # noqa: E402
from cloudsketch.collector.v1 import events_pb2 as events  # noqa: E402
from cloudsketch.common.v1 import resource_pb2  # noqa: E402
from services.common.database import open_database  # noqa: E402
from services.common.timeutil import to_timestamp, utcnow  # noqa: E402
from services.diagram.live import LiveModel  # noqa: E402
from services.diagram.model import Resource  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
BATCH = 250


def to_proto(r: Resource) -> resource_pb2.Resource:
    attributes = struct_pb2.Struct()
    attributes.update(r.attributes)
    return resource_pb2.Resource(
        arn=r.arn, type=r.type, aws_account_id=r.aws_account_id, region=r.region, name=r.name,
        attributes=attributes, tags=[resource_pb2.Tag(key=k, value=v) for k, v in r.tags.items()],
        fingerprint=uuid.uuid5(uuid.NAMESPACE_URL, r.arn).hex,
        relationships=[resource_pb2.Relationship(type=resource_pb2.RelationshipType.Value(f"RELATIONSHIP_TYPE_{t.upper()}"),
                                                 source_arn=s, target_arn=d) for t, s, d in r.relationships])


def seed_live_model(account_id: str, resources: list[Resource]) -> None:
    """The components as diagram-worker receives them: batches per region, then the sync's end."""
    engine = open_database("diagram")
    try:
        live = LiveModel(engine)
        sync_id = f"bench-{uuid.uuid4().hex[:8]}"
        occurred = to_timestamp(utcnow())
        by_region: dict[str, list[Resource]] = {}
        for r in resources:
            by_region.setdefault(r.region, []).append(r)
        counts = {}
        for region, members in by_region.items():
            batches = [members[i:i + BATCH] for i in range(0, len(members), BATCH)]
            counts[region] = len(batches)
            for index, batch in enumerate(batches):
                live.on_resources_changed(events.ResourcesChanged(
                    account_id=account_id, sync_id=sync_id, region=region, batch_index=index,
                    upserted=[to_proto(r) for r in batch], occurred_at=occurred))
        live.on_sync_finished(events.SyncFinished(
            account_id=account_id, sync_id=sync_id, state=collector_pb2.SYNC_STATE_FINISHED, occurred_at=occurred,
            region_batches=[events.RegionBatches(region=k, batches=v) for k, v in counts.items()]))
    finally:
        engine.dispose()


def wait_ready(url: str, auth: dict, timeout: float = 600) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        reply = requests.get(url, headers=auth, timeout=120)
        if reply.status_code == 200:
            return reply.json()
        if time.monotonic() > deadline:
            raise SystemExit(f"the diagram did not become ready: {reply.status_code} {reply.text[:200]}")
        time.sleep(1)


READY = r"""() => new Promise((resolve) => {
    const done = () => requestAnimationFrame(() => {
        const svg = performance.getEntriesByType("resource").filter((e) => /\/svg\?/.test(e.name)).pop();
        resolve([performance.now(), svg ? svg.responseEnd - svg.requestStart : NaN, svg ? svg.requestStart : NaN,
                 svg ? performance.now() - svg.responseEnd : NaN]);
    });
    const root = document.getElementById("page");
    const check = () => root.dataset.diagramState === "ready" ? done() : setTimeout(check, 5);
    check();
})"""

KEY_TO_FRAME = """async (key) => {
    const viewport = document.querySelector(".diagram-viewport");
    viewport.focus();
    const start = performance.now();
    viewport.dispatchEvent(new KeyboardEvent("keydown", {key, bubbles: true}));
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    return performance.now() - start;
}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    # 2,400 resources of the synthetic estate are about 2,000 components: VPCs, subnets and security
    # groups are groups, route tables and ACLs are not drawn in the infrastructure grouping.
    parser.add_argument("--resources", type=int, default=2400)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from services.demo import ensure_account, ensure_login

    with running_stack(moto=True) as env:
        base = gateway_url(env)
        login = ensure_login()
        account = ensure_account(login.user_id, env["AWS_ENDPOINT_URL"], name="Bench 2,000")
        auth = {"Authorization": f"Bearer {login.api_key}"}
        json_url = f"{base}/api/aws/account/{account.id}/all/json"
        wait_ready(json_url, auth)      # the collector's first sync of the (nearly empty) moto account
        time.sleep(5)                   # and the rebuild that registration asked for
        resources = estate(args.resources)
        started = time.monotonic()
        seed_live_model(account.id, resources)
        seeded = time.monotonic() - started
        document = requests.get(json_url, headers=auth, timeout=300).json()["data"]
        model = len(document["nodes"]) + sum(int(g["collapsed"]["count"]) for g in document.get("groups", [])
                                             if isinstance(g.get("collapsed"), dict))
        live = open_database("diagram")
        stored = len(LiveModel(live).resources(account.id))
        live.dispose()
        assert stored >= len(resources), (stored, len(resources))
        svg = requests.get(f"{base}/api/aws/account/{account.id}/all/svg?groupBy=infrastructure&projection=isometric"
                           "&theme=light", headers=auth, timeout=300).text
        drawn = svg.count('href="#n-')
        print(f"live model: {len(resources)} resources seeded in {seeded:.1f} s ({stored} stored); "
              f"the JSON holds {model} components (drawn or counted in collapsed groups); "
              f"the default view draws {drawn} (groups of more than 50 are counted boxes), "
              f"SVG {len(svg) / 1e6:.2f} MB")

        with OtherLoad() as load, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            context = browser.new_context(base_url=base, viewport={"width": 1440, "height": 900})
            page = context.new_page()
            page.goto("/login")
            page.get_by_label("Email").fill(login.email)
            page.get_by_label("Password").fill(login.password)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url("**/")
            figures, servers, starts, afters, zooms, pans = [], [], [], [], [], []
            for _ in range(args.repeat + 1):
                page.goto(f"/app/diagram?account={account.id}")
                ready, server, start, after = page.evaluate(READY)
                starts.append(start / 1000)
                afters.append(after / 1000)
                figures.append(ready / 1000)
                servers.append(server / 1000)
                zooms.append(page.evaluate(KEY_TO_FRAME, "+"))
                pans.append(page.evaluate(KEY_TO_FRAME, "ArrowRight"))
            browser.close()
        first, rest = figures[0], figures[1:]
        print(f"time to an interactive diagram view, {drawn} components drawn of {model}:")
        print(f"  first load (composes the layout)   {first:.2f} s")
        print(f"  next {len(rest)} loads                      median {statistics.median(rest):.2f} s, "
              f"max {max(rest):.2f} s")
        print(f"  of which the SVG request (compose + render on the server)  median {statistics.median(servers):.2f} s")
        print(f"  the SVG requested after            median {statistics.median(starts):.2f} s "
              "(the page and its modules, the account list)")
        print(f"  the SVG shown and fitted after its answer  median {statistics.median(afters):.2f} s (parse, paint)")
        print(f"  zoom key to next frame             median {statistics.median(zooms):.0f} ms")
        print(f"  pan key to next frame              median {statistics.median(pans):.0f} ms")
        print(load.line())


if __name__ == "__main__":
    main()
