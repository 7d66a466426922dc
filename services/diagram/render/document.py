"""Reading a blueprint document leniently (docs/blueprint-format.md): Cloudcraft's own exports
carry only some of the fields, and any field may be missing or of the wrong kind. Every renderer
reads the document through these helpers, and escapes text with `xml_text`.
"""
from __future__ import annotations

import math
import re

# Characters XML 1.0 forbids (C0 controls other than tab/newline/return, lone surrogates,
# U+FFFE/U+FFFF): replaced, so a hostile name can never make the output unparseable.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?")


def xml_text(value) -> str:
    """Any value as text safe in XML character data and in double-quoted attributes."""
    text = value if isinstance(value, str) else ("" if value is None else str(value))
    if _XML_ILLEGAL.search(text):
        text = _XML_ILLEGAL.sub("\ufffd", text)
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;"))


def text(value) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def number(value, default: float = 0.0) -> float:
    try:
        result = float(value)
    except (TypeError, ValueError):
        return default
    return result if math.isfinite(result) else default


def point(value, default=(0.0, 0.0)) -> tuple[float, float]:
    if isinstance(value, (list, tuple)) and len(value) >= 2:
        return number(value[0], default[0]), number(value[1], default[1])
    if isinstance(value, dict):
        return number(value.get("x"), default[0]), number(value.get("y"), default[1])
    return default


def colour(value, projection: str) -> str | None:
    """A `color` field ({"2d": "#rrggbb", "isometric": ...} or a plain "#rrggbb") as a checked
    hex colour, or None: never a document string in a style."""
    if isinstance(value, dict):
        value = value.get("isometric" if projection == "isometric" else "2d") or value.get("2d") \
            or value.get("isometric")
    if isinstance(value, str) and _HEX_COLOUR.fullmatch(value):
        return value
    return None


def items(data: dict, key: str) -> list[dict]:
    value = data.get(key)
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, dict)]


def ids(value) -> list[str]:
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, str)]


def group_rect(group: dict) -> tuple[float, float, float, float]:
    x, y = point(group.get("mapPos"))
    w, h = point(group.get("mapSize"), (1.0, 1.0))
    return x, y, max(w, 0.0), max(h, 0.0)


def border_point(rect: tuple[float, float, float, float], towards: tuple[float, float]) -> tuple[float, float]:
    """The point of the rectangle's border nearest `towards` (an edge drawn to a group ends there)."""
    x, y, w, h = rect
    px, py = min(max(towards[0], x), x + w), min(max(towards[1], y), y + h)
    if px in (x, x + w) or py in (y, y + h):
        return px, py           # outside, or on the border: the clamped point is on the border
    # Inside: out to the nearest side.
    side = min((px - x, "left"), (x + w - px, "right"), (py - y, "top"), (y + h - py, "bottom"))[1]
    return {"left": (x, py), "right": (x + w, py), "top": (px, y), "bottom": (px, y + h)}[side]


def group_tree(groups: list[dict], nodes: list[dict]) -> tuple[list[int | None], dict[str, int]]:
    """Each group's parent group index (None at the top), and each node id's group index.

    From the groups' `groups` and `nodes` lists; a group or node claimed by several groups goes to
    the smallest claimant; a group nobody lists (Cloudcraft's exports have no `groups` field) goes
    to the smallest group whose rectangle holds it. Cycles are broken at the top."""
    count = len(groups)
    rects = [group_rect(g) for g in groups]
    area = [w * h for _, _, w, h in rects]
    index_of = {}
    for i, group in enumerate(groups):
        gid = group.get("id")
        if isinstance(gid, str):
            index_of.setdefault(gid, i)
    parent: list[int | None] = [None] * count
    listed = False
    for i, group in enumerate(groups):
        for child_id in ids(group.get("groups")):
            listed = True
            child = index_of.get(child_id)
            if child is None or child == i:
                continue
            if parent[child] is None or area[i] < area[parent[child]]:
                parent[child] = i
    if not listed and count > 1:
        order = sorted(range(count), key=lambda i: area[i])
        for position, i in enumerate(order):
            x, y, w, h = rects[i]
            for j in order[position + 1:]:
                px, py, pw, ph = rects[j]
                if px <= x and py <= y and x + w <= px + pw and y + h <= py + ph and area[j] > area[i]:
                    parent[i] = j
                    break
    for i in range(count):  # break cycles
        seen = {i}
        j = parent[i]
        while j is not None:
            if j in seen:
                parent[i] = None
                break
            seen.add(j)
            j = parent[j]
    node_group: dict[str, int] = {}
    for i, group in enumerate(groups):
        for node_id in ids(group.get("nodes")):
            current = node_group.get(node_id)
            if current is None or area[i] < area[current]:
                node_group[node_id] = i
    return parent, node_group


def depths(parent: list[int | None]) -> list[int]:
    result = [-1] * len(parent)

    def depth(i: int) -> int:
        chain = []
        while i is not None and result[i] < 0:
            chain.append(i)
            i = parent[i]
        base = result[i] if i is not None else -1
        for j in reversed(chain):
            base += 1
            result[j] = base
        return result[chain[0]] if chain else base

    for i in range(len(parent)):
        depth(i)
    return result
