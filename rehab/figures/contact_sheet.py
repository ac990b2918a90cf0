"""Draw every exercise's figure with its name onto PDF pages, to look at them all.

    python -m rehab.figures.contact_sheet OUT.pdf [--exercises DIR] [--figures FILE.yaml] [--size 160x120]

--figures takes a YAML mapping of name -> figure block instead of the library.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml
from reportlab.graphics import renderPDF
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from rehab.library.schema import Figure

from . import render_drawing

SIZE = (260.0, 130.0)


def _items(args) -> list[tuple[str, Figure]]:
    if args.figures:
        data = yaml.safe_load(Path(args.figures).read_text(encoding="utf-8"))
        return [(name, Figure.model_validate(fig)) for name, fig in data.items()]
    from rehab.library.loader import load_library
    library = load_library(Path(args.exercises))
    return [(f"{ex.id}: {ex.name}", ex.figure) for ex in library.values()]


def write_sheet(items: list[tuple[str, Figure]], out: Path, size: tuple[float, float] = SIZE) -> None:
    cell_w, cell_h = size
    page_w, page_h = A4
    cols = max(1, int((page_w - 60 + 12) // (cell_w + 12)))
    canvas = Canvas(str(out), pagesize=A4, pageCompression=0, invariant=1)
    margin = 30
    rows = int((page_h - 2 * margin) // (cell_h + 14))
    per_page = rows * cols
    for index, (name, figure) in enumerate(items):
        slot = index % per_page
        if index and slot == 0:
            canvas.showPage()
        col, row = slot % cols, slot // cols
        x = margin + col * (cell_w + 12)
        y = page_h - margin - (row + 1) * (cell_h + 14)
        canvas.setFont("Helvetica", 7.5)
        canvas.drawString(x, y + cell_h + 3, name[: int(cell_w / 3.7)])
        canvas.setStrokeGray(0.8)
        canvas.rect(x, y, cell_w, cell_h)
        renderPDF.draw(render_drawing(figure, cell_w, cell_h), canvas, x, y)
    canvas.showPage()
    canvas.save()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--exercises", default="exercises")
    parser.add_argument("--figures", help="YAML mapping name -> figure instead of the library")
    parser.add_argument("--size", default="260x130", help="cell size in points, WxH")
    args = parser.parse_args(argv)
    w, h = (float(v) for v in args.size.lower().split("x"))
    write_sheet(_items(args), args.out, (w, h))


if __name__ == "__main__":
    main()
