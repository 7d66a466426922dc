"""render(): every format, both projections, hand-written documents (tests/services/diagram/render/documents.py),
checked by parsing the output back, and the SVG in a real headless Chromium."""
from __future__ import annotations

import io
import json
import re
import struct
import xml.etree.ElementTree as ET

import pypdf
import pytest
from PIL import Image

from services.common.errors import InvalidArgument
from services.diagram.options import ExportOptions, parse_options
from services.diagram.render import render
from services.diagram.render import svg as svg_module
from services.diagram.render.raster import PAGE_MARGIN_PT, PT_PER_MM, PT_PER_PX
from tests.services.diagram.render.chromium import show
from tests.services.diagram.render.documents import HOSTILE, cloudcraft_export, hostile, realistic

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}href"
PROJECTIONS = ("isometric", "2d")


def svg_of(data, **options) -> ET.Element:
    body, content_type = render(data, "svg", ExportOptions(**options))
    assert content_type == "image/svg+xml"
    return ET.fromstring(body.decode("utf-8"))


def png_size(body: bytes) -> tuple[int, int]:
    assert body[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", body[16:24])


def pdf_page(body: bytes) -> pypdf.PageObject:
    assert body.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(body))
    assert len(reader.pages) == 1
    return reader.pages[0]


def page_box(page: pypdf.PageObject) -> tuple[float, float]:
    return float(page.mediabox.width), float(page.mediabox.height)


def drawn_extent(page: pypdf.PageObject, skip_first_fill: bool) -> tuple[float, float, float, float]:
    """The page-space bounding box (x0, y0, x1, y1) of every path point the content stream draws,
    following q/Q/cm; with `skip_first_fill`, leaving out the first rectangle (the page's fill)."""
    ctm = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
    stack, xs, ys = [], [], []
    skip = skip_first_fill

    def at(x, y):
        a, b, c, d, e, f = ctm
        xs.append(a * x + c * y + e)
        ys.append(b * x + d * y + f)

    for operands, operator in pypdf.generic.ContentStream(page.get_contents(), page.pdf).operations:
        values = [float(v) for v in operands if isinstance(v, (int, float))]
        if operator == b"q":
            stack.append(ctm[:])
        elif operator == b"Q":
            ctm = stack.pop()
        elif operator == b"cm":
            a, b, c, d, e, f = values
            A, B, C, D, E, F = ctm
            ctm = [a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F]
        elif operator == b"re":
            if skip:
                skip = False
                continue
            x, y, w, h = values
            at(x, y)
            at(x + w, y + h)
        elif operator in (b"m", b"l", b"c"):
            for i in range(0, len(values), 2):
                at(values[i], values[i + 1])
    return min(xs), min(ys), max(xs), max(ys)


def node_label(name: str, projection: str) -> str:
    """A node's label as drawn: cut with an ellipsis to the room between its neighbours."""
    chars = svg_module._chars(svg_module.NODE_LABEL_PX[projection == "isometric"], svg_module.NODE_FONT)
    return name if len(name) <= chars else name[:chars - 1] + "\u2026"


def node_titles(root: ET.Element) -> list[str]:
    return [use.find(f"{SVG}title").text for use in root.iter(f"{SVG}use") if use.find(f"{SVG}title") is not None]


@pytest.mark.parametrize("projection", PROJECTIONS)
def test_svg_holds_every_node_group_and_edge(projection):
    data = realistic()
    root = svg_of(data, projection=projection)
    titles = node_titles(root)
    assert len(titles) == len(data["nodes"])
    assert "web-a0 (ec2)" in titles and "unknown-type (quantumcomputer)" in titles
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    for node in data["nodes"]:
        assert node_label(node["name"], projection) in texts
    for group in data["groups"]:
        assert any(group["name"] in t for t in texts), group["name"]
    edges = root.find(f".//{SVG}g[@class='edges']")
    assert len(edges) == len(data["edges"])
    assert sum(1 for p in edges if p.get("stroke-dasharray")) == sum(1 for e in data["edges"] if e["dashed"])
    assert "Checkout stack" in texts


