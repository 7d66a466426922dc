"""Shared by the discovery tests (tests/services/collector/test_discovery_*.py): the scope they scan, moto
in-process, and running one discovery unit against it the way the sync engine does, recording the
IAM action behind every API call it made, so tests can check the declarations."""
from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime

import boto3
import pytest
from moto import mock_aws

from services.collector import declarations
from services.collector.discovery import Context, Unit, all_units
from services.collector.model import RELATIONSHIP_TYPES, Item, Scope
from tests.helpers.aws import AWS_TEST_ENV

ACCOUNT = "123456789012"
OTHER_ACCOUNT = "210987654321"
SCOPE = Scope("aws", ACCOUNT, "us-east-1")
HOSTILE = '<script>alert("x")</script> & \'quotes\' "quotes" \u202e'   # names and tags pass through unchanged
SECRET = "hunter2-do-not-store"                                         # must never reach an item

CREATED = datetime(2024, 3, 5, 14, 22, 7, 312000, tzinfo=UTC)
CREATED_ISO = "2024-03-05T14:22:07.312000+00:00"


# Items that connect two others carry the edge between them: an SNS subscription's topic -triggers->
# its endpoint, an event source mapping's source -triggers-> its function.
CONNECTORS = frozenset({"AWS::SNS::Subscription", "AWS::Lambda::EventSourceMapping"})


def subnet_arn(subnet_id: str) -> str:
    return SCOPE.ec2_arn("subnet", subnet_id)


def sg_arn(group_id: str) -> str:
    return SCOPE.ec2_arn("security-group", group_id)


def by_arn(items: list[Item]) -> dict[str, Item]:
    return {item.arn: item for item in items}


# --- IAM actions -------------------------------------------------------------------------------

# boto3 client name -> IAM service prefix, where they differ.
IAM_PREFIX = {
    "efs": "elasticfilesystem", "opensearch": "es", "keyspaces": "cassandra", "resourcegroupstaggingapi": "tag",
    "elbv2": "elasticloadbalancing", "elb": "elasticloadbalancing", "docdb": "rds", "neptune": "rds",
    "timestream-write": "timestream", "timestream-query": "timestream", "apigatewayv2": "apigateway",
    "sesv2": "ses", "wafv2": "wafv2",
}
# Operations whose IAM action is not "<prefix>:<OperationName>".
IAM_ACTION = {
    ("s3", "ListBuckets"): "s3:ListAllMyBuckets",
    ("s3", "GetBucketNotificationConfiguration"): "s3:GetBucketNotification",
    ("keyspaces", "ListKeyspaces"): "cassandra:Select",
    ("keyspaces", "ListTables"): "cassandra:Select",
}


def iam_action(client_name: str, operation: str) -> str:
    if client_name in ("apigateway", "apigatewayv2"):
        return "apigateway:GET"  # API Gateway's IAM actions are HTTP verbs on resource paths
    return IAM_ACTION.get((client_name, operation), f"{IAM_PREFIX.get(client_name, client_name)}:{operation}")


def assert_declared(unit: Unit, actions: list[str]) -> None:
    """Every call the unit made is declared for one of its types, and its types are declared."""
    declared: set[str] = set()
    for cfn_type in unit.types:
        declared.update(declarations.resource_type(cfn_type).api_calls)
    undeclared = sorted(set(actions) - declared)
    assert not undeclared, f"{unit.name} calls {undeclared}, not declared for {unit.types}"


# --- moto in-process ---------------------------------------------------------------------------

@contextmanager
def mocked_aws():
    """A boto3 session in us-east-1 against moto in-process, never a real endpoint. A context
    manager, so that a module-scoped fixture can build one estate for several tests."""
    with pytest.MonkeyPatch.context() as patch:
        for key, value in AWS_TEST_ENV.items():
            patch.setenv(key, value)
        for key in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
            patch.delenv(key, raising=False)
        with mock_aws():
            yield boto3.session.Session(region_name="us-east-1")


# --- Running a unit ----------------------------------------------------------------------------

def run_unit(unit: Unit, client, scope: Scope) -> tuple[list[Item], list[str]]:
    """The unit's items and the IAM actions of the calls it made (one entry per call)."""
    actions: list[str] = []

    def record(model, **_):
        actions.append(iam_action(unit.client, model.name))

    client.meta.events.register("before-call", record)
    try:
        raw = unit.get(Context(client, scope))
    finally:
        client.meta.events.unregister("before-call", record)
    return unit.transform(raw, scope), actions


def transform(unit_name: str, raw, scope: Scope = SCOPE) -> list[Item]:
    """The items that the unit named `unit_name` makes of `raw` (what its `get` returns)."""
    [unit] = [unit for unit in all_units() if unit.name == unit_name]
    return unit.transform(raw, scope)


def run(unit: Unit, client, scope: Scope = SCOPE) -> tuple[dict[str, Item], list[str]]:
    """The unit's get + transform against moto, its calls checked against the declarations and its
    items against what holds for every item: its items by ARN, and the IAM actions of its calls."""
    items, actions = run_unit(unit, client, scope)
    assert actions, f"{unit.name} made no call"
    assert_declared(unit, actions)
    check_items(unit, items, scope)
    return by_arn(items), actions


def page_sizes(unit: Unit, client) -> dict[str, int | None]:
    """`run`, and the page size each operation asked for (None: not paginated)."""
    sizes: dict[str, int | None] = {}

    def record(params, model, **_):
        asked = [params[key] for key in ("MaxResults", "PageSize", "MaxRecords") if key in params]
        sizes[model.name] = asked[0] if asked else None

    client.meta.events.register("provide-client-params", record)
    try:
        run(unit, client)
    finally:
        client.meta.events.unregister("provide-client-params", record)
    return sizes


def check_items(unit: Unit, items: list[Item], scope: Scope = SCOPE) -> None:
    """What holds for every item: one item per ARN, a declared type of the unit, in the scope's
    region unless the unit is global, JSON-safe attributes without secrets, known edge types, and
    edges that start or end at the item."""
    assert len({item.arn for item in items}) == len(items), "one item per ARN"
    for item in items:
        assert item.type in unit.types, (unit.name, item.type)
        assert item.arn.startswith("arn:aws:"), item.arn
        assert unit.global_ or item.region == scope.region, (item.arn, item.region)
        dumped = json.dumps(asdict(item))   # JSON-safe: datetimes made ISO strings
        assert SECRET not in dumped, item.arn
        for edge in item.edges:
            assert edge.type in RELATIONSHIP_TYPES
            assert item.arn in (edge.source, edge.target) or item.type in CONNECTORS, (item.arn, edge)
