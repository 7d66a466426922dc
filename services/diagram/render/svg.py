"""A blueprint document as a self-contained SVG, in 2D or isometric projection.

Built as a list of strings and one join (no DOM): 10,000 nodes must render well under a second.
Everything drawn per node type (tiles, isometric blocks, diff marks, status dots) is defined once
in <defs> under the renderer's own fixed ids and placed with <use>; the document's strings only
ever reach XML text and attribute values, through `xml_text`.

Geometry: grid units (docs/blueprint-format.md); a unit is UNIT px at scale 1. A plane point
(x, y) lands on screen at (x*UNIT, y*UNIT) in 2D, and at ((x-y)*K, (x+y)*K/2) in isometric
projection (the plane turned 45 degrees and flattened to half height; K = UNIT/sqrt(2)).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from services.diagram.options import ExportOptions
from services.diagram.render import icons
from services.diagram.render.document import (
    border_point,
    colour,
    depths,
    group_rect,
    group_tree,
    items,
    number,
    point,
    text,
    xml_text,
)

UNIT = 40.0
K = UNIT / math.sqrt(2.0)
BLOCK = 12.0            # isometric block height, px
INSET = 0.14            # isometric block inset in its cell, grid units
LABEL_CHARS = 28        # longer labels are cut with an ellipsis (the whole name is the tooltip)
CHAR_WIDTH = 0.62       # a character's advance in sans-serif, as a share of the font size (a generous mean)
NODE_FONT = 11.0
# Nodes stand two cells apart (services/diagram/layout.py's NODE_PITCH). A node label may take the
# room between its neighbours' labels in its screen row: 2 cells in 2D; in isometric the nearest
# label in the same screen row is 4 cells' diagonal away (its row neighbours sit half a row lower).
NODE_LABEL_PX = {False: 2 * UNIT - 6, True: 4 * K - 6}
MARGIN = 24.0
FONT = "sans-serif"

THEMES = {
    "light": {"background": "#FFFFFF", "text": "#232F3E", "muted": "#545B64", "grid": "#E3E7EB",
              "edge": "#545B64", "halo": "#FFFFFF", "account": "#232F3E", "badge": "#FFFFFF"},
    "dark": {"background": "#161B22", "text": "#E6EDF3", "muted": "#AAB4BE", "grid": "#262D36",
             "edge": "#AAB4BE", "halo": "#161B22", "account": "#D5DBDB", "badge": "#1F2630"},
}


@dataclass(frozen=True)
class Size:
    """The drawing's extent in px at scale 1 (the viewBox) and the output's size in px."""
    x: float
    y: float
    width: float
    height: float
    out_width: int
    out_height: int


def _f(value: float) -> str:
    """A coordinate, short: two decimals at most."""
    return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def _shade(hex_colour: str, factor: float) -> str:
    value = hex_colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    r, g, b = (int(value[i:i + 2], 16) for i in (0, 2, 4))
    return "#{:02X}{:02X}{:02X}".format(*(max(0, min(255, int(c * factor))) for c in (r, g, b)))


def _points(points) -> str:
    return " ".join(f"{_f(a)},{_f(b)}" for a, b in points)


def _label(value, chars: int = LABEL_CHARS) -> str:
    """The value cut to `chars` characters with an ellipsis (the whole value is the tooltip)."""
    label = text(value)
    if len(label) <= chars:
        return label
    return label[:chars - 1] + "\u2026" if chars > 1 else ""


def _chars(px: float, font_size: float) -> int:
    """How many characters of a label fit in `px` at this font size."""
    return max(0, int(px / (font_size * CHAR_WIDTH)))


class Projection:
    def __init__(self, isometric: bool):
        self.isometric = isometric

    def __call__(self, x: float, y: float) -> tuple[float, float]:
        if self.isometric:
            return (x - y) * K, (x + y) * K / 2
        return x * UNIT, y * UNIT

    def plane(self) -> str:
        """The transform that lays px-sized content (x right, y down) onto the plane."""
        if self.isometric:
            c = K / UNIT
            return f"matrix({c:.5f} {c / 2:.5f} {-c:.5f} {c / 2:.5f} 0 0)"
        return ""

    def polygon(self, x: float, y: float, w: float, h: float) -> str:
        return _points((self(x, y), self(x + w, y), self(x + w, y + h), self(x, y + h)))


def _shapes(isometric: bool, theme: dict) -> dict[str, str]:
    """Everything drawn per kind (glyphs, tiles or blocks, diff halos, status dots) by its fixed id,
    as markup without the id: defined once in <defs> and placed with <use>."""
    shapes = {}
    for name, path in icons.GLYPHS.items():
        shapes[f"g-{name}"] = (f'<path d="{path}" fill="none" stroke="#FFFFFF" stroke-width="1.8" '
                               f'stroke-linecap="round" stroke-linejoin="round"/>')
    for category, (fill, _) in icons.CATEGORIES.items():
        shapes[f"t-{category}"] = _tile(fill, isometric)
    for state, (fill, _) in icons.DIFF.items():
        if isometric:
            rhombus = _points(((x - y) * K, (x + y) * K / 2)
                              for x, y in ((0.02, 0.02), (0.98, 0.02), (0.98, 0.98), (0.02, 0.98)))
            shapes[f"d-{state}"] = (f'<polygon points="{rhombus}" fill="{fill}" fill-opacity="0.3" '
                                    f'stroke="{fill}" stroke-width="2"/>')
        else:
            shapes[f"d-{state}"] = (f'<rect x="1" y="1" width="38" height="38" rx="7" fill="{fill}" '
                                    f'fill-opacity="0.18" stroke="{fill}" stroke-width="2.5"/>')
    cx, cy = (K * (1 - 2 * INSET) / 2 + 2, -BLOCK - 2) if isometric else (35, 5)
    for state, fill in icons.STATUS.items():
        shapes[f"s-{state}"] = (f'<circle cx="{_f(cx)}" cy="{_f(cy)}" r="5" fill="{fill}" '
                                f'stroke="{theme["halo"]}" stroke-width="1.5"/>')
    return shapes


def _tile(fill: str, isometric: bool) -> str:
    """A node's tile (2D) or block (isometric: the top face in `fill`, two darker sides)."""
    if isometric:
        top = ((INSET, INSET), (1 - INSET, INSET), (1 - INSET, 1 - INSET), (INSET, 1 - INSET))
        proj = [((x - y) * K, (x + y) * K / 2) for x, y in top]
        up = [(a, b - BLOCK) for a, b in proj]
        left = [up[3], up[2], proj[2], proj[3]]
        right = [up[1], up[2], proj[2], proj[1]]
        return (f'<g><polygon points="{_points(left)}" fill="{_shade(fill, 0.78)}"/>'
                f'<polygon points="{_points(right)}" fill="{_shade(fill, 0.62)}"/>'
                f'<polygon points="{_points(up)}" fill="{fill}"/></g>')
    return f'<rect x="4" y="4" width="32" height="32" rx="5" fill="{fill}"/>'


