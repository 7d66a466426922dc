"""CloudWatch for live status: each watched resource's one key metric (GetMetricData, up to 500
queries a call: the API's limit) and the alarms in state ALARM (DescribeAlarms, 100 a page).

A metric is the latest 5-minute datapoint of the last 15 minutes. CloudWatch bills GetMetricData
per metric asked for, and its standard metrics change once a minute at best, so the poller asks
at most once a minute (docs/live-status.md, "Cost"), not on every poll.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from services.collector.status.probes import Metric, Watched
from services.common.timeutil import utcnow

QUERIES_PER_CALL = 500
PERIOD_SECONDS = 300
WINDOW = timedelta(minutes=15)


def metric_values(client, wanted: Iterable[tuple[Watched, Metric]]) -> dict[str, float]:
    """The latest value of each resource's metric, by ARN; resources without datapoints are absent."""
    queries = [(resource.arn, {
        "Id": f"m{index}",
        "MetricStat": {"Metric": {"Namespace": metric.namespace, "MetricName": metric.name,
                                  "Dimensions": metric.dimensions(resource) if metric.dimensions else []},
                       "Period": PERIOD_SECONDS, "Stat": metric.stat},
        "ReturnData": True}) for index, (resource, metric) in enumerate(wanted)]
    arn_of = {query["Id"]: arn for arn, query in queries}
    # EndTime is exclusive: a minute ahead, so that the newest datapoint is in.
    end = utcnow() + timedelta(minutes=1)
    values: dict[str, float] = {}
    for start in range(0, len(queries), QUERIES_PER_CALL):
        batch = [query for _, query in queries[start:start + QUERIES_PER_CALL]]
        params = {"MetricDataQueries": batch, "StartTime": end - WINDOW, "EndTime": end,
                  "ScanBy": "TimestampDescending"}
        while True:
            reply = client.get_metric_data(**params)
            for result in reply.get("MetricDataResults", []):
                arn = arn_of.get(result.get("Id", ""))
                if arn is not None and arn not in values and result.get("Values"):
                    values[arn] = float(result["Values"][0])   # newest first
            if not reply.get("NextToken"):
                break
            params["NextToken"] = reply["NextToken"]
    return values


# The dimension that names a resource in an alarm, and how to find that name on the resource.
ALARM_DIMENSIONS = {
    "InstanceId": lambda r: r.last_part if r.type == "AWS::EC2::Instance" else None,
    "AutoScalingGroupName": lambda r: r.name if r.type == "AWS::AutoScaling::AutoScalingGroup" else None,
    "DBInstanceIdentifier": lambda r: r.name if r.type.endswith("::DBInstance") else None,
    "DBClusterIdentifier": lambda r: r.name if r.type.endswith("::DBCluster") else None,
    "CacheClusterId": lambda r: r.name if r.type == "AWS::ElastiCache::CacheCluster" else None,
    "LoadBalancer": lambda r: (r.arn.split(":loadbalancer/", 1)[-1]
                               if r.type == "AWS::ElasticLoadBalancingV2::LoadBalancer" else None),
    "TargetGroup": lambda r: (r.arn.split(":", 5)[-1]
                              if r.type == "AWS::ElasticLoadBalancingV2::TargetGroup" else None),
}


def alarms_by_arn(client, resources: list[Watched]) -> dict[str, list[str]]:
    """The names of the alarms in state ALARM that name each resource (by a dimension), by ARN."""
    index: dict[tuple[str, str], str] = {}
    for resource in resources:
        for dimension, name_of in ALARM_DIMENSIONS.items():
            name = name_of(resource)
            if name:
                index[(dimension, name)] = resource.arn
    firing: dict[str, list[str]] = {}
    if not index:
        return firing
    pages = client.get_paginator("describe_alarms").paginate(
        StateValue="ALARM", AlarmTypes=["MetricAlarm"], PaginationConfig={"PageSize": 100})
    for page in pages:
        for alarm in page.get("MetricAlarms", []):
            for dimension in alarm.get("Dimensions", []):
                arn = index.get((dimension.get("Name", ""), dimension.get("Value", "")))
                if arn is not None:
                    firing.setdefault(arn, []).append(alarm.get("AlarmName", ""))
    return firing
