"""What live status reads per component type: one batch call per service and region where AWS has
one (a few per type at most), and how AWS's own state word maps to a ResourceStatus.

A probe reads every watched resource of its types in one region and answers an `Observation` per
ARN. Which resources exist comes from the collector's inventory (what the last sync stored), so
a probe never discovers: a resource the call no longer returns is reported as gone. The IAM
actions are declared in services/collector/declarations.py ("live status: ..."); the table in
docs/live-status.md is generated from KINDS (`python -m services.collector.status.probes`).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cloudsketch.collector.v1 import events_pb2 as events

Status = events.ResourceStatus.ValueType
OK = events.RESOURCE_STATUS_OK
WARNING = events.RESOURCE_STATUS_WARNING
CRITICAL = events.RESOURCE_STATUS_CRITICAL
STOPPED = events.RESOURCE_STATUS_STOPPED
PENDING = events.RESOURCE_STATUS_PENDING
NAMES = {OK: "OK", WARNING: "WARNING", CRITICAL: "CRITICAL", STOPPED: "STOPPED", PENDING: "PENDING"}

GONE = "not-found"   # the state word of an inventoried resource that the status call no longer returns


@dataclass(frozen=True)
class Watched:
    """An inventoried resource, as the poller reads it from the collector's database."""
    arn: str
    type: str
    region: str
    name: str
    attributes: dict[str, Any] = field(default_factory=dict)

    @property
    def last_part(self) -> str:
        return self.arn.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Observation:
    state: str                    # AWS's own word, e.g. "running", "available", "2/3 InService"
    status: Status
    detail: str = ""
    value: float | None = None    # the key metric, when the probe's own call carries it


@dataclass(frozen=True)
class Metric:
    """A type's one key metric: from CloudWatch (namespace set) or from the probe's own answer."""
    name: str
    unit: str
    namespace: str = ""
    stat: str = "Average"
    dimensions: Callable[[Watched], list[dict]] | None = None
    source_call: str = ""         # for metrics the probe's call carries

    @property
    def source(self) -> str:
        if self.namespace:
            return f"CloudWatch {self.namespace}, 5-minute {self.stat.lower()}"
        return self.source_call


def by_table(table: dict[str, Status], default: Status) -> Callable[[str], Status]:
    return lambda state: table.get(state, default)


def gone(resource: Watched) -> Observation:
    return Observation(GONE, STOPPED, "not returned by the status call: removed since the last sync?")


# --- EC2 instances: DescribeInstanceStatus(IncludeAllInstances), 1,000 instances a call -----------

INSTANCE_STATES = {"pending": PENDING, "running": OK, "shutting-down": STOPPED, "terminated": STOPPED,
                   "stopping": STOPPED, "stopped": STOPPED}


def instance_observation(entry: dict) -> Observation:
    state = entry.get("InstanceState", {}).get("Name", "")
    status = INSTANCE_STATES.get(state, WARNING)
    checks = {"instance-status": entry.get("InstanceStatus", {}).get("Status", ""),
              "system-status": entry.get("SystemStatus", {}).get("Status", "")}
    if status == OK:
        if "impaired" in checks.values():
            status = CRITICAL
        elif "initializing" in checks.values():
            status = PENDING
        elif "insufficient-data" in checks.values():
            status = WARNING
    detail = "; ".join(f"{name}: {value}" for name, value in checks.items()
                       if value and value not in ("ok", "not-applicable"))
    return Observation(state, status, detail)


def read_instances(client, resources: list[Watched]) -> dict[str, Observation]:
    by_id = {r.last_part: r.arn for r in resources}
    found: dict[str, Observation] = {}
    paginator = client.get_paginator("describe_instance_status")
    for page in paginator.paginate(IncludeAllInstances=True, PaginationConfig={"PageSize": 1000}):
        for entry in page.get("InstanceStatuses", []):
            if entry.get("InstanceId") in by_id:
                found[by_id[entry["InstanceId"]]] = instance_observation(entry)
    return found