def _with_id(ident: str, markup: str) -> str:
    """The shape's markup with its id on the outer element."""
    tag_end = re.match(r"<\w+", markup).end()
    return f'{markup[:tag_end]} id="{ident}"{markup[tag_end:]}'


def _defs(shapes: dict[str, str]) -> list[str]:
    return ['<defs>'] + [_with_id(ident, markup) for ident, markup in shapes.items()] + ['</defs>']


def _use(ident: str, px: str, py: str, extra: str = "", inner: str = "") -> str:
    if inner:
        return f'<use xlink:href="#{ident}" x="{px}" y="{py}"{extra}>{inner}</use>'
    return f'<use xlink:href="#{ident}" x="{px}" y="{py}"{extra}/>'


def _icon(tile: str, glyph: str, isometric: bool) -> str:
    """A node's icon: a tile or block (`tile`, the id of its shape) with the glyph on it."""
    if isometric:
        s = (1 - 2 * INSET) / 32
        transform = (f"matrix({s * K:.5f} {s * K / 2:.5f} {-s * K:.5f} {s * K / 2:.5f} 0 "
                     f"{2 * INSET * K / 2 - BLOCK:.3f})")
    else:
        transform = "translate(4 4)"
    return (f'<g><use xlink:href="#{tile}"/>'
            f'<use xlink:href="#g-{glyph}" transform="{transform}"/></g>')


