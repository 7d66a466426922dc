"""What changed between two blueprint documents (placeholder, replaced by the real
implementation at merge): nodes added, removed and changed, by ARN (or id)."""
from __future__ import annotations


def _nodes(data: dict) -> dict[str, dict]:
    return {node.get("arn") or node.get("id"): node for node in data.get("nodes", [])}


def diff(before: dict, after: dict) -> dict:
    old, new = _nodes(before), _nodes(after)
    return {"added": sorted(set(new) - set(old)), "removed": sorted(set(old) - set(new)),
            "changed": sorted(key for key in set(old) & set(new) if old[key] != new[key])}
