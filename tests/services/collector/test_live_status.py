"""The live status poller (services/collector/status/) against a moto server behind a counting
proxy and a real database: it polls only while watched, publishes one status_changed per change
and a snapshot per new watcher, stops calling once the watch lapses, and of two pollers (two
replicas) only one polls an account-region. The poller's clock is the test's, so "an interval
later" needs no sleeping; leases expire on the database's real time."""
from __future__ import annotations

import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from cloudsketch.collector.v1 import events_pb2 as events
from services.collector.discovery import all_units
from services.collector.status import probes
from services.collector.status.poller import LEASE_PREFIX, METRIC_REFRESH_SECONDS, StatusPoller
from services.collector.tables import leases
from services.common.database import read_connection
from services.demo import account_client
from tests.helpers.aws_faults import FaultProxy
from tests.services.collector.sync_harness import Harness, aws_env_proxy

INTERVAL = 15.0
REGION = "us-east-1"
AMI = "ami-12c6146b"
# The status calls of this estate (instances; no alarms: they name instances by dimension).
STATUS_ACTIONS = {"DescribeInstanceStatus", "DescribeAlarms", "GetMetricData"}


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Pollers:
    """Pollers (one per would-be replica) on one database and clock, their events in one list."""

    def __init__(self, harness: Harness, interval: float = INTERVAL):
        self.harness = harness
        self.lease_ttl = timedelta(seconds=3 * interval)
        self.clock = Clock()
        self.events: list[tuple[str, str, object]] = []   # (poller, kind, message)
        self.interval = interval
        self.pollers: dict[str, StatusPoller] = {}

    def add(self, name: str) -> StatusPoller:
        self.pollers[name] = StatusPoller(self.harness.collector.engine, lambda account_id: self.harness.account,
                                          name, self.interval, clock=self.clock, lease_ttl=self.lease_ttl)
        return self.pollers[name]

    def watch(self, watcher_id: str = "gateway-1", ttl: int = 30) -> None:
        for poller in self.pollers.values():   # every replica hears every heartbeat (broadcast)
            poller.watched(events.StatusWatched(account_id=self.harness.account.id, watcher_id=watcher_id,
                                                ttl_seconds=ttl))

    def tick(self, advance: float = 0.0) -> None:
        self.clock.now += advance
        for name, poller in self.pollers.items():
            poller.tick(lambda kind, message, name=name: self.events.append((name, kind, message)))
        for poller in self.pollers.values():
            poller.wait()

    def take(self, kind: str) -> list:
        taken = [message for _, event_kind, message in self.events if event_kind == kind]
        self.events = [e for e in self.events if e[1] != kind]
        return taken


@pytest.fixture
def estate(database_url, aws_env, aws_account):
    """Two running instances in the account's inventory (a sync of the real EC2 units)."""
    ec2 = account_client("ec2", aws_env, aws_account, REGION)
    ids = [i["InstanceId"] for i in ec2.run_instances(ImageId=AMI, MinCount=2, MaxCount=2,
                                                      InstanceType="t3.micro")["Instances"]]
    units = [u for u in all_units() if u.name in ("ec2.availability_zones", "ec2.instances")]
    harness = Harness(aws_account, regions=[REGION], units=units)
    assert harness.sync()["state"] == "finished"
    arns = {i: f"arn:aws:ec2:{REGION}:{aws_account}:instance/{i}" for i in ids}
    return harness, ec2, arns


@pytest.fixture
def proxy(aws_env):
    with FaultProxy(aws_env) as proxy:
        aws_env_proxy(proxy)
        yield proxy


def status_calls(proxy: FaultProxy) -> int:
    return sum(1 for action in proxy.seen if action in STATUS_ACTIONS)


def test_polls_only_while_watched_and_publishes_each_change_once(estate, proxy):
    harness, ec2, arns = estate
    pollers = Pollers(harness)
    pollers.add("replica-a")
    # Nobody watches: ticks for two minutes cost nothing.
    for _ in range(8):
        pollers.tick(INTERVAL)
    assert status_calls(proxy) == 0 and pollers.events == []

    pollers.watch()
    pollers.tick()
    [snapshot] = pollers.take("status_snapshot")
    assert (snapshot.account_id, snapshot.region) == (harness.account.id, REGION)
    statuses = {s.arn: s for s in snapshot.statuses}
    assert set(statuses) == set(arns.values())
    assert {(s.state, s.status) for s in statuses.values()} == {("running", events.RESOURCE_STATUS_OK)}
    assert pollers.events == []
    first = status_calls(proxy)
    assert first > 0

    # Not due yet: no calls. Due and nothing changed: calls, no event.
    pollers.tick(INTERVAL / 3)
    assert status_calls(proxy) == first
    pollers.tick(INTERVAL)
    assert status_calls(proxy) > first and pollers.events == []

    # A state change in AWS: exactly one status_changed, for that instance; the next poll, none.
    stopped_id, running_id = list(arns)
    ec2.stop_instances(InstanceIds=[stopped_id])
    pollers.watch()   # the gateway's heartbeat, same watcher: no snapshot
    pollers.tick(INTERVAL)
    [changed] = pollers.take("status_changed")
    assert pollers.events == []
    assert (changed.arn, changed.region, changed.account_id) == (arns[stopped_id], REGION, harness.account.id)
    assert (changed.state, changed.status) == ("stopped", events.RESOURCE_STATUS_STOPPED)
    assert changed.HasField("observed_at")
    pollers.tick(INTERVAL)
    assert pollers.events == []


