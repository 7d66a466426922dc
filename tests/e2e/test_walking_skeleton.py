"""The walking skeleton, with real processes started by `cloudsketch up`: an HTTP request to the
gateway -> gRPC to accounts-api -> account_registered on RabbitMQ -> handled by diagram-worker ->
the effect visible through the gateway's gRPC call to diagram-api. On SQLite and PostgreSQL."""
from __future__ import annotations

import os
import signal
from pathlib import Path

import grpc
import pytest
import requests

from cloudsketch.diagram.v1 import diagram_pb2, diagram_pb2_grpc
from gateway.auth import SESSION_COOKIE
from services.common import grpc_client
from services.common.processes import PROCESSES
from services.demo import ensure_role
from tests.helpers.databases import stored_rows
from tests.helpers.stack import admin, cloudsketch_up, stack_env, wait_for

pytestmark = pytest.mark.slow


@pytest.fixture(params=["sqlite", "postgresql"])
def running_stack(request, tmp_path, amqp_uri, moto_endpoint):
    database = "" if request.param == "sqlite" else request.getfixturevalue("postgres_server_url")
    env = {**os.environ, **stack_env(tmp_path, amqp_uri, database, moto_endpoint),
           "CLOUDSKETCH_INTERNAL_TOKEN": "walking-skeleton-internal-token"}
    admin(env, "create-user", "--email", "owner@example.com", "--name", "Owner", "--role", "owner")
    owner_key = admin(env, "create-api-key", "--email", "owner@example.com", "--mode", "rw")
    read_key = admin(env, "create-api-key", "--email", "owner@example.com", "--mode", "r")
    with cloudsketch_up(env) as (up, lines):
        yield dict(env=env, up=up, lines=lines, owner_key=owner_key, read_key=read_key, moto=moto_endpoint,
                   url=f"http://127.0.0.1:{env['CLOUDSKETCH_GATEWAY_PORT']}")


def test_request_to_event_to_worker_and_back(running_stack):
    url, key = running_stack["url"], running_stack["owner_key"]
    auth = {"Authorization": f"Bearer {key}"}
    # one status line per process
    for process in PROCESSES:
        assert any(line.strip().startswith(f"ok  {process.name} ") for line in running_stack["lines"]), process.name

    # the onboarding flow: cloudsketch's parameters, the role in the customer's account, registration
    parameters = requests.get(f"{url}/api/aws/account/iamParameters", headers=auth, timeout=10).json()
    role_arn = ensure_role(running_stack["moto"], parameters["externalId"], aws_account_id="210987654321",
                           role_name="cloudsketch", trusted_account_id=parameters["accountId"])
    created = requests.post(f"{url}/api/aws/account", headers=auth, timeout=10,
                            json={"name": "Production", "roleArn": role_arn})
    assert created.status_code == 201, created.text
    account = created.json()
    assert account["awsAccountId"] == "210987654321" and account["verification"]["state"] == "verified"

    def diagram_state():
        """the diagram worker has handled account_registered"""
        reply = requests.get(f"{url}/api/aws/account/{account['id']}/us-east-1/json", headers=auth, timeout=10)
        assert reply.status_code == 202, reply.text
        return reply.json()["stage"] == "awaiting_scan" and reply.json()

    assert wait_for(diagram_state) == {"code": "STILL_PROCESSING", "retry": True, "stage": "awaiting_scan"}

    listed = requests.get(f"{url}/api/aws/account", headers=auth, timeout=10).json()["accounts"]
    assert [a["id"] for a in listed] == [account["id"]]

    assert requests.delete(f"{url}/api/aws/account/{account['id']}", headers=auth, timeout=10).status_code == 204
    assert requests.get(f"{url}/api/aws/account/{account['id']}/us-east-1/json", headers=auth,
                        timeout=10).status_code == 404
    diagram = diagram_pb2_grpc.DiagramServiceStub(grpc_client.channel(
        running_stack["env"]["CLOUDSKETCH_DIAGRAM_API_ADDR"], running_stack["env"]["CLOUDSKETCH_INTERNAL_TOKEN"]))

    def blueprint_removed():
        """the diagram worker has handled account_removed"""
        try:
            diagram.GetAccountBlueprint(diagram_pb2.GetAccountBlueprintRequest(account_id=account["id"]), timeout=5)
        except grpc.RpcError as exc:
            return exc.code() == grpc.StatusCode.NOT_FOUND
        return False

    wait_for(blueprint_removed)
    # nothing derived from the account is left in any service's store
    for service, table, column in [("accounts", "accounts", "id"), ("diagram", "live_blueprints", "account_id")]:
        assert stored_rows(running_stack["env"], service, table, column, account["id"]) == 0, service
    # The collector forgets the account too. A sync still running holds its leases until it ends
    # (it records nothing more): on a busy machine that can take a while.
    wait_for(lambda: sum(stored_rows(running_stack["env"], "collector", table, "account_id", account["id"])
                         for table in ("schedules", "resources", "syncs", "leases")) == 0,
             timeout=120, interval=0.5, what="the collector to forget the account")
    # No secret reaches a process log: API keys, the External ID, a session token, the internal
    # token, password hashes; not even when a statement with a password hash fails.
    password = "correct horse battery staple"
    made = requests.post(f"{url}/api/user", headers=auth, timeout=10, json={
        "email": "second@example.com", "name": "Second", "role": "viewer", "password": password})
    assert made.status_code in (200, 201), made.text
    signed_in = requests.post(f"{url}/login", timeout=10, json={"email": "second@example.com", "password": password},
                              headers={"Origin": url})
    assert signed_in.status_code == 200, signed_in.text
    session_token = signed_in.cookies[SESSION_COOKIE]
    refused = requests.post(f"{url}/api/user", headers=auth, timeout=10, json={
        "email": "third@example.com", "name": "Th\u0000ird", "role": "viewer", "password": password})
    assert refused.status_code == 400
    logs = "".join(path.read_text(errors="replace")
                   for path in (Path(running_stack["env"]["CLOUDSKETCH_DATA_DIR"]) / "logs").glob("*.log"))
    assert logs, "no process logs to search"
    for name, secret in (("the read-write key", key), ("the read key", running_stack["read_key"]),
                         ("the External ID", parameters["externalId"]), ("a session token", session_token),
                         ("the internal token", running_stack["env"]["CLOUDSKETCH_INTERNAL_TOKEN"]),
                         ("a password", password), ("a password hash", "$argon2")):
        assert secret not in logs, f"{name} is in a process log"

    metrics_port = int(running_stack["env"]["CLOUDSKETCH_METRICS_PORT_BASE"]) + 100 + 4
    worker_metrics = requests.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5).text
    assert 'nameko_worker_handled_total{entrypoint="on_account_registered",outcome="ok",service="diagram"} 1.0' \
        in worker_metrics


