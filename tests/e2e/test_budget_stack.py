"""The budget as it runs: every process of the stack, RabbitMQ, PostgreSQL and a moto server with
the demo estate. The account's budget answers after its first sync; an EC2 resize plus a sync
gives a budget change and a budget_changed event; Cloudcraft's SDK exports a blueprint's budget."""
from __future__ import annotations

import csv
import io
import uuid

import pytest
import requests
from cloudcraftco.cloudcraft import Cloudcraft

from services.budget.export import CLOUDCRAFT_COLUMNS
from services.demo import ensure_role
from services.demo_estate import account_client, seed
from tests.helpers.collector import finished_sync, owner_key, stack_with_events
from tests.helpers.diagram import CLOUDCRAFT_EXPORT
from tests.helpers.stack import stack_env, wait_for

pytestmark = pytest.mark.slow
REGION = "us-east-1"


@pytest.fixture
def stack(tmp_path, amqp_uri, moto_endpoint, postgres_server_url, monkeypatch):
    env = stack_env(tmp_path, amqp_uri, postgres_server_url, moto_endpoint)
    with stack_with_events(tmp_path, monkeypatch, env, amqp_uri, events_of="budget") as stack:
        yield dict(stack, moto=moto_endpoint, amqp=amqp_uri)


def test_an_account_budget_follows_its_syncs_and_a_blueprint_budget_exports_for_the_sdk(stack):
    url, moto = stack["url"], stack["moto"]
    key = owner_key(stack["env"])
    auth = {"Authorization": f"Bearer {key}"}
    aws_account_id = f"4{uuid.uuid4().int % 10 ** 11:011d}"
    seed(moto, accounts=(aws_account_id,), regions=(REGION,))
    parameters = requests.get(f"{url}/api/aws/account/iamParameters", headers=auth, timeout=10).json()
    role_arn = ensure_role(moto, parameters["externalId"], aws_account_id=aws_account_id,
                           role_name="cloudsketch-readonly", trusted_account_id=parameters["accountId"])
    created = requests.post(f"{url}/api/aws/account", headers=auth, timeout=30,
                            json={"name": "Budget test", "roleArn": role_arn, "regions": [REGION]})
    assert created.status_code == 201, created.text
    account_id = created.json()["id"]
    early = requests.get(f"{url}/api/aws/account/{account_id}/budget", headers=auth, timeout=10)
    first = finished_sync(url, auth, account_id)
    assert first["state"] == "finished", first
    if early.status_code == 202:   # before the first sync was priced
        assert early.json()["code"] == "STILL_PROCESSING"

    def priced():
        reply = requests.get(f"{url}/api/aws/account/{account_id}/budget", headers=auth, timeout=10,
                             params={"groupBy": "region"})
        return reply.json() if reply.status_code == 200 else None
    budget = wait_for(priced, timeout=60, interval=0.3, what="the first sync to be priced")
    assert budget["currency"] == "USD" and budget["period"] == "m" and budget["syncId"] == first["syncId"]
    assert float(budget["total"]) > 0 and REGION in [g["key"] for g in budget["groups"]]
    workers = {c["arn"]: c for c in budget["components"] if c["type"] == "AWS::EC2::Instance"
               and "m5.large" in c["basis"]}
    assert len(workers) == 2
    yearly = requests.get(f"{url}/api/aws/account/{account_id}/budget", headers=auth, timeout=10,
                          params={"currency": "EUR", "period": "y", "groupBy": "tag:app"}).json()
    assert yearly["currency"] == "EUR" and float(yearly["total"]) > float(budget["total"])
    bad = requests.get(f"{url}/api/aws/account/{account_id}/budget", headers=auth, timeout=10,
                       params={"currency": "XYZ"})
    assert bad.status_code == 400 and "XYZ" in bad.json()["error"]
    # The account's budget as a file: the blueprint export's columns, every component.
    exported = requests.get(f"{url}/api/aws/account/{account_id}/budget/csv", headers=auth, timeout=10,
                            params={"currency": "EUR", "period": "y"})
    assert exported.status_code == 200 and exported.headers["Content-Type"].startswith("text/csv")
    assert exported.headers["Content-Disposition"] == 'attachment; filename="budget-Budget-test.csv"'
    header, *rows = list(csv.reader(io.StringIO(exported.text)))
    assert header[:len(CLOUDCRAFT_COLUMNS)] == list(CLOUDCRAFT_COLUMNS)
    assert set(workers) <= {row[header.index("id")] for row in rows}
    assert {row[header.index("currency")] for row in rows} == {"EUR"}
    xlsx = requests.get(f"{url}/api/aws/account/{account_id}/budget/xlsx", headers=auth, timeout=10)
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert requests.get(f"{url}/api/aws/account/{account_id}/budget/pdf", headers=auth, timeout=10).status_code == 400

    # A worker resized in AWS, then a sync: the change and its event.
    instance_id = sorted(workers)[0].rsplit("/", 1)[1]
    ec2 = account_client("ec2", moto, aws_account_id, REGION)
    ec2.stop_instances(InstanceIds=[instance_id])
    ec2.modify_instance_attribute(InstanceId=instance_id, InstanceType={"Value": "m5.xlarge"})
    ec2.start_instances(InstanceIds=[instance_id])
    sync_id = requests.post(f"{url}/api/aws/account/{account_id}/sync", headers=auth, timeout=10).json()["syncId"]
    assert finished_sync(url, auth, account_id, sync_id)["state"] == "finished"

    def changed():
        reply = requests.get(f"{url}/api/aws/account/{account_id}/budget/changes", headers=auth, timeout=10)
        return reply.json() if reply.status_code == 200 and reply.json()["syncId"] == sync_id else None
    changes = wait_for(changed, timeout=60, interval=0.3, what="the resize to be priced")
    assert [(c["arn"].rsplit("/", 1)[1], c["reason"]) for c in changes["changes"]] == \
        [(instance_id, "m5.large -> m5.xlarge")]
    assert float(changes["totalAfter"]) > float(changes["totalBefore"])
    event = wait_for(lambda: next((e for kind, e in stack["events"].received
                                 if kind == "budget_changed" and e.get("syncId") == sync_id), None),
                     timeout=30, interval=0.2, what="budget_changed")
    assert event["accountId"] == account_id and event["changes"][0]["reason"] == "m5.large -> m5.xlarge"

    # Cloudcraft's SDK, unchanged: a blueprint's budget as CSV and XLSX.
    cloudcraft = Cloudcraft({"api_key": key, "host": "localhost", "port": int(stack["env"]["CLOUDSKETCH_GATEWAY_PORT"]),
                             "protocol": "http", "max_network_retries": 1, "timeout": 30000})
    blueprint_id = cloudcraft.create_blueprint({"data": CLOUDCRAFT_EXPORT})["id"]
    content = cloudcraft.export_blueprint_budget(blueprint_id, "csv", {"currency": "EUR", "period": "m"})
    header, *rows = list(csv.reader(io.StringIO(content.decode())))
    assert header[:len(CLOUDCRAFT_COLUMNS)] == list(CLOUDCRAFT_COLUMNS) and rows
    assert {row[header.index("currency")] for row in rows} == {"EUR"}
    workbook = cloudcraft.export_blueprint_budget(blueprint_id, "xlsx")
    assert workbook[:2] == b"PK"
    missing = requests.get(f"{url}/api/blueprint/{uuid.uuid4()}/budget/csv", headers=auth, timeout=10)
    assert missing.status_code == 404