def test_a_new_watcher_gets_a_snapshot_from_memory(estate, proxy):
    harness, ec2, arns = estate
    pollers = Pollers(harness)
    pollers.add("replica-a")
    pollers.watch("gateway-1")
    pollers.tick()
    assert len(pollers.take("status_snapshot")) == 1
    calls = status_calls(proxy)
    pollers.watch("gateway-2")
    pollers.tick(1)
    [snapshot] = pollers.take("status_snapshot")
    assert {s.arn for s in snapshot.statuses} == set(arns.values())
    assert status_calls(proxy) == calls, "a snapshot of a polled region needs no AWS call"
    # Known watchers get none.
    pollers.watch("gateway-1")
    pollers.watch("gateway-2")
    pollers.tick(INTERVAL)
    assert pollers.take("status_snapshot") == []


def test_a_lapsed_watch_stops_the_calls_and_lets_the_lease_go(estate, proxy):
    harness, ec2, arns = estate
    pollers = Pollers(harness)
    pollers.add("replica-a")
    pollers.watch(ttl=30)   # the gateway's heartbeat lapses 30 s (two intervals) after it came
    pollers.tick()
    assert lease_holders(harness) == {LEASE_PREFIX + REGION: "replica-a/live"}
    pollers.tick(INTERVAL)
    pollers.tick(INTERVAL)   # 30 s after the heartbeat: lapsed
    lapsed = status_calls(proxy)
    assert lease_holders(harness) == {}
    for _ in range(8):
        pollers.tick(INTERVAL)
    assert status_calls(proxy) == lapsed
    # Watched again: it starts over with a snapshot.
    pollers.events.clear()
    pollers.watch()
    pollers.tick()
    assert len(pollers.take("status_snapshot")) == 1 and status_calls(proxy) > lapsed


def test_two_replicas_never_poll_one_account_region_at_once(estate, proxy):
    harness, ec2, arns = estate
    pollers = Pollers(harness, interval=0.5)   # leases last 3 intervals of real time
    a, b = pollers.add("replica-a"), pollers.add("replica-b")
    pollers.watch(ttl=300)
    for _ in range(6):
        pollers.tick(0.5)
    # One replica holds the region and polls it; the other made no status call at all.
    holders = lease_holders(harness)
    assert list(holders) == [LEASE_PREFIX + REGION]
    polling = holders[LEASE_PREFIX + REGION].removesuffix("/live")
    assert {poller for poller, kind, _ in pollers.events} == {polling}
    assert len([e for e in pollers.events if e[1] == "status_snapshot"]) == 1
    regions_polled = {call.region for call in proxy.calls if call.action == "DescribeInstanceStatus"}
    assert regions_polled == {REGION}
    # The holder stops (a deploy): it lets the lease go, and the other takes over with a snapshot.
    (a if polling == "replica-a" else b).stop()
    del pollers.pollers[polling]
    pollers.events.clear()
    pollers.tick(0.5)
    other = "replica-b" if polling == "replica-a" else "replica-a"
    assert lease_holders(harness) == {LEASE_PREFIX + REGION: f"{other}/live"}
    assert [(poller, kind) for poller, kind, _ in pollers.events] == [(other, "status_snapshot")]


def test_a_crashed_holder_is_taken_over_once_its_lease_expires(estate, proxy):
    harness, ec2, arns = estate
    pollers = Pollers(harness, interval=0.5)
    pollers.add("replica-a")
    pollers.watch(ttl=300)
    pollers.tick()
    pollers.pollers.clear()        # replica-a dies: its lease stays behind until it expires
    pollers.add("replica-b")
    pollers.watch(ttl=300)
    pollers.events.clear()
    pollers.tick(0.5)
    assert pollers.events == [] and lease_holders(harness) == {LEASE_PREFIX + REGION: "replica-a/live"}
    time.sleep(1.6)                # the lease's 3 intervals of real time
    pollers.tick(0.5)
    assert [kind for _, kind, _ in pollers.events] == ["status_snapshot"]
    assert lease_holders(harness) == {LEASE_PREFIX + REGION: "replica-b/live"}


