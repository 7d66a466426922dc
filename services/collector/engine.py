"""Discovery of one account-region: every unit concurrently, errors turned into gaps, tags
merged; and the links across regions that AWS gives only as DNS names. Knows nothing of the
database or the bus (services/collector/
sync.py does); tests run it directly against moto.

Concurrency: one green thread per unit, and `Context.map` fans unavoidable per-item calls out
into green threads too; the session bounds the calls in flight per account and per
service-region. Errors (docs/collector.md): throttling that outlasts botocore's retries is
retried here with backoff and never fails a sync; AccessDenied (an SCP, a narrower policy) on one
service becomes a visible gap and the rest goes on; a region that refuses the credentials is
disabled for the account: one gap, and none of its units run.
"""
from __future__ import annotations

import hashlib
import html
import json
import logging
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import eventlet
from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserError

from services.collector import declarations
from services.collector.discovery import GLOBAL_REGION, Context, Unit
from services.collector.model import Edge, Item, Scope
from services.collector.session import ACCESS_DENIED, EXPIRED, REGION_DISABLED, THROTTLED, AccountSession

log = logging.getLogger(__name__)

# After botocore's own retries (standard mode, 6 attempts): more rounds with longer pauses, so
# that a burst of throttling slows a sync down instead of failing it.
UNIT_ATTEMPTS = 5
BACKOFF_SECONDS = 2.0
MAP_WIDTH = 8   # green threads per Context.map; the session's semaphores bound the calls

PROBE_TYPE = "AWS::EC2::AvailabilityZone"   # the first call in a region tells if it is enabled


@dataclass
class Gap:
    region: str
    service: str        # IAM service prefix, e.g. "rds"
    reason: str         # access_denied, region_disabled, throttled, error
    message: str        # one line for people: what, AWS's error code, its reason (never a response body)
    unit: str = ""      # the discovery unit that failed ("" for a whole region, "tags" for the tagging API)
    code: str = ""      # AWS's error code
    detail: str = ""    # AWS's reason, one line


TAG = re.compile(r"<[^>]*>")
MAX_REASON = 160


def one_line(text: str) -> str:
    """A reason people can read: markup stripped, the first line, at most MAX_REASON characters.
    AWS error messages and botocore's errors may carry whole response bodies (an HTML error page)."""
    text = html.unescape(TAG.sub(" ", text))
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    line = " ".join(line.split())
    return line if len(line) <= MAX_REASON else line[:MAX_REASON - 1] + "…"


def failure_reason(exc: BaseException) -> tuple[str, str]:
    """(AWS's error code, a one-line reason) for an AWS call that failed."""
    if isinstance(exc, ClientError):
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return error_code(exc), one_line(_message(exc)) or (f"HTTP {status}" if status else "no reason given")
    if isinstance(exc, ResponseParserError):
        return "", "the endpoint answered with something that is not an AWS response (an HTTP error page?)"
    return "", one_line(str(exc)) or type(exc).__name__


def gap_for(region: str, service: str, reason: str, unit: str, exc: BaseException) -> Gap:
    """The gap of a failed call: one line in the gap, the raw detail in the log only."""
    code, detail = failure_reason(exc)
    log.info("discovery call failed", extra={"unit": unit, "region": region, "code": code, "raw": str(exc)[:4000]})
    return Gap(region, service, reason, f"{unit}: {code + ': ' if code else ''}{detail}", unit, code, detail)


@dataclass
class Found:
    """One discovered resource with the unit that found it and its fingerprint."""
    item: Item
    unit: str
    fingerprint: str


@dataclass
class RegionResult:
    region: str                                   # "" for global discovery
    found: dict[str, Found] = field(default_factory=dict)    # by ARN
    gaps: list[Gap] = field(default_factory=list)
    failed_units: set[str] = field(default_factory=set)      # their stored resources must be kept
    disabled: bool = False


def fingerprint(item: Item) -> str:
    """Hex SHA-256 of everything a consumer sees, in a canonical order."""
    canonical = [item.type, item.name, item.region, sorted(item.tags.items()), item.attributes,
                 sorted((e.type, e.source, e.target) for e in item.edges)]
    return hashlib.sha256(json.dumps(canonical, sort_keys=True, separators=(",", ":"), default=str)
                          .encode()).hexdigest()


