"""Collector benchmark: one account's sync against a moto server, measured four ways (its
targets are in docs/performance.md).

Runs the real sync engine in this process, the way collector-worker runs it: eventlet
monkey-patched, services.collector.sync.SyncRunner with the collector's database (SQLite in a
temporary directory) and events published to RabbitMQ with publisher confirms
(services.common.events.EventPublisher; the exchange exists, nobody consumes). AWS is a moto
server started here and seeded with services/demo_estate.py in one AWS account and --regions
regions (default 4), about --resources resources (default 10,000).

Figures:
1. API calls per sync against the minimum number of pages. Every call is recorded with its
   parameters and answer. A listing sequence (one operation, one region, the same parameters but
   the continuation token) needs ceil(items / largest page the API allows) calls, at least one;
   any other call counts as needed once (a per-item call the API offers no way around). Ratio =
   calls made / calls needed.
2. Sync time against the minimal serial call sequence: the recorded calls replayed one after
   the other from one thread against the same moto server. moto is one Python process and does
   not go faster with concurrency (docs/architecture.md), so this is the time the calls alone take; the
   target is a first sync (discovery, fingerprints, 10,000 resources published, recorded) within
   1.3x of it.
3. Effective concurrency with 50 ms of latency added to every AWS call (tests/helpers/aws_faults.py's
   proxy): the time spent inside AWS calls over the sync's wall time. Target: at least 16.
4. A re-sync with nothing changed: resources_changed events published. Target: zero.

    .venv/bin/python bench/collector_sync.py                       # ~10,000 resources, 4 regions
    .venv/bin/python bench/collector_sync.py --resources 2000      # quicker
"""
from __future__ import annotations

import eventlet

eventlet.monkey_patch()  # as in collector-worker: boto3's sockets become green

import argparse  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import defaultdict  # noqa: E402
from datetime import timedelta  # noqa: E402

import boto3  # noqa: E402
import botocore.session  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _stack  # noqa: E402  (puts the repository on sys.path)

from cloudsketch.accounts.v1 import accounts_pb2  # noqa: E402
from services.collector.domain import Collector  # noqa: E402
from services.collector.session import AccountSession  # noqa: E402
from services.collector.sync import SyncRunner, SyncSettings  # noqa: E402
from services.common import aws  # noqa: E402
from services.common.database import open_database  # noqa: E402
from services.common.events import EventPublisher  # noqa: E402
from services.common.timeutil import utcnow  # noqa: E402
from services.demo_estate import scale_for, seed  # noqa: E402
from tests.helpers.aws_faults import FaultProxy  # noqa: E402

REGIONS = ("us-east-1", "eu-west-1", "us-west-2", "ap-southeast-2")
AWS_ACCOUNT = "123456789012"
PAGE_SIZE_PARAMETERS = ("MaxResults", "MaxRecords", "MaxItems", "Limit", "PageSize", "ResourcesPerPage", "maxResults",
                        "limit", "MaxKeys", "MaxEntries")
TOKEN_PARAMETERS = ("NextToken", "Marker", "nextToken", "PaginationToken", "ExclusiveStartTableName", "position",
                    "StartRecordName", "StartRecordType", "StartRecordIdentifier", "ExclusiveStartStreamName",
                    "NextMarker", "ContinuationToken", "next_token", "marker")


