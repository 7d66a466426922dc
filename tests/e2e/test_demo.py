"""The README's first command ends in `cloudsketch demo`: it must come up against a seeded moto
server, from a clean state of its own, print the URL and a working login, and stop cleanly."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time

import boto3
import pytest
import requests

from services.accounts.onboarding import Onboarding
from services.cli import start_clean_demo
from tests.helpers.aws import collector_permissions
from tests.helpers.stack import stack_env, wait_for

pytestmark = pytest.mark.slow


def test_a_demo_starts_from_an_empty_folder_of_its_own(tmp_path):
    (tmp_path / "demo" / "logs").mkdir(parents=True)
    (tmp_path / "demo" / "collector.db").write_text("an earlier demo's sync state")
    (tmp_path / "identity.db").write_text("a real installation's users")
    assert start_clean_demo(tmp_path) == tmp_path / "demo"
    assert list((tmp_path / "demo").iterdir()) == []
    assert (tmp_path / "identity.db").read_text() == "a real installation's users"


def test_demo_comes_up_with_a_login_and_a_connected_account(tmp_path, amqp_uri):
    env = {**os.environ, **stack_env(tmp_path, amqp_uri, "")}
    # What an earlier demo run leaves behind: its accounts and sync state, for an estate that the
    # new moto server no longer holds. A demo that kept it could not open this collector database.
    stale = tmp_path / "data" / "demo"
    stale.mkdir(parents=True)
    (stale / "collector.db").write_text("an earlier demo's sync state")
    (stale / "accounts.db").write_text("an earlier demo's accounts")
    (tmp_path / "data" / "kept.txt").write_text("not the demo's")
    demo = subprocess.Popen([sys.executable, "-m", "services.cli", "demo"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        output = []
        deadline = time.monotonic() + 150
        for line in demo.stdout:
            output.append(line)
            if line.startswith("Ctrl-C stops everything") or time.monotonic() > deadline:
                break
        text = "".join(output)
        assert f"cloudsketch demo: starting from a clean state in {stale}" in text
        url = re.search(r"cloudsketch demo is up: (\S+)", text).group(1)
        assert url == f"http://localhost:{env['CLOUDSKETCH_GATEWAY_PORT']}/"
        assert re.search(r"login\s+demo@cloudsketch\.local / \S{12,}", text)
        key = re.search(r"API key\s+(csk_\S+)", text).group(1)

        page = requests.get(url, timeout=10)
        assert page.status_code == 200 and "cloudsketch" in page.text
        accounts = requests.get(f"{url}api/aws/account", headers={"Authorization": f"Bearer {key}"},
                                timeout=10).json()["accounts"]
        assert sorted(a["name"] for a in accounts) == ["Demo production", "Demo staging"]
        account = next(a for a in accounts if a["name"] == "Demo production")
        assert account["roleArn"] == "arn:aws:iam::123456789012:role/cloudsketch-readonly"

        # The minimal policy crosses three processes: the gateway, accounts-api and collector-api.
        auth = {"Authorization": f"Bearer {key}"}
        parameters = requests.get(f"{url}api/aws/account/iamParameters", headers=auth, timeout=10).json()
        minimal = requests.get(f"{url}api/aws/account/iamParameters/policy/minimal", headers=auth, timeout=10)
        assert minimal.status_code == 200 and minimal.headers["Content-Type"] == "application/json"
        assert minimal.json() == Onboarding(parameters["accountId"], parameters["externalId"],
                                            collector_permissions()).minimal_policy()
        moto = f"http://127.0.0.1:{env['CLOUDSKETCH_DEMO_MOTO_PORT']}"
        iam = boto3.client("iam", endpoint_url=moto, region_name="us-east-1",
                           aws_access_key_id="testing", aws_secret_access_key="testing")
        trust = iam.get_role(RoleName="cloudsketch-readonly")["Role"]["AssumeRolePolicyDocument"]
        trust = json.loads(trust) if isinstance(trust, str) else trust
        assert trust["Statement"][0]["Condition"]["StringEquals"]["sts:ExternalId"] == account["externalId"]
        # The collector syncs the connected accounts by itself: the demo estate shows up.
        def synced():
            reply = requests.get(f"{url}api/aws/account/{account['id']}/sync",
                                 headers={"Authorization": f"Bearer {key}"}, timeout=10)
            return reply.status_code == 200 and reply.json()["state"] == "finished" and reply.json()
        sync = wait_for(synced, timeout=120, interval=0.5, what="the demo account's first sync")
        assert sync["counts"]["resources"] > 100 and sync["counts"]["added"] == sync["counts"]["resources"]
        assert sync["counts"]["removed"] == 0
        assert (tmp_path / "data" / "kept.txt").read_text() == "not the demo's"
        assert (tmp_path / "data" / "demo" / "identity.db").exists()  # demo data stays apart
    finally:
        demo.send_signal(signal.SIGTERM)
        rest = demo.communicate(timeout=60)[0]
    assert demo.returncode == 0, rest
    assert "moto" in rest and "stopped" in rest