def measure(data: dict, options: ExportOptions) -> tuple[Size, dict]:
    """The drawing's extent, and what was read from the document on the way (reused by render)."""
    isometric = options.projection == "isometric"
    project = Projection(isometric)
    nodes = items(data, "nodes")
    groups = items(data, "groups")
    texts = items(data, "text")
    min_x = min_y = math.inf
    max_x = max_y = -math.inf
    positions = []
    for node in nodes:
        x, y = point(node.get("mapPos"))
        positions.append((x, y))
    if positions:
        xs = [p[0] for p in positions]
        ys = [p[1] for p in positions]
        gx0, gx1, gy0, gy1 = min(xs), max(xs) + 1, min(ys), max(ys) + 1
    else:
        gx0 = gy0 = math.inf
        gx1 = gy1 = -math.inf
    rects = [group_rect(g) for g in groups]
    for x, y, w, h in rects:
        gx0, gy0, gx1, gy1 = min(gx0, x), min(gy0, y), max(gx1, x + w), max(gy1, y + h)
    for item in texts:
        x, y = point(item.get("mapPos"))
        gx0, gy0, gx1, gy1 = min(gx0, x), min(gy0, y), max(gx1, x + 1), max(gy1, y + 1)
    if gx0 == math.inf:
        gx0 = gy0 = 0.0
        gx1 = gy1 = 1.0
    # Screen extent: the plane's bounding rectangle projects to the extremes in both projections.
    for cx, cy in ((gx0, gy0), (gx1, gy0), (gx1, gy1), (gx0, gy1)):
        sx, sy = project(cx, cy)
        min_x, max_x, min_y, max_y = min(min_x, sx), max(max_x, sx), min(min_y, sy), max(max_y, sy)
    # Labels hang below nodes and may be wider than a cell; blocks stand above the plane.
    label_room = 18.0 if options.label else 4.0
    half_label = (LABEL_CHARS * 6.2) / 2 if options.label else 0.0
    if isometric:
        min_y -= BLOCK + 8
    min_x -= half_label
    max_x += half_label
    max_y += label_room
    has_legend = any(n.get("diff") in icons.DIFF for n in nodes) or \
        any(n.get("status") in icons.STATUS for n in nodes)
    if has_legend:
        max_y += 30
        max_x = max(max_x, min_x + 420)
    min_x -= MARGIN
    min_y -= MARGIN
    max_x += MARGIN
    max_y += MARGIN
    width, height = max_x - min_x, max_y - min_y
    out_w, out_h = output_size(width, height, options)
    read = {"nodes": nodes, "groups": groups, "texts": texts, "positions": positions,
            "rects": rects, "plane": (gx0, gy0, gx1, gy1), "legend": has_legend}
    return Size(min_x, min_y, width, height, out_w, out_h), read


def output_size(width: float, height: float, options: ExportOptions) -> tuple[int, int]:
    """options.width/height (the other side from the aspect ratio when one is given), else the
    drawing's own size at options.scale."""
    if options.width and options.height:
        return options.width, options.height
    if options.width:
        return options.width, max(1, round(options.width * height / width))
    if options.height:
        return max(1, round(options.height * width / height)), options.height
    return max(1, round(width * options.scale)), max(1, round(height * options.scale))