def test_a_role_that_cannot_be_assumed_costs_no_status_call_and_is_tried_again(estate, proxy):
    harness, ec2, arns = estate
    pollers = Pollers(harness)
    pollers.add("replica-a")
    proxy.fail("AssumeRole", "AccessDenied", "not authorized to perform sts:AssumeRole", status=403)
    pollers.watch(ttl=300)
    pollers.tick()
    pollers.tick(INTERVAL)
    assert pollers.events == [] and status_calls(proxy) == 0
    assert proxy.seen.count("AssumeRole") == 2
    proxy.clear()   # the customer fixed the role
    pollers.tick(INTERVAL)
    assert [kind for _, kind, _ in pollers.events] == ["status_snapshot"]


def test_metrics_come_from_getmetricdata_at_most_once_a_minute(estate, proxy):
    harness, ec2, arns = estate
    instance_id = list(arns)[0]
    cloudwatch = account_client("cloudwatch", proxy.upstream, harness.account.aws_account_id, REGION)
    cloudwatch.put_metric_data(Namespace="AWS/EC2", MetricData=[{
        "MetricName": "CPUUtilization", "Dimensions": [{"Name": "InstanceId", "Value": instance_id}],
        "Value": 37.25, "Unit": "Percent"}])
    pollers = Pollers(harness)
    pollers.add("replica-a")
    pollers.watch(ttl=300)
    pollers.tick()
    [snapshot] = pollers.take("status_snapshot")
    metrics = {s.arn: s.metric for s in snapshot.statuses if s.HasField("metric")}
    assert list(metrics) == [arns[instance_id]]   # moto records only what was put
    metric = metrics[arns[instance_id]]
    assert (metric.name, metric.value, metric.unit) == ("CPUUtilization", 37.25, "Percent")
    assert metric.source == probes.KINDS["AWS::EC2::Instance"].metric.source
    assert proxy.seen.count("GetMetricData") == 1
    for _ in range(3):
        pollers.tick(INTERVAL)
    assert proxy.seen.count("GetMetricData") == 1 and pollers.events == []
    pollers.tick(METRIC_REFRESH_SECONDS)
    assert proxy.seen.count("GetMetricData") == 2


def test_an_alarm_on_a_resource_makes_it_a_warning(estate, proxy):
    harness, ec2, arns = estate
    instance_id = list(arns)[0]
    cloudwatch = account_client("cloudwatch", proxy.upstream, harness.account.aws_account_id, REGION)
    pollers = Pollers(harness)
    pollers.add("replica-a")
    pollers.watch(ttl=300)
    pollers.tick()
    pollers.take("status_snapshot")
    cloudwatch.put_metric_alarm(
        AlarmName="<b>cpu</b> high", MetricName="CPUUtilization", Namespace="AWS/EC2", Statistic="Average",
        Period=60, EvaluationPeriods=1, Threshold=90, ComparisonOperator="GreaterThanThreshold",
        Dimensions=[{"Name": "InstanceId", "Value": instance_id}])
    cloudwatch.set_alarm_state(AlarmName="<b>cpu</b> high", StateValue="ALARM", StateReason="test")
    pollers.tick(INTERVAL)
    [changed] = pollers.take("status_changed")
    assert (changed.arn, changed.status, changed.state) == (arns[instance_id], events.RESOURCE_STATUS_WARNING,
                                                            "running")
    assert changed.detail == "in alarm: <b>cpu</b> high"   # AWS's strings pass through; the UI escapes


def test_nothing_of_a_status_reaches_the_database(estate, proxy):
    harness, ec2, arns = estate
    pollers = Pollers(harness)
    pollers.add("replica-a")
    pollers.watch()
    pollers.tick()
    ec2.stop_instances(InstanceIds=[list(arns)[0]])
    pollers.tick(INTERVAL)
    assert pollers.take("status_changed")
    engine = harness.collector.engine
    with read_connection(engine) as conn:
        for table in sa.inspect(engine).get_table_names():
            for row in conn.execute(sa.text(f'SELECT * FROM "{table}"')):
                text = " ".join(str(value) for value in row)
                assert "stopped" not in text and "RESOURCE_STATUS" not in text, table


def lease_holders(harness: Harness) -> dict[str, str]:
    with read_connection(harness.collector.engine) as conn:
        rows = conn.execute(sa.select(leases.c.region, leases.c.holder).where(
            leases.c.account_id == harness.account.id, leases.c.region.like(LEASE_PREFIX + "%"))).all()
    return {row.region: row.holder for row in rows}