def test_errors_are_json_with_cloudcraft_status_codes(running_stack):
    url = running_stack["url"]
    owner = {"Authorization": f"Bearer {running_stack['owner_key']}"}
    reader = {"Authorization": f"Bearer {running_stack['read_key']}"}
    cases = [
        (requests.get(f"{url}/api/aws/account", timeout=10), 401, "send an API key"),
        (requests.get(f"{url}/api/aws/account", headers={"Authorization": "Bearer csk_nope"}, timeout=10),
         401, "invalid API key"),
        (requests.post(f"{url}/api/aws/account", headers=reader, json={"name": "x", "roleArn": "y"}, timeout=10),
         403, "read-only"),
        (requests.post(f"{url}/api/aws/account", headers=owner, timeout=10, json={
            "name": "x", "roleArn": "arn:aws:iam::12345:role/<script>alert(1)</script>"}), 400, "malformed role ARN"),
        (requests.post(f"{url}/api/aws/account", headers=owner, data="not json", timeout=10), 400, "JSON object"),
        (requests.post(f"{url}/api/aws/account", headers=owner, json={"roleArn": "x"}, timeout=10), 400, "'name'"),
        (requests.get(f"{url}/api/aws/account/no-such-id/us-east-1/json", headers=owner, timeout=10), 404, "no such"),
        (requests.get(f"{url}/api/no/such/route", headers=owner, timeout=10), 404, "not found"),
    ]
    for reply, status, fragment in cases:
        assert reply.status_code == status, (reply.request.method, reply.request.url, reply.text)
        assert reply.headers["Content-Type"] == "application/json"
        assert fragment.lower() in reply.json()["error"].lower()
    me = requests.get(f"{url}/api/user/me", headers=reader, timeout=10).json()
    assert me["email"] == "owner@example.com" and me["role"] == "owner"
    page = requests.get(url + "/", timeout=10)
    assert page.status_code == 200 and "<title>cloudsketch</title>" in page.text


def test_sigterm_stops_every_process_cleanly(running_stack):
    up = running_stack["up"]
    pids = [int(line.split("pid")[1].split()[0]) for line in running_stack["lines"] if " pid " in line]
    assert len(pids) == len(PROCESSES)
    up.send_signal(signal.SIGTERM)
    rest = up.communicate(timeout=30)[0]
    assert up.returncode == 0, rest
    for process in PROCESSES:
        assert f"--  {process.name}" in rest and "stopped" in rest
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