def render_svg(data: dict, options: ExportOptions, out_size: tuple[int, int] | None = None) -> str:
    """The SVG text. `out_size` overrides the output width and height (the rasteriser's bound)."""
    if not isinstance(data, dict):
        data = {}
    isometric = options.projection == "isometric"
    theme = THEMES.get(options.theme, THEMES["light"])
    project = Projection(isometric)
    size, read = measure(data, options)
    out_w, out_h = out_size or (size.out_width, size.out_height)
    nodes, groups, positions, rects = read["nodes"], read["groups"], read["positions"], read["rects"]
    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'version="1.1" width="{out_w}" height="{out_h}" '
        f'viewBox="{_f(size.x)} {_f(size.y)} {_f(size.width)} {_f(size.height)}">',
        f'<title>{xml_text(data.get("name") or "Blueprint")}</title>',
    ]
    shapes = _shapes(isometric, theme)
    out += _defs(shapes)
    out.append(f'<g font-family="{FONT}">')
    if not options.transparent:
        out.append(f'<rect x="{_f(size.x)}" y="{_f(size.y)}" width="{_f(size.width)}" '
                   f'height="{_f(size.height)}" fill="{theme["background"]}"/>')
    if options.grid:
        out.append(_grid(read["plane"], project, theme))
    node_index = {}
    for i, node in enumerate(nodes):
        node_id = node.get("id")
        if isinstance(node_id, str):
            node_index.setdefault(node_id, i)
    out += _groups(groups, rects, nodes, project, options, theme)
    group_index = {}
    for i, group in enumerate(groups):
        group_id = group.get("id")
        if isinstance(group_id, str):
            group_index.setdefault(group_id, i)
    out += _edges(data, node_index, positions, group_index, rects, project, options, theme)
    out += _nodes(nodes, positions, project, options, theme, shapes)
    out += _texts(read["texts"], project, theme)
    if read["legend"]:
        out += _legend(nodes, size, theme)
    out.append('</g></svg>')
    return "".join(out)


def _grid(plane, project: Projection, theme: dict) -> str:
    x0, y0, x1, y1 = (math.floor(plane[0]) - 1, math.floor(plane[1]) - 1,
                      math.ceil(plane[2]) + 1, math.ceil(plane[3]) + 1)
    parts = []
    for x in range(x0, x1 + 1):
        (ax, ay), (bx, by) = project(x, y0), project(x, y1)
        parts.append(f"M{_f(ax)} {_f(ay)}L{_f(bx)} {_f(by)}")
    for y in range(y0, y1 + 1):
        (ax, ay), (bx, by) = project(x0, y), project(x1, y)
        parts.append(f"M{_f(ax)} {_f(ay)}L{_f(bx)} {_f(by)}")
    return f'<path d="{"".join(parts)}" fill="none" stroke="{theme["grid"]}" stroke-width="1"/>'


def _groups(groups, rects, nodes, project: Projection, options: ExportOptions, theme: dict) -> list[str]:
    if not groups:
        return []
    parent, _ = group_tree(groups, nodes)
    depth = depths(parent)
    order = sorted(range(len(groups)), key=lambda i: (depth[i], -(rects[i][2] * rects[i][3])))
    plane = project.plane()
    label_size = 16 if project.isometric else 13     # the plane flattens isometric labels
    out = ['<g class="groups">']
    badges = []
    for i in order:
        group = groups[i]
        x, y, w, h = rects[i]
        group_type = text(group.get("type")).lower()
        stroke, dashed, type_label = icons.GROUPS.get(group_type, icons.GROUP_GENERIC)
        if group_type == "account":
            stroke = theme["account"]
        stroke = colour(group.get("color"), options.projection) or stroke
        dash = ' stroke-dasharray="6 4"' if dashed else ""
        out.append(f'<polygon points="{project.polygon(x, y, w, h)}" fill="{stroke}" fill-opacity="0.04" '
                   f'stroke="{stroke}" stroke-width="1.6"{dash}/>')
        name = text(group.get("name"))
        collapsed = group.get("collapsed")
        # The label lies on the plane along the group's top edge.
        lx, ly = x * UNIT + 8, y * UNIT + label_size + 4
        # Cut to the group's width (the type label, bold, counts a little wider; in a box too
        # narrow even for it, it is cut too, and the name is only the tooltip).
        room = _chars(w * UNIT - 16, label_size)
        label = f'<tspan font-weight="bold">{xml_text(_label(type_label, int(room / 1.1)))}</tspan>'
        room -= math.ceil(len(type_label) * 1.1) + 1
        if name and room >= 2:
            label += f' {xml_text(_label(name, room))}'
        transform = f' transform="{plane}"' if plane else ""
        full = f'<title>{xml_text(name)}</title>' if name else ""
        out.append(f'<text x="{_f(lx)}" y="{_f(ly)}" font-size="{label_size}" fill="{stroke}"{transform}>'
                   f'{full}{label}</text>')
        if isinstance(collapsed, dict):
            badges.append(_collapsed_badge(collapsed, project(x + w / 2, y + h / 2), theme, stroke))
    out.append('</g>')
    return out + badges


