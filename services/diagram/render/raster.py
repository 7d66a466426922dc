"""PNG and PDF from the SVG, with MuPDF (PyMuPDF): a wheel with no system libraries and its own
fonts, the fastest of the candidates measured (docs/diagram-rendering.md), and the only one that
writes a vector PDF of the whole drawing.

PNG: exactly the requested width x height (or the drawing's own size at `scale`), bounded to
MAX_PIXELS a side and MAX_AREA in all, aspect kept. PDF: a page of `paper_size` (long side
across when `landscape`), the drawing fitted inside a margin; with width/height, a page of that
many CSS pixels (0.75 pt each) instead. Text stays text in the PDF.

PyMuPDF does not support being called from several threads at once, and the diagram api serves
gRPC from a thread pool: every MuPDF call here holds MUPDF_LOCK (one raster at a time per process).
"""
from __future__ import annotations

import math
import threading

import pymupdf

from services.diagram.options import MAX_PIXELS, PAPER_SIZES, ExportOptions
from services.diagram.render.document import text
from services.diagram.render.svg import THEMES, measure, render_svg

MAX_AREA = 64_000_000        # pixels: 256 MB as RGBA, the raster's memory bound
PT_PER_PX = 0.75             # CSS: 96 px to the inch, 72 pt to the inch
PT_PER_MM = 72 / 25.4
PAGE_MARGIN_PT = 24.0
MUPDF_LOCK = threading.Lock()


def raster_size(width: int, height: int) -> tuple[int, int]:
    """The size bounded to MAX_PIXELS a side and MAX_AREA in all, aspect kept."""
    factor = min(1.0, MAX_PIXELS / width, MAX_PIXELS / height, math.sqrt(MAX_AREA / (width * height)))
    if factor >= 1.0:
        return width, height
    return max(1, int(width * factor)), max(1, int(height * factor))


def render_png(data: dict, options: ExportOptions) -> bytes:
    size, _ = measure(data if isinstance(data, dict) else {}, options)
    width, height = raster_size(size.out_width, size.out_height)
    svg = render_svg(data, options, out_size=(width, height), explicit_dashes=True)
    with MUPDF_LOCK, pymupdf.open(stream=svg.encode("utf-8"), filetype="svg") as document:
        page = document[0]
        matrix = pymupdf.Matrix(width / page.rect.width, height / page.rect.height)
        pixmap = page.get_pixmap(matrix=matrix, alpha=options.transparent,
                                 clip=pymupdf.Rect(0, 0, page.rect.width, page.rect.height))
        if (pixmap.width, pixmap.height) != (width, height):   # rounding at the edge: one pixel at most
            pixmap = _exact(page, width, height, options.transparent)
        return pixmap.tobytes("png")


def _exact(page, width: int, height: int, alpha: bool):
    matrix = pymupdf.Matrix((width - 0.01) / page.rect.width, (height - 0.01) / page.rect.height)
    return page.get_pixmap(matrix=matrix, alpha=alpha)


def page_size(options: ExportOptions) -> tuple[float, float] | None:
    """The PDF page in points for paper_size and landscape; None when width/height decide."""
    if options.width or options.height:
        return None
    short, long_ = sorted(PAPER_SIZES.get(options.paper_size, PAPER_SIZES["Letter"]))
    if options.landscape:
        return long_ * PT_PER_MM, short * PT_PER_MM
    width, height = PAPER_SIZES.get(options.paper_size, PAPER_SIZES["Letter"])
    return width * PT_PER_MM, height * PT_PER_MM


def render_pdf(data: dict, options: ExportOptions) -> bytes:
    data = data if isinstance(data, dict) else {}
    size, _ = measure(data, options)
    paper = page_size(options)
    if paper is None:
        page_w, page_h = size.out_width * PT_PER_PX, size.out_height * PT_PER_PX
        margin = 0.0
    else:
        page_w, page_h = paper
        margin = PAGE_MARGIN_PT
    svg = render_svg(data, options, out_size=(size.out_width, size.out_height), explicit_dashes=True)
    with MUPDF_LOCK, pymupdf.open(stream=svg.encode("utf-8"), filetype="svg") as drawing, \
            pymupdf.open("pdf", drawing.convert_to_pdf()) as vector, pymupdf.open() as out:
        page = out.new_page(width=page_w, height=page_h)
        if not options.transparent:
            background = THEMES.get(options.theme, THEMES["light"])["background"].lstrip("#")
            rgb = tuple(int(background[i:i + 2], 16) / 255 for i in (0, 2, 4))
            page.draw_rect(page.rect, color=None, fill=rgb, overlay=False)
        target = pymupdf.Rect(margin, margin, page_w - margin, page_h - margin)
        page.show_pdf_page(target, vector, 0, keep_proportion=True)
        out.set_metadata({"title": text(data.get("name")) or "Blueprint", "creator": "cloudsketch"})
        return out.tobytes(garbage=3, deflate=True)