# --- Auto Scaling groups: DescribeAutoScalingGroups, 100 groups a call --------------------------

def group_observation(group: dict) -> Observation:
    desired = int(group.get("DesiredCapacity") or 0)
    healthy = sum(1 for i in group.get("Instances", [])
                  if i.get("LifecycleState") == "InService" and i.get("HealthStatus") == "Healthy")
    state = f"{healthy}/{desired} InService"
    if group.get("Status"):   # only set while the group is being deleted
        return Observation(group["Status"], STOPPED, value=healthy)
    if desired == 0:
        status = STOPPED
    elif healthy >= desired:
        status = OK
    elif healthy == 0:
        status = CRITICAL
    else:
        status = WARNING
    return Observation(state, status, value=healthy)


def read_groups(client, resources: list[Watched]) -> dict[str, Observation]:
    wanted = {r.arn for r in resources}
    found: dict[str, Observation] = {}
    for page in client.get_paginator("describe_auto_scaling_groups").paginate(PaginationConfig={"PageSize": 100}):
        for group in page.get("AutoScalingGroups", []):
            if group.get("AutoScalingGroupARN") in wanted:
                found[group["AutoScalingGroupARN"]] = group_observation(group)
    return found


# --- Load balancers (v2): DescribeLoadBalancers, 400 a call; target groups: DescribeTargetHealth --

LOAD_BALANCER_STATES = by_table({"active": OK, "provisioning": PENDING, "active_impaired": WARNING,
                                 "failed": CRITICAL}, WARNING)


def read_load_balancers(client, resources: list[Watched]) -> dict[str, Observation]:
    wanted = {r.arn for r in resources}
    found: dict[str, Observation] = {}
    for page in client.get_paginator("describe_load_balancers").paginate(PaginationConfig={"PageSize": 400}):
        for balancer in page.get("LoadBalancers", []):
            if balancer.get("LoadBalancerArn") in wanted:
                state = balancer.get("State", {})
                code = state.get("Code", "")
                found[balancer["LoadBalancerArn"]] = Observation(code, LOAD_BALANCER_STATES(code),
                                                                 state.get("Reason", ""))
    return found


def target_group_observation(descriptions: list[dict]) -> Observation:
    states = [d.get("TargetHealth", {}).get("State", "") for d in descriptions]
    healthy = states.count("healthy")
    counted = [s for s in states if s not in ("unused", "draining")]
    state = f"{healthy}/{len(counted)} healthy"
    if not counted:
        return Observation(state, WARNING, "no registered targets in use", value=0)
    if healthy == len(counted):
        return Observation(state, OK, value=healthy)
    if states.count("initial") and healthy + states.count("initial") == len(counted):
        return Observation(state, PENDING, "targets are being registered", value=healthy)
    return Observation(state, CRITICAL if healthy == 0 else WARNING,
                       f"{len(counted) - healthy} target(s) not healthy", value=healthy)


def read_target_groups(client, resources: list[Watched], map: Callable) -> dict[str, Observation]:
    # AWS has no batch form: one call per target group (the groups are few next to their targets).
    def one(resource: Watched):
        try:
            return resource.arn, target_group_observation(
                client.describe_target_health(TargetGroupArn=resource.arn).get("TargetHealthDescriptions", []))
        except client.exceptions.TargetGroupNotFoundException:
            return resource.arn, None
    return {arn: observation for arn, observation in map(one, resources) if observation is not None}


# --- RDS (and DocumentDB, Neptune): DescribeDBInstances and DescribeDBClusters, 100 a call --------

