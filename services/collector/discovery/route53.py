"""Route 53 hosted zones and their record sets (global): ListHostedZones, then
ListResourceRecordSets per zone (no call lists the records of several zones).

The budget prices each hosted zone; the diagram draws zone -contains-> record and, where an alias
target's ARN follows from the record, record -alias_of-> target. Only an S3 website alias does:
its bucket must be named like the record. The DNS name of a CloudFront, load balancer or API
Gateway alias determines no ARN; it is kept in the attributes (`aliasTarget`) for the engine to
match against the distributions' `domainName` and the load balancers' `dnsName`.

Record sets have no ARN; cloudsketch names them
arn:<partition>:route53:::hostedzone/<zone id>/recordset/<name>/<type>[/<set identifier>]
(the name without its final dot, as Route 53 returns it otherwise, e.g. \\052 for *).

Values are kept for A, AAAA and CNAME records only: they point at resources; other types' values
(TXT above all: verification tokens, DKIM keys) are not needed for a diagram.
"""
from __future__ import annotations

import re

from services.collector.discovery import Context, Unit
from services.collector.discovery._shared import attributes, unless_error
from services.collector.model import Edge, Item, Scope

ZONES_PAGE = 100      # ListHostedZones' MaxItems: at most 100
RECORDS_PAGE = 300    # ListResourceRecordSets' MaxItems: at most 300
GONE = ("NoSuchHostedZone",)
VALUE_TYPES = ("A", "AAAA", "CNAME")
S3_WEBSITE = re.compile(r"s3-website[.-]")   # s3-website-us-east-1.amazonaws.com, s3-website.eu-west-3.amazonaws.com


def get_hosted_zones(ctx: Context) -> list[dict]:
    zones = ctx.paginate("list_hosted_zones", "HostedZones", page_size=ZONES_PAGE)
    records = ctx.map(lambda zone: unless_error(GONE, ctx.paginate, "list_resource_record_sets", "ResourceRecordSets",
                                                page_size=RECORDS_PAGE, HostedZoneId=zone["Id"]), zones)
    return [{"zone": zone, "records": found} for zone, found in zip(zones, records) if found is not None]


def zone_arn(scope: Scope, zone_id: str) -> str:
    return f"arn:{scope.partition}:route53:::hostedzone/{zone_id}"


def record_arn(scope: Scope, zone_id: str, record: dict) -> str:
    arn = f"{zone_arn(scope, zone_id)}/recordset/{record['Name'].rstrip('.')}/{record['Type']}"
    return f"{arn}/{record['SetIdentifier']}" if record.get("SetIdentifier") else arn


def alias_target(scope: Scope, record: dict) -> str | None:
    """The ARN an alias record points at, where the record determines it."""
    dns_name = (record.get("AliasTarget") or {}).get("DNSName", "").lower()
    if S3_WEBSITE.match(dns_name):
        return f"arn:{scope.partition}:s3:::{record['Name'].rstrip('.')}"
    return None


def transform_hosted_zones(raw: list[dict], scope: Scope) -> list[Item]:
    items = []
    for entry in raw:
        zone = entry["zone"]
        zone_id = zone["Id"].rsplit("/", 1)[-1]            # "/hostedzone/Z123" -> "Z123"
        arn = zone_arn(scope, zone_id)
        items.append(Item(
            arn=arn, type="AWS::Route53::HostedZone", name=zone["Name"].rstrip("."), region="",
            attributes=attributes(
                zoneId=zone_id,
                privateZone=(zone.get("Config") or {}).get("PrivateZone", False),
                recordCount=zone.get("ResourceRecordSetCount"))))
        for record in entry["records"]:
            record_id = record_arn(scope, zone_id, record)
            alias = record.get("AliasTarget")
            target = alias_target(scope, record)
            items.append(Item(
                arn=record_id, type="AWS::Route53::RecordSet", name=record["Name"].rstrip("."), region="",
                attributes=attributes(
                    hostedZoneId=zone_id,
                    recordType=record["Type"],
                    ttl=record.get("TTL"),
                    setIdentifier=record.get("SetIdentifier"),
                    weight=record.get("Weight"),
                    latencyRegion=record.get("Region"),
                    failover=record.get("Failover"),
                    geoLocation=record.get("GeoLocation"),
                    multiValueAnswer=record.get("MultiValueAnswer"),
                    healthCheckId=record.get("HealthCheckId"),
                    values=([value["Value"] for value in record.get("ResourceRecords", [])]
                            if record["Type"] in VALUE_TYPES and not alias else None),
                    aliasTarget=attributes(
                        dnsName=alias.get("DNSName"),
                        hostedZoneId=alias.get("HostedZoneId"),
                        evaluateTargetHealth=alias.get("EvaluateTargetHealth")) if alias else None),
                edges=[Edge("contains", arn, record_id)] + ([Edge("alias_of", record_id, target)] if target else [])))
    return items


UNITS = [Unit("route53.hosted_zones", "route53", ("AWS::Route53::HostedZone", "AWS::Route53::RecordSet"),
              get_hosted_zones, transform_hosted_zones, global_=True)]
