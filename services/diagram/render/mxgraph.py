"""A blueprint document as draw.io's mxGraph XML (mxfile > diagram > mxGraphModel > root).

Cells 0 and 1 are the root and the default layer. Every group is a container vertex, parented
to the group that holds it (docs/blueprint-format.md's `groups` lists, or geometry for
Cloudcraft's exports), with coordinates relative to that parent; every node a vertex with draw.io's
AWS 4 shape style for its type, parented to its group; every edge an edge cell between the two
vertices (a group's container when an end names a group). Cell ids are the renderer's own (n0, g0,
e0); the document's id, type and ARN travel as attributes of an <object> wrapper. Styles never
carry `html=1`, so draw.io shows labels as plain text, never as markup.
"""
from __future__ import annotations

from services.diagram.options import ExportOptions
from services.diagram.render import icons
from services.diagram.render.document import colour, group_rect, group_tree, items, number, point, text, xml_text

UNIT = 80          # px per grid unit: room for a 48 px icon and its label
ICON = 48

_VERTEX = ("outlineConnect=0;dashed=0;verticalLabelPosition=bottom;verticalAlign=top;align=center;"
           "fontSize=11;fontStyle=0;aspect=fixed;strokeColor=#ffffff;")
_GROUP = ("container=1;collapsible=0;recursiveResize=0;pointerEvents=0;verticalAlign=top;align=left;"
          "spacingLeft=30;spacingTop=4;fontSize=12;fontStyle=1;whiteSpace=wrap;")


