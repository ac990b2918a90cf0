"""Lay a figure's world geometry out in pixels: two panels side by side ("Start",
"Finish"), the same scale in both, the floor line, labels and the arrow.

Both back ends draw exactly these primitives, so the SVG and the PDF match.
Pixel coordinates have y pointing down (SVG convention); the reportlab back end
flips them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from .geometry import Point, scene_from_key

# Colours and line weights per style. Widths are multiples of the body line width.
INK = "#1f1f1f"
FAR = "#a3a3a3"
PROP = "#7a7a7a"
PROP_FILL = "#e9e9e9"
ACCENT = "#1f6fb2"

SKIN = "#e4e7ea"      # near side of the body
FAR_SKIN = "#f4f5f6"  # far arm and leg
SORE = "#e8833a"      # the patient's affected leg (when the plan has a side)
SORE_INK = "#8a4210"

STYLES: dict[str, dict] = {
    # limbs are thick strokes: an outline ("_o") under a fill of the body's colour
    "near_o": {"stroke": INK}, "near": {"stroke": SKIN},
    "leg_o": {"stroke": INK}, "leg": {"stroke": SKIN},
    "sore_o": {"stroke": SORE_INK}, "sore": {"stroke": SORE},
    "far_o": {"stroke": FAR}, "far": {"stroke": FAR_SKIN},
    "torso": {"stroke": INK, "width": 0.75, "fill": SKIN},
    "head": {"stroke": INK, "width": 0.75, "fill": SKIN},
    "eye": {"stroke": INK, "width": 0.2, "fill": INK},
    "floor": {"stroke": "#8c8c8c", "width": 0.45},
    "divider": {"stroke": "#d9d9d9", "width": 0.35},
    "mat": {"stroke": "#9a9a9a", "width": 0.3, "fill": "#d4d4d4"},
    "prop": {"stroke": PROP, "width": 0.55},
    "frame": {"stroke": "#b0b0b0", "width": 0.75},
    "pedal_path": {"stroke": "#9a9a9a", "width": 0.35, "dash": (2.0, 2.0)},
    "prop_fill": {"stroke": PROP, "width": 0.4, "fill": PROP_FILL},
    "prop_soft": {"stroke": "#7f8c99", "width": 0.5, "fill": "#dfe6ed"},  # pillow, cushion
    "hatch": {"stroke": "#a8a8a8", "width": 0.35},
    "band": {"stroke": "#2e8b57", "width": 0.8},
    "band_loop": {"stroke": "#2e8b57", "width": 0.8},
    "knob": {"stroke": "#555555", "width": 0.4, "fill": "#555555"},
    "weight": {"stroke": "#333333", "width": 0.3, "fill": "#333333"},
    "weight_bar": {"stroke": "#333333", "width": 0.6},
    "ice": {"stroke": "#3d7ab8", "width": 0.5, "fill": "#bcd9f2"},
    "ice_mark": {"stroke": "#3d7ab8", "width": 0.4},
    "wrap_o": {"stroke": "#6b6b6b"}, "wrap": {"stroke": "#f3e3b5"},
    "wrap_mark": {"stroke": "#a08a4a", "width": 0.4},
    "strap": {"stroke": "#6b4f2a", "width": 0.9},
    "stick": {"stroke": "#9c6b3c"},  # a broom handle
    "arrow": {"stroke": ACCENT, "width": 0.7},
    "arrow_head": {"stroke": ACCENT, "width": 0.3, "fill": ACCENT},
    "label": {"fill": "#333333"},
    "hold_label": {"fill": ACCENT},
}
SIDE_STYLES = {"leg": "sore", "leg_o": "sore_o"}  # the working leg, coloured when the plan has a side


@dataclass(frozen=True)
class Prim:
    """A pixel-space primitive: kind 'path', 'poly', 'circle' (points=(centre,), r) or
    'text' (points=(baseline start,), text, size)."""

    kind: str
    points: tuple[Point, ...]
    style: str
    width: float = 0.0   # stroke width in pixels
    r: float = 0.0
    text: str = ""
    size: float = 0.0


LABELS = ("Start", "Finish")
HOLD = "Hold"
# Label size as a share of the drawing's width: 8.4 pt when the figure is shown
# 45 mm wide (the plan's cards), 12.1 pt at 65 mm (large print).
LABEL_SHARE = 8.4 / (45 / 25.4 * 72)
SIDES = (None, "left", "right")


def labels_for(figure_end_hold: tuple[bool, bool], labels: tuple[str, str], single: bool = False) -> tuple[str, str]:
    """The panel captions: a held position (and a static hold, drawn once) is labelled
    "Hold" unless the caller chose its own."""
    if tuple(labels) != LABELS:
        return tuple(labels)
    if single:
        return (HOLD, HOLD)
    return tuple(HOLD if held else text for held, text in zip(figure_end_hold, LABELS))


def _round(v: float) -> float:
    return round(v, 2)


def check_side(side: str | None) -> str | None:
    if side not in SIDES:
        raise ValueError(f"side must be 'left', 'right' or None, not {side!r}")
    return side


@lru_cache(maxsize=2048)
def layout(key: str, width: float, height: float, labels: tuple[str, str] = LABELS,
           side: str | None = None) -> tuple[Prim, ...]:
    """Pixel primitives for the figure whose canonical JSON is `key`. With a `side`
    the working leg is coloured and the figure is mirrored if needed so that it is
    the patient's left or right leg (see rehab.figures.geometry.near_side)."""
    sc = scene_from_key(key)
    width, height = float(width), float(height)
    # A static hold (nothing moves) is one picture, drawn once across the whole width:
    # the caller gives it half the width of a start/finish pair (drawing_size).
    single = sc.single
    pw = width if single else width / 2.0
    line = max(1.0, min(pw, height) / 48.0)  # body line width in pixels
    font = min(max(6.0, width * LABEL_SHARE), height * 0.2)
    labels = labels_for(sc.held, labels, sc.single)
    mirror = side is not None and side != sc.near_side
    recolour = SIDE_STYLES if side is not None else {}
    margin = max(3.0, line * 2.2)
    top = margin + (font * 1.05 if any(labels) else 0.0)  # room for the label (none: the caller prints its own)
    avail_w = pw - 2 * margin
    avail_h = height - top - margin
    x0, y0, x1, y1 = sc.bounds
    pad = 0.04
    x0, x1, y0, y1 = x0 - pad, x1 + pad, y0 - pad * 0.5, y1 + pad
    s = min(avail_w / (x1 - x0), avail_h / (y1 - y0))
    # centre horizontally; sit on the bottom margin
    ox = margin + (avail_w - (x1 - x0) * s) / 2
    oy = height - margin - (avail_h - (y1 - y0) * s) * 0.4

    prims: list[Prim] = []

    shift = 0.0

    def to_px(panel: int, p: Point) -> Point:
        x = ox + (p[0] - x0) * s
        if mirror:
            x = pw - x
        return (_round(panel * pw + shift + x), _round(oy - (p[1] - y0) * s))

    if not single:
        prims.append(Prim("path", ((_round(pw), _round(margin)), (_round(pw), _round(height - margin))),
                          "divider", _round(line * STYLES["divider"]["width"])))
    floor_y = to_px(0, (0.0, 0.0))[1]
    for i in ((0,) if single else (0, 1)):
        left, right = i * pw + margin * 0.3, (i + 1) * pw - margin * 0.3  # the ground: nearly the panel
        label = labels[1] if single else labels[i]
        prims.append(Prim("text", ((_round(i * pw + margin), _round(margin + font * 0.8)),),
                          "hold_label" if label == HOLD else "label", text=label, size=_round(font)))
        prims.append(Prim("path", ((_round(left), floor_y), (_round(right), floor_y)), "floor",
                          _round(line * STYLES["floor"]["width"])))
        for sh in sc.panels[1 if single else i]:
            w = _round(sh.w * s if sh.w else line * STYLES[sh.style].get("width", 1.0))
            pts = tuple(to_px(i, p) for p in sh.points)
            prims.append(Prim(sh.kind, pts, recolour.get(sh.style, sh.style), w, _round(sh.r * s)))
    if sc.arrow:
        prims.extend(_arrow([to_px(1, p) for p in sc.arrow], line))
    return tuple(prims)


