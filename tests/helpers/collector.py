"""A running stack's collector in tests: the stack itself, its events on the broker, its rows, and
an account (with a small estate in moto) connected through the gateway."""
from __future__ import annotations

import sys
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests
import sqlalchemy as sa
from kombu import Connection, Exchange, Queue

from services.common.healthcheck import http_ok
from services.common.supervisor import Child, LocalStack, free_port
from services.demo import account_client, ensure_role
from tests.helpers.databases import stored_rows
from tests.helpers.stack import drop_service_schemas, wait_for

REGIONS = ["us-east-1", "eu-west-1"]


class Events(threading.Thread):
    """Every event a service publishes (the collector's by default), from a queue of the test's own."""

    def __init__(self, amqp: str, service: str = "collector"):
        super().__init__(daemon=True)
        self.amqp = amqp
        self.service = service
        self.received: list[tuple[str, dict]] = []
        self.ready = threading.Event()
        self.stopping = False

    def run(self):
        exchange = Exchange(f"{self.service}.events", type="topic", durable=True)
        with Connection(self.amqp) as conn:
            exchange(conn.default_channel).declare()   # the publisher may not have declared it yet
            queue = Queue(f"test-{uuid.uuid4().hex[:8]}", exchange, routing_key="#", auto_delete=True)
            with conn.Consumer(queue, callbacks=[self._on_message]):
                self.ready.set()
                while not self.stopping:
                    try:
                        conn.drain_events(timeout=0.2)
                    except TimeoutError:
                        pass

    def _on_message(self, body, message):
        self.received.append((message.delivery_info["routing_key"], body))
        message.ack()

    def of(self, kind: str, account_id: str) -> list[dict]:
        return [body for key, body in self.received if key == kind and body.get("accountId") == account_id]


@contextmanager
def stack_with_events(tmp_path: Path, monkeypatch, env: dict[str, str], events_amqp: str = "",
                      events_of: str = "collector", second_collector: bool = False) -> Iterator[dict]:
    """Every process of the stack (plus a second collector-worker if asked) with `env` (stack_env's)
    in os.environ, syncing only when asked, and, given `events_amqp`, the events of `events_of` as
    the broker there carries them: yields dict(env, local, events, url), events None without
    `events_amqp`. Leaving stops it all and drops the services' schemas when the stack is on
    PostgreSQL."""
    env = {**env, "CLOUDSKETCH_SYNC_INTERVAL_SECONDS": "3600"}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    try:
        with LocalStack(tmp_path / "logs") as local:
            if second_collector:
                port = free_port()
                local.supervisor.start_group([Child(
                    "collector-worker-2", [sys.executable, "-m", "services.collector", "worker"],
                    lambda: http_ok(f"http://127.0.0.1:{port}/healthz", timeout=0.5), "",
                    env={"CLOUDSKETCH_METRICS_PORT": str(port)})])
            events = Events(events_amqp, events_of) if events_amqp else None
            if events:
                events.start()
                events.ready.wait(10)
            try:
                yield dict(env=env, local=local, events=events,
                           url=f"http://127.0.0.1:{env['CLOUDSKETCH_GATEWAY_PORT']}")
            finally:
                if events:
                    events.stopping = True
    finally:
        if env["CLOUDSKETCH_DATABASE_URL"]:
            drop_service_schemas(env["CLOUDSKETCH_DATABASE_URL"])


def seed(endpoint: str, aws_account_id: str) -> None:
    for region in REGIONS:
        ec2 = account_client("ec2", endpoint, aws_account_id, region)
        for index in range(3):
            vpc = ec2.create_vpc(CidrBlock=f"10.{index}.0.0/16")["Vpc"]["VpcId"]
            ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.{index}.1.0/24")
            ec2.create_security_group(GroupName=f"web-{index}", Description="web", VpcId=vpc)
        sqs = account_client("sqs", endpoint, aws_account_id, region)
        for index in range(3):
            sqs.create_queue(QueueName=f"jobs-{index}")


def owner_key(env: dict) -> str:
    from services.common.database import open_database
    from services.identity.domain import MODE_NAMES, ROLE_NAMES, Identity
    identity = Identity(open_database("identity"))
    user = identity.create_user(f"owner-{uuid.uuid4().hex[:6]}@example.com", "Owner", ROLE_NAMES["owner"], "x" * 16)
    _, key = identity.create_api_key(user.id, "test", MODE_NAMES["rw"])
    identity.engine.dispose()
    return key


