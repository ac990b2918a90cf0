"""The figure-review tool: every exercise's figure beside its steps, on PDF pages,
so a reviewer can check each drawing against what the patient is told to do.

    python -m rehab.figures.contact_sheet OUT.pdf [--exercises DIR] [--figures FILE.yaml]
                                          [--size 255x128] [--side left|right]

--figures takes a YAML mapping of name -> figure block instead of the library.
--side draws the working leg coloured as the patient's left or right leg (mirrored
for the left); left out, the figures are neutral. The figures are drawn at 90 mm,
twice the 45 mm of the printed plan, so the 8 pt labels show at 16 pt here.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import yaml
from reportlab.graphics import renderPDF
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from rehab.library.schema import Figure
from rehab.pdf.fonts import BOLD, REGULAR, register_fonts

from . import render_drawing

SIZE = (255.0, 128.0)
MARGIN = 30.0
GAP = 12.0


@dataclass(frozen=True)
class Item:
    """One figure to review: its title, the figure and the steps it must match."""

    title: str
    figure: Figure
    steps: tuple[str, ...] = ()


def library_items(folder: Path) -> list[Item]:
    from rehab.library.loader import load_library
    library = load_library(Path(folder))
    return [Item(f"{ex.id}: {ex.name}", ex.figure, tuple(ex.steps)) for ex in library.values()]


def _items(args) -> list[Item]:
    if args.figures:
        data = yaml.safe_load(Path(args.figures).read_text(encoding="utf-8"))
        return [Item(name, Figure.model_validate(fig)) for name, fig in data.items()]
    return library_items(Path(args.exercises))


def write_sheet(items: list[Item], out: Path, size: tuple[float, float] = SIZE, side: str | None = None) -> int:
    """Write the sheet; returns the number of pages. One figure a row, its steps to the right."""
    register_fonts()
    cell_w, cell_h = size
    page_w, page_h = A4
    text_x = MARGIN + cell_w + GAP
    text_w = page_w - MARGIN - text_x
    canvas = Canvas(str(out), pagesize=A4, pageCompression=0, invariant=1, initialFontName=REGULAR)
    canvas.setTitle("Exercise figures: contact sheet")
    row_h = cell_h + 18
    per_page = max(1, int((page_h - 2 * MARGIN) // row_h))
    pages = 1
    for index, item in enumerate(items):
        slot = index % per_page
        if index and slot == 0:
            canvas.showPage()
            pages += 1
        y = page_h - MARGIN - (slot + 1) * row_h
        key = f"fig{index}"  # a bookmark per figure: the viewer's outline lists them all
        canvas.bookmarkPage(key, fit="XYZ", top=y + cell_h + 16)
        canvas.addOutlineEntry(item.title, key, level=0)
        canvas.setFont(BOLD, 9)
        canvas.drawString(MARGIN, y + cell_h + 5, item.title[:110])
        canvas.setStrokeGray(0.8)
        canvas.rect(MARGIN, y, cell_w, cell_h)
        renderPDF.draw(render_drawing(item.figure, cell_w, cell_h, side=side), canvas, MARGIN, y)
        ty = y + cell_h - 8
        canvas.setFont(REGULAR, 7.5)
        for n, step in enumerate(item.steps, 1):
            for line in simpleSplit(f"{n}. {step}", REGULAR, 7.5, text_w):
                if ty < y:
                    break
                canvas.drawString(text_x, ty, line)
                ty -= 9
    canvas.showOutline()
    canvas.showPage()
    canvas.save()
    return pages


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--exercises", default="exercises")
    parser.add_argument("--figures", help="YAML mapping name -> figure instead of the library")
    parser.add_argument("--size", default="255x128", help="cell size in points, WxH")
    parser.add_argument("--side", choices=("left", "right"), help="colour the patient's left or right leg")
    args = parser.parse_args(argv)
    w, h = (float(v) for v in args.size.lower().split("x"))
    write_sheet(_items(args), args.out, (w, h), args.side)


if __name__ == "__main__":
    main()
