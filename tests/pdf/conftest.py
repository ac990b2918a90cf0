"""Builders for the PDF tests: plans are made directly from the planner's
dataclasses, so these tests do not depend on the planner's rules.

Fixtures:
  typical_plan    hamstring strain, current phase P1 (6 items) + three later phases
  plan_figures    {exercise_id: Figure} for every item of typical_plan
  print_details   print_details(**changes) -> PrintDetails (A4, normal print by default)
  make_item       make_item(exercise_id, name, dosage=None, steps=None, precautions=None, category=...)
  make_dose       make_dose(sets=3, reps=10, hold_s=None, per_day=1, days_per_week=7, effort=..., ...)
  replace_item    replace_item(plan, index, item) -> plan with the current phase's item `index` swapped
  pdf_text        pdf_text(pdf_bytes) -> all pages' text, whitespace collapsed to single spaces
  pdf_pages       pdf_pages(pdf_bytes) -> pypdf PdfReader pages
  page_images     page_images(pdf_bytes, dpi=30) -> [(width, height, gray bytes)] via pdftoppm
"""

from __future__ import annotations

import dataclasses
import io
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from rehab.pdf import sample


@pytest.fixture
def typical_plan():
    return sample.sample_plan()


@pytest.fixture
def plan_figures(typical_plan):
    return sample.sample_figures(typical_plan)


@pytest.fixture
def print_details():
    return sample.sample_details


@pytest.fixture
def make_item():
    return sample.item


@pytest.fixture
def make_dose():
    return sample.dose


@pytest.fixture
def replace_item():
    def replace(plan, index, item):
        current = plan.phases[0]
        items = list(current.items)
        items[index] = item
        phases = [dataclasses.replace(current, items=items)] + list(plan.phases[1:])
        return dataclasses.replace(plan, phases=phases)

    return replace


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


@pytest.fixture
def pdf_text():
    return _text


@pytest.fixture
def pdf_pages():
    return lambda pdf: PdfReader(io.BytesIO(pdf)).pages


def _read_pgm(path: Path) -> tuple[int, int, bytes]:
    """Binary PGM (P5, 8 bit) as written by pdftoppm -gray."""
    data = path.read_bytes()
    tokens, pos = [], 0
    while len(tokens) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos)
            continue
        start = pos
        while not data[pos:pos + 1].isspace():
            pos += 1
        tokens.append(data[start:pos])
    assert tokens[0] == b"P5", tokens[0]
    width, height, maxval = int(tokens[1]), int(tokens[2]), int(tokens[3])
    assert maxval == 255
    pixels = data[pos + 1:pos + 1 + width * height]
    assert len(pixels) == width * height
    return width, height, pixels


@pytest.fixture
def page_images():
    """Render with pdftoppm; skipped only when it is missing outside CI (CI must run it)."""
    if shutil.which("pdftoppm") is None:
        if os.environ.get("CI"):
            pytest.fail("pdftoppm is missing: install poppler-utils")
        pytest.skip("pdftoppm not installed (apt-get install poppler-utils)")

    def render(pdf: bytes, dpi: int = 30) -> list[tuple[int, int, bytes]]:
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / "doc.pdf"
            src.write_bytes(pdf)
            subprocess.run(["pdftoppm", "-gray", "-r", str(dpi), str(src), str(Path(tmp) / "page")],
                           check=True, timeout=120)
            return [_read_pgm(p) for p in sorted(Path(tmp).glob("page-*.pgm"),
                                                  key=lambda p: int(p.stem.split("-")[-1]))]

    return render
