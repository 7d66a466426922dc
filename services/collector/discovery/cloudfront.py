"""CloudFront distributions (global): ListDistributions, whose summaries carry the origins, aliases,
price class and web ACL, so no per-distribution call is needed.

Origins: an S3 origin names its bucket in its domain (<bucket>.s3.amazonaws.com,
<bucket>.s3.<region>.amazonaws.com, the legacy <bucket>.s3-<region>.amazonaws.com, or a website
endpoint <bucket>.s3-website[-.]<region>.amazonaws.com), so bucket -origin_of-> distribution is
drawn here. A load balancer, API Gateway or any other custom origin is known only by its DNS
name, which does not determine an ARN: every origin's domain is kept in the attributes
(`origins`), and resolving load balancer DNS names (their items keep `dnsName`) is left to the
engine, which sees both lists.

A distribution protected by AWS WAF names its web ACL (WebACLId: a WAFv2 web ACL's ARN, or a WAF
Classic id, which cloudsketch does not discover): web ACL -attached_to-> distribution is drawn
here, because wafv2:ListResourcesForWebACL does not answer for CloudFront.

Never stored: origin custom headers (they often carry the shared secret an origin checks).
"""
from __future__ import annotations

import re

from services.collector.discovery import Context, Unit
from services.collector.discovery._shared import attributes
from services.collector.model import Edge, Item, Scope, iso

PAGE = 100   # ListDistributions' MaxItems: at most 100

S3_ORIGIN = re.compile(
    r"(?P<bucket>[a-z0-9][a-z0-9.-]*?)\.s3(?:-website)?(?:[.-](?:dualstack\.)?[a-z]{2}(?:-gov)?-[a-z]+-\d)?"
    r"\.amazonaws\.com(?:\.cn)?")


def get_distributions(ctx: Context) -> list[dict]:
    # ctx.paginate reads a top-level key; CloudFront nests its list in DistributionList.
    distributions: list[dict] = []
    for page in ctx.client.get_paginator("list_distributions").paginate(PaginationConfig={"PageSize": PAGE}):
        distributions.extend((page.get("DistributionList") or {}).get("Items") or [])
    return distributions


def s3_bucket(domain: str) -> str | None:
    match = S3_ORIGIN.fullmatch(domain.lower().rstrip("."))
    return match["bucket"] if match else None


def transform_distributions(distributions: list[dict], scope: Scope) -> list[Item]:
    items = []
    for distribution in distributions:
        arn = distribution["ARN"]
        origins = (distribution.get("Origins") or {}).get("Items") or []
        buckets = {origin["Id"]: s3_bucket(origin.get("DomainName", "")) for origin in origins}
        aliases = (distribution.get("Aliases") or {}).get("Items") or []
        web_acl = distribution.get("WebACLId") or ""
        edges = [Edge("origin_of", f"arn:{scope.partition}:s3:::{bucket}", arn)
                 for bucket in dict.fromkeys(buckets.values()) if bucket]
        if web_acl.startswith("arn:"):
            edges.append(Edge("attached_to", web_acl, arn))
        items.append(Item(
            # Named by what people type: its first alternate domain name, else its own.
            arn=arn, type="AWS::CloudFront::Distribution",
            name=aliases[0] if aliases else distribution.get("DomainName") or distribution["Id"],
            region="",  # global
            attributes=attributes(
                id=distribution["Id"],
                domainName=distribution.get("DomainName"),
                aliases=aliases,
                comment=distribution.get("Comment") or None,
                status=distribution.get("Status"),
                enabled=distribution.get("Enabled"),
                priceClass=distribution.get("PriceClass"),
                httpVersion=distribution.get("HttpVersion"),
                ipv6Enabled=distribution.get("IsIPV6Enabled"),
                webAclId=web_acl or None,
                origins=[attributes(
                    id=origin["Id"],
                    domainName=origin.get("DomainName"),
                    originPath=origin.get("OriginPath") or None,
                    s3Bucket=buckets[origin["Id"]],
                    vpcOriginId=(origin.get("VpcOriginConfig") or {}).get("VpcOriginId"),
                ) for origin in origins],
                lastModified=iso(distribution.get("LastModifiedTime"))),
            edges=edges))
    return items


UNITS = [Unit("cloudfront.distributions", "cloudfront", ("AWS::CloudFront::Distribution",),
              get_distributions, transform_distributions, global_=True)]