DB_STATES = by_table({
    "available": OK, "backing-up": OK, "storage-optimization": OK,
    "creating": PENDING, "starting": PENDING, "rebooting": PENDING, "modifying": PENDING, "upgrading": PENDING,
    "renaming": PENDING, "maintenance": PENDING, "configuring-enhanced-monitoring": PENDING,
    "configuring-iam-database-auth": PENDING, "configuring-log-exports": PENDING, "moving-to-vpc": PENDING,
    "resetting-master-credentials": PENDING, "backtracking": PENDING, "migrating": PENDING, "promoting": PENDING,
    "stopping": STOPPED, "stopped": STOPPED, "deleting": STOPPED,
    "failed": CRITICAL, "storage-full": CRITICAL, "restore-error": CRITICAL, "inaccessible-encryption-credentials":
    CRITICAL, "incompatible-network": CRITICAL, "incompatible-option-group": CRITICAL,
    "incompatible-parameters": CRITICAL, "incompatible-restore": CRITICAL, "insufficient-capacity": CRITICAL,
}, WARNING)


def _read_paged(client, operation: str, key: str, arn_key: str, state_key: str, page_size: int,
                mapping: Callable[[str], Status], resources: list[Watched]) -> dict[str, Observation]:
    wanted = {r.arn for r in resources}
    found: dict[str, Observation] = {}
    for page in client.get_paginator(operation).paginate(PaginationConfig={"PageSize": page_size}):
        for entry in page.get(key, []):
            if entry.get(arn_key) in wanted:
                state = str(entry.get(state_key, ""))
                found[entry[arn_key]] = Observation(state, mapping(state))
    return found


def read_db_instances(client, resources: list[Watched]) -> dict[str, Observation]:
    return _read_paged(client, "describe_db_instances", "DBInstances", "DBInstanceArn", "DBInstanceStatus", 100,
                       DB_STATES, resources)


def read_db_clusters(client, resources: list[Watched]) -> dict[str, Observation]:
    return _read_paged(client, "describe_db_clusters", "DBClusters", "DBClusterArn", "Status", 100, DB_STATES,
                       resources)


# --- ElastiCache: DescribeCacheClusters and DescribeReplicationGroups, 100 a call -----------------

CACHE_STATES = by_table({
    "available": OK, "snapshotting": OK,
    "creating": PENDING, "modifying": PENDING, "rebooting cluster nodes": PENDING,
    "deleting": STOPPED, "deleted": STOPPED,
    "incompatible-network": CRITICAL, "restore-failed": CRITICAL, "create-failed": CRITICAL,
}, WARNING)


def read_cache_clusters(client, resources: list[Watched]) -> dict[str, Observation]:
    return _read_paged(client, "describe_cache_clusters", "CacheClusters", "ARN", "CacheClusterStatus", 100,
                       CACHE_STATES, resources)


def read_replication_groups(client, resources: list[Watched]) -> dict[str, Observation]:
    return _read_paged(client, "describe_replication_groups", "ReplicationGroups", "ARN", "Status", 100,
                       CACHE_STATES, resources)


# --- ECS services: DescribeServices, 10 services of one cluster a call ---------------------------

def service_observation(service: dict) -> Observation:
    status = service.get("status", "")
    running, desired = int(service.get("runningCount") or 0), int(service.get("desiredCount") or 0)
    state = f"{running}/{desired} running"
    if status != "ACTIVE":
        return Observation(status, STOPPED, value=running)
    rolling = any(d.get("rolloutState") == "IN_PROGRESS" for d in service.get("deployments", []))
    if desired == 0:
        return Observation(state, STOPPED, value=running)
    if running >= desired:
        return Observation(state, PENDING if rolling else OK, "deployment in progress" if rolling else "",
                           value=running)
    return Observation(state, CRITICAL if running == 0 else WARNING, f"{desired - running} task(s) missing",
                       value=running)


def read_services(client, resources: list[Watched], map: Callable) -> dict[str, Observation]:
    by_cluster: dict[str, list[str]] = {}
    for resource in resources:
        cluster = resource.attributes.get("clusterArn") or ""
        if cluster:
            by_cluster.setdefault(cluster, []).append(resource.arn)
    batches = [(cluster, arns[start:start + 10]) for cluster, arns in by_cluster.items()
               for start in range(0, len(arns), 10)]

    def one(batch):
        cluster, arns = batch
        return client.describe_services(cluster=cluster, services=arns).get("services", [])

    return {s["serviceArn"]: service_observation(s) for page in map(one, batches) for s in page
            if s.get("serviceArn")}