def test_svg_marks_diff_status_collapsed_and_the_legend():
    root = svg_of(realistic())
    hrefs = [use.get(XLINK) for use in root.iter(f"{SVG}use")]
    assert hrefs.count("#d-added") == 1 and hrefs.count("#d-changed") == 1 and hrefs.count("#d-removed") == 1
    for state in ("ok", "warning", "critical", "stopped", "pending"):
        assert f"#s-{state}" in hrefs
    legend = "".join(root.find(f".//{SVG}g[@class='legend']").itertext())
    assert "Added" in legend and "Removed" in legend and "Changed" in legend and "Critical" in legend
    badge = "".join(root.find(f".//{SVG}g[@class='collapsed']").itertext())
    assert "57 resources" in badge and "40 ec2" in badge and "12 ebs" in badge


def test_svg_is_self_contained_and_honours_theme_grid_label_and_colour():
    body, _ = render(realistic(), "svg", ExportOptions(theme="dark", grid=True, label=False))
    root = ET.fromstring(body)
    for element in root.iter():
        tag = element.tag.replace(SVG, "")
        assert tag not in ("script", "image", "foreignObject", "style", "a", "iframe")
        for name, value in element.attrib.items():
            if name in (XLINK, "href"):
                assert value.startswith("#"), value
            assert "url(" not in value and "javascript" not in value.lower()
    assert b"http" not in body.replace(b"http://www.w3.org/2000/svg", b"").replace(b"http://www.w3.org/1999/xlink", b"")
    assert [r for r in root.iter(f"{SVG}rect") if r.get("fill") == "#161B22"], "dark background"
    assert root.find(f".//{SVG}g[@class='labels']") is None
    assert any(p.get("stroke") == "#262D36" for p in root.iter(f"{SVG}path")), "grid"
    assert any(p.get("stroke") == "#1166BB" for p in root.iter(f"{SVG}polygon")), "the VPC's own colour"
    transparent = ET.fromstring(render(realistic(), "svg", ExportOptions(transparent=True))[0])
    view_width = transparent.get("viewBox").split()[2]
    assert not [r for r in transparent.iter(f"{SVG}rect") if r.get("width") == view_width], "no background"
    assert [r for r in root.iter(f"{SVG}rect") if r.get("width") == root.get("viewBox").split()[2]]


def test_svg_size_follows_scale_width_and_height():
    natural = svg_of(realistic(), projection="2d")
    width, height = int(natural.get("width")), int(natural.get("height"))
    double = svg_of(realistic(), projection="2d", scale=2)
    assert abs(int(double.get("width")) - 2 * width) <= 1 and abs(int(double.get("height")) - 2 * height) <= 1
    wide = svg_of(realistic(), projection="2d", width=1000)
    assert wide.get("width") == "1000" and wide.get("height") == str(round(1000 * height / width))
    fixed = svg_of(realistic(), width=640, height=480)
    assert (fixed.get("width"), fixed.get("height")) == ("640", "480")


@pytest.mark.parametrize("projection", PROJECTIONS)
@pytest.mark.parametrize("theme", ("light", "dark"))
def test_svg_renders_in_chromium_without_errors(browser, tmp_path, projection, theme):
    body, _ = render(realistic(), "svg", ExportOptions(projection=projection, theme=theme, grid=True, width=1400))
    errors, screenshot = show(browser, body, tmp_path, f"realistic-{projection}-{theme}")
    assert errors == []
    assert screenshot.stat().st_size > 20_000   # a blank page compresses to a few hundred bytes


def test_cloudcraft_export_renders_in_every_format(browser, tmp_path):
    data = cloudcraft_export()
    for projection in PROJECTIONS:
        options = ExportOptions(projection=projection)
        root = ET.fromstring(render(data, "svg", options)[0])
        assert len(node_titles(root)) == 10
        assert any(t.startswith("c6f00000") for t in node_titles(root)), "the id labels a nameless node"
        errors, _ = show(browser, render(data, "svg", options)[0], tmp_path, f"cloudcraft-{projection}")
        assert errors == []
        assert png_size(render(data, "png", options)[0])[0] > 100
        assert page_box(pdf_page(render(data, "pdf", options)[0]))[0] > 100
        model = ET.fromstring(render(data, "mxGraph", options)[0])
        assert len([c for c in model.iter("mxCell") if c.get("vertex") == "1"]) == 10
    assert json.loads(render(data, "json", ExportOptions())[0]) == data


