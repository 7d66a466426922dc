"""The live model as it runs: every process of the stack, RabbitMQ, PostgreSQL and a moto server.
A diagram-worker that is down during a sync, restarted in the middle of one, or that lost a
sync's resources_changed batches ends with exactly the model of a consumer that saw every event
(applied here, in this process, to a database of its own) and exactly the collector's inventory."""
from __future__ import annotations

import signal

import pytest
import requests
from kombu import Connection

from cloudsketch.accounts.v1 import events_pb2 as account_events
from cloudsketch.collector.v1 import events_pb2 as collector_events
from services.common.database import open_database
from services.common.events import parse_event
from services.common.supervisor import Child, LocalStack
from services.common.timeutil import to_timestamp, utcnow
from services.demo import account_client
from services.diagram.domain import Diagrams
from services.diagram.live import LiveModel
from tests.helpers.aws_faults import FaultProxy
from tests.helpers.collector import (
    REGIONS,
    Events,
    collector_rows,
    connect,
    finished_sync,
    owner_key,
    stack_with_events,
)
from tests.helpers.stack import stack_env, wait_for

pytestmark = pytest.mark.slow
BATCHES_QUEUE = "evt-collector-resources_changed--diagram.on_resources_changed"


@pytest.fixture
def stack(tmp_path, amqp_uri, moto_endpoint, postgres_server_url, monkeypatch):
    """The stack on PostgreSQL, its AWS 50 ms a call slower (a sync lasts long enough to restart
    a worker during it), and a short grace for late batches."""
    with FaultProxy(moto_endpoint, latency=0.05) as aws_proxy:
        env = {**stack_env(tmp_path, amqp_uri, postgres_server_url, aws_proxy.url),
               "CLOUDSKETCH_DIAGRAM_GAP_SECONDS": "2"}
        with stack_with_events(tmp_path, monkeypatch, env, amqp_uri) as stack:
            yield dict(stack, moto=moto_endpoint, amqp=amqp_uri)


def stop_diagram_worker(local: LocalStack) -> Child:
    child = local.child("diagram-worker")
    child.popen.send_signal(signal.SIGKILL)   # a crash: unacknowledged events go back to the queue
    child.popen.wait()
    local.supervisor.children.remove(child)
    return child


def start_diagram_worker(local: LocalStack, old: Child) -> None:
    local.supervisor.start_group([Child(old.name, old.args, old.ready, old.describe)])


def snapshot(live: LiveModel, account_id: str) -> dict:
    return {r.arn: r for r in live.resources(account_id)}


def reference(tmp_path, events: Events, account_id: str, aws_account_id: str) -> LiveModel:
    """A consumer that saw every event, in the order the broker delivered them to the test."""
    live = LiveModel(open_database("diagram", f"sqlite:///{tmp_path / 'reference.db'}"))
    Diagrams(live.engine).on_account_registered(account_events.AccountRegistered(
        account_id=account_id, aws_account_id=aws_account_id, name="reference", occurred_at=to_timestamp(utcnow())))
    for kind, body in list(events.received):
        if body.get("accountId") != account_id:
            continue
        if kind == "resources_changed":
            live.on_resources_changed(parse_event(body, collector_events.ResourcesChanged))
        elif kind == "sync_finished":
            live.on_sync_finished(parse_event(body, collector_events.SyncFinished))
    return live


def inventory_arns(env: dict, account_id: str) -> set[str]:
    return {row.arn for row in collector_rows(env, "SELECT arn FROM resources WHERE account_id = :a", a=account_id)}


def state_of(diagram: LiveModel, account_id: str) -> tuple[str, str]:
    from services.diagram.tables import live_blueprints
    with diagram.engine.connect() as conn:
        row = conn.execute(live_blueprints.select().where(live_blueprints.c.account_id == account_id)).first()
    return (row.state, row.last_sync_id) if row else ("", "")


def caught_up(stack, diagram: LiveModel, account_id: str, aws_account_id: str, sync_id: str, tmp_path) -> dict:
    """Wait until the stack's diagram is ready at `sync_id` and equal to the reference; return it."""
    def equal():
        if state_of(diagram, account_id) != ("ready", sync_id):
            return None
        ours = snapshot(diagram, account_id)
        expected = snapshot(reference(tmp_path / sync_id[:8], stack["events"], account_id, aws_account_id), account_id)
        return ours if ours == expected else None
    (tmp_path / sync_id[:8]).mkdir(exist_ok=True)
    try:
        model = wait_for(equal, timeout=120, interval=0.5, what="the diagram to catch up")
    except AssertionError:
        ours = snapshot(diagram, account_id)
        expected = snapshot(reference(tmp_path / sync_id[:8], stack["events"], account_id, aws_account_id), account_id)
        differing = sorted(arn for arn in set(ours) | set(expected) if ours.get(arn) != expected.get(arn))
        raise AssertionError(f"not caught up: state {state_of(diagram, account_id)}, waiting for {sync_id}; "
                             f"{len(ours)} resources against {len(expected)}; differing: {differing[:5]}") from None
    assert set(model) == inventory_arns(stack["env"], account_id)
    return model