# --- ECS clusters: DescribeClusters, 100 a call ----------------------------------------------------

ECS_CLUSTER_STATES = by_table({"ACTIVE": OK, "PROVISIONING": PENDING, "DEPROVISIONING": STOPPED,
                               "INACTIVE": STOPPED, "FAILED": CRITICAL}, WARNING)


def read_ecs_clusters(client, resources: list[Watched]) -> dict[str, Observation]:
    arns = [r.arn for r in resources]
    found: dict[str, Observation] = {}
    for start in range(0, len(arns), 100):
        for cluster in client.describe_clusters(clusters=arns[start:start + 100]).get("clusters", []):
            found[cluster["clusterArn"]] = Observation(cluster.get("status", ""),
                                                       ECS_CLUSTER_STATES(cluster.get("status", "")))
    return found


# --- EKS clusters and node groups: DescribeCluster, DescribeNodegroup (no batch form) -------------

EKS_STATES = by_table({"ACTIVE": OK, "CREATING": PENDING, "UPDATING": PENDING, "DELETING": STOPPED,
                       "FAILED": CRITICAL, "CREATE_FAILED": CRITICAL, "DELETE_FAILED": CRITICAL,
                       "DEGRADED": WARNING, "PENDING": PENDING}, WARNING)


def _eks_observation(entry: dict) -> Observation:
    state = entry.get("status", "")
    status = EKS_STATES(state)
    issues = (entry.get("health") or {}).get("issues") or []
    if issues and status == OK:
        status = WARNING
    return Observation(state, status, f"{len(issues)} health issue(s)" if issues else "")


def read_eks_clusters(client, resources: list[Watched], map: Callable) -> dict[str, Observation]:
    def one(resource: Watched):
        try:
            return resource.arn, _eks_observation(client.describe_cluster(name=resource.name)["cluster"])
        except client.exceptions.ResourceNotFoundException:
            return resource.arn, None
    return {arn: observation for arn, observation in map(one, resources) if observation is not None}


def read_nodegroups(client, resources: list[Watched], map: Callable) -> dict[str, Observation]:
    def one(resource: Watched):
        try:
            reply = client.describe_nodegroup(clusterName=resource.attributes.get("clusterName", ""),
                                              nodegroupName=resource.name)
            return resource.arn, _eks_observation(reply["nodegroup"])
        except client.exceptions.ResourceNotFoundException:
            return resource.arn, None
    return {arn: observation for arn, observation in map(one, resources) if observation is not None}


# --- The table ------------------------------------------------------------------------------------

def _dimension(name: str, value: Callable[[Watched], str]) -> Callable[[Watched], list[dict]]:
    return lambda resource: [{"Name": name, "Value": value(resource)}]


def _elb_dimension(resource: Watched) -> list[dict]:
    # CloudWatch names a load balancer by its ARN's tail: app/<name>/<id> or net/<name>/<id>.
    return [{"Name": "LoadBalancer", "Value": resource.arn.split(":loadbalancer/", 1)[-1]}]


def _ecs_service_dimensions(resource: Watched) -> list[dict]:
    cluster = str(resource.attributes.get("clusterArn") or "").rsplit("/", 1)[-1]
    return [{"Name": "ClusterName", "Value": cluster}, {"Name": "ServiceName", "Value": resource.name}]


CPU = "CPUUtilization"


def by_name(resource: Watched) -> str:
    return resource.name


@dataclass(frozen=True)
class Probe:
    client: str                      # boto3 client name
    call: str                        # the IAM action, for the docs
    read: Callable                   # (client, resources[, map]) -> {arn: Observation}
    per_item: bool = False           # read takes `map` (AWS has no batch form)