def _collapsed_badge(collapsed: dict, centre, theme: dict, stroke: str) -> str:
    count = int(number(collapsed.get("count")))
    types = collapsed.get("types") if isinstance(collapsed.get("types"), dict) else {}
    ranked = sorted(((int(number(v)), text(k)) for k, v in types.items()), key=lambda kv: (-kv[0], kv[1]))
    breakdown = " \u00b7 ".join(f"{n} {xml_text(_label(t))}" for n, t in ranked[:4])
    if len(ranked) > 4:
        breakdown += f" \u00b7 +{len(ranked) - 4} more"
    cx, cy = centre
    width = max(120.0, len(breakdown) * 6.4 + 24)
    return (f'<g class="collapsed"><rect x="{_f(cx - width / 2)}" y="{_f(cy - 24)}" width="{_f(width)}" '
            f'height="46" rx="8" fill="{theme["badge"]}" stroke="{stroke}" stroke-width="1.5"/>'
            f'<text x="{_f(cx)}" y="{_f(cy - 4)}" text-anchor="middle" font-size="14" font-weight="bold" '
            f'fill="{theme["text"]}">{count} resources</text>'
            f'<text x="{_f(cx)}" y="{_f(cy + 13)}" text-anchor="middle" font-size="11" '
            f'fill="{theme["muted"]}">{breakdown}</text></g>')


def _edges(data, node_index, positions, group_index, rects, project: Projection, options: ExportOptions,
           theme: dict) -> list[str]:
    """Straight lines between node centres; an end that names a group (a VPC peering drawn to each
    VPC) meets the group's border at the point nearest the other end."""
    edges = items(data, "edges")
    if not edges:
        return []
    lift = BLOCK / 2 if project.isometric else 0.0
    out = [f'<g class="edges" fill="none" stroke="{theme["edge"]}" stroke-width="1.5">']

    def end(ident):
        """(plane centre, the group's rectangle or None, lift) of a node or group id, or None."""
        if not isinstance(ident, str):
            return None
        i = node_index.get(ident)
        if i is not None:
            return (positions[i][0] + 0.5, positions[i][1] + 0.5), None, lift
        i = group_index.get(ident)
        if i is not None:
            x, y, w, h = rects[i]
            return (x + w / 2, y + h / 2), rects[i], 0.0
        return None

    for edge in edges:
        a, b = end(edge.get("from")), end(edge.get("to"))
        if a is None or b is None:
            continue
        (a_plane, a_rect, a_lift), (b_plane, b_rect, b_lift) = a, b
        if a_rect:
            a_plane = border_point(a_rect, b_plane)
        if b_rect:
            b_plane = border_point(b_rect, a_plane)
        ax, ay = project(*a_plane)
        bx, by = project(*b_plane)
        extra = ' stroke-dasharray="5 4"' if edge.get("dashed") is True else ""
        edge_colour = colour(edge.get("color"), options.projection)
        if edge_colour:
            extra += f' stroke="{edge_colour}"'
        out.append(f'<path d="M{_f(ax)} {_f(ay - a_lift)}L{_f(bx)} {_f(by - b_lift)}"{extra}/>')
    out.append('</g>')
    return out


