"""Reading a composed document back in tests: nodes and groups by name, geometry checks."""
from __future__ import annotations


def by_name(data: dict) -> tuple[dict, dict]:
    """Nodes by name and groups by name (names unique in the test estates)."""
    return {n["name"]: n for n in data["nodes"]}, {g["name"]: g for g in data["groups"]}


def parent_group_names(data: dict) -> dict[str, str]:
    """Node name -> the name of the group that lists it."""
    names = {n["id"]: n["name"] for n in data["nodes"]}
    return {names[node]: group["name"] for group in data["groups"] for node in group["nodes"]}


def inside(inner: tuple, outer: dict) -> bool:
    x, y, w, h = inner
    (ox, oy), (ow, oh) = outer["mapPos"], outer["mapSize"]
    return ox <= x and oy <= y and x + w <= ox + ow and y + h <= oy + oh


def check_geometry(data: dict) -> None:
    """Every node lies inside the groups that list it, every group inside its parent, siblings and
    nodes never overlap."""
    groups = {g["id"]: g for g in data["groups"]}
    nodes = {n["id"]: n for n in data["nodes"]}
    cells = {}
    for node in data["nodes"]:
        cell = tuple(node["mapPos"])
        assert cell not in cells, f"{node['name']} and {cells[cell]} share the cell {cell}"
        cells[cell] = node["name"]
    for group in data["groups"]:
        for nid in group["nodes"]:
            x, y = nodes[nid]["mapPos"]
            assert inside((x, y, 1, 1), group), f"{nodes[nid]['name']} is outside {group['name']}"
        children = [groups[c] for c in group["groups"]]
        for child in children:
            assert inside((*child["mapPos"], *child["mapSize"]), group), f"{child['name']} outside {group['name']}"
        rects = [(*c["mapPos"], *c["mapSize"]) for c in children]
        for i, (x, y, w, h) in enumerate(rects):
            for (x2, y2, w2, h2) in rects[i + 1:]:
                apart = x + w <= x2 or x2 + w2 <= x or y + h <= y2 or y2 + h2 <= y
                assert apart, f"siblings overlap in {group['name']}"
