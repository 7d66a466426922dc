"""ECS clusters, services and running tasks, in one unit (services and tasks are listed per cluster):
ListClusters + DescribeClusters (100 a call), per cluster ListServices + DescribeServices (10 a
call) and ListTasks + DescribeTasks (100 a call). Each stage's calls run through ctx.map.

Edges: cluster -contains-> service and task; target group -targets-> service (a Classic load
balancer -targets-> service where a service names one); task -member_of-> its service; with
awsvpc networking, subnet -contains-> service and task, and both -secured_by-> the service's
security groups (DescribeTasks names a task's subnet but not its groups; a standalone task's
groups stay unknown).

Budget: Fargate is priced per vCPU and GB, which ECS keeps on the task definition.
Reading task definitions (ecs:DescribeTaskDefinition) would also read their containers'
environment variables, so cloudsketch reads the size from the running tasks instead: each task
has `cpu` (CPU units, 1024 = 1 vCPU) and `memory` (MiB), and a service takes them from one of its
tasks (of its current task definition where one runs) for desiredCount x size.

Never stored: task overrides (they may set environment variables), container details,
deployments and service events (they change by the minute and say nothing a diagram shows).
Tags come from the sync engine's tagging call.
"""
from __future__ import annotations

from services.collector.discovery import Context, Unit
from services.collector.discovery._shared import attributes, chunks, flatten, placement, unless_error
from services.collector.model import Edge, Item, Scope, iso, tags_of

PAGE = 100                     # List*'s maxResults: at most 100
DESCRIBE_CLUSTERS = 100        # DescribeClusters takes up to 100 clusters
DESCRIBE_SERVICES = 10         # DescribeServices up to 10 services
DESCRIBE_TASKS = 100           # DescribeTasks up to 100 tasks
GONE = ("ClusterNotFoundException",)   # the cluster was deleted after it was listed


def get_ecs(ctx: Context) -> dict:
    cluster_arns = ctx.paginate("list_clusters", "clusterArns", page_size=PAGE)
    clusters = flatten(ctx.map(lambda arns: ctx.client.describe_clusters(clusters=arns)["clusters"],
                               chunks(cluster_arns, DESCRIBE_CLUSTERS)))

    def batches(operation: str, key: str, size: int) -> list[tuple[str, list[str]]]:
        """(cluster, up to `size` ARNs to describe), from one paginated listing per cluster."""
        listed = ctx.map(lambda cluster: unless_error(GONE, ctx.paginate, operation, key, default=[],
                                                      page_size=PAGE, cluster=cluster), cluster_arns)
        return [(cluster, batch) for cluster, arns in zip(cluster_arns, listed) for batch in chunks(arns, size)]

    def describe_services(job: tuple[str, list[str]]) -> list[dict]:
        cluster, arns = job
        return unless_error(GONE, ctx.client.describe_services, default={}, cluster=cluster,
                            services=arns).get("services", [])

    def describe_tasks(job: tuple[str, list[str]]) -> list[dict]:
        cluster, arns = job
        return unless_error(GONE, ctx.client.describe_tasks, default={}, cluster=cluster, tasks=arns).get("tasks", [])

    return {"clusters": clusters,
            "services": flatten(ctx.map(describe_services, batches("list_services", "serviceArns", DESCRIBE_SERVICES))),
            "tasks": flatten(ctx.map(describe_tasks, batches("list_tasks", "taskArns", DESCRIBE_TASKS)))}


def units(value: str | None) -> int | str | None:
    """A task's cpu and memory are strings of CPU units and MiB ("256", "512")."""
    return int(value) if value and value.isdigit() else value


def launch_type(service: dict) -> str | None:
    """EC2, FARGATE or EXTERNAL; a service placed by a capacity provider strategy names no launch
    type: FARGATE and FARGATE_SPOT are Fargate, every other provider is an Auto Scaling group."""
    if service.get("launchType"):
        return service["launchType"]
    providers = [p.get("capacityProvider", "") for p in service.get("capacityProviderStrategy") or []]
    if not providers:
        return None
    return "FARGATE" if all(p.startswith("FARGATE") for p in providers) else "EC2"


def awsvpc(resource: dict) -> dict:
    return (resource.get("networkConfiguration") or {}).get("awsvpcConfiguration") or {}


def task_subnets(task: dict) -> list[str]:
    return [detail["value"] for attachment in task.get("attachments") or []
            if attachment.get("type") == "ElasticNetworkInterface"
            for detail in attachment.get("details") or [] if detail.get("name") == "subnetId"]


