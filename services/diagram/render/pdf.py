"""The SVG that svg.py writes, drawn onto a reportlab (BSD) canvas: a vector PDF page.

This reads only the small part of SVG that svg.py writes (g, rect, polygon, path, circle, text
with tspan, use of the shapes in <defs>, translate and matrix transforms, fill/stroke and their
opacities, dash arrays, font size, weight and anchor) and ignores anything else. Each shape in
<defs> becomes one PDF form XObject, drawn once per <use>: a node costs a few operators, so 10,000
nodes take a fraction of the time svglib needs (docs/diagram-rendering.md has both measured).

Text is Helvetica (one of PDF's standard fonts: nothing embedded), kept as text. SVG's y axis
points down, PDF's up: the drawing is flipped once, and each text is flipped back where it stands.
"""
from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

from reportlab.pdfgen.canvas import Canvas

SVG = "{http://www.w3.org/2000/svg}"
HREF = "{http://www.w3.org/1999/xlink}href"
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_PATH_TOKEN = re.compile(r"[MmLlHhVvCcSsAaZz]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_TRANSFORM = re.compile(r"(translate|matrix|scale)\(([^)]*)\)")
_INHERITED = ("fill", "stroke", "stroke-width", "font-size", "font-weight", "text-anchor", "fill-opacity",
              "stroke-opacity", "stroke-dasharray", "stroke-linecap", "stroke-linejoin")
_CAPS = {"butt": 0, "round": 1, "square": 2}
_JOINS = {"miter": 0, "round": 1, "bevel": 2}
FORM_BOX = 200.0    # a shape in <defs> lies within this of its origin (a node is 40 units)


def _colour(value: str) -> str:
    """#rgb as #rrggbb (reportlab reads a short one as a number)."""
    return "#" + "".join(c * 2 for c in value[1:]) if len(value) == 4 and value.startswith("#") else value


def _numbers(value: str | None) -> list[float]:
    return [float(n) for n in _NUMBER.findall(value or "")]


def _float(value: str | None, default: float = 0.0) -> float:
    numbers = _numbers(value)
    return numbers[0] if numbers else default


def draw_svg(canvas: Canvas, svg: str) -> tuple[float, float]:
    """Draw the SVG's viewBox content with its top-left corner at the canvas origin, one unit a
    point, y down (the caller scales and places it); returns the viewBox's width and height."""
    root = ET.fromstring(svg)
    vx, vy, vw, vh = (_numbers(root.get("viewBox")) + [0, 0, 0, 0])[:4]
    canvas.saveState()
    canvas.translate(0, vh)
    canvas.scale(1, -1)
    canvas.translate(-vx, -vy)
    _Painter(canvas).children(root, {"fill": "#000000", "font-size": "16", "stroke-width": "1"})
    canvas.restoreState()
    return vw, vh


