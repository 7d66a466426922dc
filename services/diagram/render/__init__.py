"""Rendering a blueprint document (docs/blueprint-format.md) to an export format.

    render(data, fmt, options) -> (bytes, content type)

fmt is one of services.diagram.options.FORMATS. The renderers read only the document and the
options; docs/diagram-rendering.md describes the drawing and why each tool was chosen.
"""
from __future__ import annotations

import json

from services.common.errors import InvalidArgument
from services.diagram.options import FORMATS, ExportOptions

CONTENT_TYPES = {
    "json": "application/json",
    "svg": "image/svg+xml",
    "png": "image/png",
    "pdf": "application/pdf",
    "mxGraph": "application/xml",
}


def render(data: dict, fmt: str, options: ExportOptions) -> tuple[bytes, str]:
    if fmt not in FORMATS:
        raise InvalidArgument(f"format must be one of {', '.join(FORMATS)}, not {str(fmt)[:30]!r}")
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    elif fmt == "svg":
        from services.diagram.render.svg import render_svg
        body = render_svg(data, options).encode("utf-8")
    elif fmt == "png":
        from services.diagram.render.raster import render_png
        body = render_png(data, options)
    elif fmt == "pdf":
        from services.diagram.render.raster import render_pdf
        body = render_pdf(data, options)
    else:
        from services.diagram.render.mxgraph import render_mxgraph
        body = render_mxgraph(data, options).encode("utf-8")
    return body, CONTENT_TYPES[fmt]
