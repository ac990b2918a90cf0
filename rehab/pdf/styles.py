"""Paragraph styles and sizes for normal and large print, built once each."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm

from .fonts import BOLD, REGULAR, register_fonts

INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#555555")
ACCENT = colors.HexColor("#1f5f8b")
TINT = colors.HexColor("#eef4f8")
RULE = colors.HexColor("#b9c7d2")
WARN = colors.HexColor("#b3261e")
WARN_TINT = colors.HexColor("#fdf0ef")


# Widths of ONE picture (a start/finish pair is twice as wide).
FIGURE_W_MM = 47.0  # current-phase figures: each picture (and the ground line drawn under it) at least 45 mm wide
FIGURE_SMALL_W_MM = 17.0  # later phases, when the clinician prints every phase in full
LARGE_FIGURE = 1.8
BODY_PT, LARGE_BODY_PT = 10.5, 15.0


@dataclass(frozen=True)
class Styles:
    body: ParagraphStyle
    bold: ParagraphStyle
    small: ParagraphStyle
    bullet: ParagraphStyle
    step: ParagraphStyle
    title: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    h3: ParagraphStyle
    item_name: ParagraphStyle
    dose: ParagraphStyle
    effort: ParagraphStyle
    warn_title: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    footer_size: float
    label_size: float  # "Start" / "Finish" over a figure
    figure_w: float  # one current-phase picture (start or finish), points
    figure_small_w: float  # one picture of a later phase printed in full
    margin: float
    large: bool


@lru_cache(maxsize=16)
def get_styles(large: bool = False, scale: float = 1.0) -> Styles:
    """Styles for normal or large print; `scale` shrinks type to fit a one-page letter."""
    register_fonts()
    size = (LARGE_BODY_PT if large else BODY_PT) * scale
    lead = size * 1.25

    def style(name, **kw):
        base = dict(fontName=REGULAR, fontSize=size, leading=lead, textColor=INK, alignment=TA_LEFT,
                    splitLongWords=1, allowWidows=0, allowOrphans=0)
        base.update(kw)
        base.setdefault("bulletFontName", base["fontName"])
        base.setdefault("bulletFontSize", base["fontSize"])
        return ParagraphStyle(f"{name}{'-large' if large else ''}", **base)

    body = style("body", spaceAfter=size * 0.35)
    return Styles(
        body=body,
        bold=style("bold", fontName=BOLD),
        small=style("small", fontSize=size * 0.85, leading=size * 0.85 * 1.3, textColor=MUTED),
        bullet=style("bullet", leftIndent=size * 1.2, bulletIndent=size * 0.2, spaceAfter=size * 0.25),
        step=style("step", leftIndent=size * 1.5, bulletIndent=0, spaceAfter=size * 0.2),
        title=style("title", fontName=BOLD, fontSize=size * 1.9, leading=size * 2.3, textColor=ACCENT),
        # Headings keep with what follows, so none ends a page alone.
        h1=style("h1", keepWithNext=1, fontName=BOLD, fontSize=size * 1.45, leading=size * 1.8,
                 textColor=ACCENT, spaceBefore=size * 0.9, spaceAfter=size * 0.4),
        h2=style("h2", keepWithNext=1, fontName=BOLD, fontSize=size * 1.15, leading=size * 1.45,
                 spaceBefore=size * 0.6, spaceAfter=size * 0.2),
        item_name=style("item", fontName=BOLD, fontSize=size * 1.15, leading=size * 1.45, spaceAfter=size * 0.2),
        h3=style("h3", keepWithNext=1, fontName=BOLD, fontSize=size, leading=lead, spaceBefore=size * 0.3,
                 spaceAfter=size * 0.1),
        dose=style("dose", fontName=BOLD, textColor=ACCENT, spaceAfter=0),
        effort=style("effort", textColor=MUTED, spaceAfter=size * 0.35),
        warn_title=style("warn", fontName=BOLD, fontSize=size * 1.3, leading=size * 1.6, textColor=WARN,
                         spaceAfter=size * 0.3),
        cell=style("cell", fontSize=size * 0.9, leading=size * 0.9 * 1.2),
        cell_bold=style("cellb", fontName=BOLD, fontSize=size * 0.9, leading=size * 0.9 * 1.2),
        footer_size=size * 0.8 if large else 8.5,  # 12 pt in large print: nothing smaller
        label_size=(12.0 if large else 8.5) * scale,
        # Large print: figures at least 1.8 times the normal size (issue 12).
        figure_w=(FIGURE_W_MM * LARGE_FIGURE if large else FIGURE_W_MM) * mm,
        figure_small_w=(FIGURE_SMALL_W_MM * LARGE_FIGURE if large else FIGURE_SMALL_W_MM) * mm,
        margin=(16 if large else 12.7) * mm,  # half an inch: every office printer prints that close
        large=large,
    )
