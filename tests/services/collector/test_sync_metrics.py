"""collector_syncs_total counts every sync that ends, by state: the CloudsketchSyncFailures alert
(deploy/k8s/components/monitoring, docs/operations.md) reads it."""
from __future__ import annotations

from prometheus_client import REGISTRY

from tests.helpers.aws_faults import FaultProxy
from tests.services.collector.sync_harness import Harness, aws_env_proxy, small_estate


def syncs(state: str) -> float:
    return REGISTRY.get_sample_value("collector_syncs_total", {"state": state}) or 0.0


def test_a_finished_and_a_failed_sync_are_counted(database_url, aws_env, aws_account):
    harness = Harness(aws_account)
    small_estate(aws_env, aws_account)
    finished, failed = syncs("finished"), syncs("failed")
    assert harness.sync()["state"] == "finished"
    assert (syncs("finished"), syncs("failed")) == (finished + 1, failed)

    with FaultProxy(aws_env) as proxy:
        aws_env_proxy(proxy)
        proxy.fail("AssumeRole", "AccessDenied", "User is not authorized to perform: sts:AssumeRole", status=403)
        assert harness.sync()["state"] == "failed"
    assert (syncs("finished"), syncs("failed")) == (finished + 1, failed + 1)