def error_code(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", ""))
    return ""


def iam_service(unit: Unit) -> str:
    return declarations.resource_type(unit.types[0]).service


def green_map(fn: Callable, items) -> list:
    pool = eventlet.GreenPool(MAP_WIDTH)
    return list(pool.imap(fn, items))


class UnitFailed(Exception):
    def __init__(self, gap: Gap):
        super().__init__(gap.message)
        self.gap = gap


def run_unit(unit: Unit, session: AccountSession, scope: Scope, sleep: Callable = eventlet.sleep) -> list[Item]:
    """The unit's items; UnitFailed with the gap to record when it cannot be discovered."""
    region = scope.region or GLOBAL_REGION
    service = iam_service(unit)
    for attempt in range(1, UNIT_ATTEMPTS + 1):
        try:
            raw = unit.get(Context(session.client(unit.client, region), scope, map=green_map))
            return unit.transform(raw, scope)
        except ClientError as exc:
            code = error_code(exc)
            if code in THROTTLED and attempt < UNIT_ATTEMPTS:
                # Full jitter, so that the units that were throttled together do not retry together.
                sleep(random.uniform(0, BACKOFF_SECONDS * 2 ** attempt))
                continue
            if code in EXPIRED and attempt < UNIT_ATTEMPTS:
                session.refresh()
                continue
            reason = ("access_denied" if code in ACCESS_DENIED else "region_disabled" if code in REGION_DISABLED
                      else "throttled" if code in THROTTLED else "error")
            raise UnitFailed(gap_for(scope.region, service, reason, unit.name, exc)) from exc
        except (BotoCoreError, ResponseParserError) as exc:   # unreachable, timeouts after retries, garbage
            raise UnitFailed(gap_for(scope.region, service, "error", unit.name, exc)) from exc
    raise AssertionError("unreachable")


def _message(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Message", ""))[:4000]


# The global services whose listings carry no tags (S3's unit reads its buckets' own). Asked for
# by type: an unfiltered call in us-east-1 would repeat that region's own call page for page.
TAGS_UNIT = "tags"   # the gap's unit when tag:GetResources fails
GLOBAL_TAGGED_TYPES = ["cloudfront:distribution", "route53:hostedzone"]


def get_tag_map(session: AccountSession, scope: Scope) -> dict[str, dict[str, str]]:
    """Tagged resources' tags in one paginated call (tag:GetResources): every resource of a
    region, or the global services' (called in us-east-1)."""
    client = session.client("resourcegroupstaggingapi", scope.region or GLOBAL_REGION)
    filters = {} if scope.region else {"ResourceTypeFilters": GLOBAL_TAGGED_TYPES}
    tags: dict[str, dict[str, str]] = {}
    for page in client.get_paginator("get_resources").paginate(ResourcesPerPage=100, **filters):
        for mapping in page.get("ResourceTagMappingList", []):
            tags[mapping["ResourceARN"]] = {t["Key"]: t.get("Value", "") for t in mapping.get("Tags", [])}
    return tags


def discover_region(session: AccountSession, scope: Scope, units: list[Unit],
                    on_unit_done: Callable[[], None] = lambda: None) -> RegionResult:
    """Run `units` in `scope` (a region, or "" for the global units) concurrently."""
    result = RegionResult(scope.region)
    pending = list(units)
    probe = next((u for u in pending if PROBE_TYPE in u.types), None)
    if probe is not None:
        pending.remove(probe)
        try:
            _collect(result, probe, run_unit(probe, session, scope))
        except UnitFailed as failed:
            if failed.gap.reason == "region_disabled":
                result.disabled = True
                result.gaps.append(Gap(scope.region, "*", "region_disabled",
                                       f"the region refused the role's credentials: is it enabled for the account? "
                                       f"({failed.gap.code or failed.gap.detail})", "", failed.gap.code,
                                       failed.gap.detail))
                for _ in units:
                    on_unit_done()
                return result
            result.gaps.append(failed.gap)
            result.failed_units.add(probe.name)
        on_unit_done()

    def run(unit: Unit):
        try:
            return unit, run_unit(unit, session, scope), None
        except UnitFailed as failed:
            return unit, None, failed.gap
        except Exception as exc:  # a bug in a transform must not cost the rest of the sync
            log.exception("discovery unit failed", extra={"unit": unit.name, "region": scope.region})
            return unit, None, Gap(scope.region, iam_service(unit), "error", f"{unit.name}: {type(exc).__name__}",
                                   unit.name, "", type(exc).__name__)
        finally:
            on_unit_done()

    tag_map: dict[str, dict[str, str]] = {}

    def tags():
        try:
            tag_map.update(get_tag_map(session, scope))
        except (ClientError, BotoCoreError) as exc:
            # Without the tagging API resources keep the tags their own listing returned.
            result.gaps.append(gap_for(scope.region, "tag", "access_denied" if error_code(exc) in ACCESS_DENIED
                                       else "error", TAGS_UNIT, exc))

    pool = eventlet.GreenPool(len(pending) + 1)
    tagger = pool.spawn(tags) if pending else None
    for unit, items, gap in pool.imap(run, pending):
        if gap is not None:
            result.gaps.append(gap)
            result.failed_units.add(unit.name)
        else:
            _collect(result, unit, items)
    if tagger is not None:
        tagger.wait()
    for found in result.found.values():
        if not found.item.tags and found.item.arn in tag_map:
            found.item.tags = tag_map[found.item.arn]
    return result


# What a DNS name can point at, by the attribute that holds the resource's own DNS name.
DNS_NAMED = {"AWS::ElasticLoadBalancing::LoadBalancer": "dnsName",
             "AWS::ElasticLoadBalancingV2::LoadBalancer": "dnsName",
             "AWS::CloudFront::Distribution": "domainName"}


def _dns_key(name: str | None) -> str:
    # Route 53 aliases name load balancers as "dualstack.<dns name>." in any case.
    return (name or "").lower().rstrip(".").removeprefix("dualstack.")


def link_by_dns_name(items: list[Item]) -> None:
    """Edges AWS gives only as DNS names, across every region of the account: a load balancer
    -origin_of-> the CloudFront distribution using it, a Route 53 alias record -alias_of-> the
    load balancer or distribution it names."""
    by_name = {_dns_key(item.attributes.get(attribute)): item.arn
               for item in items if (attribute := DNS_NAMED.get(item.type)) and item.attributes.get(attribute)}
    for item in items:
        if item.type == "AWS::CloudFront::Distribution":
            links = [Edge("origin_of", by_name[key], item.arn) for origin in item.attributes.get("origins") or []
                     if (key := _dns_key(origin.get("domainName"))) in by_name]
        elif item.type == "AWS::Route53::RecordSet":
            target = by_name.get(_dns_key((item.attributes.get("aliasTarget") or {}).get("dnsName")))
            links = [Edge("alias_of", item.arn, target)] if target else []
        else:
            continue
        item.edges.extend(edge for edge in links if edge not in item.edges)


def _collect(result: RegionResult, unit: Unit, items: list[Item]) -> None:
    for item in items:
        result.found[item.arn] = Found(item, unit.name, "")
