"""How AWS's state words become a live status (services/collector/status/probes.py), where moto
cannot produce the state (impaired status checks, unhealthy targets, failed databases), and the
table in docs/live-status.md matching the code."""
from __future__ import annotations

from pathlib import Path

from services.collector import declarations
from services.collector.status import probes
from services.collector.status.probes import CRITICAL, OK, PENDING, STOPPED, WARNING

DOC = (Path(__file__).resolve().parents[2] / "docs" / "live-status.md").read_text()


def test_the_docs_table_is_the_code():
    assert probes.markdown_table() in DOC, "regenerate: python docs/generate.py"


def test_every_status_call_is_declared_for_the_iam_policy():
    assert {kind.probe.call for kind in probes.KINDS.values()} | {
        "cloudwatch:GetMetricData", "cloudwatch:DescribeAlarms"} <= set(declarations.iam_actions())


def test_every_kind_is_a_declared_type():
    assert set(probes.KINDS) <= {d.cfn_type for d in declarations.RESOURCE_TYPES}


def instance(state: str, instance_status: str = "ok", system_status: str = "ok") -> probes.Observation:
    return probes.instance_observation({"InstanceState": {"Name": state},
                                        "InstanceStatus": {"Status": instance_status},
                                        "SystemStatus": {"Status": system_status}})


def test_instances():
    assert instance("running") == probes.Observation("running", OK)
    assert instance("running", "impaired") == probes.Observation("running", CRITICAL, "instance-status: impaired")
    assert instance("running", "initializing", "initializing").status == PENDING
    assert instance("running", "insufficient-data").status == WARNING
    assert instance("pending", "not-applicable", "not-applicable") == probes.Observation("pending", PENDING)
    assert {instance(s, "not-applicable").status for s in ("stopping", "stopped", "terminated")} == {STOPPED}


def targets(*states: str) -> probes.Observation:
    return probes.target_group_observation([{"TargetHealth": {"State": s}} for s in states])


def test_target_groups():
    assert targets("healthy", "healthy") == probes.Observation("2/2 healthy", OK, value=2)
    assert targets("healthy", "unhealthy").status == WARNING
    assert targets("unhealthy", "unavailable") == probes.Observation("0/2 healthy", CRITICAL,
                                                                     "2 target(s) not healthy", value=0)
    assert targets("healthy", "initial").status == PENDING
    assert targets("draining").status == WARNING   # nothing in use
    assert targets("healthy", "draining") == probes.Observation("1/1 healthy", OK, value=1)


def test_auto_scaling_groups():
    def group(desired, *health, status=None):
        entry = {"DesiredCapacity": desired,
                 "Instances": [{"LifecycleState": "InService", "HealthStatus": h} for h in health]}
        return probes.group_observation({**entry, "Status": status} if status else entry)
    assert group(2, "Healthy", "Healthy") == probes.Observation("2/2 InService", OK, value=2)
    assert group(3, "Healthy", "Unhealthy").status == WARNING
    assert group(2).status == CRITICAL
    assert group(0).status == STOPPED
    assert group(2, "Healthy", status="Delete in progress").status == STOPPED


def test_ecs_services():
    def service(running, desired, status="ACTIVE", rollout="COMPLETED"):
        return probes.service_observation({"status": status, "runningCount": running, "desiredCount": desired,
                                           "deployments": [{"rolloutState": rollout}]})
    assert service(2, 2) == probes.Observation("2/2 running", OK, value=2)
    assert service(2, 2, rollout="IN_PROGRESS").status == PENDING
    assert service(1, 2).status == WARNING
    assert service(0, 2).status == CRITICAL
    assert service(0, 0).status == STOPPED
    assert service(0, 2, status="DRAINING") == probes.Observation("DRAINING", STOPPED, value=0)


def test_databases_caches_and_clusters():
    assert [probes.DB_STATES(s) for s in ("available", "modifying", "stopped", "storage-full", "something-new")] \
        == [OK, PENDING, STOPPED, CRITICAL, WARNING]
    assert [probes.CACHE_STATES(s) for s in ("available", "creating", "deleting", "create-failed")] \
        == [OK, PENDING, STOPPED, CRITICAL]
    assert probes.LOAD_BALANCER_STATES("active_impaired") == WARNING
    assert probes._eks_observation({"status": "ACTIVE", "health": {"issues": [{"code": "x"}]}}).status == WARNING
    assert probes._eks_observation({"status": "CREATE_FAILED"}).status == CRITICAL


def test_metric_per_load_balancer_type():
    def balancer(kind):
        return probes.Watched("arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/web/1",
                              "AWS::ElasticLoadBalancingV2::LoadBalancer", "us-east-1", "web", {"type": kind})
    application, network, gateway = (probes.metric_of(balancer(k)) for k in ("application", "network", "gateway"))
    assert application and network and (application.name, network.name) == ("RequestCount", "ActiveFlowCount")
    assert gateway is None
    assert application.dimensions(balancer("application")) == [{"Name": "LoadBalancer", "Value": "app/web/1"}]


def test_a_watch_lapses_two_intervals_after_its_last_heartbeat_within_the_gateways_ttl():
    from services.collector.status.poller import StatusPoller
    poller = StatusPoller(None, lambda account_id: None, "unit", 15.0)   # no database: lapse() is arithmetic
    assert poller.lapse(45) == 30        # the gateway's default: a beat every 15 s
    assert poller.lapse(20) == 20        # never later than the gateway's ttl
    assert poller.lapse(150) == 100      # beats every 50 s: two of them, not two intervals
    assert poller.lapse(100_000) == 200  # ttl capped at 300 s
    assert poller.lapse(0) == 30