def test_a_diagram_worker_down_or_restarted_during_syncs_ends_identical_to_one_that_saw_every_event(stack, tmp_path):
    url, auth, local = stack["url"], {"Authorization": f"Bearer {owner_key(stack['env'])}"}, stack["local"]
    diagram = LiveModel(open_database("diagram"))
    account_id, aws_account_id = connect(stack, auth)
    first = finished_sync(url, auth, account_id)
    assert first["state"] == "finished", first
    model = caught_up(stack, diagram, account_id, aws_account_id, first["syncId"], tmp_path)
    assert f"arn:aws:sqs:eu-west-1:{aws_account_id}:jobs-2" in model

    # Restarted in the middle of a sync: what it had not acknowledged comes again.
    sqs = {region: account_client("sqs", stack["moto"], aws_account_id, region) for region in REGIONS}
    for region in REGIONS:
        for index in range(5):
            sqs[region].create_queue(QueueName=f"added-{index}")
    sqs["us-east-1"].delete_queue(QueueUrl=sqs["us-east-1"].get_queue_url(QueueName="jobs-0")["QueueUrl"])
    sync_id = requests.post(f"{url}/api/aws/account/{account_id}/sync", headers=auth, timeout=10).json()["syncId"]
    wait_for(lambda: stack["events"].of("sync_started", account_id)[-1:] and
             stack["events"].of("sync_started", account_id)[-1]["syncId"] == sync_id, timeout=60, interval=0.05)
    old = stop_diagram_worker(local)
    start_diagram_worker(local, old)
    assert finished_sync(url, auth, account_id, sync_id)["state"] == "finished"
    model = caught_up(stack, diagram, account_id, aws_account_id, sync_id, tmp_path)
    assert f"arn:aws:sqs:eu-west-1:{aws_account_id}:added-4" in model
    assert f"arn:aws:sqs:us-east-1:{aws_account_id}:jobs-0" not in model

    # Down during a sync, and that sync's batches lost (purged): sync_finished shows the gap and
    # the worker rebuilds the account from collector-api.
    old = stop_diagram_worker(local)
    for region in REGIONS:
        sqs[region].create_queue(QueueName="while-down")
    sync_id = requests.post(f"{url}/api/aws/account/{account_id}/sync", headers=auth, timeout=10).json()["syncId"]
    assert finished_sync(url, auth, account_id, sync_id)["state"] == "finished"
    with Connection(stack["amqp"]) as conn:
        assert conn.default_channel.queue_purge(BATCHES_QUEUE) >= 1
    start_diagram_worker(local, old)
    model = caught_up(stack, diagram, account_id, aws_account_id, sync_id, tmp_path)
    assert f"arn:aws:sqs:us-east-1:{aws_account_id}:while-down" in model
    logs = (tmp_path / "logs" / "diagram-worker.log").read_text()
    assert "missed resources_changed batches" in logs and "rebuilt from the inventory" in logs

    # Served through the gateway: the json envelope, other formats as bytes, options parsed by
    # diagram-api (400 with its message), positions kept from one request to the next.
    reply = requests.get(f"{url}/api/aws/account/{account_id}/us-east-1/json", headers=auth, timeout=30)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert (body["id"], body["name"]) == (account_id, "Sync test") and body["createdAt"] and body["updatedAt"]
    in_region = {arn for arn, r in model.items() if r.region in ("us-east-1", "")}
    nodes = {node["arn"] for node in body["data"]["nodes"]}
    groups = {group["arn"] for group in body["data"]["groups"] if group.get("arn")}
    # Queues are components; VPCs and subnets are the groups that contain them.
    assert nodes <= in_region and {arn for arn in in_region if ":sqs:" in arn} <= nodes
    assert {arn for arn in in_region if ":vpc/" in arn or ":subnet/" in arn} <= groups
    again = requests.get(f"{url}/api/aws/account/{account_id}/us-east-1/json", headers=auth, timeout=30).json()
    assert ({n["arn"]: n["mapPos"] for n in again["data"]["nodes"]}
            == {n["arn"]: n["mapPos"] for n in body["data"]["nodes"]})
    svg = requests.get(f"{url}/api/aws/account/{account_id}/us-east-1/svg", headers=auth, timeout=30,
                       params={"projection": "2d", "theme": "dark"})
    assert svg.status_code == 200 and svg.headers["Content-Type"].startswith("image/svg+xml") and svg.content
    bad = requests.get(f"{url}/api/aws/account/{account_id}/us-east-1/png", headers=auth, timeout=30,
                       params={"scale": "huge"})
    assert bad.status_code == 400 and "scale" in bad.json()["error"]
    unknown = requests.get(f"{url}/api/aws/account/{account_id}/us-east-1/gif", headers=auth, timeout=30)
    assert unknown.status_code == 400 and "format" in unknown.json()["error"]

    # Versions of the live blueprint: the first sync, the one that added queues, the rebuild.
    versions = requests.get(f"{url}/api/aws/account/{account_id}/versions", headers=auth, timeout=10).json()
    assert [v["reason"] for v in versions["versions"]][:1] == ["rebuild"] and len(versions["versions"]) == 3
    diff = requests.get(f"{url}/api/aws/account/{account_id}/versions/1/diff/2", headers=auth, timeout=10).json()
    assert f"arn:aws:sqs:eu-west-1:{aws_account_id}:added-4" in diff["diff"]["added"]
    assert f"arn:aws:sqs:us-east-1:{aws_account_id}:jobs-0" in diff["diff"]["removed"]
    # ... and as the "what changed" overlay, drawn by diagram-api.
    overlay = requests.get(f"{url}/api/aws/account/{account_id}/versions/1/diff/2/svg", headers=auth, timeout=30,
                           params={"projection": "2d"})
    assert overlay.status_code == 200 and overlay.headers["Content-Type"].startswith("image/svg+xml")
    assert b'href="#d-added"' in overlay.content and b'href="#d-removed"' in overlay.content
