"""Discovery units, one module per AWS service (cartography's model, docs/architecture.md).

A module exposes `UNITS`: each `Unit` pairs a dumb `get` (the paginated AWS calls, returning the
responses' plain data) with a pure `transform` (that data -> `Item`s) and names the CloudFormation
types it produces, which must be declared in services/collector/declarations.py together with
every IAM action `get` calls (a test checks both, so the minimal policy cannot drift). Modules
describe each type with a `Spec` (discovery/_spec.py) and build their units with `unit`, which
makes the transform from the specs:

    VPC = Spec("AWS::EC2::VPC", arn=ec2("vpc", "VpcId"), name=name_tag_or("VpcId"), tags=tags_at(),
               attributes={**named("VpcId", "CidrBlock", "State"), "isDefault": at("IsDefault", False)})

    UNITS = [unit("ec2.vpcs", "ec2", listing("describe_vpcs", "Vpcs", page_size=1000), VPC)]

Rules for `get`:
- Ask for the largest page the API allows: API calls per sync should equal the minimum number of
  pages.
- Never one follow-up call per listed item where a listing call already answers. Where the API
  has no other way (DescribeTable per table, GetQueueAttributes per queue), use `ctx.map`, which
  runs the calls concurrently within the sync's per-service bound.
- Let errors propagate: the engine turns AccessDenied into a visible gap, retries throttling, and
  treats a region that refuses credentials as disabled.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from services.collector.model import Item, Scope

# One module per AWS service, in services/collector/discovery/.
MODULES = (
    "ec2", "autoscaling", "elb", "directconnect",
    "rds", "elasticache", "opensearch", "redshift", "dynamodb", "keyspaces", "timestream", "s3", "efs", "fsx",
    "glacier",
    "lambda_", "apigateway", "cloudfront", "route53", "sns", "sqs", "kinesis", "eventbridge", "ecs", "eks", "ecr",
    "wafv2", "ses",
)


# How operations without a botocore paginator name their continuation token, alike in the request
# and the response (ListEventBuses, ListEmailIdentities, Timestream's listings: NextToken;
# ListWebACLs: NextMarker; Direct Connect: nextToken).
CONTINUATION_TOKENS = ("NextToken", "NextMarker", "nextToken")


def serial_map(fn: Callable[[Any], Any], items: Iterable[Any]) -> list[Any]:
    return [fn(item) for item in items]


class Context:
    """What a unit's `get` works with: a boto3 client for the unit's service in the scope's region,
    the scope, and `map` for unavoidable per-item calls (concurrent when the engine provides it)."""

    def __init__(self, client: Any, scope: Scope, map: Callable = serial_map):
        self.client = client
        self.scope = scope
        self.map = map

    def paginate(self, operation: str, key: str, *, page_size: int | None = None, **params) -> list:
        """Every page of `operation`, with the list under `key` concatenated. `page_size` goes to
        botocore's paginator. An operation botocore cannot paginate is called again for as long
        as its answer gives a continuation token (its page size, if any, is one of `params`,
        under the API's own name): once, for an operation that has none."""
        items: list = []
        if self.client.can_paginate(operation):
            config = {"PageSize": page_size} if page_size else {}
            for page in self.client.get_paginator(operation).paginate(PaginationConfig=config, **params):
                items.extend(page.get(key, []))
            return items
        call = getattr(self.client, operation)
        while True:
            page = call(**params)
            items.extend(page.get(key, []))
            token = next((name for name in CONTINUATION_TOKENS if page.get(name)), None)
            if token is None:
                return items
            params = {**params, token: page[token]}


@dataclass(frozen=True)
class Unit:
    name: str                                   # "<module>.<what>", e.g. "ec2.instances"
    client: str                                 # boto3 client name, e.g. "ec2", "elbv2", "opensearch"
    types: tuple[str, ...]                      # CloudFormation types the transform produces
    get: Callable[[Context], Any]
    transform: Callable[[Any, Scope], list[Item]]
    global_: bool = False                       # once per account (called in GLOBAL_REGION), not per region


# Global services (IAM-like: S3's bucket list, CloudFront, Route 53) answer in us-east-1.
GLOBAL_REGION = "us-east-1"


def all_units() -> list[Unit]:
    return [unit for name in MODULES for unit in importlib.import_module(f"{__name__}.{name}").UNITS]