class RecordingSession(AccountSession):
    """An AccountSession that keeps every call: (region, service, operation, params, items
    answered, operation model)."""
    calls: list = []

    def _bound(self, client, service, service_limit):
        super()._bound(client, service, service_limit)
        bounded, region = client._make_api_call, client.meta.region_name

        def recording(operation_name, api_params):
            parsed = bounded(operation_name, api_params)
            RecordingSession.calls.append((region, service, operation_name, dict(api_params), _items(parsed),
                                           client.meta.service_model.operation_model(operation_name)))
            return parsed

        client._make_api_call = recording


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--resources", type=int, default=10_000)
    parser.add_argument("--regions", type=int, default=4)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    args = parser.parse_args()
    regions = REGIONS[:args.regions]
    with tempfile.TemporaryDirectory(prefix="cloudsketch-bench-") as tmp, _stack.moto_server(tmp) as endpoint:
        os.environ.update(CLOUDSKETCH_DATA_DIR=tmp, CLOUDSKETCH_DATABASE_URL="", AWS_ENDPOINT_URL=endpoint,
                          AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
        scale = scale_for(args.resources, regions=len(regions), accounts=1)
        started = time.monotonic()
        manifest = seed(endpoint, accounts=(AWS_ACCOUNT,), regions=regions, scale=scale)
        print(f"estate: {len(manifest.resources):,} resources in {len(regions)} regions (scale {scale}), "
              f"seeded in {time.monotonic() - started:.0f} s", flush=True)

        bench = Bench(regions)
        first = bench.sync()
        print(f"\n1. first sync: {first['resources']:,} resources ({first['added']:,} published) in "
              f"{first['duration_seconds']:.1f} s, {first['api_calls']:,} API calls", flush=True)
        made, needed, extra = api_call_ratio(RecordingSession.calls)
        print(f"   API calls made {made:,}, minimum pages {needed:,}: ratio {made / needed:.3f}")
        for line in extra[:10]:
            print(f"     above the minimum: {line}")

        serial, replayed = replay(list(RecordingSession.calls))
        print(f"\n2. the same calls ({replayed:,}) replayed serially: {serial:.1f} s; "
              f"sync / serial = {first['duration_seconds'] / serial:.2f} (target <= 1.3)", flush=True)

        again = bench.sync()
        print(f"\n3. re-sync with nothing changed: {bench.resource_events} resources_changed events "
              f"(target 0), {again['duration_seconds']:.1f} s, {again['api_calls']:,} API calls", flush=True)

        with FaultProxy(endpoint, latency=args.latency_ms / 1000) as proxy:
            os.environ["AWS_ENDPOINT_URL"] = proxy.url
            slow = Bench(regions).sync()
        print(f"\n4. with {args.latency_ms:.0f} ms added to every AWS call: effective concurrency "
              f"{slow['effective_concurrency']:.1f} (target >= 16), {slow['duration_seconds']:.1f} s, "
              f"{slow['api_calls']:,} calls", flush=True)
        # moto has no Keyspaces and cannot answer DescribeServerlessCaches: those units are gaps.
        print("\ngaps in every region: " + ", ".join(f"{unit} ({service}, {reason})"
                                                    for service, reason, unit in sorted(GAPS)))


GAPS: set[tuple[str, str, str]] = set()   # (service, reason, unit) of every gap seen


class Bench:
    """A SyncRunner on its own collector database, publishing to RabbitMQ."""

    def __init__(self, regions):
        data = os.environ["CLOUDSKETCH_DATA_DIR"]
        os.environ["CLOUDSKETCH_DATA_DIR"] = tempfile.mkdtemp(prefix="collector-", dir=data)
        self.collector = Collector(open_database("collector"))
        self.publisher = EventPublisher("collector", _stack.LOCAL_AMQP)
        self.resource_events = 0
        self.account = accounts_pb2.Account(id="bench-account", aws_account_id=AWS_ACCOUNT, regions=regions,
                                            external_id="x" * 32,
                                            role_arn=f"arn:aws:iam::{AWS_ACCOUNT}:role/cloudsketch-readonly")
        self.collector.schedule(self.account.id, AWS_ACCOUNT, utcnow() + timedelta(hours=1))
        self.runner = SyncRunner(self.collector, self.publish, lambda _: self.account, "bench", SyncSettings(),
                                 session_factory=RecordingSession)

    def publish(self, kind, message):
        if kind == "resources_changed":
            self.resource_events += 1
        self.publisher.publish(kind, message)

    def sync(self) -> dict:
        RecordingSession.calls.clear()
        self.resource_events = 0
        sync_id, _ = self.collector.request_sync(self.account.id, [], "on_demand")
        self.runner.run(sync_id)
        row = self.collector.sync_row(sync_id)
        if row["state"] != "finished":
            print(f"   sync {row['state']}: {row['message']}", flush=True)
        GAPS.update((gap["service"], gap["reason"], gap["message"].split(":")[0]) for gap in row["gaps"])
        return row["counts"]


def api_call_ratio(calls) -> tuple[int, int, list[str]]:
    sequences: dict[tuple, list] = defaultdict(list)
    for region, service, operation, params, items, model in calls:
        params = {k: v for k, v in params.items() if k not in TOKEN_PARAMETERS}
        page_params = {k: v for k, v in params.items() if k in PAGE_SIZE_PARAMETERS}
        sequences[(region, service, operation, repr(sorted(params.items())))].append((items, model, page_params))
    needed_total, extra = 0, []
    for (region, service, operation, _params), pages in sequences.items():
        items = sum(count for count, _, _ in pages)
        largest = _largest_page(pages[0][1], pages[0][2])
        # Without a page-size parameter the API decides its pages: one call is the minimum we can tell.
        needed = max(1, math.ceil(items / largest)) if largest else 1
        needed_total += needed
        if len(pages) > needed:
            extra.append(f"{region} {service}.{operation}: {len(pages)} calls for {items} items (page {largest})")
    return len(calls), needed_total, extra


def _items(parsed: dict) -> int:
    """The length of the answer's main list: the longest list at its top level, or one level down
    (CloudFront's DistributionList.Items)."""
    lists = [v for k, v in parsed.items() if isinstance(v, list)]
    lists += [v for k, nested in parsed.items() if isinstance(nested, dict) and k != "ResponseMetadata"
              for v in nested.values() if isinstance(v, list)]
    return max((len(v) for v in lists), default=0)


def _largest_page(model, page_params: dict) -> int | None:
    """The largest page the API allows: the service model's maximum for its page-size parameter,
    or (where the model gives none, e.g. RDS's MaxRecords, Route 53's MaxItems) the size the
    module asked for, which the module takes from the API reference."""
    members = model.input_shape.members if model.input_shape else {}
    for name in PAGE_SIZE_PARAMETERS:
        if name in members:
            declared = int(members[name].metadata.get("max", 0))
            requested = int(page_params.get(name) or 0)
            return declared or requested or None
    return None


def replay(calls) -> tuple[float, int]:
    """The recorded calls again, one after the other, with plain clients: every listing from its
    first page, following its continuation tokens as the collector did (moto's tokens do not
    outlive their listing, so recorded tokens cannot be sent again). Seconds taken, calls made."""
    creds = aws.assume_role(f"arn:aws:iam::{AWS_ACCOUNT}:role/cloudsketch-readonly", "x" * 32, "us-east-1", "replay")
    clients = {(service, region): boto3.client(
        service, region_name=region, endpoint_url=os.environ["AWS_ENDPOINT_URL"], config=aws.CLIENT_CONFIG,
        aws_access_key_id=creds.access_key_id, aws_secret_access_key=creds.secret_access_key,
        aws_session_token=creds.session_token) for region, service, *_ in calls}
    paginators = {service: botocore.session.get_session().get_paginator_model(service)
                  for service in {service for _, service, *_ in calls}}
    first_calls = [(region, service, operation, params) for region, service, operation, params, _, _ in calls
                   if not set(params) & set(TOKEN_PARAMETERS)]
    made = 0
    started = time.monotonic()   # clients made beforehand: the replay times the calls alone
    for region, service, operation, params in first_calls:
        client = clients[(service, region)]
        try:
            config = paginators[service].get_paginator(operation)
            tokens = list(zip(_listify(config["output_token"]), _listify(config["input_token"]), strict=False))
        except ValueError:   # no paginator: the token, if any, goes back under its own name
            tokens = [(name, name) for name in ("NextToken", "NextMarker", "nextToken")]
        while True:
            reply = client._make_api_call(operation, params)
            made += 1
            following = {inp: reply[out] for out, inp in tokens if "." not in out and reply.get(out)}
            if not following:
                break
            params = {**params, **following}
    return time.monotonic() - started, made


def _listify(value) -> list:
    return value if isinstance(value, list) else [value]


if __name__ == "__main__":
    main()
