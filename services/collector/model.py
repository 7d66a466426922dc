"""The collector's normalised resource, before it becomes a `cloudsketch.common.v1.Resource`.

Discovery modules (services/collector/discovery/) turn AWS responses into `Item`s with pure
functions; the sync engine adds tags from the tagging API, fingerprints each item and publishes
the changes. Only what a blueprint and a budget need goes into an item (docs/architecture.md, "What is
stored"): never a raw response, never a secret (user data, environment variables, passwords).

Containment (docs/architecture.md: account > region > VPC > availability zone > subnet > resource): the
account and the region are the Resource's own `aws_account_id` and `region` fields, so `contains`
edges start at the VPC. A subnet has two parents, its VPC and its availability zone; a resource
placed in subnets is contained by each of them (a load balancer or an Auto Scaling group spans
several).

Edge directions (one convention, so the diagram draws arrows the same way everywhere):
  contains      parent -> child (VPC -> subnet, subnet -> instance, cluster -> service, zone -> record)
  attached_to   the attached thing -> what it is attached to (volume -> instance, gateway -> VPC,
                route table -> subnet, transit gateway attachment -> transit gateway and VPC)
  routes_to     traffic may flow source -> target (route table -> gateway, peering -> each VPC,
                a security group allowing another: allowed group -> protected group)
  targets       load balancer -> target group -> target; ECS service registered in a target group:
                target group -> service
  triggers      event source -> consumer (queue, topic, bucket, stream, rule -> Lambda function)
  origin_of     origin -> CloudFront distribution
  alias_of      Route 53 record -> its alias target
  replica_of    replica -> source
  member_of     member -> group (instance -> Auto Scaling group, DB instance -> DB cluster)
  secured_by    resource -> security group
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

RELATIONSHIP_TYPES = frozenset({"contains", "attached_to", "routes_to", "targets", "triggers", "origin_of",
                                "alias_of", "replica_of", "member_of", "secured_by"})


@dataclass(frozen=True, order=True)
class Edge:
    type: str     # one of RELATIONSHIP_TYPES
    source: str   # ARN
    target: str   # ARN

    def __post_init__(self):
        if self.type not in RELATIONSHIP_TYPES:
            raise ValueError(f"unknown relationship type {self.type!r}")


@dataclass
class Item:
    arn: str
    type: str                                   # CloudFormation type, declared in declarations.py
    name: str = ""
    region: str = ""                            # "" for global resources (S3 buckets are regional: set it)
    tags: dict[str, str] = field(default_factory=dict)
    attributes: dict[str, Any] = field(default_factory=dict)   # JSON-safe values only
    edges: list[Edge] = field(default_factory=list)


@dataclass(frozen=True)
class Scope:
    """Where a discovery unit runs: which partition, AWS account and region (empty for global)."""
    partition: str
    account_id: str
    region: str

    def arn(self, service: str, resource: str, *, region: str | None = None, account: str | None = None) -> str:
        """arn:partition:service:region:account:resource, defaulting to this scope's region and account."""
        return (f"arn:{self.partition}:{service}:{self.region if region is None else region}:"
                f"{self.account_id if account is None else account}:{resource}")

    def ec2_arn(self, kind: str, resource_id: str, *, account: str | None = None) -> str:
        """EC2's ARN form, e.g. ec2_arn("instance", "i-0abc") -> arn:aws:ec2:<region>:<account>:instance/i-0abc.
        Kinds: vpc, subnet, instance, volume, security-group, route-table, internet-gateway, natgateway,
        vpc-endpoint, vpc-peering-connection, transit-gateway, transit-gateway-attachment, vpn-gateway,
        vpn-connection, customer-gateway, network-acl, launch-template, network-interface."""
        return self.arn("ec2", f"{kind}/{resource_id}", account=account)

    def availability_zone_arn(self, zone_name: str) -> str:
        """cloudsketch's synthetic ARN for an availability zone (AWS gives none)."""
        return self.ec2_arn("availability-zone", zone_name)


def tags_of(tag_list: list[dict] | None, key: str = "Key", value: str = "Value") -> dict[str, str]:
    """AWS's [{"Key": k, "Value": v}, ...] (some services spell them differently) as a dict."""
    return {tag[key]: tag.get(value, "") for tag in tag_list or []}


def iso(value: Any) -> Any:
    """A datetime as an ISO 8601 string; anything else unchanged (attributes must be JSON-safe)."""
    return value.isoformat() if hasattr(value, "isoformat") else value
