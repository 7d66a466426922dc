"""Cloudcraft's official Python SDK (cloudcraftco), unchanged, against the whole stack: list,
create, read, update, delete and export blueprints, and snapshot a live account; plus what the
SDK does not send: If-Match and 412, versions and their diff, and access between users."""
from __future__ import annotations

import json
import uuid

import pytest
import requests
from cloudcraftco.cloudcraft import Cloudcraft
from cloudcraftco.error import CloudcraftMissingResource

from tests.helpers.collector import connect, finished_sync, owner_key, stack_with_events
from tests.helpers.diagram import CLOUDCRAFT_EXPORT
from tests.helpers.stack import stack_env, wait_for

pytestmark = pytest.mark.slow


@pytest.fixture
def stack(tmp_path, amqp_uri, moto_endpoint, postgres_server_url, monkeypatch):
    env = stack_env(tmp_path, amqp_uri, postgres_server_url, moto_endpoint)
    with stack_with_events(tmp_path, monkeypatch, env) as stack:
        yield dict(stack, moto=moto_endpoint)


def user_in_team(role: str) -> tuple[str, str]:
    """(API key, team id) of a new user with `role`, the only member of a new team (written
    straight to the stack's identity database)."""
    from services.common.database import open_database
    from services.identity.domain import MODE_NAMES, ROLE_NAMES, Identity
    identity = Identity(open_database("identity"))
    user = identity.create_user(f"{role}-{uuid.uuid4().hex[:6]}@example.com", role, ROLE_NAMES[role], "x" * 16)
    _, key = identity.create_api_key(user.id, "test", MODE_NAMES["rw"])
    team = identity.create_team(f"team-{uuid.uuid4().hex[:6]}", False, user.id)
    identity.add_team_member(team.id, user.id, user.id)
    identity.engine.dispose()
    return key, team.id


def sdk(stack, key: str) -> Cloudcraft:
    # "localhost" makes the SDK add /api, as it does for Cloudcraft's own local development.
    return Cloudcraft({"api_key": key, "host": "localhost", "port": int(stack["env"]["CLOUDSKETCH_GATEWAY_PORT"]),
                       "protocol": "http", "max_network_retries": 1, "timeout": 30000})


