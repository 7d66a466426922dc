"""ECS clusters, services and running tasks, in one unit (services and tasks are listed per cluster):
ListClusters + DescribeClusters (100 a call), per cluster ListServices + DescribeServices (10 a
call) and ListTasks + DescribeTasks (100 a call), and DescribeTaskDefinition once per task
definition an active service runs. Each stage's calls run through ctx.map.

Edges: cluster -contains-> service and task; target group -targets-> service (a Classic load
balancer -targets-> service where a service names one); task -member_of-> its service; with
awsvpc networking, subnet -contains-> service and task, and both -secured_by-> the service's
security groups (DescribeTasks names a task's subnet but not its groups; a standalone task's
groups stay unknown).

Budget: Fargate is priced per vCPU and GB, which ECS keeps on the task definition: a service is
priced desiredCount x its task definition's `cpu` (CPU units, 1024 = 1 vCPU) and `memory` (MiB),
so a service is priced before (or without) a running task. DescribeTaskDefinition also answers
the containers' definitions, environment variables included: `get` keeps the task-level `cpu` and
`memory` of each and drops the rest at once, so nothing else of it reaches the transform, the
store or a log. Where a task definition cannot be read (deleted since, or the role lacks
ecs:DescribeTaskDefinition) or names no task-level size, the size comes from one of the service's
running tasks (of its current task definition where one runs), as before.

Never stored: task overrides (they may set environment variables), container details,
deployments and service events (they change by the minute and say nothing a diagram shows).
Tags come from the sync engine's tagging call.
"""
from __future__ import annotations

from services.collector.discovery import Context
from services.collector.discovery._shared import chunks, flatten, unless_error
from services.collector.discovery._spec import (
    Link,
    Spec,
    alive,
    contained_by,
    each,
    has,
    last_part,
    named,
    nonempty,
    placed,
    state_name,
    tags_at,
    timestamp,
    unit,
    value,
)

PAGE = 100                     # List*'s maxResults: at most 100
DESCRIBE_CLUSTERS = 100        # DescribeClusters takes up to 100 clusters
DESCRIBE_SERVICES = 10         # DescribeServices up to 10 services
DESCRIBE_TASKS = 100           # DescribeTasks up to 100 tasks
GONE = ("ClusterNotFoundException",)   # the cluster was deleted after it was listed
# A task definition deregistered and deleted since, or a role without ecs:DescribeTaskDefinition
# (granted before it was declared): the running tasks give the size instead.
DEFINITION_UNREADABLE = ("ClientException", "AccessDeniedException", "AccessDenied")


def get_ecs(ctx: Context) -> dict:
    cluster_arns = ctx.paginate("list_clusters", "clusterArns", page_size=PAGE)
    clusters = flatten(ctx.map(lambda arns: ctx.client.describe_clusters(clusters=arns)["clusters"],
                               chunks(cluster_arns, DESCRIBE_CLUSTERS)))

    def batches(operation: str, key: str, size: int) -> list[tuple[str, list[str]]]:
        """(cluster, up to `size` ARNs to describe), from one paginated listing per cluster."""
        listed = ctx.map(lambda cluster: unless_error(GONE, ctx.paginate, operation, key, default=[],
                                                      page_size=PAGE, cluster=cluster), cluster_arns)
        return [(cluster, batch)
                for cluster, arns in zip(cluster_arns, listed, strict=False) for batch in chunks(arns, size)]

    def describe_services(job: tuple[str, list[str]]) -> list[dict]:
        cluster, arns = job
        return unless_error(GONE, ctx.client.describe_services, default={}, cluster=cluster,
                            services=arns).get("services", [])

    def describe_tasks(job: tuple[str, list[str]]) -> list[dict]:
        cluster, arns = job
        return unless_error(GONE, ctx.client.describe_tasks, default={}, cluster=cluster, tasks=arns).get("tasks", [])

    described = flatten(ctx.map(describe_services, batches("list_services", "serviceArns", DESCRIBE_SERVICES)))
    definitions = sorted({s["taskDefinition"] for s in described if ACTIVE(s, None) and s.get("taskDefinition")})

    def size_of(arn: str) -> dict:
        """The task definition's task-level size; nothing else of the answer is kept."""
        found = unless_error(DEFINITION_UNREADABLE, ctx.client.describe_task_definition, default={},
                             taskDefinition=arn).get("taskDefinition") or {}
        return {key: found[key] for key in ("cpu", "memory") if found.get(key)}

    return {"clusters": clusters, "services": described,
            "tasks": flatten(ctx.map(describe_tasks, batches("list_tasks", "taskArns", DESCRIBE_TASKS))),
            "taskDefinitions": dict(zip(definitions, ctx.map(size_of, definitions), strict=True))}


def units(path: str):
    """A task's cpu and memory are strings of CPU units and MiB ("256", "512")."""
    get = value(path)

    def parsed(record: dict, scope) -> int | str | None:
        found = get(record, scope)
        return int(found) if found and found.isdigit() else found
    return parsed


