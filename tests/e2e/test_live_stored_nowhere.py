"""Live status is streamed and stored nowhere (docs/architecture.md, "What is stored"): a real
stack (`cloudsketch up`, SQLite and PostgreSQL) syncs an account from moto, a client streams its
live status through the gateway, then every row of every service's database and every file of the
data directory (SQLite files with their write-ahead logs, every process log) is searched for the
status values and metric numbers the client saw, and none is there.

The statuses come from the collector's real poller (an EC2 instance with a CPUUtilization
datapoint put into moto, then stopped), plus events published on the bus as the collector
publishes them, with values no other code could produce (state words like "running" are too
common to search for)."""
from __future__ import annotations

import json
import os
import time
import uuid
from pathlib import Path

import pytest
import requests

from cloudsketch.collector.v1 import events_pb2
from services.common.events import EventPublisher
from services.demo_estate import account_client
from tests.helpers.collector import connect, finished_sync
from tests.helpers.databases import every_stored_text
from tests.helpers.stack import admin, cloudsketch_up, stack_env, wait_for

pytestmark = pytest.mark.slow


@pytest.fixture(params=["sqlite", "postgresql"])
def stack(request, tmp_path, amqp_uri, moto_endpoint):
    database = "" if request.param == "sqlite" else request.getfixturevalue("postgres_server_url")
    env = {**os.environ, **stack_env(tmp_path, amqp_uri, database, moto_endpoint),
           "CLOUDSKETCH_LIVE_STATUS_INTERVAL_SECONDS": "2"}
    admin(env, "create-user", "--email", "owner@example.com", "--name", "Owner", "--role", "owner")
    key = admin(env, "create-api-key", "--email", "owner@example.com", "--mode", "r")
    with cloudsketch_up(env) as (up, _):
        yield dict(env=env, up=up, auth={"Authorization": f"Bearer {key}"}, moto=moto_endpoint,
                   url=f"http://127.0.0.1:{env['CLOUDSKETCH_GATEWAY_PORT']}")


def test_streamed_status_is_stored_nowhere(stack, amqp_uri):
    owner = {"Authorization": stack["auth"]["Authorization"]}
    # connecting needs a read-write key; the stream is read with the read-only one
    rw_key = admin(stack["env"], "create-api-key", "--email", "owner@example.com", "--mode", "rw")
    account_id, aws_account_id = connect(stack, {"Authorization": f"Bearer {rw_key}"})
    finished_sync(stack["url"], owner, account_id)
    # a component with live status, and a metric datapoint the poller reads back
    ec2 = account_client("ec2", stack["moto"], aws_account_id, "us-east-1")
    instance_id = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1,
                                    InstanceType="t3.micro")["Instances"][0]["InstanceId"]
    instance_arn = f"arn:aws:ec2:us-east-1:{aws_account_id}:instance/{instance_id}"
    cpu = "61.73829"
    account_client("cloudwatch", stack["moto"], aws_account_id, "us-east-1").put_metric_data(
        Namespace="AWS/EC2", MetricData=[{"MetricName": "CPUUtilization", "Value": float(cpu), "Unit": "Percent",
                                          "Dimensions": [{"Name": "InstanceId", "Value": instance_id}]}])
    sync_id = requests.post(f"{stack['url']}/api/aws/account/{account_id}/sync", timeout=10,
                            headers={"Authorization": f"Bearer {rw_key}"}).json()["syncId"]
    assert finished_sync(stack["url"], owner, account_id, sync_id)["state"] == "finished"
    token = uuid.uuid4().hex[:12]
    values = {"cpu": cpu, "state": f"state-{token}", "detail": f"detail-{token}", "metric": f"Metric{token}",
              "number": "7345.91836", "snapshot": f"snapshot-{token}", "snapshot_number": "918273.6455"}
    arn = f"arn:aws:sqs:us-east-1:{aws_account_id}:jobs-0"
    changed = events_pb2.StatusChanged(
        account_id=account_id, arn=arn, region="us-east-1", status=events_pb2.RESOURCE_STATUS_WARNING,
        state=values["state"], detail=values["detail"],
        metric=events_pb2.StatusMetric(name=values["metric"], value=float(values["number"]), unit="Count",
                                       source="test"))
    changed.observed_at.GetCurrentTime()
    snapshot = events_pb2.StatusSnapshot(account_id=account_id, region="eu-west-1", statuses=[events_pb2.StatusChanged(
        account_id=account_id, arn=f"arn:aws:sqs:eu-west-1:{aws_account_id}:jobs-1", region="eu-west-1",
        status=events_pb2.RESOURCE_STATUS_OK, state=values["snapshot"],
        metric=events_pb2.StatusMetric(name="ApproximateNumberOfMessagesVisible",
                                       value=float(values["snapshot_number"]), unit="Count", source="test"))])
    collector = EventPublisher("collector", amqp_uri)

    seen: list[dict] = []
    with requests.get(f"{stack['url']}/api/aws/account/{account_id}/live", headers=owner, stream=True,
                      timeout=30) as stream:
        assert stream.status_code == 200 and stream.headers["Content-Type"].startswith("text/event-stream")
        lines = stream.iter_lines(decode_unicode=True)

        def statuses() -> list[dict]:
            return [s for e in seen for s in e.get("statuses", [e])]

        def read_until(done, publish=None):
            def check():
                if publish:
                    publish()
                deadline = time.monotonic() + 1
                for line in lines:    # a keep-alive comment comes at least every 15 s
                    if line.startswith("data: "):
                        seen.append(json.loads(line[6:]))
                    if done() or time.monotonic() > deadline:
                        break
                return done()
            return check

        # the real poller: the watcher's snapshot with the instance running and its metric
        wait_for(read_until(lambda: any(s["arn"] == instance_arn and (s["metric"] or {}).get("value") == float(cpu)
                                        for s in statuses())),
                 timeout=90, interval=0, what="the poller's snapshot of the instance")
        ec2.stop_instances(InstanceIds=[instance_id])
        wait_for(read_until(lambda: any(s["arn"] == instance_arn and s["status"] == "stopped" for s in statuses())),
                 timeout=90, interval=0, what="the poller's status_changed of the stopped instance")

        def publish():
            collector.publish("status_changed", changed)
            collector.publish("status_snapshot", snapshot)
        wait_for(read_until(lambda: all(values[k] in json.dumps(seen) for k in ("state", "snapshot")), publish),
                 timeout=60, interval=0, what="the published status events on the stream")
    text = json.dumps(seen)
    assert all(value in text for value in values.values()), text[:500]

    stack["up"].terminate()     # every process stopped: their logs and databases are complete
    stack["up"].wait(timeout=60)
    found = []
    for where, row in every_stored_text(stack["env"]):
        found += [(where, name) for name, value in values.items() if value in row]
    data_dir = Path(stack["env"]["CLOUDSKETCH_DATA_DIR"])
    files = [path for path in data_dir.rglob("*") if path.is_file()]
    assert any(path.suffix == ".log" for path in files)
    for path in files:
        content = path.read_bytes()
        found += [(str(path.relative_to(data_dir)), name) for name, value in values.items()
                  if value.encode() in content]
    assert found == []
