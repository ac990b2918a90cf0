"""The PDFs as a reader sees them: pages rendered by PDFium (pypdfium2), counted pixel by pixel."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hyp

from rehab.pdf import fonts, render_plan, render_referral_letter
from rehab.pdf.sample import sample_refusal


def _ink(width, height, pixels, x0=0.0, x1=1.0, y0=0.0, y1=1.0) -> int:
    """Pixels darker than near-white in the given fraction of the page."""
    count = 0
    for y in range(int(y0 * height), int(y1 * height)):
        row = pixels[y * width + int(x0 * width): y * width + int(x1 * width)]
        count += sum(1 for p in row if p < 200)
    return count


def test_no_page_is_blank(typical_plan, plan_figures, print_details, page_images):
    docs = [render_plan(typical_plan, print_details(), plan_figures),
            render_plan(typical_plan, print_details(large_print=True, page_size="Letter"), plan_figures),
            render_referral_letter(sample_refusal(), print_details(), {"nprs_rest": 4})]
    for pdf in docs:
        pages = page_images(pdf)
        assert pages
        for width, height, pixels in pages:
            # The body (not just the footer) carries ink: at least 1% of the upper 85%.
            body = _ink(width, height, pixels, y1=0.85)
            assert body > 0.01 * width * height * 0.85


def test_long_text_stays_inside_the_margins(typical_plan, plan_figures, print_details, make_item, replace_item,
                                            page_images):
    word = "Unbreakableword" * 12
    item = make_item("long", "Long " * 40 + word, steps=["Step " * 200, word * 2, "Rest."])
    plan = replace_item(typical_plan, 0, item)
    for large in (False, True):
        pages = page_images(render_plan(plan, print_details(large_print=large), plan_figures), dpi=40)
        for width, height, pixels in pages:
            margin = 12 / (210 if width < height else 297)  # just inside the 15 mm page margin
            assert _ink(width, height, pixels, x0=1 - margin) == 0
            assert _ink(width, height, pixels, x1=margin) == 0


_TEXT = hyp.text(hyp.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs"),
                                exclude_characters="\x00"), min_size=1, max_size=80)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=_TEXT, step=_TEXT)
def test_any_text_renders(typical_plan, plan_figures, print_details, make_item, replace_item, name, step):
    plan = replace_item(typical_plan, 0, make_item("any", name, steps=[step, step, step]))
    assert render_plan(plan, print_details(), plan_figures).startswith(b"%PDF")


def test_missing_font_names_the_package(monkeypatch):
    monkeypatch.setattr(fonts, "_DIRS", ["/nonexistent"])
    with pytest.raises(fonts.FontMissing, match="fonts-dejavu-core"):
        fonts._find("DejaVuSans.ttf")


def test_reportlab_uses_its_c_accelerator():
    if not fonts.accelerated() and not os.environ.get("CI"):
        pytest.skip("rl-accel not installed (pip install rl-accel)")
    assert fonts.accelerated(), "reportlab runs without its C helpers: add rl-accel to the dependencies"


def test_real_library_figures(library, print_details, pdf_text, page_images):
    """Every exercise in exercises/ prints with its real figure (rehab.figures) and its steps."""
    import dataclasses as dc

    from rehab.pdf.sample import sample_plan
    from rehab.planner.types import Dosage, Item

    exercises = sorted(library.values(), key=lambda e: e.id)
    items = [Item(exercise_id=e.id, name=e.name, category=e.category, tags=list(e.tags),
                  dosage=Dosage(**{k: getattr(e.dosage, k) for k in ("sets", "reps", "hold_s", "per_day",
                                                                      "days_per_week", "effort", "duration_min",
                                                                      "per_side")}),
                  instructions=list(e.steps), precautions=list(e.precautions)) for e in exercises]
    base = sample_plan()
    phases = [dc.replace(base.phases[0], items=items[:8])] + \
             [dc.replace(p, items=items[8 + 20 * i: 28 + 20 * i]) for i, p in enumerate(base.phases[1:])]
    plan = dc.replace(base, phases=phases)
    pdf = render_plan(plan, print_details(all_phases=True), {e.id: e.figure for e in exercises})
    text = pdf_text(pdf)
    for item in items[:68]:
        assert item.name in text
    for item in items[:8]:
        assert item.instructions[0] in text
    for width, height, pixels in page_images(pdf):
        assert sum(1 for p in pixels if p < 200) > 0.01 * width * height
