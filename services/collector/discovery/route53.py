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

from services.collector.discovery import Context
from services.collector.discovery._shared import unless_error
from services.collector.discovery._spec import (
    Link,
    Spec,
    at,
    const,
    contained_by,
    named,
    nonempty,
    obj,
    state_name,
    unit,
)
from services.collector.model import Scope

ZONES_PAGE = 100      # ListHostedZones' MaxItems: at most 100
RECORDS_PAGE = 300    # ListResourceRecordSets' MaxItems: at most 300
GONE = ("NoSuchHostedZone",)
VALUE_TYPES = ("a", "aaaa", "cname")   # state names
S3_WEBSITE = re.compile(r"s3-website[.-]")   # s3-website-us-east-1.amazonaws.com, s3-website.eu-west-3.amazonaws.com


def get_hosted_zones(ctx: Context) -> list[dict]:
    zones = ctx.paginate("list_hosted_zones", "HostedZones", page_size=ZONES_PAGE)
    records = ctx.map(lambda zone: unless_error(GONE, ctx.paginate, "list_resource_record_sets", "ResourceRecordSets",
                                                page_size=RECORDS_PAGE, HostedZoneId=zone["Id"]), zones)
    return [{"zone": zone, "records": found} for zone, found in zip(zones, records, strict=False) if found is not None]


def zone_id(zone: dict) -> str:
    return zone["Id"].rsplit("/", 1)[-1]            # "/hostedzone/Z123" -> "Z123"


def zone_arn(scope: Scope, zone_id: str) -> str:
    return f"arn:{scope.partition}:route53:::hostedzone/{zone_id}"


def record_arn(record: dict, scope: Scope) -> str:
    arn = f"{zone_arn(scope, record['_zoneId'])}/recordset/{record['Name'].rstrip('.')}/{record['Type']}"
    return f"{arn}/{record['SetIdentifier']}" if record.get("SetIdentifier") else arn


def alias_target(record: dict, scope: Scope) -> str | None:
    """The ARN an alias record points at, where the record determines it."""
    dns_name = (record.get("AliasTarget") or {}).get("DNSName", "").lower()
    if S3_WEBSITE.match(dns_name):
        return f"arn:{scope.partition}:s3:::{record['Name'].rstrip('.')}"
    return None


def zones_and_records(raw: list[dict]) -> list[dict]:
    """Each zone followed by its record sets, all with "_zoneId" and "_type" (which spec describes them)."""
    found = []
    for entry in raw:
        zone = zone_id(entry["zone"])
        found.append({**entry["zone"], "_zoneId": zone, "_type": "zone"})
        found.extend({**record, "_zoneId": zone, "_type": "record"} for record in entry["records"])
    return found


def values(record: dict, scope: Scope) -> list[str] | None:
    if state_name(record["Type"]) not in VALUE_TYPES or record.get("AliasTarget"):
        return None
    return [value["Value"] for value in record.get("ResourceRecords", [])]


def dns_name(path: str):
    return lambda record, scope: record[path].rstrip(".")


def in_zone(record: dict, scope: Scope) -> str:
    """The ARN of the zone a zone or record set is in."""
    return zone_arn(scope, record["_zoneId"])


HOSTED_ZONE = Spec(
    "AWS::Route53::HostedZone", arn=in_zone, name=dns_name("Name"), region=const(""),
    records=zones_and_records, where=lambda record, scope: record["_type"] == "zone",
    attributes={
        "zoneId": "_zoneId",
        "privateZone": at("Config.PrivateZone", False),
        "recordCount": "ResourceRecordSetCount",
    })

RECORD_SET = Spec(
    "AWS::Route53::RecordSet", arn=record_arn, name=dns_name("Name"), region=const(""),
    records=zones_and_records, where=lambda record, scope: record["_type"] == "record",
    attributes={
        "hostedZoneId": "_zoneId",
        "recordType": "Type",
        "ttl": "TTL",
        "setIdentifier": "SetIdentifier",
        "weight": "Weight",
        "latencyRegion": "Region",
        **named("Failover", "GeoLocation", "MultiValueAnswer", "HealthCheckId"),
        "values": values,
        "aliasTarget": obj(nonempty("AliasTarget"), {
            "dnsName": "DNSName",
            "hostedZoneId": "HostedZoneId",
            "evaluateTargetHealth": "EvaluateTargetHealth",
        }),
    },
    edges=(contained_by(in_zone), Link("alias_of", alias_target)))

UNITS = [unit("route53.hosted_zones", "route53", get_hosted_zones, HOSTED_ZONE, RECORD_SET, global_=True)]