def test_empty_and_malformed_documents_still_render():
    for data in ({}, {"nodes": None, "groups": "x"}, {"nodes": [{"mapPos": "nowhere"}, 7], "edges": [{}]}):
        for fmt in ("svg", "png", "pdf", "mxGraph"):
            body, _ = render(data, fmt, ExportOptions())
            assert body


@pytest.mark.parametrize("size", [(800, 600), (801, 333), (1, 1), (2000, 120)])
def test_png_is_exactly_the_requested_size(size):
    body, content_type = render(realistic(), "png", ExportOptions(width=size[0], height=size[1]))
    assert content_type == "image/png"
    assert png_size(body) == size


def test_png_size_from_width_scale_and_transparency():
    svg = svg_of(realistic(), projection="2d")
    aspect = int(svg.get("height")) / int(svg.get("width"))
    body, _ = render(realistic(), "png", ExportOptions(projection="2d", width=900))
    assert png_size(body) == (900, round(900 * aspect))
    body, _ = render(realistic(), "png", ExportOptions(projection="2d", scale=0.5))
    assert png_size(body) == (round(int(svg.get("width")) * 0.5), round(int(svg.get("height")) * 0.5))
    with Image.open(io.BytesIO(body)) as image:
        assert image.getpixel((0, 0)) == (255, 255, 255, 255)   # the light theme's background, opaque
    transparent, _ = render(realistic(), "png", ExportOptions(transparent=True, width=300))
    assert transparent[25] == 6              # colour type 6: RGBA
    with Image.open(io.BytesIO(transparent)) as image:
        assert image.getpixel((0, 0))[3] == 0   # a corner is see-through


def test_pdf_page_follows_paper_size_landscape_and_width():
    def page(**options):
        body, content_type = render(realistic(), "pdf", ExportOptions(**options))
        assert content_type == "application/pdf"
        return pdf_page(body)

    letter = page()
    assert tuple(round(v, 1) for v in page_box(letter)) == (612.0, 792.0)
    a4 = page(paper_size="A4", landscape=True)
    assert tuple(round(v) for v in page_box(a4)) == (round(297 * PT_PER_MM), round(210 * PT_PER_MM))
    a3 = page(paper_size="A3")
    assert tuple(round(v) for v in page_box(a3)) == (round(297 * PT_PER_MM), round(420 * PT_PER_MM))
    sized = page(width=1000, height=500)
    assert page_box(sized) == (1000 * PT_PER_PX, 500 * PT_PER_PX)
    for fitted in (a4, a3):         # the drawing fills the page inside its margin, aspect kept
        width, height = page_box(fitted)
        x0, y0, x1, y1 = drawn_extent(fitted, skip_first_fill=True)     # not the page's fill
        usable_w, usable_h = width - 2 * PAGE_MARGIN_PT, height - 2 * PAGE_MARGIN_PT
        assert PAGE_MARGIN_PT - 0.01 <= x0 and x1 <= width - PAGE_MARGIN_PT + 0.01
        assert PAGE_MARGIN_PT - 0.01 <= y0 and y1 <= height - PAGE_MARGIN_PT + 0.01
        assert x1 - x0 > 0.9 * usable_w or y1 - y0 > 0.9 * usable_h
    text = a4.extract_text()
    assert "orders-db-a" in text and "production-vpc" in text     # vector: the text stays text


