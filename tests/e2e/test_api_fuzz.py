"""The REST API against its own contract: schemathesis generates requests for every operation of
docs/openapi.yaml (as the gateway serves it at /api/openapi.json), valid and invalid ones, with an
Owner's API key, against a whole running stack (every process, RabbitMQ, SQLite, moto), and no
answer may be a 5xx. The run is bounded: a few examples per operation (`MAX_EXAMPLES`), a fixed
seed, so a failure can be replayed; the report names the request that failed.
"""
from __future__ import annotations

import re
import subprocess
import sys

import pytest
import requests
import yaml

from services.demo import ensure_role
from tests.helpers.collector import owner_key, stack_with_events
from tests.helpers.stack import REPO, stack_env

pytestmark = pytest.mark.slow
MAX_EXAMPLES = 10
SEED = 1313
METHODS = {"get", "put", "post", "delete", "patch"}
AWS_ACCOUNT = "567890123456"      # an AWS account of the moto server no other test uses


@pytest.fixture
def stack(tmp_path, amqp_uri, moto_endpoint, monkeypatch):
    with stack_with_events(tmp_path, monkeypatch, stack_env(tmp_path, amqp_uri, "", moto_endpoint)) as stack:
        yield stack


def test_no_request_the_contract_allows_gets_a_server_error(stack, moto_endpoint, tmp_path):
    url, key = stack["url"], owner_key(stack["env"])
    auth = {"Authorization": f"Bearer {key}"}
    # one real account, so that the account routes have something to find besides 404s
    parameters = requests.get(f"{url}/api/aws/account/iamParameters", headers=auth, timeout=10).json()
    role_arn = ensure_role(moto_endpoint, parameters["externalId"], AWS_ACCOUNT, "cloudsketch-readonly",
                           trusted_account_id=parameters["accountId"])
    created = requests.post(f"{url}/api/aws/account", headers=auth, timeout=30,
                            json={"name": "Fuzzed", "roleArn": role_arn, "regions": ["us-east-1"]})
    assert created.status_code == 201, created.text

    # reads use the real account's id, so that its diagram, budget and versions routes get past 404
    config = tmp_path / "schemathesis.toml"
    account_id = created.json()["id"]
    config.write_text(f'[[operations]]\ninclude-method = "GET"\nparameters = {{ account_id = "{account_id}" }}\n')

    run = subprocess.run(
        [sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "--no-color", "run",
         f"{url}/api/openapi.json", "--url", f"{url}/api", "--header", f"Authorization: Bearer {key}",
         "--checks", "not_a_server_error", "--max-examples", str(MAX_EXAMPLES), "--seed", str(SEED),
         "--workers", "1", "--request-timeout", "30", "--phases", "examples,coverage,fuzzing",
         "--generation-database", "none"],
        capture_output=True, text=True, timeout=600, cwd=tmp_path)      # its cache stays out of the repository
    print(run.stdout[-4000:])
    assert run.returncode == 0, run.stdout[-8000:] + run.stderr[-2000:]
    spec = yaml.safe_load((REPO / "docs" / "openapi.yaml").read_text())
    operations = sum(1 for item in spec["paths"].values() for method in item if method in METHODS)
    assert f"Tested: {operations}\n" in run.stdout, run.stdout[-4000:]     # every operation of the document
    assert re.search(r"Test cases:\s+(\d+) generated, \1 passed", run.stdout), run.stdout[-4000:]
