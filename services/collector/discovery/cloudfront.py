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

from services.collector.discovery import Context
from services.collector.discovery._spec import Link, Spec, const, first_of, named, nonempty, objects, timestamp, unit
from services.collector.model import Scope

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


def origin_buckets(distribution: dict, scope: Scope) -> list[str]:
    """The buckets the distribution's S3 origins name (bucket -origin_of-> distribution)."""
    buckets = [s3_bucket(origin.get("DomainName", "")) for origin in ORIGINS(distribution, scope)]
    return [f"arn:{scope.partition}:s3:::{bucket}" for bucket in buckets if bucket]


def web_acl(distribution: dict, scope: Scope) -> str | None:
    """A WAFv2 web ACL's ARN (web ACL -attached_to-> distribution); WAF Classic ids are not discovered."""
    found = distribution.get("WebACLId") or ""
    return found if found.startswith("arn:") else None


ORIGINS = nonempty("Origins.Items", [])
ALIASES = nonempty("Aliases.Items", [])

DISTRIBUTION = Spec(
    "AWS::CloudFront::Distribution", arn="ARN", region=const(""),   # global
    # Named by what people type: its first alternate domain name, else its own.
    name=first_of(lambda distribution, scope: (ALIASES(distribution, scope) or [None])[0], "DomainName", "Id"),
    attributes={
        "id": "Id",
        "domainName": "DomainName",
        "aliases": ALIASES,
        "comment": nonempty("Comment"),
        **named("Status", "Enabled", "PriceClass", "HttpVersion"),
        "ipv6Enabled": "IsIPV6Enabled",
        "webAclId": nonempty("WebACLId"),
        "origins": objects(ORIGINS, {
            "id": "Id",
            "domainName": "DomainName",
            "originPath": nonempty("OriginPath"),
            "s3Bucket": lambda origin, scope: s3_bucket(origin.get("DomainName", "")),
            "vpcOriginId": "VpcOriginConfig.VpcOriginId",
        }),
        "lastModified": timestamp("LastModifiedTime"),
    },
    edges=(Link("origin_of", origin_buckets, inward=True), Link("attached_to", web_acl, inward=True)))

UNITS = [unit("cloudfront.distributions", "cloudfront", get_distributions, DISTRIBUTION, global_=True)]