def test_mxgraph_holds_every_node_group_and_edge_with_the_right_parents():
    data = realistic()
    body, content_type = render(data, "mxGraph", ExportOptions())
    assert content_type == "application/xml"
    mxfile = ET.fromstring(body)
    assert mxfile.tag == "mxfile"
    root = mxfile.find("diagram/mxGraphModel/root")
    cells = list(root)
    assert cells[0].tag == "mxCell" and cells[0].get("id") == "0"
    assert cells[1].get("id") == "1" and cells[1].get("parent") == "0"
    objects = {o.get("cloudsketchId"): o for o in root.iter("object")}
    cell_id = {key: o.get("id") for key, o in objects.items()}
    by_cell = {o.get("id"): o for o in objects.values()}
    groups = {g["id"]: g for g in data["groups"]}
    parent_of = {child: g["id"] for g in data["groups"] for child in g["groups"] + g["nodes"]}
    for item in data["nodes"] + data["groups"]:
        obj = objects[item["id"]]
        cell = obj.find("mxCell")
        assert cell.get("vertex") == "1"
        assert obj.get("label").endswith(item["name"]) or item["name"] in obj.get("label")
        owner = parent_of.get(item["id"])
        assert cell.get("parent") == (cell_id[owner] if owner else "1"), item["id"]
        geometry = cell.find("mxGeometry")
        x, y = float(geometry.get("x")), float(geometry.get("y"))
        base = groups[owner]["mapPos"] if owner else [0, 0]
        assert x >= (item["mapPos"][0] - base[0]) * 80 and y >= (item["mapPos"][1] - base[1]) * 80
        assert x < (item["mapPos"][0] - base[0] + 1) * 80
    assert "resIcon=mxgraph.aws4.ec2" in objects["web-a0"].find("mxCell").get("style")
    assert "grIcon=mxgraph.aws4.group_vpc" in objects["vpc"].find("mxCell").get("style")
    assert "57 resources" in objects["batch"].get("label")
    edges = [o for o in root.iter("object") if o.find("mxCell").get("edge") == "1"]
    assert len(edges) == len(data["edges"])
    for obj, edge in zip(edges, data["edges"], strict=False):
        cell = obj.find("mxCell")
        assert by_cell[cell.get("source")].get("cloudsketchId") == edge["from"]
        assert by_cell[cell.get("target")].get("cloudsketchId") == edge["to"]
        assert ("dashed=1" in cell.get("style")) == edge["dashed"]
    for cell in root.iter("mxCell"):
        assert "html=1" not in (cell.get("style") or "")     # labels stay plain text in draw.io


def test_hostile_strings_come_out_escaped_and_intact_in_every_format(browser, tmp_path):
    data = hostile()
    for projection in PROJECTIONS:
        body, _ = render(data, "svg", ExportOptions(projection=projection))
        root = ET.fromstring(body)       # parses: everything was escaped
        titles = node_titles(root)
        texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
        for name in HOSTILE:
            assert any(t.startswith(name + " (") for t in titles), name[:40]
            assert node_label(name, projection) in texts, name[:40]      # cut to its room; whole in the title
            assert any(name in (t.findtext(f"{SVG}title") or "") for t in root.iter(f"{SVG}text")), name[:40]
        assert root.findtext(f"{SVG}title") == HOSTILE[0]
        assert not any(e.tag.endswith("script") for e in root.iter())
        for element in root.iter():
            for name, value in element.attrib.items():
                assert "<" not in value and "javascript" not in value and "url(" not in value, (name, value[:50])
                if name in ("id", "class", "style", XLINK):
                    assert re.fullmatch(r"[#A-Za-z0-9_-]*", value), value[:50]
        errors, _ = show(browser, body, tmp_path, f"hostile-{projection}")
        assert errors == []

    model = ET.fromstring(render(data, "mxGraph", ExportOptions())[0])
    labels = [o.get("label") for o in model.iter("object")]
    for name in HOSTILE:
        assert any(label == name or label.endswith(": " + name) for label in labels), name[:40]
    assert any(o.get("nodeType") == HOSTILE[0] for o in model.iter("object"))
    for cell in model.iter("mxCell"):
        assert re.fullmatch(r"[a-z0-9]*", cell.get("parent") or "") and "javascript" not in (cell.get("style") or "")

    text = pdf_page(render(data, "pdf", ExportOptions(projection="2d"))[0]).extract_text()
    for name in HOSTILE[:4]:
        assert node_label(name, "2d") in text, name
    assert node_label("x" * 10_000, "2d") in text
    assert png_size(render(data, "png", ExportOptions(width=640, height=480))[0]) == (640, 480)
    assert json.loads(render(data, "json", ExportOptions())[0]) == data


def test_format_and_options_come_from_the_query_string():
    options = parse_options({"projection": "2d", "width": "320", "height": "200", "grid": "true"})
    assert png_size(render(cloudcraft_export(), "png", options)[0]) == (320, 200)
    with pytest.raises(InvalidArgument):
        render(realistic(), "gif", ExportOptions())



