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
  page_images     page_images(pdf_bytes, dpi=30) -> [(width, height, gray bytes)] via pypdfium2
  page_pil        page_pil(pdf_bytes, dpi) -> [PIL images]
  pdf_chars       pdf_chars(pdf_bytes) -> per page [(char, left, bottom, right, top)] via pypdfium2
"""

from __future__ import annotations

import dataclasses
import io
import re

import pypdfium2 as pdfium
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


@pytest.fixture
def page_images():
    """Pages rendered by PDFium (the pypdfium2 wheel), as (width, height, 8-bit gray bytes)."""

    def render(pdf: bytes, dpi: int = 30) -> list[tuple[int, int, bytes]]:
        out = []
        for image in render_pil(pdf, dpi):
            gray = image.convert("L")
            out.append((gray.width, gray.height, gray.tobytes()))
        return out

    return render


def render_pil(pdf: bytes, dpi: int = 30) -> list:
    """Pages as PIL images at `dpi`."""
    doc = pdfium.PdfDocument(pdf)
    try:
        return [doc[i].render(scale=dpi / 72).to_pil() for i in range(len(doc))]
    finally:
        doc.close()


@pytest.fixture
def page_pil():
    return render_pil


def page_chars(pdf: bytes) -> list[list[tuple[str, float, float, float, float]]]:
    """Per page, every character with its box in points (left, bottom, right, top)."""
    doc = pdfium.PdfDocument(pdf)
    pages = []
    try:
        for i in range(len(doc)):
            text = doc[i].get_textpage()
            chars = []
            for n in range(text.count_chars()):
                ch = text.get_text_range(n, 1)
                if ch.strip():
                    chars.append((ch, *text.get_charbox(n)))
            pages.append(chars)
    finally:
        doc.close()
    return pages


@pytest.fixture
def pdf_chars():
    return page_chars
