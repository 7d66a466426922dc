"""EC2 Auto Scaling groups."""
from __future__ import annotations

from services.collector.discovery import Context, Unit
from services.collector.discovery._shared import make_item, placement
from services.collector.model import Edge, Item, Scope, iso, tags_of


def get_auto_scaling_groups(ctx: Context) -> list[dict]:
    return ctx.paginate("describe_auto_scaling_groups", "AutoScalingGroups", page_size=100)  # the API's maximum


def _launch_template(group: dict) -> dict | None:
    """The group's launch template, given directly or through a mixed instances policy."""
    spec = (group.get("LaunchTemplate")
            or group.get("MixedInstancesPolicy", {}).get("LaunchTemplate", {}).get("LaunchTemplateSpecification"))
    if not spec:
        return None
    return {"id": spec.get("LaunchTemplateId"), "name": spec.get("LaunchTemplateName"), "version": spec.get("Version")}


def transform_auto_scaling_groups(groups: list[dict], scope: Scope) -> list[Item]:
    items = []
    for group in groups:
        arn = group["AutoScalingGroupARN"]
        template = _launch_template(group)
        subnet_ids = [s.strip() for s in (group.get("VPCZoneIdentifier") or "").split(",") if s.strip()]
        attributes = {
            "minSize": group.get("MinSize"),
            "maxSize": group.get("MaxSize"),
            "desiredCapacity": group.get("DesiredCapacity"),
            "launchTemplate": template,
            # No relationship type fits "launched from": the diagram links the template by its ARN.
            "launchTemplateArn": (scope.ec2_arn("launch-template", template["id"])
                                  if template and template["id"] else None),
            "launchConfigurationName": group.get("LaunchConfigurationName"),
            "availabilityZones": group.get("AvailabilityZones", []),
            "subnetIds": subnet_ids,
            "healthCheckType": group.get("HealthCheckType"),
            "createdTime": iso(group.get("CreatedTime")),
        }
        edges = placement(scope, arn, subnet_ids)
        edges += [Edge("member_of", scope.ec2_arn("instance", i["InstanceId"]), arn)
                  for i in group.get("Instances", [])]
        # The group registers its instances in these target groups and Classic load balancers:
        # they target the group, as a target group targets an ECS service (model.py).
        edges += [Edge("targets", target_group_arn, arn) for target_group_arn in group.get("TargetGroupARNs", [])]
        edges += [Edge("targets", scope.arn("elasticloadbalancing", f"loadbalancer/{name}"), arn)
                  for name in group.get("LoadBalancerNames", [])]
        items.append(make_item(scope, arn, "AWS::AutoScaling::AutoScalingGroup", group["AutoScalingGroupName"],
                               tags_of(group.get("Tags")), attributes, edges))
    return items


UNITS = [
    Unit("autoscaling.groups", "autoscaling", ("AWS::AutoScaling::AutoScalingGroup",), get_auto_scaling_groups,
         transform_auto_scaling_groups),
]
