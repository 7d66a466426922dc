"""Helpers shared by the discovery modules: building items, placing them in subnets and security
groups, and the calls that tolerate an item deleted between its listing and its description.
Pagination is `Context.paginate` (discovery/__init__.py).

Attribute keys are the AWS response's field names with a lower-case first letter
(EngineVersion -> engineVersion), and keep AWS's units (AllocatedStorage in GiB, SizeInBytes in
bytes); a service's own prefix is dropped where it only repeats the type (DBInstanceClass ->
instanceClass, DBInstanceStatus -> status).
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Sequence

from botocore.exceptions import ClientError

from services.collector.model import Edge, Item, Scope

# --- Items -------------------------------------------------------------------------------------


def attributes(**values: Any) -> dict[str, Any]:
    """An item's attributes without the values AWS left out (None), so that an absent field and a
    field this API version does not return look the same to the fingerprint."""
    return {key: value for key, value in values.items() if value is not None}


def make_item(scope: Scope, arn: str, cfn_type: str, name: str, tags: dict[str, str], attributes: dict,
              edges: Iterable[Edge] = ()) -> Item:
    """An item of the scope's region. Repeated edges (two rules naming one group, an instance's
    groups on each interface) are one."""
    return Item(arn=arn, type=cfn_type, name=name, region=scope.region, tags=tags, attributes=attributes,
                edges=list(dict.fromkeys(edges)))


def name_of(tags: dict[str, str], fallback: str) -> str:
    """The Name tag, for resources AWS gives no name; else their id."""
    return tags.get("Name") or fallback


# States in which a resource no longer exists, though Describe* still lists it for a while
# (terminated instances for about an hour, deleted NAT gateways, rejected peerings, ...).
GONE_STATES = frozenset({"deleted", "terminated", "failed", "rejected", "expired"})


def gone(state: str | None) -> bool:
    return (state or "").lower() in GONE_STATES


# --- Placement (model.py's edge directions) ----------------------------------------------------


def placement(scope: Scope, arn: str, subnet_ids: Iterable[str | None] = (),
              security_group_ids: Iterable[str | None] = ()) -> list[Edge]:
    """subnet -contains-> resource for each subnet it is placed in (has a network interface in),
    resource -secured_by-> each of its security groups. Responses name a group once per network
    interface, and leave ids out (None, "") where a resource has none: one edge per group, none
    for a missing id."""
    return ([Edge("contains", scope.ec2_arn("subnet", subnet_id), arn) for subnet_id in subnet_ids if subnet_id]
            + [Edge("secured_by", arn, scope.ec2_arn("security-group", group_id))
               for group_id in dict.fromkeys(security_group_ids) if group_id])


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
