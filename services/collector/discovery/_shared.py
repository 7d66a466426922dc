"""Helpers shared by the discovery modules' `get`s and values: the calls that tolerate an item
deleted between its listing and its description, batches, subnet-group joins, Lambda ARNs.
Pagination is `Context.paginate` (discovery/__init__.py); describing items is discovery/_spec.py.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from botocore.exceptions import ClientError

# --- ARNs --------------------------------------------------------------------------------------


def function_arn(arn: str) -> str:
    """The unqualified ARN of a Lambda function, where an ARN names one of its versions or aliases
    (arn:aws:lambda:region:account:function:name:qualifier), so that every edge meets the function
    item. Other ARNs are returned unchanged."""
    parts = arn.split(":")
    if len(parts) > 7 and parts[2] == "lambda" and parts[5] == "function":
        return ":".join(parts[:7])
    return arn


# --- Calls -------------------------------------------------------------------------------------


def unless_error(codes: tuple[str, ...], call: Callable[..., Any], *args: Any, default: Any = None,
                 **kwargs: Any) -> Any:
    """call(*args, **kwargs), or `default` when AWS answers with one of the error `codes`: for a
    per-item call whose item was deleted since it was listed (the rest of the listing still
    counts), or an error that only means "none" (S3's NoSuchTagSet). Every other error propagates
    to the engine."""
    try:
        return call(*args, **kwargs)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in codes:
            return default
        raise


def chunks(values: Sequence[Any], size: int) -> list[list[Any]]:
    """`values` in batches of at most `size`, for Describe* calls that take a bounded list."""
    return [list(values[start:start + size]) for start in range(0, len(values), size)]


def clusters_with_subnet_groups(ctx, clusters: tuple[str, str], subnet_groups: tuple[str, str], page_size: int) -> dict:
    """{"clusters", "subnet_groups"}: (operation, key) listings of clusters that name a subnet group
    but not its subnets (ElastiCache, Redshift), and of the subnet groups, which place them (only
    in a region that has clusters: a region without needs no second call)."""
    found = ctx.paginate(*clusters, page_size=page_size)
    groups = ctx.paginate(*subnet_groups, page_size=page_size) if found else []
    return {"clusters": found, "subnet_groups": groups}


def in_subnet_groups(group_key: str):
    """A Spec's `records` for clusters_with_subnet_groups' data: each cluster with "_subnets", the
    subnet ids of the subnet group it names under `group_key`."""
    def records(raw: dict) -> list[dict]:
        subnets = {group[group_key]: [subnet["SubnetIdentifier"] for subnet in group.get("Subnets", [])]
                   for group in raw["subnet_groups"]}
        return [{**cluster, "_subnets": subnets.get(cluster.get(group_key), [])} for cluster in raw["clusters"]]
    return records


def flatten(lists: Iterable[Iterable[Any]]) -> list[Any]:
    """The answers of several calls (ctx.map's results) as one list."""
    return [value for values in lists for value in values]