def _nodes(nodes, positions, project: Projection, options: ExportOptions, theme: dict,
           shapes: dict[str, str]) -> list[str]:
    if not nodes:
        return []
    isometric = project.isometric
    order = range(len(nodes))
    if isometric:  # back to front
        order = sorted(order, key=lambda i: (positions[i][0] + positions[i][1], positions[i][0]))
    defs: list[str] = []
    out = ['<g class="nodes">']
    labels = [f'<g class="labels" font-size="{_f(NODE_FONT)}" text-anchor="middle" fill="{theme["text"]}">']
    label_chars = _chars(NODE_LABEL_PX[isometric], NODE_FONT)
    label_dx, label_dy = (0.0, K + 12) if isometric else (20.0, 49.0)
    for i in order:
        node = nodes[i]
        sx, sy = project(*positions[i])
        px, py = _f(sx), _f(sy)
        category, glyph, _ = icons.kind(node)
        tile = f"t-{category}"
        own = colour(node.get("color"), options.projection)      # a node's own colour replaces its category's
        if own:
            own = _shade(own, 1.0)                                # #rgb or #rrggbb as #RRGGBB
            tile = f"t-{own[1:]}"
            if tile not in shapes:
                shapes[tile] = _tile(own, isometric)
                defs.append(_with_id(tile, shapes[tile]))
        icon_id = f"n-{tile[2:]}-{glyph}"
        if icon_id not in shapes:
            shapes[icon_id] = _icon(tile, glyph, isometric)
            defs.append(_with_id(icon_id, shapes[icon_id]))
        diff = node.get("diff")
        if diff in icons.DIFF:
            out.append(_use(f"d-{diff}", px, py))
        name = node.get("name")
        if name is None or name == "":
            name = node.get("id")
        title = xml_text(name)
        kind = xml_text(node.get("type") or node.get("awsType") or "")
        opacity = ' opacity="0.45"' if diff == "removed" else ""
        # data-arn: the browser app finds each component (and its place) by its ARN to draw live
        # status over the picture; AWS's strings are escaped like every other.
        arn = node.get("arn")
        extra = f'{opacity} data-arn="{xml_text(arn)}"' if arn else opacity
        out.append(_use(icon_id, px, py, extra, f'<title>{title} ({kind})</title>'))
        status = node.get("status")
        if status in icons.STATUS:
            out.append(_use(f"s-{status}", px, py))
        if options.label and name:
            labels.append(f'<text x="{_f(sx + label_dx)}" y="{_f(sy + label_dy)}">'
                          f'{xml_text(_label(name, label_chars))}</text>')
    out.append('</g>')
    labels.append('</g>')
    return (['<defs>'] + defs + ['</defs>'] if defs else []) + out + (labels if len(labels) > 2 else [])


def _texts(texts, project: Projection, theme: dict) -> list[str]:
    out = []
    for item in texts:
        x, y = point(item.get("mapPos"))
        sx, sy = project(x, y)
        size = min(max(number(item.get("textSize"), 16.0), 4.0), 200.0)
        out.append(f'<text x="{_f(sx)}" y="{_f(sy)}" font-size="{_f(size)}" fill="{theme["text"]}">'
                   f'{xml_text(item.get("text"))}</text>')
    return out


def _legend(nodes, size: Size, theme: dict) -> list[str]:
    diffs = [state for state in icons.DIFF if any(n.get("diff") == state for n in nodes)]
    statuses = [state for state in icons.STATUS if any(n.get("status") == state for n in nodes)]
    x = size.x + MARGIN
    y = size.y + size.height - MARGIN - 10
    out = [f'<g class="legend" font-size="11" fill="{theme["text"]}">']
    for state in diffs:
        fill, label = icons.DIFF[state]
        out.append(f'<rect x="{_f(x)}" y="{_f(y - 9)}" width="12" height="12" rx="2" fill="{fill}" '
                   f'fill-opacity="0.3" stroke="{fill}" stroke-width="1.5"/>'
                   f'<text x="{_f(x + 17)}" y="{_f(y + 1)}">{label}</text>')
        x += 80
    for state in statuses:
        out.append(f'<circle cx="{_f(x + 5)}" cy="{_f(y - 3)}" r="5" fill="{icons.STATUS[state]}"/>'
                   f'<text x="{_f(x + 14)}" y="{_f(y + 1)}">{state.capitalize()}</text>')
        x += 75
    out.append('</g>')
    return out
