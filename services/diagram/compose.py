"""Composition of a blueprint document from resources (placeholder, replaced by the real
implementation at merge): one node per resource on a trivial grid, edges from relationships."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Iterable

from services.diagram.model import Resource
from services.diagram.options import ExportOptions


@dataclass(frozen=True)
class Composed:
    data: dict
    layout: dict[str, list[float]]


def node_id(arn: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, arn))


def compose(resources: Iterable[Resource], options: ExportOptions, *, name: str, live_account: dict | None = None,
            layout: dict | None = None) -> Composed:
    layout = dict(layout or {})
    resources = sorted(resources, key=lambda r: r.arn)
    nodes = []
    for index, resource in enumerate(resources):
        position = layout.setdefault(resource.arn, [index % 10 * 2, index // 10 * 2])
        nodes.append({"id": node_id(resource.arn), "type": resource.type.split("::")[-1].lower(),
                      "mapPos": list(position), "region": resource.region, "arn": resource.arn,
                      "name": resource.name, "awsType": resource.type, "accountId": resource.aws_account_id,
                      "tags": dict(resource.tags)})
    arns = {r.arn for r in resources}
    edges = []
    if options.autoconnect:
        edges = [{"id": node_id(f"{kind}:{source}:{target}"), "from": node_id(source), "to": node_id(target),
                  "type": kind}
                 for r in resources for kind, source, target in r.relationships
                 if kind != "contains" and source in arns and target in arns]
    data = {"version": 4, "name": name, "grid": "infinite", "projection": options.projection,
            "theme": {"base": options.theme}, "nodes": nodes, "groups": [], "edges": edges, "text": [],
            "icons": [], "images": [], "surfaces": [], "connectors": [], "disabledLayers": []}
    if live_account is not None:
        data["liveAccount"] = live_account
    return Composed(data=data, layout={arn: layout[arn] for arn in arns})