@dataclass(frozen=True)
class Kind:
    label: str
    probe: Probe
    health: str                      # how the state maps to a ResourceStatus, for the docs
    metric: Metric | None = None


INSTANCES = Probe("ec2", "ec2:DescribeInstanceStatus", read_instances)
GROUPS = Probe("autoscaling", "autoscaling:DescribeAutoScalingGroups", read_groups)
LOAD_BALANCERS = Probe("elbv2", "elasticloadbalancing:DescribeLoadBalancers", read_load_balancers)
TARGET_GROUPS = Probe("elbv2", "elasticloadbalancing:DescribeTargetHealth", read_target_groups, per_item=True)
DB_INSTANCES = Probe("rds", "rds:DescribeDBInstances", read_db_instances)
DB_CLUSTERS = Probe("rds", "rds:DescribeDBClusters", read_db_clusters)
CACHE_CLUSTERS = Probe("elasticache", "elasticache:DescribeCacheClusters", read_cache_clusters)
REPLICATION_GROUPS = Probe("elasticache", "elasticache:DescribeReplicationGroups", read_replication_groups)
ECS_SERVICES = Probe("ecs", "ecs:DescribeServices", read_services, per_item=True)
ECS_CLUSTERS = Probe("ecs", "ecs:DescribeClusters", read_ecs_clusters)
EKS_CLUSTERS = Probe("eks", "eks:DescribeCluster", read_eks_clusters, per_item=True)
NODEGROUPS = Probe("eks", "eks:DescribeNodegroup", read_nodegroups, per_item=True)

DB_HEALTH = ("available, backing-up: OK; creating, starting, modifying, rebooting, upgrading, maintenance: "
             "PENDING; stopping, stopped, deleting: STOPPED; failed, storage-full, incompatible-*, "
             "inaccessible-encryption-credentials: CRITICAL; any other: WARNING")
CACHE_HEALTH = ("available, snapshotting: OK; creating, modifying, rebooting cluster nodes: PENDING; deleting: "
                "STOPPED; create-failed, restore-failed, incompatible-network: CRITICAL; any other: WARNING")
EKS_HEALTH = ("ACTIVE: OK (WARNING with health issues); CREATING, UPDATING: PENDING; DELETING: STOPPED; "
              "*FAILED: CRITICAL; DEGRADED: WARNING")

