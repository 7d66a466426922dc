"""What changed between two blueprint documents (or two resource sets), and the "what changed"
overlay document the renderers draw (docs/blueprint-format.md, the node's `diff` field).

Components are matched by ARN (a node without one, drawn by hand in a saved blueprint, by its id).
A node's position is layout, not a change: `mapPos` is never compared.
"""
from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from services.diagram.model import Resource

IGNORED_NODE_FIELDS = frozenset({"id", "mapPos", "diff", "changedAttributes"})


@dataclass(frozen=True)
class Diff:
    added: list[str] = field(default_factory=list)       # keys (ARNs), sorted
    removed: list[str] = field(default_factory=list)
    # key -> {attribute: {"old": value, "new": value}}; a tag shows as "tag:<key>", absent as None
    changed: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def to_json(self) -> dict[str, Any]:
        """The API's form: {"added": [key], "removed": [key], "changed": {key: {attribute: {"old", "new"}}}}."""
        return {"added": list(self.added), "removed": list(self.removed), "changed": dict(self.changed)}


def _flat_node(node: dict) -> dict[str, Any]:
    flat = {k: v for k, v in node.items() if k not in IGNORED_NODE_FIELDS and k != "tags"}
    for key, value in (node.get("tags") or {}).items():
        flat[f"tag:{key}"] = value
    return flat


def _flat_resource(resource: Resource) -> dict[str, Any]:
    flat: dict[str, Any] = {"type": resource.type, "name": resource.name, "region": resource.region,
                            "awsAccountId": resource.aws_account_id}
    flat.update(resource.attributes)
    for key, value in resource.tags.items():
        flat[f"tag:{key}"] = value
    flat["relationships"] = sorted(list(r) for r in set(resource.relationships))
    return flat


def _changes(old: dict[str, Any], new: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {key: {"old": old.get(key), "new": new.get(key)}
            for key in sorted(set(old) | set(new)) if old.get(key) != new.get(key)}


def _diff(old: dict[str, dict], new: dict[str, dict]) -> Diff:
    changed = {}
    for key in sorted(set(old) & set(new)):
        changes = _changes(old[key], new[key])
        if changes:
            changed[key] = changes
    return Diff(added=sorted(set(new) - set(old)), removed=sorted(set(old) - set(new)), changed=changed)


def node_key(node: dict) -> str:
    return node.get("arn") or node["id"]


def diff_documents(old: dict, new: dict) -> Diff:
    """Components added, removed and changed from blueprint `old` to blueprint `new`."""
    return _diff({node_key(n): _flat_node(n) for n in old.get("nodes", [])},
                 {node_key(n): _flat_node(n) for n in new.get("nodes", [])})


def diff_resources(old: Iterable[Resource], new: Iterable[Resource]) -> Diff:
    """Resources added, removed and changed (attributes, tags, name, relationships) by ARN."""
    return _diff({r.arn: _flat_resource(r) for r in old}, {r.arn: _flat_resource(r) for r in new})


def overlay(old: dict, new: dict) -> dict:
    """The newer document with each added or changed node marked (`diff`: "added" or "changed",
    with `changedAttributes` {name: {"old", "new"}}) and each removed node put back where it was,
    marked "removed". The inputs are not modified."""
    result = copy.deepcopy(new)
    difference = diff_documents(old, new)
    added = set(difference.added)
    for node in result.get("nodes", []):
        key = node_key(node)
        if key in added:
            node["diff"] = "added"
        elif key in difference.changed:
            node["diff"] = "changed"
            node["changedAttributes"] = copy.deepcopy(difference.changed[key])
    removed = set(difference.removed)
    taken = {n["id"] for n in result.get("nodes", [])}
    for node in old.get("nodes", []):
        if node_key(node) in removed and node["id"] not in taken:
            restored = copy.deepcopy(node)
            restored.pop("changedAttributes", None)
            restored["diff"] = "removed"
            result.setdefault("nodes", []).append(restored)
    result.get("nodes", []).sort(key=lambda n: n["id"])
    return result