def test_png_and_pdf_from_several_threads_at_once():
    """The diagram api renders on a gRPC thread pool; reportlab's thread safety is undocumented
    (raster.RENDER_LOCK)."""
    from concurrent.futures import ThreadPoolExecutor
    sizes = [(300 + 10 * i, 200 + 10 * i) for i in range(8)]

    def work(size):
        png, _ = render(realistic(), "png", ExportOptions(width=size[0], height=size[1]))
        pdf, _ = render(realistic(), "pdf", ExportOptions(width=size[0], height=size[1]))
        return png_size(png), tuple(round(v / PT_PER_PX) for v in page_box(pdf_page(pdf)))

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(work, sizes))
    assert results == [(size, size) for size in sizes]


@pytest.mark.parametrize("projection", PROJECTIONS)
def test_an_edge_to_a_group_ends_on_the_groups_border(projection):
    """docs/blueprint-format.md "Edge": a VPC peering is drawn to its VPC, a group."""
    from services.diagram.render.svg import Projection
    data = realistic()
    edges = svg_of(data, projection=projection).find(f".//{SVG}g[@class='edges']")
    assert len(edges) == len(data["edges"])
    index = [e["id"] for e in data["edges"]].index("e-pcx-vpc")
    end = re.fullmatch(r"M\S+ \S+L(\S+) (\S+)", edges[index].get("d")).groups()
    # The VPC spans x 2..35, y 2..30; the peering stands at (48, 8), to the right: the line meets the
    # right side at the peering's height, (35, 8.5) on the plane.
    expected = Projection(projection == "isometric")(35, 8.5)
    assert (float(end[0]), float(end[1])) == pytest.approx(expected, abs=0.01)
    model = ET.fromstring(render(data, "mxGraph", ExportOptions(projection=projection))[0])
    by_id = {o.get("cloudsketchId"): o for o in model.iter("object")}
    cell = by_id["e-pcx-vpc"].find("mxCell")
    assert (cell.get("source"), cell.get("target")) == (by_id["pcx"].get("id"), by_id["vpc"].get("id"))


def test_border_point_from_outside_inside_and_on_the_border():
    from services.diagram.render.document import border_point
    rect = (2.0, 2.0, 10.0, 4.0)
    assert border_point(rect, (20.0, 3.0)) == (12.0, 3.0)      # outside, right
    assert border_point(rect, (0.0, 0.0)) == (2.0, 2.0)        # outside, a corner
    assert border_point(rect, (5.0, 2.5)) == (5.0, 2.0)        # inside, nearest the top
    assert border_point(rect, (11.0, 4.0)) == (12.0, 4.0)      # inside, nearest the right


def test_a_nodes_own_colour_replaces_its_category_colour():
    for projection, fill in (("2d", "#AA0033"), ("isometric", "#AA0033")):
        root = svg_of(realistic(), projection=projection)
        uses = [u for u in root.iter(f"{SVG}use") if (u.findtext(f"{SVG}title") or "").startswith("cdn (")]
        icon = root.find(f".//{SVG}g[@id='{uses[0].get(XLINK)[1:]}']")
        tile = root.find(f".//*[@id='{icon[0].get(XLINK)[1:]}']")
        fills = [tile.get("fill")] + [p.get("fill") for p in tile]
        assert fill in fills, fills
    model = ET.fromstring(render(realistic(), "mxGraph", ExportOptions())[0])
    cdn = next(o for o in model.iter("object") if o.get("cloudsketchId") == "cdn")
    assert "fillColor=#A03;" in cdn.find("mxCell").get("style")


@pytest.mark.parametrize("projection", PROJECTIONS)
def test_each_component_carries_its_arn_escaped(projection):
    """The browser app places live status by data-arn (gateway/static/live.js); an ARN is AWS's
    string, so it is escaped like a name and parses back intact."""
    data = realistic()
    hostile_arn = 'arn:aws:ec2:us-east-1:1:instance/"><script>alert(1)</script>&x'
    data["nodes"][0]["arn"] = hostile_arn
    data["nodes"][1]["arn"] = "arn:aws:rds:us-east-1:123456789012:db:orders"
    root = svg_of(data, projection=projection)
    arns = {use.get("data-arn") for use in root.iter(f"{SVG}use") if use.get("data-arn")}
    assert {hostile_arn, "arn:aws:rds:us-east-1:123456789012:db:orders"} <= arns
    assert not any(e.tag.endswith("script") for e in root.iter())
