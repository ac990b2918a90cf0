"""Exercise figures as flowables. Each figure's Drawing is built once per process
and its PDF operators captured once; a figure shown twice in a document is a
form XObject, defined once and then referenced."""

from __future__ import annotations

import hashlib
import inspect
import io
import json
import re
from collections import OrderedDict
from threading import Lock
from typing import TYPE_CHECKING

from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Drawing, String
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from .fonts import BOLD, REGULAR, register_fonts

if TYPE_CHECKING:
    from rehab.library.schema import Figure

# Figures are rendered once this wide (points; start and finish side by side), as high
# as the pose needs (rehab.figures.drawing_size), and scaled when placed.
FIG_W = 240.0

_cache: OrderedDict[str, tuple[str, Drawing]] = OrderedDict()
_cache_lock = Lock()
_CACHE_SIZE = 512


def _renderer_options(render) -> dict:
    """Keyword arguments the figure renderer accepts: no labels (the PDF prints its own,
    large enough to read, in the embedded font) and the plan's side when it can mirror."""
    params = inspect.signature(render).parameters
    return {"labels": "labels" in params, "side": "side" in params}


def _refont(node) -> None:
    """Drop empty strings and print any other text in the embedded font (never Helvetica)."""
    kept = []
    for child in getattr(node, "contents", ()):
        if isinstance(child, String):
            if not child.text.strip():
                continue
            child.fontName = REGULAR
        else:
            _refont(child)
        kept.append(child)
    if hasattr(node, "contents"):
        node.contents[:] = kept


def figure_drawing(figure: Figure, side: str | None = None) -> tuple[str, Drawing]:
    """(form name, Drawing) for a figure, mirrored for `side` ("left"/"right") when the
    renderer supports it; built once per process and cached. A missing renderer is an
    error (ImportError), never an empty box on a patient's handout."""
    from rehab.figures import drawing_size, render_drawing

    opts = _renderer_options(render_drawing)
    side = side if side in ("left", "right") and opts["side"] else None
    source = json.dumps(figure, sort_keys=True) if isinstance(figure, dict) else figure.model_dump_json()
    key = hashlib.sha1(f"{source}|{side}".encode()).hexdigest()[:16]
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit
    kw = {}
    if opts["labels"]:
        kw["labels"] = ("", "")
    if side:
        kw["side"] = side
    register_fonts()
    drawing = render_drawing(figure, *drawing_size(figure, FIG_W, labels=not opts["labels"]), **kw)
    _refont(drawing)
    drawing.initialFontName = REGULAR
    value = (f"Fig{key}", drawing)
    with _cache_lock:
        _cache[key] = value
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return value


# Content streams by figure name: a Drawing is walked once per process, then its
# PDF operators are replayed into every document (renderPDF costs ~2 ms per
# figure). Only drawings without text are kept (the PDF prints the labels itself):
# an embedded TrueType subset numbers its glyphs per document, so a stream with
# text cannot be reused and such a drawing is rendered afresh each time.
_streams: dict[str, tuple[str, tuple[str, ...]] | None] = {}
_FONT_REF = re.compile(r"/F\d+(?:\+\d+)?(?=\s)")
_PLACEHOLDER = re.compile("\x00(\\d+)\x00")


def _font_names(drawing: Drawing) -> set[str]:
    names = set()
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
    """An exercise figure scaled to `width`, drawn from the process-wide caches, with
    "Start" and "Finish" (or "Hold") over it at `label_size` points."""

    def __init__(self, name: str, drawing: Drawing, width: float, shared: bool, label_size: float = 8.5,
                 labels: tuple[str, ...] = ("Start", "Finish")):
        super().__init__()
        self.name = name
        self.drawing = drawing
        self.shared = shared
        self.width = width
        self.scale = width / drawing.width
        self.label_size = label_size
        self.labels = labels
        self.label_h = label_size * 1.35 if labels else 0.0
        self.figure_h = drawing.height * self.scale
        self.height = self.figure_h + self.label_h

    def wrap(self, availWidth, availHeight):
        return self.width, self.height

    def draw(self):
        place_figure(self.canv, self.name, self.drawing, 0, 0, self.scale, self.shared)
        if not self.labels:
            return
        canv = self.canv
        canv.saveState()
        canv.setFont(BOLD, self.label_size)
        canv.setFillColorRGB(0.2, 0.2, 0.2)
        y = self.figure_h + self.label_size * 0.3
        panel = self.width / len(self.labels)
        for i, label in enumerate(self.labels):
            canv.drawCentredString(panel * (i + 0.5), y, label)
        canv.restoreState()


def figure_flowable(figure: Figure | None, width: float, shared: bool = False, side: str | None = None,
                    label_size: float = 8.5) -> FigureFlowable | None:
    if figure is None:
        return None
    from rehab.figures import figure_labels

    name, drawing = figure_drawing(figure, side)
    labels = figure_labels(figure)  # the same captions as the portal's figure
    # `width` is a start/finish pair's; a static hold is one picture, half as wide.
    return FigureFlowable(name, drawing, width / 2 if len(labels) == 1 else width, shared, label_size, labels)
