"""SVG back end: a standalone, script-free <svg> string for the web portal."""

from __future__ import annotations

from functools import lru_cache
from xml.sax.saxutils import escape, quoteattr

from .geometry import figure_key
from .scene import LABELS, STYLES, Prim, check_side, layout


def _num(v: float) -> str:
    text = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _pts(prim: Prim) -> str:
    return " ".join(f"{_num(x)},{_num(y)}" for x, y in prim.points)


def _paint(prim: Prim) -> str:
    st = STYLES[prim.style]
    fill = st.get("fill", "none")
    attrs = [f'fill="{fill}"']
    if "stroke" in st:
        attrs.append(f'stroke="{st["stroke"]}" stroke-width="{_num(prim.width)}"')
        if "dash" in st:
            attrs.append('stroke-dasharray="%s"' % " ".join(_num(d * prim.width) for d in st["dash"]))
    return " ".join(attrs)


def _element(prim: Prim) -> str:
    if prim.kind == "path":
        return f'<polyline points="{_pts(prim)}" {_paint(prim)}/>'
    if prim.kind == "poly":
        return f'<polygon points="{_pts(prim)}" {_paint(prim)}/>'
    if prim.kind == "circle":
        (x, y), = prim.points
        return f'<circle cx="{_num(x)}" cy="{_num(y)}" r="{_num(prim.r)}" {_paint(prim)}/>'
    if prim.kind == "text":
        (x, y), = prim.points
        return (f'<text x="{_num(x)}" y="{_num(y)}" font-size="{_num(prim.size)}" '
                f'fill="{STYLES[prim.style]["fill"]}">{escape(prim.text)}</text>')
    raise ValueError(f"unknown primitive {prim.kind!r}")


@lru_cache(maxsize=2048)
def _svg(key: str, width: float, height: float, title: str | None, labels: tuple[str, str],
         side: str | None) -> str:
    w, h = _num(float(width)), _num(float(height))
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
            f'role="img" aria-label={quoteattr(title or "Exercise start and finish positions")}>')
    parts = [head]
    if title:
        parts.append(f"<title>{escape(title)}</title>")
    parts.append(f'<rect width="{w}" height="{h}" fill="#ffffff"/>')
    parts.append('<g stroke-linecap="round" stroke-linejoin="round" '
                 'font-family="DejaVu Sans, Verdana, sans-serif">')
    parts.extend(_element(p) for p in layout(key, float(width), float(height), labels, side))
    parts.append("</g></svg>")
    return "".join(parts)


def render_svg(figure, width: float = 240, height: float = 120, title: str | None = None,
               labels: tuple[str, str] = LABELS, side: str | None = None) -> str:
    """The figure (rehab.library.schema.Figure or its dict) as a standalone SVG string:
    Start and Finish (or Hold) panels side by side. `title` (optional, escaped) becomes
    the accessible name; `labels` replaces the panel captions (escaped); `side`
    ("left", "right" or None) colours and, if needed, mirrors the figure so that the
    working leg is the patient's affected one (None: both legs neutral)."""
    return _svg(figure_key(figure), float(width), float(height), title, tuple(labels), check_side(side))