class _Painter:
    def __init__(self, canvas: Canvas):
        self.canvas = canvas
        self.forms: set[str] = set()

    def children(self, element: ET.Element, style: dict) -> None:
        for child in element:
            self.element(child, style)

    def element(self, element: ET.Element, inherited: dict) -> None:
        tag = element.tag.replace(SVG, "")
        if tag == "defs":
            for shape in element:
                self.define(shape, inherited)
            return
        if tag not in ("g", "rect", "polygon", "path", "circle", "text", "use"):
            return          # title, and anything svg.py does not write
        style = dict(inherited)
        for name in _INHERITED:
            if name in element.attrib:
                style[name] = element.attrib[name]
        canvas = self.canvas
        canvas.saveState()
        self.transform(element.get("transform"))
        opacity = _float(element.get("opacity"), 1.0)
        if opacity < 1.0:   # a group opacity, approximated on fills and strokes (a removed node)
            canvas.setFillAlpha(opacity)
            canvas.setStrokeAlpha(opacity)
        if tag == "g":
            self.children(element, style)
        elif tag == "use":
            ident = (element.get(HREF) or "")[1:]
            if ident in self.forms:
                canvas.translate(_float(element.get("x")), _float(element.get("y")))
                canvas.doForm(ident)
        elif tag == "text":
            self.text(element, style)
        else:
            self.shape(tag, element, style)
        canvas.restoreState()

    def define(self, shape: ET.Element, style: dict) -> None:
        ident = shape.get("id")
        if not ident or ident in self.forms:
            return
        self.canvas.beginForm(ident, -FORM_BOX, -FORM_BOX, FORM_BOX, FORM_BOX)
        self.element(shape, style)
        self.canvas.endForm()
        self.forms.add(ident)

    def transform(self, value: str | None) -> None:
        for kind, args in _TRANSFORM.findall(value or ""):
            n = _numbers(args)
            if kind == "translate" and n:
                self.canvas.translate(n[0], n[1] if len(n) > 1 else 0.0)
            elif kind == "matrix" and len(n) == 6:
                self.canvas.transform(*n)
            elif kind == "scale" and n:
                self.canvas.scale(n[0], n[1] if len(n) > 1 else n[0])

    def paint(self, style: dict) -> tuple[bool, bool]:
        """Set the fill and stroke from the style; whether each is drawn."""
        canvas = self.canvas
        fill, stroke = style.get("fill", "none"), style.get("stroke", "none")
        if fill != "none":
            canvas.setFillColor(_colour(fill))
            if "fill-opacity" in style:
                canvas.setFillAlpha(_float(style["fill-opacity"], 1.0))
        if stroke != "none":
            canvas.setStrokeColor(_colour(stroke))
            canvas.setLineWidth(_float(style.get("stroke-width"), 1.0))
            canvas.setLineCap(_CAPS.get(style.get("stroke-linecap"), 0))
            canvas.setLineJoin(_JOINS.get(style.get("stroke-linejoin"), 0))
            dash = _numbers(style.get("stroke-dasharray"))
            if dash:
                canvas.setDash(dash)
        return fill != "none", stroke != "none"

    def shape(self, tag: str, element: ET.Element, style: dict) -> None:
        canvas = self.canvas
        fill, stroke = self.paint(style)
        if not (fill or stroke):
            return
        get = element.get
        if tag == "rect":
            x, y, w, h = (_float(get(name)) for name in ("x", "y", "width", "height"))
            radius = _float(get("rx"))
            if radius:
                canvas.roundRect(x, y, w, h, radius, stroke=int(stroke), fill=int(fill))
            else:
                canvas.rect(x, y, w, h, stroke=int(stroke), fill=int(fill))
            return
        if tag == "circle":
            canvas.circle(_float(get("cx")), _float(get("cy")), _float(get("r")), stroke=int(stroke), fill=int(fill))
            return
        path = canvas.beginPath()
        if tag == "polygon":
            n = _numbers(get("points"))
            if len(n) < 4:
                return
            path.moveTo(n[0], n[1])
            for i in range(2, len(n) - 1, 2):
                path.lineTo(n[i], n[i + 1])
            path.close()
        else:
            _path_data(path, get("d") or "")
        canvas.drawPath(path, stroke=int(stroke), fill=int(fill))

    def text(self, element: ET.Element, style: dict) -> None:
        canvas = self.canvas
        runs = []           # (text, bold)
        bold = style.get("font-weight") == "bold"
        if element.text:
            runs.append((element.text, bold))
        for child in element:
            if child.tag == f"{SVG}tspan":
                runs.append((child.text or "", child.get("font-weight", style.get("font-weight")) == "bold"))
            if child.tail:
                runs.append((child.tail, bold))
        content = [(text.replace("\n", " "), bold) for text, bold in runs if text]
        if not content or style.get("fill", "none") == "none":
            return
        size = _float(style.get("font-size"), 16.0)
        fonts = {False: "Helvetica", True: "Helvetica-Bold"}
        width = sum(canvas.stringWidth(text, fonts[bold], size) for text, bold in content)
        anchor = style.get("text-anchor")
        x = _float(element.get("x")) - (width / 2 if anchor == "middle" else width if anchor == "end" else 0.0)
        canvas.setFillColor(_colour(style["fill"]))
        canvas.translate(x, _float(element.get("y")))
        canvas.scale(1, -1)
        out = canvas.beginText(0, 0)
        for text, bold in content:
            out.setFont(fonts[bold], size)
            out.textOut(text)
        canvas.drawText(out)