def test_cloudcrafts_python_sdk_works_unchanged(stack):
    key = owner_key(stack["env"])
    auth = {"Authorization": f"Bearer {key}"}
    url = stack["url"]
    cloudcraft = sdk(stack, key)

    assert cloudcraft.list_blueprints() == {"blueprints": []}
    created = cloudcraft.create_blueprint({"data": CLOUDCRAFT_EXPORT})
    blueprint_id = created["id"]
    assert created["name"] == "Exported from Cloudcraft" and created["data"]["nodes"][0]["instanceType"] == "m5"
    assert [b["id"] for b in cloudcraft.list_blueprints()["blueprints"]] == [blueprint_id]
    read = cloudcraft.read_blueprint(blueprint_id)
    assert read["data"]["nodes"] == CLOUDCRAFT_EXPORT["nodes"] and read["createdAt"] and read["updatedAt"]

    resized = json.loads(json.dumps(CLOUDCRAFT_EXPORT))
    resized["nodes"][0]["instanceSize"] = "xlarge"
    assert cloudcraft.update_blueprint(blueprint_id, {"data": resized, "name": "Resized"}) is None
    assert cloudcraft.read_blueprint(blueprint_id)["name"] == "Resized"
    svg = cloudcraft.export_blueprint(blueprint_id, "svg", {"projection": "2d", "theme": "dark"})
    assert svg.lstrip().startswith(b"<")
    for fmt in ("png", "pdf", "mxGraph"):
        assert cloudcraft.export_blueprint(blueprint_id, fmt, {"scale": "2"})

    # ETags: GET gives one, a PUT based on an older one answers 412.
    current = requests.get(f"{url}/api/blueprint/{blueprint_id}", headers=auth, timeout=10)
    etag = current.headers["ETag"]
    ok = requests.put(f"{url}/api/blueprint/{blueprint_id}", headers={**auth, "If-Match": etag}, timeout=10,
                      json={"name": "Renamed"})
    assert ok.status_code == 204 and ok.headers["ETag"] != etag
    stale = requests.put(f"{url}/api/blueprint/{blueprint_id}", headers={**auth, "If-Match": etag}, timeout=10,
                         json={"name": "Lost update"})
    assert stale.status_code == 412 and stale.json()["error"]
    # Versions: created, resized, renamed; the diff of the first two names the resized node and how.
    versions = requests.get(f"{url}/api/blueprint/{blueprint_id}/versions", headers=auth, timeout=10).json()
    assert [v["version"] for v in versions["versions"]] == [3, 2, 1]
    diff = requests.get(f"{url}/api/blueprint/{blueprint_id}/versions/1/diff/2", headers=auth, timeout=10).json()
    assert diff["diff"]["changed"] == {CLOUDCRAFT_EXPORT["nodes"][0]["id"]: {
        "instanceSize": {"old": "large", "new": "xlarge"}}}
    bad = requests.get(f"{url}/api/blueprint/{blueprint_id}/svg", headers=auth, params={"scale": "x"}, timeout=10)
    assert bad.status_code == 400 and "scale" in bad.json()["error"]

    # Another user, not shared with: the blueprint is not listed and does not exist for them.
    stranger_key, stranger_team = user_in_team("user")
    stranger = sdk(stack, stranger_key)
    assert stranger.list_blueprints() == {"blueprints": []}
    with pytest.raises(CloudcraftMissingResource):
        stranger.read_blueprint(blueprint_id)
    with pytest.raises(CloudcraftMissingResource):
        stranger.delete_blueprint(blueprint_id)

    cloudcraft.delete_blueprint(blueprint_id)
    with pytest.raises(CloudcraftMissingResource):
        cloudcraft.read_blueprint(blueprint_id)

    # Snapshot of a live account: "processing" until the first sync, then the document.
    account_id, aws_account_id = connect(stack, auth)
    assert finished_sync(url, auth, account_id)["state"] == "finished"

    def snapshot():
        reply = cloudcraft.snapshot_aws_account(account_id, "us-east-1", "json")
        return reply if isinstance(reply, bytes) else None
    document = json.loads(wait_for(snapshot, timeout=60, interval=0.5, what="the live blueprint"))
    arns = {node["arn"] for node in document["data"]["nodes"]}
    assert f"arn:aws:sqs:us-east-1:{aws_account_id}:jobs-0" in arns
    assert cloudcraft.snapshot_aws_account(account_id, "us-east-1", "svg", {"grid": "true"})

    # A blueprint linked to the account follows it.
    linked = requests.post(f"{url}/api/blueprint", headers=auth, timeout=10,
                           json={"name": "Live view", "linkedAccounts": [account_id], "region": "us-east-1"})
    assert linked.status_code == 201, linked.text
    shown = cloudcraft.read_blueprint(linked.json()["id"])
    assert {node["arn"] for node in shown["data"]["nodes"]} == arns

    # Shared with the stranger's team: the snapshot is theirs to read; the linked one is not
    # (they cannot read its account), in the list as on its own.
    for blueprint in (linked.json()["id"], cloudcraft.create_blueprint({"data": CLOUDCRAFT_EXPORT})["id"]):
        shared = requests.put(f"{url}/api/blueprint/{blueprint}", headers=auth, timeout=10,
                              json={"readAccess": [stranger_team]})
        assert shared.status_code == 204, shared.text
    visible = [b["id"] for b in stranger.list_blueprints()["blueprints"]]
    assert len(visible) == 1 and visible[0] != linked.json()["id"]
    assert stranger.read_blueprint(visible[0])["data"]["nodes"] == CLOUDCRAFT_EXPORT["nodes"]
    with pytest.raises(CloudcraftMissingResource):
        stranger.read_blueprint(linked.json()["id"])


def test_the_sdk_reaches_the_api_on_a_host_other_than_localhost(stack):
    """On any other host the SDK sends no /api prefix: Bearer requests are served there too
    (gateway/sdk.py); a session cookie is not."""
    key = owner_key(stack["env"])
    remote = Cloudcraft({"api_key": key, "host": "127.0.0.1", "port": int(stack["env"]["CLOUDSKETCH_GATEWAY_PORT"]),
                         "protocol": "http", "max_network_retries": 1, "timeout": 30000})
    assert remote.read_user_profile()["email"].startswith("owner-")
    assert "blueprints" in remote.list_blueprints()
    assert "accounts" in remote.list_aws_accounts()
    assert requests.get(f"{stack['url']}/user/me", timeout=10).status_code == 404  # no key: not the API
