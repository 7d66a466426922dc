"""The stack of the broker fault tests: every process reaches RabbitMQ through a TcpProxy that
the test cuts or partitions. A module adds settings by overriding `broker_stack_env`."""
from __future__ import annotations

import pytest

from tests.helpers.collector import stack_with_events
from tests.helpers.stack import proxied_broker, stack_env


@pytest.fixture
def broker_stack_env() -> dict[str, str]:
    """Settings of the stack beyond stack_env's."""
    return {}


@pytest.fixture
def broker_proxied_stack(tmp_path, fresh_amqp_uri, moto_endpoint, postgres_server_url, monkeypatch,
                         broker_stack_env):
    with proxied_broker(fresh_amqp_uri) as (proxy, proxied):
        env = {**stack_env(tmp_path, proxied, postgres_server_url, moto_endpoint), **broker_stack_env}
        with stack_with_events(tmp_path, monkeypatch, env, fresh_amqp_uri) as stack:
            yield dict(stack, proxy=proxy, moto=moto_endpoint)