def _path_data(path, data: str) -> None:
    """SVG path data (M L H V C S A Z, absolute and relative) onto a reportlab path."""
    tokens = _PATH_TOKEN.findall(data)
    x = y = start_x = start_y = 0.0
    control = None          # the last cubic's second control point, for S
    command = ""
    i = 0
    while i < len(tokens):
        if tokens[i].isalpha():
            command = tokens[i]
            i += 1
            if command in "Zz":
                path.close()
                x, y, control = start_x, start_y, None
                continue
        kind, relative = command.upper(), command.islower()
        counts = {"M": 2, "L": 2, "H": 1, "V": 1, "C": 6, "S": 4, "A": 7}
        if kind not in counts or i + counts[kind] > len(tokens):
            return
        n = [float(t) for t in tokens[i:i + counts[kind]]]
        i += counts[kind]
        dx, dy = (x, y) if relative else (0.0, 0.0)
        if kind == "M":
            x, y = n[0] + dx, n[1] + dy
            start_x, start_y = x, y
            path.moveTo(x, y)
            command = "l" if relative else "L"      # further pairs are lines
            control = None
        elif kind in "LHV":
            if kind == "L":
                x, y = n[0] + dx, n[1] + dy
            elif kind == "H":
                x = n[0] + dx
            else:
                y = n[0] + dy
            path.lineTo(x, y)
            control = None
        elif kind in "CS":
            if kind == "C":
                x1, y1, x2, y2, ex, ey = n[0] + dx, n[1] + dy, n[2] + dx, n[3] + dy, n[4] + dx, n[5] + dy
            else:
                x1, y1 = (2 * x - control[0], 2 * y - control[1]) if control else (x, y)
                x2, y2, ex, ey = n[0] + dx, n[1] + dy, n[2] + dx, n[3] + dy
            path.curveTo(x1, y1, x2, y2, ex, ey)
            control, x, y = (x2, y2), ex, ey
        else:
            ex, ey = n[5] + dx, n[6] + dy
            _arc(path, x, y, abs(n[0]), abs(n[1]), n[3] != 0, n[4] != 0, ex, ey)
            x, y, control = ex, ey, None


def _arc(path, x1: float, y1: float, rx: float, ry: float, large: bool, sweep: bool, x2: float,
         y2: float) -> None:
    """An SVG elliptical arc without rotation (svg.py's glyphs) as cubic Béziers (SVG 1.1 F.6.5)."""
    if rx == 0 or ry == 0 or (x1, y1) == (x2, y2):
        path.lineTo(x2, y2)
        return
    px, py = (x1 - x2) / 2, (y1 - y2) / 2
    scale = (px / rx) ** 2 + (py / ry) ** 2
    if scale > 1:
        rx, ry = rx * math.sqrt(scale), ry * math.sqrt(scale)
    numerator = max(0.0, rx * rx * ry * ry - rx * rx * py * py - ry * ry * px * px)
    factor = math.sqrt(numerator / (rx * rx * py * py + ry * ry * px * px))
    if large == sweep:
        factor = -factor
    cx, cy = factor * rx * py / ry + (x1 + x2) / 2, -factor * ry * px / rx + (y1 + y2) / 2
    start = math.atan2((y1 - cy) / ry, (x1 - cx) / rx)
    sweep_angle = math.atan2((y2 - cy) / ry, (x2 - cx) / rx) - start
    if sweep and sweep_angle < 0:
        sweep_angle += 2 * math.pi
    elif not sweep and sweep_angle > 0:
        sweep_angle -= 2 * math.pi
    segments = max(1, math.ceil(abs(sweep_angle) / (math.pi / 2)))
    step = sweep_angle / segments
    k = 4 / 3 * math.tan(step / 4)
    for s in range(segments):
        a, b = start + s * step, start + (s + 1) * step
        ax, ay = math.cos(a), math.sin(a)
        bx, by = math.cos(b), math.sin(b)
        path.curveTo(cx + rx * (ax - k * ay), cy + ry * (ay + k * ax),
                     cx + rx * (bx + k * by), cy + ry * (by - k * bx),
                     cx + rx * bx, cy + ry * by)
