"""PNG and PDF from the SVG, with permissively licensed libraries that install from PyPI wheels
and need no system libraries (docs/diagram-rendering.md has the measurements and the licences):

- PNG: resvg (resvg-py: MIT; the Rust crates inside it MIT, Apache-2.0, BSD or Zlib), with the
  Bitstream Vera fonts that reportlab ships, so text renders the same on a machine without any
  system font.
- PDF: reportlab (BSD), drawing the same SVG (`pdf.py` reads the part of SVG that svg.py writes):
  a vector page whose text stays text.

PNG: exactly the requested width x height (or the drawing's own size at `scale`), bounded to
MAX_PIXELS a side and MAX_AREA in all, aspect kept. PDF: a page of `paper_size` (long side
across when `landscape`), the drawing fitted inside a margin; with width/height, a page of that
many CSS pixels (0.75 pt each) instead.

reportlab keeps module-level state (fonts, caches) and does not document thread safety, and the
diagram api serves gRPC from a thread pool: every render here holds RENDER_LOCK, which also
bounds memory to one raster at a time per process.
"""
from __future__ import annotations

import io
import math
import threading
from pathlib import Path

import reportlab
import resvg_py
from reportlab.pdfgen.canvas import Canvas

from services.diagram.options import MAX_PIXELS, PAPER_SIZES, ExportOptions
from services.diagram.render.document import text
from services.diagram.render.pdf import draw_svg
from services.diagram.render.svg import THEMES, measure, render_svg

MAX_AREA = 64_000_000        # pixels: 256 MB as RGBA, the raster's memory bound
PT_PER_PX = 0.75             # CSS: 96 px to the inch, 72 pt to the inch
PT_PER_MM = 72 / 25.4
PAGE_MARGIN_PT = 24.0
RENDER_LOCK = threading.Lock()
FONTS = Path(reportlab.__file__).parent / "fonts"
FONT_FILES = [str(FONTS / name) for name in ("Vera.ttf", "VeraBd.ttf")]
FONT_FAMILY = "Bitstream Vera Sans"


def raster_size(width: int, height: int) -> tuple[int, int]:
    """The size bounded to MAX_PIXELS a side and MAX_AREA in all, aspect kept."""
    factor = min(1.0, MAX_PIXELS / width, MAX_PIXELS / height, math.sqrt(MAX_AREA / (width * height)))
    if factor >= 1.0:
        return width, height
    return max(1, int(width * factor)), max(1, int(height * factor))


def render_png(data: dict, options: ExportOptions) -> bytes:
    size, _ = measure(data if isinstance(data, dict) else {}, options)
    width, height = raster_size(size.out_width, size.out_height)
    svg = render_svg(data, options, out_size=(width, height))
    with RENDER_LOCK:
        # The SVG's own width and height are the output's: resvg renders it at exactly that size.
        # Always RGBA (resvg's only output); opaque unless `transparent` leaves out the background.
        return bytes(resvg_py.svg_to_bytes(svg_string=svg, skip_system_fonts=True, font_files=FONT_FILES,
                                           font_family=FONT_FAMILY, sans_serif_family=FONT_FAMILY))


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
    svg = render_svg(data, options, out_size=(size.out_width, size.out_height))
    with RENDER_LOCK:
        out = io.BytesIO()
        canvas = Canvas(out, pagesize=(page_w, page_h), pageCompression=1)
        canvas.setTitle(text(data.get("name")) or "Blueprint")
        canvas.setCreator("cloudsketch")
        canvas.setAuthor("cloudsketch")
        if not options.transparent:
            canvas.setFillColor(THEMES.get(options.theme, THEMES["light"])["background"])
            canvas.rect(0, 0, page_w, page_h, stroke=0, fill=1)
        # Fitted inside the margin, aspect kept, centred.
        scale = min((page_w - 2 * margin) / size.width, (page_h - 2 * margin) / size.height)
        canvas.translate((page_w - size.width * scale) / 2, (page_h - size.height * scale) / 2)
        canvas.scale(scale, scale)
        draw_svg(canvas, svg)
        canvas.showPage()
        canvas.save()
        return out.getvalue()
