"""Elastic Load Balancing: Classic load balancers (client "elb"), Application, Network and Gateway
load balancers and their target groups (client "elbv2").

Load balancer -targets-> target group comes from DescribeTargetGroups, whose LoadBalancerArns
names every load balancer that forwards to the group (by a listener's default action or by a
rule): no call per load balancer, where DescribeListeners would take one per load balancer and
still miss forwards by rules. The registered targets take DescribeTargetHealth, one call per
target group, as no listing call returns them. Tags come from the tagging API (the sync engine).
Absent fields are stored as null (keep_none, discovery/_spec.py).
"""
from __future__ import annotations

from services.collector.discovery import Context
from services.collector.discovery._shared import unless_error
from services.collector.discovery._spec import (
    Link,
    Spec,
    arn_in,
    at,
    const,
    each,
    ec2,
    listing,
    named,
    objects,
    placed,
    state_name,
    timestamp,
    unit,
)
from services.collector.model import Scope

GONE = ("TargetGroupNotFound",)  # a target group deleted since it was listed
PAGE = 400                       # the API's maximum

CLASSIC_LOAD_BALANCER = Spec(
    "AWS::ElasticLoadBalancing::LoadBalancer", arn=arn_in("elasticloadbalancing", "loadbalancer/{LoadBalancerName}"),
    name="LoadBalancerName", keep_none=True,
    attributes={
        "type": const("classic"),
        "scheme": "Scheme",
        "dnsName": "DNSName",
        "canonicalHostedZoneId": "CanonicalHostedZoneNameID",
        "vpcId": "VPCId",
        "availabilityZones": at("AvailabilityZones", []),
        "listeners": objects("ListenerDescriptions", {
            "protocol": "Listener.Protocol",
            "port": "Listener.LoadBalancerPort",
            "instanceProtocol": "Listener.InstanceProtocol",
            "instancePort": "Listener.InstancePort",
        }, keep_none=True),
        "createdTime": timestamp("CreatedTime"),
    },
    edges=(*placed(at("Subnets", []), at("SecurityGroups", [])),
           Link("targets", ec2("instance", each("Instances", "InstanceId")))))

LOAD_BALANCER = Spec(
    "AWS::ElasticLoadBalancingV2::LoadBalancer", arn="LoadBalancerArn", name="LoadBalancerName", keep_none=True,
    attributes={
        "type": "Type",  # application, network or gateway
        "scheme": "Scheme",
        "state": "State.Code",
        "dnsName": "DNSName",
        **named("CanonicalHostedZoneId", "VpcId", "IpAddressType"),
        "availabilityZones": lambda balancer, scope: [zone.get("ZoneName")
                                                      for zone in balancer.get("AvailabilityZones", [])],
        "createdTime": timestamp("CreatedTime"),
    },
    edges=placed(lambda balancer, scope: [zone.get("SubnetId") for zone in balancer.get("AvailabilityZones", [])],
                 at("SecurityGroups", [])))


def get_target_groups(ctx: Context) -> list[dict]:
    groups = ctx.paginate("describe_target_groups", "TargetGroups", page_size=PAGE)

    def with_targets(group: dict) -> dict | None:
        health = unless_error(GONE, ctx.client.describe_target_health, TargetGroupArn=group["TargetGroupArn"])
        if health is None:
            return None
        # The targets only: their health is live status, which is never stored.
        return {"TargetGroup": group, "Targets": [d["Target"] for d in health.get("TargetHealthDescriptions", [])]}

    return [found for found in ctx.map(with_targets, groups) if found is not None]


def target_type(entry: dict) -> str:
    return entry["TargetGroup"].get("TargetType", "instance")


def targeting(entry: dict) -> str:
    """The target type's name (state_name): instance, ip, lambda or alb."""
    return state_name(target_type(entry))


def targets(entry: dict, scope: Scope) -> list[str | None]:
    kind = targeting(entry)
    if kind == "instance":
        return [scope.ec2_arn("instance", target["Id"]) for target in entry["Targets"]]
    if kind in ("lambda", "alb"):
        return [target["Id"] for target in entry["Targets"]]  # a function's or an Application Load Balancer's ARN
    return []  # IP addresses (an ECS task, a server on premises): no resource to point at


TARGET_GROUP = Spec(
    "AWS::ElasticLoadBalancingV2::TargetGroup", arn="TargetGroup.TargetGroupArn", name="TargetGroup.TargetGroupName",
    keep_none=True,
    attributes={
        "targetType": lambda entry, scope: target_type(entry),
        **named("TargetGroup.Protocol", "TargetGroup.Port", "TargetGroup.VpcId"),
        "ipTargets": lambda entry, scope: (sorted({t["Id"] for t in entry["Targets"]})
                                           if targeting(entry) == "ip" else []),
    },
    edges=(Link("targets", at("TargetGroup.LoadBalancerArns", []), inward=True), Link("targets", targets)))

UNITS = [
    unit("elb.classic_load_balancers", "elb", listing("describe_load_balancers", "LoadBalancerDescriptions",
                                                      page_size=PAGE), CLASSIC_LOAD_BALANCER),
    unit("elb.load_balancers", "elbv2", listing("describe_load_balancers", "LoadBalancers", page_size=PAGE),
         LOAD_BALANCER),
    unit("elb.target_groups", "elbv2", get_target_groups, TARGET_GROUP),
]
