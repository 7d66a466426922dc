"""Pricing a Cloudcraft blueprint document: a node with an `arn` the budget knows (a live
component of an account the caller may read) uses its priced component; any other node (a
Cloudcraft import, a snapshot) is priced from Cloudcraft's node fields through the same cost
model where its type has one (ec2, ebs, rds, natgateway, elb, lambda, s3), else unpriced with
the reason."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from services.budget import catalog as catalog_module
from services.budget.costs import UNPRICED, Component, Priced, price


def _class(node: Mapping, prefix: str = "") -> str:
    family, size = node.get("instanceType") or "", node.get("instanceSize") or ""
    if not family or not size:
        return ""
    if prefix and not family.startswith(prefix):
        family = prefix + family
    return f"{family}.{size}"


PLATFORMS = {"linux": "Linux/UNIX", "windows": "Windows", "windowsSQL": "Windows with SQL Server",
             "rhel": "Red Hat Enterprise Linux", "sles": "SUSE Linux", "ubuntu": "Ubuntu Pro"}

# Cloudcraft node type -> (CloudFormation type, attributes from the node's fields).
NODE_TYPES: dict[str, tuple[str, Callable[[Mapping], dict]]] = {
    "ec2": ("AWS::EC2::Instance", lambda n: {
        "instanceType": _class(n), "platform": PLATFORMS.get(n.get("platform") or "linux", n.get("platform"))}),
    "ebs": ("AWS::EC2::Volume", lambda n: {
        "volumeType": n.get("volume") or "gp3", "size": n.get("storage") or 0, "iops": n.get("iops") or 0,
        "throughput": n.get("throughput") or 0}),
    "rds": ("AWS::RDS::DBInstance", lambda n: {
        "engine": n.get("engine") or "", "instanceClass": _class(n, "db."), "multiAz": bool(n.get("multiAZ")),
        "allocatedStorage": n.get("storage") or 0, "storageType": n.get("storageType") or "gp2",
        "iops": n.get("iops") or 0}),
    "natgateway": ("AWS::EC2::NatGateway", lambda n: {}),
    "elb": ("AWS::ElasticLoadBalancingV2::LoadBalancer", lambda n: {"type": n.get("elbType") or "application"}),
    "lambda": ("AWS::Lambda::Function", lambda n: {
        "memorySize": n.get("memory") or 128, "architectures": [n.get("architecture") or "x86_64"]}),
    "s3": ("AWS::S3::Bucket", lambda n: {}),
}


def node_component(node: Mapping[str, Any]) -> Component | None:
    kind = node.get("type") or ""
    if kind == "elb" and node.get("elbType") == "classic":
        return Component(arn=node.get("id") or "", type="AWS::ElasticLoadBalancing::LoadBalancer",
                         region=node.get("region") or "", name=node.get("name") or "")
    if kind not in NODE_TYPES:
        return None
    cfn_type, attributes = NODE_TYPES[kind]
    return Component(arn=node.get("arn") or node.get("id") or "", type=cfn_type, region=node.get("region") or "",
                     name=node.get("name") or node.get("id") or "", attributes=attributes(node))


def price_document(document: Mapping[str, Any], known: Mapping[str, Priced],
                   catalog: catalog_module.Catalog | None = None) -> list[Priced]:
    catalog = catalog or catalog_module.default()
    items = []
    for node in document.get("nodes") or []:
        if not isinstance(node, Mapping):
            continue
        arn = node.get("arn") or ""
        if arn and arn in known:
            items.append(known[arn])
            continue
        component = node_component(node)
        if component is not None:
            items.append(price(component, catalog=catalog))
            continue
        kind = node.get("type") or "unknown"
        items.append(Priced(arn or node.get("id") or "", kind, node.get("region") or "", node.get("name") or "",
                            UNPRICED, None, None, f"unpriced: no cost model for Cloudcraft node type {kind}",
                            fields={"type": kind}))
    return items