def launch_type(service: dict, scope) -> str | None:
    """EC2, FARGATE or EXTERNAL; a service placed by a capacity provider strategy names no launch
    type: FARGATE and FARGATE_SPOT are Fargate, every other provider is an Auto Scaling group."""
    if service.get("launchType"):
        return service["launchType"]
    providers = [p.get("capacityProvider", "") for p in service.get("capacityProviderStrategy") or []]
    if not providers:
        return None
    return "FARGATE" if all(state_name(p).startswith("fargate") for p in providers) else "EC2"


AWSVPC = "networkConfiguration.awsvpcConfiguration"
ACTIVE = alive("status", gone={"inactive"})   # deleted clusters and services stay describable for a while


def task_subnets(task: dict) -> list[str]:
    return [detail["value"] for attachment in task.get("attachments") or []
            if state_name(attachment.get("type")) == "elasticnetworkinterface"
            for detail in attachment.get("details") or [] if detail.get("name") == "subnetId"]


def active_services(raw: dict) -> dict[tuple[str, str], dict]:
    return {(s["clusterArn"], s["serviceName"]): s for s in raw["services"] if ACTIVE(s, None)}


def service_of(task: dict, services: dict[tuple[str, str], dict]) -> dict | None:
    """The service that started a task: its group is "service:<name>" (standalone tasks:
    "family:<name>")."""
    group = task.get("group") or ""
    return services.get((task["clusterArn"], group.removeprefix("service:"))) if group.startswith("service:") else None


def services(raw: dict) -> list[dict]:
    """The active services, each with "_size": its task definition's cpu and memory, else one of
    its running tasks' (of its current task definition where one runs)."""
    active = active_services(raw)
    tasks_of: dict[str, list[dict]] = {}
    for task in raw["tasks"]:
        service = service_of(task, active)
        if service:
            tasks_of.setdefault(service["serviceArn"], []).append(task)
    definitions = raw.get("taskDefinitions") or {}
    found = []
    for service in active.values():
        defined = definitions.get(service.get("taskDefinition"), {})
        running = tasks_of.get(service["serviceArn"], [])
        sample = next((t for t in running if t.get("taskDefinitionArn") == service.get("taskDefinition")),
                      running[0] if running else {})
        found.append({**service, "_size": defined if "cpu" in defined and "memory" in defined else sample})
    return found


def tasks(raw: dict) -> list[dict]:
    """The tasks, each with "_service" (the ARN of the service that started it), "_subnets" and
    "_groups" (its service's security groups: DescribeTasks names a task's subnet but not its groups)."""
    active = active_services(raw)
    found = []
    for task in raw["tasks"]:
        service = service_of(task, active)
        subnets = task_subnets(task)
        groups = (value(f"{AWSVPC}.securityGroups")(service, None) or []) if service and subnets else []
        found.append({**task, "_service": service["serviceArn"] if service else None, "_subnets": subnets,
                      "_groups": groups})
    return found


def classic_load_balancers(service: dict, scope) -> list[str]:
    return [scope.arn("elasticloadbalancing", f"loadbalancer/{lb['loadBalancerName']}")
            for lb in service.get("loadBalancers") or [] if lb.get("loadBalancerName") and not lb.get("targetGroupArn")]


CLUSTER = Spec(
    "AWS::ECS::Cluster", arn="clusterArn", name="clusterName", tags=tags_at("tags", "key", "value"),
    records="clusters", where=ACTIVE,
    attributes={"status": "status", "capacityProviders": nonempty("capacityProviders")})

SERVICE = Spec(
    "AWS::ECS::Service", arn="serviceArn", name="serviceName", tags=tags_at("tags", "key", "value"),
    records=services,
    attributes={
        "clusterArn": "clusterArn",
        "status": "status",
        "launchType": launch_type,
        "capacityProviders": nonempty(each("capacityProviderStrategy", "capacityProvider")),
        **named("platformVersion", "schedulingStrategy", "desiredCount", "taskDefinition"),
        "cpu": units("_size.cpu"),
        "memory": units("_size.memory"),
        "assignPublicIp": f"{AWSVPC}.assignPublicIp",
        "created": timestamp("createdAt"),
    },
    edges=(contained_by("clusterArn"),
           Link("targets", each("loadBalancers", "targetGroupArn", where=has("targetGroupArn")), inward=True),
           Link("targets", classic_load_balancers, inward=True),
           *placed(f"{AWSVPC}.subnets", f"{AWSVPC}.securityGroups")))

TASK = Spec(
    "AWS::ECS::Task", arn="taskArn", name=last_part("taskArn", "/"), tags=tags_at("tags", "key", "value"),
    records=tasks,
    attributes={
        "clusterArn": "clusterArn",
        "taskDefinition": "taskDefinitionArn",
        **named("group", "launchType", "capacityProviderName", "platformVersion"),
        "cpu": units("cpu"),
        "memory": units("memory"),
        "lastStatus": "lastStatus",
        "availabilityZone": "availabilityZone",
        "started": timestamp("startedAt"),
    },
    edges=(contained_by("clusterArn"), Link("member_of", "_service"), *placed("_subnets", "_groups")))

UNITS = [unit("ecs.clusters", "ecs", get_ecs, CLUSTER, SERVICE, TASK)]