KINDS: dict[str, Kind] = {
    "AWS::EC2::Instance": Kind(
        "EC2 instance", INSTANCES,
        "running with both status checks ok: OK; a check impaired: CRITICAL; initializing: PENDING; "
        "insufficient-data: WARNING; pending: PENDING; stopping, stopped, shutting-down, terminated: STOPPED",
        Metric(CPU, "Percent", "AWS/EC2", dimensions=_dimension("InstanceId", lambda r: r.last_part))),
    "AWS::AutoScaling::AutoScalingGroup": Kind(
        "Auto Scaling group", GROUPS,
        "healthy InService instances >= desired: OK; fewer: WARNING; none (desired > 0): CRITICAL; "
        "desired 0 or being deleted: STOPPED",
        Metric("InServiceInstances", "Count", source_call="Auto Scaling DescribeAutoScalingGroups, "
                                                          "healthy InService instances")),
    "AWS::ElasticLoadBalancingV2::LoadBalancer": Kind(
        "Load balancer (ALB, NLB)", LOAD_BALANCERS,
        "active: OK; provisioning: PENDING; active_impaired: WARNING; failed: CRITICAL",
        Metric("RequestCount", "Count", "AWS/ApplicationELB", "Sum", _elb_dimension)),
    "AWS::ElasticLoadBalancingV2::TargetGroup": Kind(
        "Target group", TARGET_GROUPS,
        "every target in use healthy: OK; still registering (initial): PENDING; some not healthy: WARNING; "
        "none healthy: CRITICAL; no target in use: WARNING",
        Metric("HealthyTargets", "Count", source_call="ELBv2 DescribeTargetHealth, targets in state healthy")),
    "AWS::RDS::DBInstance": Kind(
        "RDS DB instance", DB_INSTANCES, DB_HEALTH,
        Metric(CPU, "Percent", "AWS/RDS", dimensions=_dimension("DBInstanceIdentifier", by_name))),
    "AWS::DocDB::DBInstance": Kind(
        "DocumentDB instance", DB_INSTANCES, DB_HEALTH,
        Metric(CPU, "Percent", "AWS/DocDB", dimensions=_dimension("DBInstanceIdentifier", by_name))),
    "AWS::Neptune::DBInstance": Kind(
        "Neptune instance", DB_INSTANCES, DB_HEALTH,
        Metric(CPU, "Percent", "AWS/Neptune", dimensions=_dimension("DBInstanceIdentifier", by_name))),
    "AWS::RDS::DBCluster": Kind(
        "RDS DB cluster (Aurora)", DB_CLUSTERS, DB_HEALTH,
        Metric(CPU, "Percent", "AWS/RDS", dimensions=_dimension("DBClusterIdentifier", by_name))),
    "AWS::DocDB::DBCluster": Kind("DocumentDB cluster", DB_CLUSTERS, DB_HEALTH),
    "AWS::Neptune::DBCluster": Kind("Neptune cluster", DB_CLUSTERS, DB_HEALTH),
    "AWS::ElastiCache::CacheCluster": Kind(
        "ElastiCache cluster", CACHE_CLUSTERS, CACHE_HEALTH,
        Metric(CPU, "Percent", "AWS/ElastiCache", dimensions=_dimension("CacheClusterId", by_name))),
    "AWS::ElastiCache::ReplicationGroup": Kind("ElastiCache replication group", REPLICATION_GROUPS, CACHE_HEALTH),
    "AWS::ECS::Cluster": Kind(
        "ECS cluster", ECS_CLUSTERS,
        "ACTIVE: OK; PROVISIONING: PENDING; DEPROVISIONING, INACTIVE: STOPPED; FAILED: CRITICAL",
        Metric(CPU, "Percent", "AWS/ECS", dimensions=_dimension("ClusterName", by_name))),
    "AWS::ECS::Service": Kind(
        "ECS service", ECS_SERVICES,
        "running >= desired: OK (PENDING while a deployment rolls out); fewer: WARNING; none: CRITICAL; "
        "desired 0, DRAINING or INACTIVE: STOPPED",
        Metric(CPU, "Percent", "AWS/ECS", dimensions=_ecs_service_dimensions)),
    "AWS::EKS::Cluster": Kind("EKS cluster", EKS_CLUSTERS, EKS_HEALTH),
    "AWS::EKS::Nodegroup": Kind("EKS node group", NODEGROUPS, EKS_HEALTH),
}

# Network load balancers report flows, not requests.
NLB_METRIC = Metric("ActiveFlowCount", "Count", "AWS/NetworkELB", "Average", _elb_dimension)


def metric_of(resource: Watched) -> Metric | None:
    if resource.type == "AWS::ElasticLoadBalancingV2::LoadBalancer":
        kind = resource.attributes.get("type")
        return NLB_METRIC if kind == "network" else KINDS[resource.type].metric if kind == "application" else None
    return KINDS[resource.type].metric


def markdown_table() -> str:
    """docs/live-status.md's table of what live status shows per component type."""
    rows = ["| Component (type) | State (call) | Health (state -> status) | Key metric (unit, source) |",
            "|---|---|---|---|"]
    for cfn_type, kind in KINDS.items():
        metric = kind.metric
        shown = f"{metric.name} ({metric.unit}; {metric.source})" if metric else "none"
        if cfn_type == "AWS::ElasticLoadBalancingV2::LoadBalancer":
            shown += f"; NLB: {NLB_METRIC.name} ({NLB_METRIC.unit}; {NLB_METRIC.source})"
        rows.append(f"| {kind.label} (`{cfn_type}`) | `{kind.probe.call}` | {kind.health} | {shown} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(markdown_table())