def collector_rows(env: dict, sql: str, **params) -> list:
    engine = sa.create_engine(env["CLOUDSKETCH_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1),
                              connect_args={"options": "-csearch_path=collector"})
    with engine.connect() as conn:
        rows = conn.execute(sa.text(sql), params).all()
    engine.dispose()
    return rows


def connect(stack, auth) -> tuple[str, str]:
    aws_account_id = f"3{uuid.uuid4().int % 10 ** 11:011d}"
    seed(stack["moto"], aws_account_id)
    url = stack["url"]
    parameters = requests.get(f"{url}/api/aws/account/iamParameters", headers=auth, timeout=10).json()
    role_arn = ensure_role(stack["moto"], parameters["externalId"], aws_account_id=aws_account_id,
                           role_name="cloudsketch-readonly", trusted_account_id=parameters["accountId"])
    reply = requests.post(f"{url}/api/aws/account", headers=auth, timeout=30,
                          json={"name": "Sync test", "roleArn": role_arn, "regions": REGIONS})
    assert reply.status_code == 201, reply.text
    return reply.json()["id"], aws_account_id


def finished_sync(url: str, auth: dict, account_id: str, sync_id: str | None = None) -> dict:
    def done():
        reply = requests.get(f"{url}/api/aws/account/{account_id}/sync", headers=auth, timeout=10)
        if reply.status_code != 200:
            return None
        body = reply.json()
        return body if body["state"] in ("finished", "failed") and sync_id in (None, body["syncId"]) else None
    return wait_for(done, timeout=120, interval=0.3, what="the sync to finish")


def add_queues(stack, aws_account_id: str, prefix: str, count: int = 10) -> set[str]:
    """Creates `count` SQS queues in every region; the ARNs of those in us-east-1."""
    for region in REGIONS:
        sqs = account_client("sqs", stack["moto"], aws_account_id, region)
        for index in range(count):
            sqs.create_queue(QueueName=f"{prefix}-{index}")
    return {f"arn:aws:sqs:us-east-1:{aws_account_id}:{prefix}-{index}" for index in range(count)}


def start_sync(stack, auth: dict, account_id: str) -> str:
    """Requests a sync and returns its id once the collector runs it."""
    url, env = stack["url"], stack["env"]
    sync_id = requests.post(f"{url}/api/aws/account/{account_id}/sync", headers=auth, timeout=10).json()["syncId"]
    wait_for(lambda: collector_rows(env, "SELECT 1 FROM syncs WHERE sync_id = :s AND state = 'running'", s=sync_id),
             timeout=60, interval=0.02, what="the sync to run")
    return sync_id


def blueprint_arns(url: str, auth: dict, account_id: str, region: str) -> set[str]:
    reply = requests.get(f"{url}/api/aws/account/{account_id}/{region}/json", headers=auth, timeout=30)
    if reply.status_code != 200:
        return set()
    data = reply.json()["data"]
    return {n["arn"] for n in data["nodes"]} | {g["arn"] for g in data["groups"] if g.get("arn")}


def assert_no_change_lost(stack, auth: dict, account_id: str, sync_id: str, added: set[str]) -> None:
    """After a fault during sync `sync_id`: whatever that sync managed, a sync after it publishes
    the rest; the `added` queues are in the collector's inventory and diagram-worker draws every
    queue of it."""
    url, env = stack["url"], stack["env"]
    if finished_sync(url, auth, account_id, sync_id)["state"] == "failed":
        again = wait_for(lambda: requests.post(f"{url}/api/aws/account/{account_id}/sync", headers=auth,
                                               timeout=10).json().get("syncId"), timeout=60)
        assert finished_sync(url, auth, account_id, again)["state"] == "finished"
    inventory = {row.arn for row in collector_rows(env, "SELECT arn FROM resources WHERE account_id = :a AND "
                                                   "region = 'us-east-1' AND arn LIKE '%:sqs:%'", a=account_id)}
    assert added <= inventory
    drawn = wait_for(lambda: (arns := blueprint_arns(url, auth, account_id, "us-east-1")) >= inventory and arns,
                     timeout=90, interval=0.5, what="the diagram to draw every queue")
    assert {arn for arn in drawn if ":sqs:" in arn} == inventory


def rename_account(stack, auth: dict, account_id: str, name: str) -> None:
    renamed = requests.put(f"{stack['url']}/api/aws/account/{account_id}", headers=auth, timeout=30,
                           json={"name": name})
    assert renamed.status_code == 200, renamed.text


def wait_for_audit_events(stack, account_id: str, count: int) -> None:
    """Until identity-worker has recorded `count` audit events of the account (its creation, renames)."""
    wait_for(lambda: stored_rows(stack["env"], "identity", "audit_events", "target_id", account_id) == count,
             timeout=60, what=f"identity-worker to record audit event {count} of the account")


def assert_rename_recorded(stack, auth: dict, account_id: str, name: str, audit_events: int) -> None:
    """accounts-api publishes (through its outbox) and identity-worker consumes: a rename ends as
    the account's `audit_events`-th audit event."""
    rename_account(stack, auth, account_id, name)
    wait_for_audit_events(stack, account_id, audit_events)
