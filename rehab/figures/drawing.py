"""reportlab back end: the same primitives as a reportlab Drawing for the PDF.

Labels use the embedded DejaVu Sans of the PDFs (rehab.pdf.fonts), never a
base-14 font, so every font in a plan is embedded."""

from __future__ import annotations

from reportlab.graphics.shapes import Circle, Drawing, Polygon, PolyLine, String
from reportlab.lib import colors

from rehab.pdf.fonts import REGULAR, register_fonts

from .geometry import figure_key
from .scene import LABELS, STYLES, Prim, check_side, layout

_COLOURS: dict[str, colors.Color] = {}


def _colour(value: str | None):
    if value is None or value == "none":
        return None
    if value not in _COLOURS:
        _COLOURS[value] = colors.HexColor(value)
    return _COLOURS[value]


def _style(prim: Prim, fill: bool) -> dict:
    st = STYLES[prim.style]
    kw = {"strokeColor": _colour(st.get("stroke")), "strokeWidth": prim.width,
          "strokeLineCap": 1, "strokeLineJoin": 1}
    if "dash" in st:
        kw["strokeDashArray"] = [d * prim.width for d in st["dash"]]
    if fill:
        kw["fillColor"] = _colour(st.get("fill"))
    return kw


def render_drawing(figure, width: float = 240, height: float = 120,
                   labels: tuple[str, str] = LABELS, side: str | None = None) -> Drawing:
    """The figure (rehab.library.schema.Figure or its dict) as a new reportlab Drawing
    of width x height points. `side` ("left", "right" or None) colours the working
    leg and mirrors the figure so that it is the patient's affected leg; None keeps
    both legs neutral. The labels are the Drawing's last nodes, String in DejaVu Sans.
    The geometry is cached per figure; the Drawing is built fresh each call, so
    callers may add to it."""
    register_fonts()
    width, height = float(width), float(height)
    drawing = Drawing(width, height, initialFontName=REGULAR)
    prims = layout(figure_key(figure), width, height, tuple(labels), check_side(side))
    # shapes first, the labels last: a caller that caches the shapes' PDF operators can
    # draw the (per-document) TrueType text on its own
    for prim in sorted(prims, key=lambda p: p.kind == "text"):
        pts = [(x, height - y) for x, y in prim.points]
        flat = [v for p in pts for v in p]
        if prim.kind == "path":
            drawing.add(PolyLine(flat, **_style(prim, fill=False)))
        elif prim.kind == "poly":
            drawing.add(Polygon(flat, **_style(prim, fill=True)))
        elif prim.kind == "circle":
            (x, y), = pts
            drawing.add(Circle(x, y, prim.r, **_style(prim, fill=True)))
        elif prim.kind == "text":
            (x, y), = pts
            drawing.add(String(x, y, prim.text, fontName=REGULAR, fontSize=prim.size,
                               fillColor=_colour(STYLES[prim.style]["fill"])))
    return drawing
