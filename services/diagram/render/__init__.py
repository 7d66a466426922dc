"""Rendering of a blueprint document (placeholder, replaced by the real implementation at merge):
JSON for "json", a trivial valid SVG for every other format."""
from __future__ import annotations

import json
from xml.sax.saxutils import escape

from services.diagram.options import ExportOptions

CONTENT_TYPES = {"json": "application/json", "svg": "image/svg+xml", "png": "image/png",
                 "pdf": "application/pdf", "mxGraph": "application/xml"}


def render(data: dict, fmt: str, options: ExportOptions) -> tuple[bytes, str]:
    if fmt == "json":
        return json.dumps(data).encode(), CONTENT_TYPES["json"]
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
           f'<title>{escape(str(data.get("name", "")))}</title></svg>')
    return svg.encode(), CONTENT_TYPES.get(fmt, "image/svg+xml")
