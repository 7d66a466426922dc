"""Fixtures of the whole-stack tests: the browser app's stack (one per module) and its tabs."""
from __future__ import annotations

import os
import subprocess

import pytest

from tests.helpers.stack import CLI, cloudsketch_up, stack_env
from tests.helpers.web import EMAIL, PASSWORD, Visit


@pytest.fixture(scope="module")
def stack(tmp_path_factory, amqp_uri, moto_endpoint):
    tmp_path = tmp_path_factory.mktemp("web-ui")
    env = {**os.environ, **stack_env(tmp_path, amqp_uri, "", moto_endpoint)}
    subprocess.run([*CLI, "admin", "create-user", "--email", EMAIL, "--name", "Olivia Owner", "--role", "owner",
                    "--password-stdin"], env=env, check=True, capture_output=True, timeout=60, input=PASSWORD + "\n",
                   text=True)
    with cloudsketch_up(env):
        yield {"url": f"http://127.0.0.1:{env['CLOUDSKETCH_GATEWAY_PORT']}", "moto": moto_endpoint}


@pytest.fixture
def visit(browser, stack, request, capsys):
    tab = Visit(browser, stack["url"], request.node.name.removeprefix("test_"))
    yield tab
    tab.close(capsys)
