"""EC2 Auto Scaling groups. Absent fields are stored as null (keep_none, discovery/_spec.py)."""
from __future__ import annotations

from services.collector.discovery._spec import (
    Link,
    Spec,
    at,
    each,
    ec2,
    listing,
    named,
    placed,
    tags_at,
    timestamp,
    unit,
)
from services.collector.model import Scope


def launch_template(group: dict, scope: Scope) -> dict | None:
    """The group's launch template, given directly or through a mixed instances policy."""
    spec = (group.get("LaunchTemplate")
            or group.get("MixedInstancesPolicy", {}).get("LaunchTemplate", {}).get("LaunchTemplateSpecification"))
    if not spec:
        return None
    return {"id": spec.get("LaunchTemplateId"), "name": spec.get("LaunchTemplateName"), "version": spec.get("Version")}


def launch_template_arn(group: dict, scope: Scope) -> str | None:
    template = launch_template(group, scope)
    return scope.ec2_arn("launch-template", template["id"]) if template and template["id"] else None


def subnet_ids(group: dict, scope: Scope) -> list[str]:
    return [s.strip() for s in (group.get("VPCZoneIdentifier") or "").split(",") if s.strip()]


AUTO_SCALING_GROUP = Spec(
    "AWS::AutoScaling::AutoScalingGroup", arn="AutoScalingGroupARN", name="AutoScalingGroupName", tags=tags_at(),
    keep_none=True,
    attributes={
        **named("MinSize", "MaxSize", "DesiredCapacity"),
        "launchTemplate": launch_template,
        # No relationship type fits "launched from": the diagram links the template by its ARN.
        "launchTemplateArn": launch_template_arn,
        "launchConfigurationName": "LaunchConfigurationName",
        "availabilityZones": at("AvailabilityZones", []),
        "subnetIds": subnet_ids,
        "healthCheckType": "HealthCheckType",
        "createdTime": timestamp("CreatedTime"),
    },
    edges=(*placed(subnet_ids),
           Link("member_of", ec2("instance", each("Instances", "InstanceId")), inward=True),
           # The group registers its instances in these target groups and Classic load balancers:
           # they target the group, as a target group targets an ECS service (model.py).
           Link("targets", "TargetGroupARNs", inward=True),
           Link("targets", lambda group, scope: [scope.arn("elasticloadbalancing", f"loadbalancer/{name}")
                                                 for name in group.get("LoadBalancerNames", [])], inward=True)))

UNITS = [
    unit("autoscaling.groups", "autoscaling",
         listing("describe_auto_scaling_groups", "AutoScalingGroups", page_size=100),   # the API's maximum
         AUTO_SCALING_GROUP),
]
