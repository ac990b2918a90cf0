"""Exercise figures as flowables. Each figure's Drawing is built once per process
and its PDF operators captured once; a figure shown twice in a document is a
form XObject, defined once and then referenced."""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections import OrderedDict
from threading import Lock
from typing import TYPE_CHECKING

from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import STATE_DEFAULTS, Drawing, Rect, String
from reportlab.lib import colors
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from .fonts import REGULAR, register_fonts

if TYPE_CHECKING:
    from rehab.library.schema import Figure

# Figures are rendered once at this size (points; start and finish side by side,
# so twice as wide as high) and scaled when placed.
FIG_W, FIG_H = 240.0, 120.0

_cache: OrderedDict[str, tuple[str, Drawing]] = OrderedDict()
_cache_lock = Lock()
_CACHE_SIZE = 512


def _renderer():
    """rehab.figures.render_drawing, or None while that module does not exist yet."""
    try:
        from rehab.figures import render_drawing
    except ImportError:
        return None
    return render_drawing


def placeholder_drawing(label: str, width: float = FIG_W, height: float = FIG_H) -> Drawing:
    """A plain labelled box, used until rehab.figures can draw the real figure."""
    register_fonts()
    d = Drawing(width, height, initialFontName=REGULAR)
    d.add(Rect(1, 1, width - 2, height - 2, rx=6, ry=6, fillColor=colors.HexColor("#f3f6f8"),
               strokeColor=colors.HexColor("#9aaab6"), strokeWidth=1))
    size = 11
    lines = simpleSplit(label, REGULAR, size, width - 16)[:5]
    top = height / 2 + (len(lines) - 1) * size * 0.6
    for i, line in enumerate(lines):
        d.add(String(width / 2, top - i * size * 1.2 - size * 0.35, line, fontName=REGULAR, fontSize=size,
                     fillColor=colors.HexColor("#44525c"), textAnchor="middle"))
    return d


def figure_drawing(figure: Figure, label: str) -> tuple[str, Drawing]:
    """(form name, Drawing) for a figure; built once per process and cached."""
    render = _renderer()
    if render is None:
        source = f"placeholder:{label}"
    elif isinstance(figure, dict):  # rehab.figures takes a Figure or its dict
        source = json.dumps(figure, sort_keys=True)
    else:
        source = figure.model_dump_json()
    key = hashlib.sha1(source.encode()).hexdigest()[:16]
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit
    drawing = render(figure, FIG_W, FIG_H) if render else placeholder_drawing(label)
    value = (f"Fig{key}", drawing)
    with _cache_lock:
        _cache[key] = value
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return value


# Content streams by figure name: a Drawing is walked once per process, then its
# PDF operators are replayed into every document (renderPDF costs ~2 ms per
# figure). Only drawings whose text uses the standard PDF fonts are kept: an
# embedded TrueType subset numbers its glyphs per document, so those bytes
# cannot be reused and such drawings are rendered afresh each time.
_streams: dict[str, tuple[str, tuple[str, ...]] | None] = {}
_FONT_REF = re.compile(r"/F\d+(?:\+\d+)?(?=\s)")
_PLACEHOLDER = re.compile("\x00(\\d+)\x00")


def _font_names(drawing: Drawing) -> set[str]:
    names = {getattr(drawing, "initialFontName", None) or STATE_DEFAULTS["fontName"]}
    stack = [drawing]
    while stack:
        node = stack.pop()
        if isinstance(node, String):
            names.add(node.fontName)
        stack.extend(getattr(node, "contents", ()))
    return names


def _capture(drawing: Drawing) -> tuple[str, tuple[str, ...]] | None:
    """(the drawing's content stream with font references as placeholders, font names
    in order of first use), drawn on a scratch canvas; None when it cannot be reused."""
    names = _font_names(drawing)
    if any(getattr(pdfmetrics.getFont(n), "_dynamicFont", 1) for n in names):
        return None
    scratch = Canvas(io.BytesIO())
    scratch.beginForm("scratch")
    start = len(scratch._code)
    renderPDF.draw(drawing, scratch, 0, 0)
    text = "\n".join(scratch._code[start:])
    if " gs" in text or " Do" in text:
        return None  # graphics states and images are per-document resources
    internal = {scratch._doc.fontMapping[n]: n for n in names if n in scratch._doc.fontMapping}
    order: list[str] = []

    def swap(m):
        font = internal[m.group(0)]
        if font not in order:
            order.append(font)
        return f"\x00{order.index(font)}\x00"

    try:
        return _FONT_REF.sub(swap, text), tuple(order)
    except KeyError:  # a font reference we cannot account for
        return None


def _stream(name: str, drawing: Drawing) -> tuple[str, tuple[str, ...]] | None:
    if name not in _streams:
        if len(_streams) >= _CACHE_SIZE:  # figures edited over a long-running process
            _streams.clear()
        _streams[name] = _capture(drawing)
    return _streams[name]


def _draw_here(canv, name: str, drawing: Drawing) -> None:
    """The drawing at the origin of the current coordinates, from the cached stream."""
    stream = _stream(name, drawing)
    if stream is None:
        renderPDF.draw(drawing, canv, 0, 0)
        return
    text, fonts = stream
    refs = [canv._doc.getInternalFontName(f) for f in fonts]  # also adds the font to the document
    canv._code.append(_PLACEHOLDER.sub(lambda m: refs[int(m.group(1))], text) if refs else text)


def place_figure(canv, name: str, drawing: Drawing, x: float, y: float, scale: float, shared: bool) -> None:
    """Draw `drawing` at (x, y) scaled. A shared figure (shown more than once in the
    document) becomes a form XObject, defined on first use and then only referenced;
    a figure shown once goes straight into the page, which saves the form's overhead."""
    canv.saveState()
    canv.translate(x, y)
    canv.scale(scale, scale)
    if shared:
        if not canv.hasForm(name):
            canv.beginForm(name, 0, 0, drawing.width, drawing.height)
            _draw_here(canv, name, drawing)
            canv.endForm()
        canv.doForm(name)
    else:
        _draw_here(canv, name, drawing)
    canv.restoreState()


class FigureFlowable(Flowable):
    """An exercise figure scaled to `width`, drawn from the process-wide caches."""

    def __init__(self, name: str, drawing: Drawing, width: float, shared: bool):
        super().__init__()
        self.name = name
        self.drawing = drawing
        self.shared = shared
        self.width = width
        self.scale = width / drawing.width
        self.height = drawing.height * self.scale

    def wrap(self, availWidth, availHeight):
        return self.width, self.height

    def draw(self):
        place_figure(self.canv, self.name, self.drawing, 0, 0, self.scale, self.shared)


def figure_flowable(figure: Figure | None, label: str, width: float, shared: bool = False) -> FigureFlowable | None:
    if figure is None:
        return None
    name, drawing = figure_drawing(figure, label)
    return FigureFlowable(name, drawing, width, shared)