def _f(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def _cell(cell_id: str, label: str, attributes: dict, inner: str) -> str:
    extra = "".join(f' {name}="{xml_text(value)}"' for name, value in attributes.items() if value not in (None, ""))
    return f'<object id="{cell_id}" label="{xml_text(label)}"{extra}>{inner}</object>'


def render_mxgraph(data: dict, options: ExportOptions) -> str:
    if not isinstance(data, dict):
        data = {}
    nodes = items(data, "nodes")
    groups = items(data, "groups")
    parent, node_group = group_tree(groups, nodes)
    rects = [group_rect(g) for g in groups]
    out = ['<mxfile host="cloudsketch" type="device">',
           f'<diagram id="cloudsketch" name="{xml_text(data.get("name") or "Blueprint")}">',
           '<mxGraphModel grid="1" gridSize="10" guides="1" page="0" math="0" shadow="0">',
           '<root><mxCell id="0"/><mxCell id="1" parent="0"/>']

    def origin(index: int | None) -> tuple[float, float]:
        return (rects[index][0], rects[index][1]) if index is not None else (0.0, 0.0)

    # Parents before children: draw.io needs a container to exist before the cells inside it.
    depth_order = sorted(range(len(groups)), key=lambda i: _depth(parent, i))
    group_cell = {}
    for i in depth_order:
        group = groups[i]
        x, y, w, h = rects[i]
        px, py = origin(parent[i])
        group_type = text(group.get("type")).lower()
        stroke, dashed, type_label = icons.GROUPS.get(group_type, icons.GROUP_GENERIC)
        stroke = colour(group.get("color"), "2d") or stroke
        style = (_GROUP + icons.GROUP_STYLES.get(group_type, "") + f"strokeColor={stroke};fontColor={stroke};"
                 f"fillColor=none;" + ("dashed=1;" if dashed else ""))
        name = text(group.get("name"))
        label = f"{type_label}: {name}" if name else type_label
        collapsed = group.get("collapsed")
        if isinstance(collapsed, dict):
            types = collapsed.get("types") if isinstance(collapsed.get("types"), dict) else {}
            breakdown = ", ".join(f"{int(number(v))} {text(k)}" for k, v in
                                  sorted(types.items(), key=lambda kv: -number(kv[1])))
            label += f" ({int(number(collapsed.get('count')))} resources: {breakdown})"
        parent_id = f"g{parent[i]}" if parent[i] is not None else "1"
        geometry = (f'<mxGeometry x="{_f((x - px) * UNIT)}" y="{_f((y - py) * UNIT)}" '
                    f'width="{_f(w * UNIT)}" height="{_f(h * UNIT)}" as="geometry"/>')
        if isinstance(group.get("id"), str):
            group_cell.setdefault(group["id"], f"g{i}")
        out.append(_cell(f"g{i}", label, {"cloudsketchId": group.get("id"), "groupType": group.get("type"),
                                          "arn": group.get("arn")},
                         f'<mxCell style="{style}" vertex="1" parent="{parent_id}">{geometry}</mxCell>'))
    node_cell = {}
    for i, node in enumerate(nodes):
        node_id = node.get("id")
        group_index = node_group.get(node_id) if isinstance(node_id, str) else None
        if isinstance(node_id, str):
            node_cell.setdefault(node_id, f"n{i}")
        x, y = point(node.get("mapPos"))
        px, py = origin(group_index)
        category, _, shape = icons.kind(node)
        fill = colour(node.get("color"), "2d") or icons.CATEGORIES[category][0]
        style = f"{_VERTEX}{shape};fillColor={fill};gradientColor=none;fontColor=#232F3E;"
        diff = node.get("diff")
        if diff in icons.DIFF:
            style += f"labelBackgroundColor={icons.DIFF[diff][0]}33;"
        status = node.get("status")
        if status in icons.STATUS:
            style += f"strokeColor={icons.STATUS[status]};strokeWidth=2;"
        name = node.get("name")
        label = text(name if name not in (None, "") else node_id) if options.label else ""
        parent_id = f"g{group_index}" if group_index is not None else "1"
        offset = (UNIT - ICON) / 2
        geometry = (f'<mxGeometry x="{_f((x - px) * UNIT + offset)}" y="{_f((y - py) * UNIT + offset / 2)}" '
                    f'width="{ICON}" height="{ICON}" as="geometry"/>')
        out.append(_cell(f"n{i}", label, {"cloudsketchId": node_id, "nodeType": node.get("type"),
                                          "awsType": node.get("awsType"), "arn": node.get("arn"),
                                          "diff": diff if diff in icons.DIFF else None,
                                          "status": status if status in icons.STATUS else None},
                         f'<mxCell style="{style}" vertex="1" parent="{parent_id}">{geometry}</mxCell>'))
    for i, edge in enumerate(items(data, "edges")):
        # An end may name a group (a VPC peering drawn to each VPC): draw.io meets its container's border.
        source, target = (_end(edge.get(key), node_cell, group_cell) for key in ("from", "to"))
        if source is None or target is None:
            continue
        style = "endArrow=none;html=0;rounded=0;strokeWidth=1.5;"
        edge_colour = colour(edge.get("color"), "2d")
        style += f"strokeColor={edge_colour or '#545B64'};"
        if edge.get("dashed") is True:
            style += "dashed=1;"
        out.append(_cell(f"e{i}", "", {"cloudsketchId": edge.get("id"), "edgeType": edge.get("type")},
                         f'<mxCell style="{style}" edge="1" parent="1" source="{source}" target="{target}">'
                         f'<mxGeometry relative="1" as="geometry"/></mxCell>'))
    for i, item in enumerate(items(data, "text")):
        x, y = point(item.get("mapPos"))
        size = min(max(number(item.get("textSize"), 16.0), 4.0), 200.0)
        content = text(item.get("text"))
        out.append(_cell(f"t{i}", content, {},
                         f'<mxCell style="text;align=left;verticalAlign=top;whiteSpace=wrap;fontSize={_f(size)};" '
                         f'vertex="1" parent="1"><mxGeometry x="{_f(x * UNIT)}" y="{_f(y * UNIT)}" '
                         f'width="{_f(max(40.0, len(content[:200]) * size * 0.6))}" height="{_f(size * 1.6)}" '
                         f'as="geometry"/></mxCell>'))
    out.append('</root></mxGraphModel></diagram></mxfile>')
    return "".join(out)


def _end(ident, node_cell: dict[str, str], group_cell: dict[str, str]) -> str | None:
    if not isinstance(ident, str):
        return None
    return node_cell.get(ident) or group_cell.get(ident)


def _depth(parent: list[int | None], index: int) -> int:
    depth = 0
    while parent[index] is not None:
        index = parent[index]
        depth += 1
    return depth
