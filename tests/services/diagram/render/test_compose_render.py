"""Composition to every export format, end to end: a multi-account estate of resources
(conftest.multi_account_estate) composed by services/diagram/compose.py, rendered in both
projections; every node and group of the document must be in the SVG and the mxGraph, the PNG and
PDF must have the requested sizes, and the SVG must load in Chromium without errors."""
from __future__ import annotations

import io
import json
import struct
import xml.etree.ElementTree as ET

import pypdf
import pytest

from services.diagram.compose import compose
from services.diagram.options import ExportOptions
from services.diagram.render import render
from services.diagram.render.raster import PT_PER_MM, PT_PER_PX
from tests.services.diagram.render.chromium import show

SVG = "{http://www.w3.org/2000/svg}"
LIVE_ACCOUNT = {"id": "acc-1", "awsAccountId": "111111111111", "name": "Production"}


def composed(resources, projection: str) -> dict:
    return compose(resources, ExportOptions(projection=projection), name="Estate: three accounts",
                   live_account=LIVE_ACCOUNT).data


def test_the_estate_composes_to_what_this_test_means_to_check(multi_account_estate):
    data = composed(multi_account_estate, "2d")
    accounts = {g["name"] for g in data["groups"] if g["type"] == "account"}
    assert len(accounts) == 3
    assert any(g.get("collapsed") for g in data["groups"]), "the 60 workers are a collapsed group"
    group_ids = {g["id"] for g in data["groups"]}
    to_groups = [e for e in data["edges"] if e["to"] in group_ids or e["from"] in group_ids]
    assert len(to_groups) == 2, "the peering is drawn to each VPC"


@pytest.mark.parametrize("projection", ("isometric", "2d"))
def test_every_format_renders_the_composed_estate(multi_account_estate, browser, tmp_path, projection):
    data = composed(multi_account_estate, projection)
    assert data["nodes"] and data["groups"] and data["edges"]

    body, _ = render(data, "svg", ExportOptions(projection=projection, grid=True))
    root = ET.fromstring(body)
    titles = [t.text for use in root.iter(f"{SVG}use") for t in use.iter(f"{SVG}title")]
    for node in data["nodes"]:
        assert any(t.startswith(f"{node['name']} (") for t in titles), node["name"]
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    for group in data["groups"]:
        assert any(group["name"] in t for t in texts), group["name"]
    assert len(root.find(f".//{SVG}g[@class='edges']")) == len(data["edges"]), "every edge drawn"
    errors, screenshot = show(browser, body, tmp_path, f"estate-{projection}")
    assert errors == []
    assert screenshot.stat().st_size > 10_000      # a blank page compresses to a few hundred bytes

    model = ET.fromstring(render(data, "mxGraph", ExportOptions(projection=projection))[0])
    cells = {o.get("cloudsketchId"): o for o in model.iter("object")}
    for item in data["nodes"] + data["groups"] + data["edges"]:
        assert item["id"] in cells, item.get("name", item["id"])
    for edge in data["edges"]:
        cell = cells[edge["id"]].find("mxCell")
        assert cells[edge["from"]].get("id") == cell.get("source")
        assert cells[edge["to"]].get("id") == cell.get("target")

    png, content_type = render(data, "png", ExportOptions(projection=projection, width=1200, height=700))
    assert content_type == "image/png" and png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png[16:24]) == (1200, 700)

    for options, size in ((ExportOptions(projection=projection, paper_size="A4", landscape=True),
                           (297 * PT_PER_MM, 210 * PT_PER_MM)),
                          (ExportOptions(projection=projection, width=1000, height=600),
                           (1000 * PT_PER_PX, 600 * PT_PER_PX))):
        pdf, content_type = render(data, "pdf", options)
        assert content_type == "application/pdf"
        reader = pypdf.PdfReader(io.BytesIO(pdf))
        assert len(reader.pages) == 1
        page = reader.pages[0]
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(size, abs=0.01)
        text = page.extract_text()
        assert "partner" in text and "analytics" in text, "text stays text"

    assert json.loads(render(data, "json", ExportOptions())[0]) == data


def long_named(resources) -> list:
    """Every resource with a long name (and subnets too long for their box)."""
    import dataclasses
    return [dataclasses.replace(r, name=f"{r.name or 'unnamed'}-with-a-long-descriptive-suffix-{i}")
            for i, r in enumerate(resources)]


@pytest.mark.parametrize("projection", ("isometric", "2d"))
def test_labels_are_cut_to_their_room_and_never_overlap(multi_account_estate, projection):
    """A node's label never reaches its row neighbour's, and a group's label stays inside its box
    (widths estimated as the renderer does, by the font's mean advance)."""
    from services.diagram.render import svg as svg_module
    data = composed(long_named(multi_account_estate), projection)
    root = ET.fromstring(render(data, "svg", ExportOptions(projection=projection))[0])
    advance = svg_module.NODE_FONT * svg_module.CHAR_WIDTH
    labels = [(float(t.get("x")), float(t.get("y")), len(t.text) * advance)
              for t in root.find(f".//{SVG}g[@class='labels']")]
    assert len(labels) == sum(1 for n in data["nodes"])
    assert all(t.text.endswith("\u2026") for t in root.find(f".//{SVG}g[@class='labels']"))
    rows: dict[float, list] = {}
    for x, y, width in labels:
        rows.setdefault(y, []).append((x - width / 2, x + width / 2))
    for row in rows.values():
        row.sort()
        assert all(left[1] < right[0] for left, right in zip(row, row[1:], strict=False))
    # Labels a line apart or more do not collide either: every other pair of labels is on another row.
    assert all(abs(a - b) >= svg_module.NODE_FONT for a in rows for b in rows if a != b)

    sizes = {g["name"]: g["mapSize"][0] * svg_module.UNIT for g in data["groups"]}
    for element in root.find(f".//{SVG}g[@class='groups']").iter(f"{SVG}text"):
        name = element.findtext(f"{SVG}title")
        size = float(element.get("font-size"))
        shown = "".join(element.itertext())[len(name or ""):]           # the label after its tooltip
        kind, _, rest = shown.partition(" ")
        width = (len(kind) * 1.1 + (1 + len(rest) if rest else 0)) * size * svg_module.CHAR_WIDTH
        assert width <= sizes[name] - 16, shown
        assert rest == name or rest == "" or (rest.endswith("\u2026") and name.startswith(rest[:-1])), shown