def fitted_height(key: str, width: float, lo: float = 0.4, hi: float = 0.9, labels: bool = True) -> float:
    """The drawing height at which the figure fills its panels' width, between lo and hi
    times a panel's width: a body lying down gets a low drawing (no band of empty paper
    above it), a standing one a tall one. Follows layout()'s margins."""
    sc = scene_from_key(key)
    width = float(width)
    pw = width if sc.single else width / 2.0
    x0, y0, x1, y1 = sc.bounds
    ratio = (y1 - y0 + 0.06) / (x1 - x0 + 0.08)  # layout()'s padding
    height = pw
    for _ in range(3):  # line width and label depend a little on the height
        line = max(1.0, min(pw, height) / 48.0)
        margin = max(3.0, line * 2.2)
        font = min(max(6.0, width * LABEL_SHARE), height * 0.2) if labels else 0.0
        top = margin + font * 1.05
        height = top + margin + (pw - 2 * margin) * ratio
        height = min(max(height, lo * pw), hi * pw)
    return _round(height)


def _arrow(pts: list[Point], line: float) -> list[Prim]:
    """Shaft and filled head, trimmed a little at both ends."""
    head_len, head_half = line * 4.0, line * 2.1
    total = sum(math.dist(pts[i], pts[i + 1]) for i in range(len(pts) - 1))
    shortest = line * 7.5
    if total < shortest:  # a small move: lengthen the arrow along its ends so it reads
        grow = (shortest - total) / 2
        pts = [_beyond(pts[1], pts[0], grow)] + list(pts[1:-1]) + [_beyond(pts[-2], pts[-1], grow)]
    else:
        pts = _trim(pts, min(line * 1.2, (total - shortest) / 2), from_start=True)
        pts = _trim(pts, min(line * 1.0, (total - shortest) / 2), from_start=False)
    tip = pts[-1]
    shaft = _trim(pts, head_len * 0.8, from_start=False)
    # direction of the head: from the point head_len back along the path to the tip
    back = _trim(pts, head_len, from_start=False)[-1]
    dx, dy = tip[0] - back[0], tip[1] - back[1]
    ln = math.hypot(dx, dy) or 1.0
    ux, uy = dx / ln, dy / ln
    base = (tip[0] - ux * head_len, tip[1] - uy * head_len)
    left = (base[0] - uy * head_half, base[1] + ux * head_half)
    right = (base[0] + uy * head_half, base[1] - ux * head_half)
    r = _round
    return [
        Prim("path", tuple((r(x), r(y)) for x, y in _simplify(shaft)), "arrow", r(line * 0.9)),
        Prim("poly", ((r(tip[0]), r(tip[1])), (r(left[0]), r(left[1])), (r(right[0]), r(right[1]))),
             "arrow_head", r(line * 0.3)),
    ]


def _beyond(p: Point, q: Point, amount: float) -> Point:
    """q moved `amount` further along the direction p -> q."""
    d = math.dist(p, q) or 1.0
    return (q[0] + (q[0] - p[0]) / d * amount, q[1] + (q[1] - p[1]) / d * amount)


def _trim(pts: list[Point], amount: float, from_start: bool) -> list[Point]:
    pts = list(pts) if from_start else list(reversed(pts))
    while len(pts) > 1 and amount > 0:
        d = math.dist(pts[0], pts[1])
        if d <= amount:
            amount -= d
            pts.pop(0)
            continue
        t = amount / d
        pts[0] = (pts[0][0] + (pts[1][0] - pts[0][0]) * t, pts[0][1] + (pts[1][1] - pts[0][1]) * t)
        break
    return pts if from_start else list(reversed(pts))


def _simplify(pts: list[Point], tol: float = 0.25) -> list[Point]:
    """Drop points closer than tol pixels to the previous kept one (keeps the ends)."""
    out = [pts[0]]
    for p in pts[1:-1]:
        if math.dist(p, out[-1]) >= tol:
            out.append(p)
    out.append(pts[-1])
    return out
