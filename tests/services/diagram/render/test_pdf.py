"""pdf.py: the SVG path data and text that svg.py writes, as reportlab draws them."""
from __future__ import annotations

import io
import math

import pypdf
import pytest
from reportlab.pdfgen.canvas import Canvas

from services.diagram.render import icons
from services.diagram.render.pdf import _path_data, draw_svg


class Recorder:
    """A stand-in for a reportlab path: the points each operation ends at."""
    def __init__(self):
        self.calls = []

    def moveTo(self, x, y):
        self.calls.append(("M", x, y))

    def lineTo(self, x, y):
        self.calls.append(("L", x, y))

    def curveTo(self, x1, y1, x2, y2, x, y):
        self.calls.append(("C", x, y))

    def close(self):
        self.calls.append(("Z",))


def test_path_data_absolute_relative_and_smooth():
    path = Recorder()
    _path_data(path, "M10 10h12v12h-12zM2 3l4-1L8 8c1 1 2 2 3 3s4 4 5 5")
    assert path.calls == [("M", 10, 10), ("L", 22, 10), ("L", 22, 22), ("L", 10, 22), ("Z",),
                          ("M", 2, 3), ("L", 6, 2), ("L", 8, 8), ("C", 11, 11), ("C", 16, 16)]


def test_a_full_circle_drawn_as_an_arc_stays_on_its_circle():
    """The globe glyph's circle: one arc from the top (16, 6) to a point 0.01 to its right, the
    large way round: the circle of radius 10 centred 10 below, (16.005, 16) (SVG 1.1 F.6.5)."""
    path = Recorder()
    _path_data(path, "M16 6a10 10 0 1 0 0.01 0")
    ends = [(x, y) for _, x, y in path.calls[1:]]
    assert len(ends) == 4                     # four quarter Béziers
    for x, y in ends:
        assert math.hypot(x - 16.005, y - 16) == pytest.approx(10, abs=0.001)
    xs, ys = [x for x, _ in ends], [y for _, y in ends]
    assert (min(xs), max(xs), max(ys)) == pytest.approx((6.005, 26.005, 26), abs=0.01)
    assert ends[-1] == pytest.approx((16.01, 6))


def test_a_half_circle_sweeps_the_way_its_flag_says():
    """The gauge glyph: from (7, 22) to (25, 22), radius 9, sweep 1: over the top (y < 22)."""
    path = Recorder()
    _path_data(path, "M7 22a9 9 0 1 1 18 0")
    ends = [(x, y) for _, x, y in path.calls[1:]]
    assert min(y for _, y in ends) == pytest.approx(13, abs=0.001)
    assert ends[-1] == pytest.approx((25, 22))


def test_every_glyph_parses_to_the_end():
    for name, data in icons.GLYPHS.items():
        path = Recorder()
        _path_data(path, data)
        assert path.calls and path.calls[0][0] == "M", name


def test_text_with_a_bold_run_and_an_anchor_is_text_in_the_pdf():
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(400, 200))
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 200"><g font-family="sans-serif">'
           '<text x="200" y="50" font-size="12" fill="#123456" text-anchor="middle"><title>tip</title>'
           '<tspan font-weight="bold">VPC</tspan> prod &amp; &lt;test&gt;</text></g></svg>')
    assert draw_svg(canvas, svg) == (400, 200)
    canvas.showPage()
    canvas.save()
    page = pypdf.PdfReader(io.BytesIO(out.getvalue())).pages[0]
    assert page.extract_text().strip() == "VPC prod & <test>"      # the <title> tooltip is not drawn
    fonts = page["/Resources"]["/Font"]
    assert {fonts[f]["/BaseFont"] for f in fonts} == {"/Helvetica", "/Helvetica-Bold"}
