"""Elastic Load Balancing: Classic load balancers (client "elb"), Application, Network and Gateway
load balancers and their target groups (client "elbv2").

Load balancer -targets-> target group comes from DescribeTargetGroups, whose LoadBalancerArns
names every load balancer that forwards to the group (by a listener's default action or by a
rule): no call per load balancer, where DescribeListeners would take one per load balancer and
still miss forwards by rules. The registered targets take DescribeTargetHealth, one call per
target group, as no listing call returns them. Tags come from the tagging API (the sync engine).
"""
from __future__ import annotations

from services.collector.discovery import Context, Unit
from services.collector.discovery._shared import make_item, placement, unless_error
from services.collector.model import Edge, Item, Scope, iso

GONE = ("TargetGroupNotFound",)  # a target group deleted since it was listed


def get_classic_load_balancers(ctx: Context) -> list[dict]:
    return ctx.paginate("describe_load_balancers", "LoadBalancerDescriptions", page_size=400)  # the API's maximum


def transform_classic_load_balancers(balancers: list[dict], scope: Scope) -> list[Item]:
    items = []
    for balancer in balancers:
        name = balancer["LoadBalancerName"]
        arn = scope.arn("elasticloadbalancing", f"loadbalancer/{name}")
        attributes = {
            "type": "classic",
            "scheme": balancer.get("Scheme"),
            "dnsName": balancer.get("DNSName"),
            "canonicalHostedZoneId": balancer.get("CanonicalHostedZoneNameID"),
            "vpcId": balancer.get("VPCId"),
            "availabilityZones": balancer.get("AvailabilityZones", []),
            "listeners": [{
                "protocol": d["Listener"].get("Protocol"),
                "port": d["Listener"].get("LoadBalancerPort"),
                "instanceProtocol": d["Listener"].get("InstanceProtocol"),
                "instancePort": d["Listener"].get("InstancePort"),
            } for d in balancer.get("ListenerDescriptions", [])],
            "createdTime": iso(balancer.get("CreatedTime")),
        }
        edges = placement(scope, arn, balancer.get("Subnets", []), balancer.get("SecurityGroups", []))
        edges += [Edge("targets", arn, scope.ec2_arn("instance", i["InstanceId"]))
                  for i in balancer.get("Instances", [])]
        items.append(make_item(scope, arn, "AWS::ElasticLoadBalancing::LoadBalancer", name, {}, attributes, edges))
    return items


def get_load_balancers(ctx: Context) -> list[dict]:
    return ctx.paginate("describe_load_balancers", "LoadBalancers", page_size=400)  # the API's maximum


def transform_load_balancers(balancers: list[dict], scope: Scope) -> list[Item]:
    items = []
    for balancer in balancers:
        arn = balancer["LoadBalancerArn"]
        zones = balancer.get("AvailabilityZones", [])
        attributes = {
            "type": balancer.get("Type"),  # application, network or gateway
            "scheme": balancer.get("Scheme"),
            "state": balancer.get("State", {}).get("Code"),
            "dnsName": balancer.get("DNSName"),
            "canonicalHostedZoneId": balancer.get("CanonicalHostedZoneId"),
            "vpcId": balancer.get("VpcId"),
            "ipAddressType": balancer.get("IpAddressType"),
            "availabilityZones": [zone.get("ZoneName") for zone in zones],
            "createdTime": iso(balancer.get("CreatedTime")),
        }
        edges = placement(scope, arn, [zone.get("SubnetId") for zone in zones], balancer.get("SecurityGroups", []))
        items.append(make_item(scope, arn, "AWS::ElasticLoadBalancingV2::LoadBalancer", balancer["LoadBalancerName"],
                               {}, attributes, edges))
    return items


def get_target_groups(ctx: Context) -> list[dict]:
    groups = ctx.paginate("describe_target_groups", "TargetGroups", page_size=400)  # the API's maximum

    def with_targets(group: dict) -> dict | None:
        health = unless_error(GONE, ctx.client.describe_target_health, TargetGroupArn=group["TargetGroupArn"])
        if health is None:
            return None
        # The targets only: their health is live status, which is never stored.
        return {"TargetGroup": group, "Targets": [d["Target"] for d in health.get("TargetHealthDescriptions", [])]}

    return [found for found in ctx.map(with_targets, groups) if found is not None]


def _target_arn(target_type: str, target: dict, scope: Scope) -> str | None:
    if target_type == "instance":
        return scope.ec2_arn("instance", target["Id"])
    if target_type in ("lambda", "alb"):
        return target["Id"]  # a function's or an Application Load Balancer's ARN
    return None  # an IP address (an ECS task, a server on premises): no resource to point at


def transform_target_groups(found: list[dict], scope: Scope) -> list[Item]:
    items = []
    for entry in found:
        group, targets = entry["TargetGroup"], entry["Targets"]
        arn = group["TargetGroupArn"]
        target_type = group.get("TargetType", "instance")
        attributes = {
            "targetType": target_type,
            "protocol": group.get("Protocol"),
            "port": group.get("Port"),
            "vpcId": group.get("VpcId"),
            "ipTargets": sorted({t["Id"] for t in targets}) if target_type == "ip" else [],
        }
        edges = [Edge("targets", balancer_arn, arn) for balancer_arn in group.get("LoadBalancerArns", [])]
        target_arns = [_target_arn(target_type, target, scope) for target in targets]
        edges += [Edge("targets", arn, target_arn) for target_arn in target_arns if target_arn]
        items.append(make_item(scope, arn, "AWS::ElasticLoadBalancingV2::TargetGroup", group["TargetGroupName"], {},
                               attributes, edges))
    return items


UNITS = [
    Unit("elb.classic_load_balancers", "elb", ("AWS::ElasticLoadBalancing::LoadBalancer",),
         get_classic_load_balancers, transform_classic_load_balancers),
    Unit("elb.load_balancers", "elbv2", ("AWS::ElasticLoadBalancingV2::LoadBalancer",), get_load_balancers,
         transform_load_balancers),
    Unit("elb.target_groups", "elbv2", ("AWS::ElasticLoadBalancingV2::TargetGroup",), get_target_groups,
         transform_target_groups),
]
