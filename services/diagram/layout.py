"""Grid layout of a blueprint's group tree: deterministic, and stable across syncs.

Positions are in grid units (docs/blueprint-format.md, "Coordinates"); projecting them is the
renderers' business. The layout map that `arrange` returns and takes back next time holds, for
every node id, `[x, y]` and, for every group id, `[x, y, width, height]`, each relative to the
top-left corner of the group it sits in. Relative positions are what keep a component in place:

- a node or group found in the map keeps its position in its group, unless that spot is now taken
  (then it is placed like a new one);
- a group keeps at least its stored size (it grows when its content needs more room, it never
  shrinks), so its siblings never have to move for it while it has room left;
- new nodes fill the first free cells of their group's grid, row by row (a group laid out for the
  first time keeps a spare row for them); new groups go below everything already placed in their
  parent;
- a group that must grow anyway pushes the siblings it would overlap straight down, just far
  enough: they keep their content and their left edge;
- a removed component leaves its cell free; nothing else moves.

The same tree and the same map give the same positions, whatever order the input came in: the
caller gives children in a deterministic order (composition sorts them).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

PAD = 1              # margin inside a group
HEADER = 1           # extra margin at a group's top, for its label
NODE_PITCH = 2       # a node stands on one cell of every 2 x 2: one cell of space for its label
GAP = 1              # space between neighbouring groups
COLLAPSED_SIZE = (4, 3)
ASPECT = 1.6         # preferred width : height when a group wraps its subgroups


@dataclass
class Box:
    """One group of the tree (or the root), before and after layout."""
    id: str
    nodes: list[str] = field(default_factory=list)      # node ids, in placement order
    children: list[Box] = field(default_factory=list)
    flow: str = "wrap"         # how new subgroups are placed: "row", "column" or "wrap"
    collapsed: bool = False
    root: bool = False
    # Results, relative to the parent's top-left corner.
    x: int = 0
    y: int = 0
    w: int = 0
    h: int = 0


def _conflicts(x: int, y: int, w: int, h: int, rects: list[tuple[int, int, int, int]]) -> bool:
    for rx, ry, rw, rh in rects:
        if x < rx + rw + GAP and rx < x + w + GAP and y < ry + rh + GAP and ry < y + h + GAP:
            return True
    return False


def _stored(previous: dict, key: str, length: int) -> list[int] | None:
    """The first `length` numbers stored for `key`, or None when absent or not numbers."""
    value = previous.get(key)
    if value is None or type(value) not in (list, tuple):
        return None
    try:
        if len(value) < length:
            return None
        if length == 2:
            return [int(value[0]), int(value[1])]
        return [int(v) for v in value[:length]]
    except (TypeError, ValueError):
        return None


def _arrange_box(box: Box, previous: dict, node_pos: dict[str, tuple[int, int]], out: dict) -> None:
    if box.collapsed:   # a counted box: its content is not laid out
        box.w, box.h = COLLAPSED_SIZE
        return
    for child in box.children:
        _arrange_box(child, previous, node_pos, out)
    stored_box = _stored(previous, box.id, 4)
    ox, oy = (0, 0) if box.root else (PAD, PAD + HEADER)

    # Nodes found in the map keep their cell.
    occupied: set[tuple[int, int]] = set()
    pending_nodes = []
    for node in box.nodes:
        spot = _stored(previous, node, 2)
        if spot and spot[0] >= ox and spot[1] >= oy and (spot[0], spot[1]) not in occupied:
            occupied.add((spot[0], spot[1]))
            node_pos[node] = (spot[0], spot[1])
        else:
            pending_nodes.append(node)

    # Subgroups found in the map keep their place; one that a grown sibling above now overlaps is
    # pushed straight down, just far enough (and so, in turn, the ones below it).
    rects: list[tuple[int, int, int, int]] = []
    pending_groups = []
    stored_children = []
    for index, child in enumerate(box.children):
        spot = _stored(previous, child.id, 2)
        if spot and spot[0] >= ox and spot[1] >= oy:
            stored_children.append((spot[1], spot[0], index, child))
        else:
            pending_groups.append(child)
    node_rects = [(x, y, 1, 1) for x, y in occupied] if stored_children else []
    for y, x, _, child in sorted(stored_children, key=lambda item: item[:3]):
        while True:
            blocking = [r for r in rects if _conflicts(x, y, child.w, child.h, [r])] + \
                       [r for r in node_rects if _conflicts(x, y, child.w, child.h, [r])]
            if not blocking:
                break
            y = max(ry + rh for _, ry, _, rh in blocking) + GAP
        child.x, child.y = x, y
        rects.append((x, y, child.w, child.h))

    # New nodes fill free cells, row by row, in a grid as wide as the group already is (or square).
    if pending_nodes:
        if stored_box:   # as many columns as the stored width holds: the group does not widen
            columns = max(1, (stored_box[2] - 2 * PAD - 1) // NODE_PITCH + 1)
        else:
            columns = max(1, math.ceil(math.sqrt(len(box.nodes))))
        row = 0
        queue = iter(pending_nodes)
        node = next(queue, None)
        while node is not None:
            y = oy + row * NODE_PITCH
            for column in range(columns):
                x = ox + column * NODE_PITCH
                if (x, y) in occupied or (rects and _conflicts(x, y, 1, 1, rects)):
                    continue
                occupied.add((x, y))
                node_pos[node] = (x, y)
                node = next(queue, None)
                if node is None:
                    break
            row += 1

    right = max([x + 1 for x, _ in occupied] + [x + w for x, _, w, _ in rects] + [ox])
    bottom = max([y + 1 for _, y in occupied] + [y + h for _, y, _, h in rects] + [oy])

    # A group laid out for the first time keeps a spare row of cells below its nodes, so that the
    # next components fill it without growing the group and pushing its neighbours.
    if box.nodes and not stored_box and not box.root:
        bottom += NODE_PITCH

    # New subgroups go below everything placed, as a row, a column, or rows wrapped to a width.
    if pending_groups:
        cursor_x, cursor_y = ox, (bottom + GAP if (occupied or rects) else oy)
        if box.flow == "row":
            limit = math.inf
        elif box.flow == "column":
            limit = 0
        else:
            area = sum((c.w + GAP) * (c.h + GAP) for c in pending_groups)
            limit = max(right - ox, math.ceil(math.sqrt(area * ASPECT)))
        shelf = 0
        for child in pending_groups:
            if cursor_x > ox and cursor_x - ox + child.w > limit:
                cursor_x, cursor_y = ox, cursor_y + shelf + GAP
                shelf = 0
            child.x, child.y = cursor_x, cursor_y
            rects.append((child.x, child.y, child.w, child.h))
            cursor_x += child.w + GAP
            shelf = max(shelf, child.h)
            right = max(right, child.x + child.w)
            bottom = max(bottom, child.y + child.h)

    if box.root:
        box.w, box.h = right, bottom
    else:
        box.w, box.h = right + PAD, bottom + PAD
        if stored_box:   # never shrink: siblings were placed around the stored size
            box.w, box.h = max(box.w, stored_box[2]), max(box.h, stored_box[3])
    for child in box.children:
        out[child.id] = [child.x, child.y, child.w, child.h]
    for node in box.nodes:
        if node in node_pos:
            out[node] = list(node_pos[node])


def arrange(roots: list[Box], previous: dict | None = None) -> tuple[dict[str, tuple[int, int]],
                                                                      dict[str, tuple[int, int, int, int]], dict]:
    """Lay out the tree. Returns absolute node positions {id: (x, y)}, absolute group rectangles
    {id: (x, y, w, h)} and the new layout map (relative positions, see the module docstring)."""
    previous = previous or {}
    root = Box(id="", children=roots, root=True)
    relative: dict[str, tuple[int, int]] = {}
    out: dict = {}
    _arrange_box(root, previous, relative, out)
    node_abs: dict[str, tuple[int, int]] = {}
    group_abs: dict[str, tuple[int, int, int, int]] = {}
    stack = [(child, 0, 0) for child in root.children]
    while stack:
        box, px, py = stack.pop()
        ax, ay = px + box.x, py + box.y
        group_abs[box.id] = (ax, ay, box.w, box.h)
        if not box.collapsed:
            for node in box.nodes:
                x, y = relative[node]
                node_abs[node] = (ax + x, ay + y)
            stack.extend((child, ax, ay) for child in box.children)
    return node_abs, group_abs, out
