"""diagram-api's cache warm-up and refresh (services/diagram/domain.py, `Diagrams.warm`,
`Diagrams.refresh`, `Warmer`) on a real database and a real gRPC server: what they keep is what a
request would compute, they never hold readiness up, and a request during warm-up gets the
right answer."""
from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from cloudsketch.accounts.v1 import events_pb2 as account_events
from cloudsketch.collector.v1 import collector_pb2
from cloudsketch.collector.v1 import events_pb2 as events
from cloudsketch.diagram.v1 import diagram_pb2 as pb
from cloudsketch.diagram.v1 import diagram_pb2_grpc as pb_grpc
from services.collector.domain import Collector
from services.common.database import open_database
from services.common.grpc_server import build_server
from services.common.timeutil import to_timestamp, utcnow
from services.diagram import api, domain
from services.diagram.domain import Diagrams, Warmer
from services.diagram.live import LiveModel
from tests.helpers.diagram import AWS_ACCOUNT, resource

# The app's first request for a diagram: every region, its default options spelled out.
APP_QUERY = {"groupBy": "infrastructure", "projection": "isometric", "theme": "light"}


@pytest.fixture
def estate(database_url):
    """Two ready accounts: "small" with 3 instances, "large" with 12."""
    engine = open_database("diagram")
    collector = Collector(open_database("collector"))
    live = LiveModel(engine, collector.inventory, gap_seconds=0)
    accounts = {}
    for label, count in (("small", 3), ("large", 12)):
        account_id = accounts[label] = str(uuid.uuid4())
        collector.schedule(account_id, AWS_ACCOUNT, utcnow() + timedelta(hours=1))
        Diagrams(engine).on_account_registered(account_events.AccountRegistered(
            account_id=account_id, aws_account_id=AWS_ACCOUNT, name=label, occurred_at=to_timestamp(utcnow())))
        live.rebuild(account_id)
        sync(live, account_id, "s1", [resource(f"{label}-{n}") for n in range(count)])
    yield live, accounts
    engine.dispose()
    collector.engine.dispose()


def sync(live: LiveModel, account_id: str, sync_id: str, upserted, removed=()) -> None:
    live.on_resources_changed(events.ResourcesChanged(
        account_id=account_id, sync_id=sync_id, region="us-east-1", batch_index=0, upserted=list(upserted),
        removed_arns=list(removed), occurred_at=to_timestamp(utcnow())))
    live.on_sync_finished(events.SyncFinished(
        account_id=account_id, sync_id=sync_id, state=collector_pb2.SYNC_STATE_FINISHED,
        occurred_at=to_timestamp(utcnow()), region_batches=[events.RegionBatches(region="us-east-1", batches=1)]))


def answer(diagrams: Diagrams, account_id: str, fmt: str, query=None) -> bytes:
    return diagrams.get_account_blueprint(account_id, "all", fmt, query or {}).content


def model_unread(monkeypatch):
    """From here on, reading the live model fails the test: answers must come from the cache."""
    fail = lambda *args, **kwargs: pytest.fail("the live model was read")   # noqa: E731
    monkeypatch.setattr(LiveModel, "resources", fail)
    monkeypatch.setattr(LiveModel, "changes", fail)


def test_warm_up_keeps_what_a_request_would_compute_largest_account_first(estate, monkeypatch):
    live, accounts = estate
    warmed = Diagrams(live.engine)
    assert warmed.warm(time.monotonic() + 60) == [accounts["large"], accounts["small"]]
    fresh = {(label, fmt): answer(Diagrams(live.engine), account_id, fmt)
             for label, account_id in accounts.items() for fmt in ("json", "svg")}
    model_unread(monkeypatch)
    for label, account_id in accounts.items():
        assert answer(warmed, account_id, "json") == fresh[label, "json"]
        assert answer(warmed, account_id, "svg", APP_QUERY) == fresh[label, "svg"]


def test_warm_up_takes_only_free_places_and_stops_at_its_deadline(estate, monkeypatch):
    live, accounts = estate
    monkeypatch.setattr(domain, "LIVE_CACHE_ENTRIES", 1)
    diagrams = Diagrams(live.engine)
    asked = answer(diagrams, accounts["small"], "json", {"projection": "2d"})
    assert diagrams.warm(time.monotonic() + 60) == []          # the cache is full of what was asked
    model_unread(monkeypatch)
    assert answer(diagrams, accounts["small"], "json", {"projection": "2d"}) == asked
    assert Diagrams(live.engine).warm(time.monotonic() - 1) == []


def test_a_refresh_brings_kept_compositions_to_the_live_models_revision(estate, monkeypatch):
    live, accounts = estate
    diagrams = Diagrams(live.engine)
    diagrams.warm(time.monotonic() + 60)
    assert diagrams.refresh() == 0                             # nothing moved
    sync(live, accounts["large"], "s2", [resource("large-1", "m5.large"), resource("new")],
         removed=[resource("large-2").arn])
    assert diagrams.refresh() == 1
    fresh = {fmt: answer(Diagrams(live.engine), accounts["large"], fmt) for fmt in ("json", "svg")}
    assert b"new" in fresh["json"] and b"large-2" not in fresh["json"]
    model_unread(monkeypatch)
    assert answer(diagrams, accounts["large"], "json") == fresh["json"]
    assert answer(diagrams, accounts["large"], "svg") == fresh["svg"]


def test_diagram_api_is_ready_during_warm_up_and_answers_a_request_meanwhile(estate, monkeypatch):
    live, accounts = estate
    # Warm-up's first rendering waits until the test lets it go: warm-up is under way meanwhile.
    in_warm_up, go_on = threading.Event(), threading.Event()
    render = domain.render

    def gated_render(*args, **kwargs):
        if threading.current_thread().name == "diagram-warmer" and not go_on.is_set():
            in_warm_up.set()
            assert go_on.wait(30)
        return render(*args, **kwargs)

    monkeypatch.setattr(domain, "render", gated_render)
    warmers: list[Warmer] = []
    monkeypatch.setattr(api, "Warmer", lambda diagrams: warmers.append(Warmer(diagrams)) or warmers[-1])
    server, _, port = build_server("diagram", api.register, "127.0.0.1:0")
    server.start()
    try:
        assert in_warm_up.wait(30)
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            health = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=10)
            assert health.status == health_pb2.HealthCheckResponse.SERVING
            assert not warmers[0].warmed.is_set()
            stub = pb_grpc.DiagramServiceStub(channel)
            with ThreadPoolExecutor(2) as pool:
                # The account being warmed (waits for it), and the other one (composed on request).
                replies = {label: pool.submit(stub.GetAccountBlueprint, pb.GetAccountBlueprintRequest(
                    account_id=account_id, region="all", format="svg", options=APP_QUERY), timeout=60)
                    for label, account_id in accounts.items()}
                go_on.set()
                got = {label: reply.result().content for label, reply in replies.items()}
        assert warmers[0].warmed.wait(30)
        fresh = Diagrams(live.engine)
        assert got == {label: answer(fresh, account_id, "svg") for label, account_id in accounts.items()}
    finally:
        go_on.set()
        server.stop(0)
        for warmer in warmers:
            warmer.stop()