def service_of(task: dict, services: dict[tuple[str, str], dict]) -> dict | None:
    """The service that started a task: its group is "service:<name>" (standalone tasks:
    "family:<name>")."""
    group = task.get("group") or ""
    return services.get((task["clusterArn"], group.removeprefix("service:"))) if group.startswith("service:") else None


def transform_ecs(raw: dict, scope: Scope) -> list[Item]:
    items = []
    for cluster in raw["clusters"]:
        if cluster.get("status") == "INACTIVE":      # deleted clusters stay describable for a while
            continue
        items.append(Item(
            arn=cluster["clusterArn"], type="AWS::ECS::Cluster", name=cluster["clusterName"], region=scope.region,
            tags=tags_of(cluster.get("tags"), "key", "value"),
            attributes=attributes(status=cluster.get("status"),
                                  capacityProviders=cluster.get("capacityProviders") or None)))

    services = {(s["clusterArn"], s["serviceName"]): s for s in raw["services"] if s.get("status") != "INACTIVE"}
    tasks_of: dict[str, list[dict]] = {}
    for task in raw["tasks"]:
        service = service_of(task, services)
        if service:
            tasks_of.setdefault(service["serviceArn"], []).append(task)

    for service in services.values():
        arn = service["serviceArn"]
        network = awsvpc(service)
        running = tasks_of.get(arn, [])
        sample = next((t for t in running if t.get("taskDefinitionArn") == service.get("taskDefinition")),
                      running[0] if running else {})
        balancers = service.get("loadBalancers") or []
        strategy = service.get("capacityProviderStrategy") or []
        edges = [Edge("contains", service["clusterArn"], arn)]
        edges += [Edge("targets", lb["targetGroupArn"], arn) for lb in balancers if lb.get("targetGroupArn")]
        edges += [Edge("targets", scope.arn("elasticloadbalancing", f"loadbalancer/{lb['loadBalancerName']}"), arn)
                  for lb in balancers if lb.get("loadBalancerName") and not lb.get("targetGroupArn")]
        edges += placement(scope, arn, network.get("subnets") or [], network.get("securityGroups") or [])
        items.append(Item(
            arn=arn, type="AWS::ECS::Service", name=service["serviceName"], region=scope.region,
            tags=tags_of(service.get("tags"), "key", "value"),
            attributes=attributes(
                clusterArn=service["clusterArn"],
                status=service.get("status"),
                launchType=launch_type(service),
                capacityProviders=[p["capacityProvider"] for p in strategy] or None,
                platformVersion=service.get("platformVersion"),
                schedulingStrategy=service.get("schedulingStrategy"),
                desiredCount=service.get("desiredCount"),
                taskDefinition=service.get("taskDefinition"),
                cpu=units(sample.get("cpu")),
                memory=units(sample.get("memory")),
                assignPublicIp=network.get("assignPublicIp"),
                created=iso(service.get("createdAt"))),
            edges=edges))

    for task in raw["tasks"]:
        arn = task["taskArn"]
        service = service_of(task, services)
        subnets = task_subnets(task)
        groups = (awsvpc(service).get("securityGroups") or []) if service and subnets else []
        edges = [Edge("contains", task["clusterArn"], arn)]
        if service:
            edges.append(Edge("member_of", arn, service["serviceArn"]))
        items.append(Item(
            arn=arn, type="AWS::ECS::Task", name=arn.rsplit("/", 1)[-1], region=scope.region,
            tags=tags_of(task.get("tags"), "key", "value"),
            attributes=attributes(
                clusterArn=task["clusterArn"],
                taskDefinition=task.get("taskDefinitionArn"),
                group=task.get("group"),
                launchType=task.get("launchType"),
                capacityProviderName=task.get("capacityProviderName"),
                platformVersion=task.get("platformVersion"),
                cpu=units(task.get("cpu")),
                memory=units(task.get("memory")),
                lastStatus=task.get("lastStatus"),
                availabilityZone=task.get("availabilityZone"),
                started=iso(task.get("startedAt"))),
            edges=edges + placement(scope, arn, subnets, groups)))
    return items


UNITS = [Unit("ecs.clusters", "ecs", ("AWS::ECS::Cluster", "AWS::ECS::Service", "AWS::ECS::Task"),
              get_ecs, transform_ecs)]
