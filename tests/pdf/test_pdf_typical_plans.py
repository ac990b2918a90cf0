"""Real plans from the planner and the reviewed library, printed as a clinic would: page
counts, the size of the pictures as drawn, large-print cards kept whole, what comes next
for a plan without later stages, rest days on the tracking sheet."""

from __future__ import annotations

import ctypes
import io
import json
import re
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from pypdf import PdfReader
from reportlab.lib.units import mm

from rehab.pdf import render_plan, sample, words
from rehab.planner import apply_adjustments, parse_intake

from .conftest import page_chars

PLANNER = Path(__file__).resolve().parents[1] / "planner"
TYPICAL = {
    "TC01 hamstring strain": PLANNER / "examples" / "TC01_hs_g1_acute_day2.json",
    "sciatica": PLANNER / "cases" / "SC01_sciatica_ext_pref_acute.json",
    "pregnancy": PLANNER / "examples" / "TC24_pregnancy_26wk_pgp.json",
    "grade 3": PLANNER / "cases" / "SE10_g3_day5_nothing_recorded.json",
    "frail 81-year-old": PLANNER / "cases" / "SE05_frail_osteoporosis_81_no_lunge.json",
}
FLOOR_RGB = (140, 140, 140)  # rehab.figures.scene STYLES["floor"]: the ground line under each picture


def _plan(path: Path, library):
    raw = json.loads(path.read_text())
    return apply_adjustments(parse_intake(raw), library, [])


def _print(plan, library, **changes) -> bytes:
    figures = {i.exercise_id: library[i.exercise_id].figure for p in plan.phases for i in p.items}
    side = changes.pop("side", "left")
    return render_plan(plan, sample.sample_details(side=side, **changes), figures)


@pytest.fixture(scope="module")
def plans(library):
    return {name: _plan(path, library) for name, path in TYPICAL.items()}


@pytest.mark.parametrize("name", list(TYPICAL))
@pytest.mark.parametrize("size", ["A4", "Letter"])
def test_typical_plans_are_three_to_five_pages(plans, library, name, size):
    pdf = _print(plans[name], library, page_size=size)
    assert 3 <= len(PdfReader(io.BytesIO(pdf)).pages) <= 5, (name, size)


def _ground_lines(pdf: bytes) -> list[list[float]]:
    """Per page, the width in points of every picture's ground line as drawn."""
    doc = pdfium.PdfDocument(pdf)
    out = []
    try:
        for i in range(len(doc)):
            widths = []
            for obj in doc[i].get_objects(max_depth=4):
                if obj.type != pdfium_c.FPDF_PAGEOBJ_PATH:
                    continue
                rgba = [ctypes.c_uint() for _ in range(4)]
                pdfium_c.FPDFPageObj_GetStrokeColor(obj.raw, *rgba)
                if tuple(v.value for v in rgba[:3]) == FLOOR_RGB:
                    left, _, right, _ = obj.get_bounds()
                    widths.append(right - left)
            out.append(widths)
    finally:
        doc.close()
    return out


@pytest.mark.parametrize("large, min_w", [(False, 45 * mm), (True, 65 * mm)])
def test_every_current_phase_picture_is_drawn_wide_enough(plans, library, large, min_w):
    """Each picture (start, finish or one held position) is at least 45 mm wide (65 mm in
    large print), measured on the ground line drawn under it: one line per picture."""
    for name, plan in plans.items():
        current = next(p for p in plan.phases if p.id == plan.current_phase)
        pdf = _print(plan, library, large_print=large)
        lines = [w for page in _ground_lines(pdf) for w in page]
        pictures = sum(1 if library[i.exercise_id].figure.start == library[i.exercise_id].figure.end
                       or (library[i.exercise_id].figure.move == "none" and library[i.exercise_id].figure.end.hold)
                       else 2 for i in current.items)
        assert len(lines) == pictures, name
        assert min(lines) >= min_w, (name, min(lines) / mm)


def _card_pages(pdf: bytes, items) -> dict[str, tuple[int, int]]:
    """For each numbered item, the page of its name and the page of its card's last line."""
    pages = ["".join(c for c, *_ in chars) for chars in page_chars(pdf)]  # without spaces
    out = {}
    for k, item in enumerate(items, 1):
        name = f"{k}.{item.name}".replace(" ", "")
        last = (item.precautions or item.instructions)[-1].replace(" ", "")[-15:]
        first = next(n for n, text in enumerate(pages) if name in text)
        out[item.name] = (first, next(n for n in range(first, len(pages)) if last in pages[n]))
    return out


@pytest.mark.parametrize("size", ["A4", "Letter"])
def test_large_print_cards_are_not_split(plans, library, size):
    """A large-print card (name, dose, pictures, steps) stays on one page."""
    for name, plan in plans.items():
        current = next(p for p in plan.phases if p.id == plan.current_phase)
        exercises = [i for i in current.items if i.category != "ergonomics_education"]
        pdf = _print(plan, library, large_print=True, page_size=size)
        for item, (first, last) in _card_pages(pdf, exercises).items():
            assert first == last, (name, item, first, last)


def test_a_plan_without_later_stages_says_what_comes_next(plans, library):
    plan = plans["grade 3"]
    assert [p.id for p in plan.phases] == ["P1_acute_protection"] and plan.referral.level == "urgent"
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(_print(plan, library))).pages))
    assert "What comes next Your next stage depends on the opinion of the specialist you are being referred to " \
           "(Orthopaedic surgeon). Keep to this plan until then" in text
    last = words.next_without_later_phases("none", [])
    assert last.startswith("This is the last stage of your plan.")


def test_rest_days_follow_the_days_per_week():
    assert sorted(_row(7).active_days()) == list(range(7))
    assert sorted(_row(5).active_days()) == [0, 1, 2, 4, 5]  # rest on days 4 and 7
    assert sorted(_row(3).active_days()) == [0, 2, 4]  # days 1, 3 and 5
    assert sorted(_row(2).active_days()) == [0, 3]
    assert sorted(_row(1).active_days()) == [0]
    assert sorted(_row(None).active_days()) == list(range(7))


def _row(days):
    from rehab.pdf.tracking import TrackRow

    return TrackRow([], 1, days)


def test_tracking_sheet_marks_rest_days(typical_plan, plan_figures, print_details, pdf_chars):
    """The sample's exercise bike is 5 days a week: two shaded "rest" cells in its row, none
    in the other rows; the intro says what a rest day is."""
    bike = next(i for i in typical_plan.phases[0].items if i.exercise_id == "stationary_cycling")
    assert bike.dosage.days_per_week == 5
    assert all(i.dosage.days_per_week == 7 for i in typical_plan.phases[0].items if i is not bike)
    pdf = render_plan(typical_plan, print_details(), plan_figures)
    chars = pdf_chars(pdf)
    sheet = next(n for n, page in enumerate(chars) if "Trackingsheet" in "".join(c for c, *_ in page))
    page = chars[sheet]
    header_y = _words(page, "Exerciseanddose")[0][2]
    cells = [c for c in _words(page, "rest") if c[2] < header_y]  # in the grid, not the intro
    bike_y = _words(page, "Easyexercisebike")[0][2]
    next_y = _words(page, "Icepack")[0][2]  # the row under the bike's
    assert len(cells) == 2
    assert all(next_y < c[2] < bike_y + 5 for c in cells)
    day_xs = sorted(_words(page, r"Day\d")[i][1] for i in range(7))
    assert [min(range(7), key=lambda d: abs(day_xs[d] - c[1])) for c in cells] == [3, 6]  # days 4 and 7
    intro = re.sub(r"\s+", " ", PdfReader(io.BytesIO(pdf)).pages[sheet].extract_text())
    assert "a shaded “rest” day is a day off for that exercise" in intro


def _words(chars, pattern):
    """The first character of each match of `pattern` in the page's text (spaces left out)."""
    text = "".join(c for c, *_ in chars)
    return [chars[m.start()] for m in re.finditer(pattern, text)]


@pytest.mark.parametrize("size", ["A4", "Letter"])
def test_large_print_typical_plans_leave_no_page_half_empty(plans, library, size):
    """Large print runs longer, but a page is under half full only at the end of a section
    or when the next card (kept whole) would not fit in what is left."""
    from .test_pdf_document import SECTION_STARTS, _card_height

    for name, plan in plans.items():
        current = next(p for p in plan.phases if p.id == plan.current_phase)
        exercises = [i for i in current.items if i.category != "ergonomics_education"]
        habits = [i for i in current.items if i.category == "ergonomics_education"]
        items = {f"{n}. {i.name}": i for group in (exercises, habits) for n, i in enumerate(group, 1)}
        pdf = _print(plan, library, large_print=True, page_size=size)
        reader = PdfReader(io.BytesIO(pdf))
        pages = page_chars(pdf)
        footer_top = 16 * mm + 40
        for n, chars in enumerate(pages[:-1]):
            lowest = min(b[2] for b in chars if b[2] > footer_top)
            body = reader.pages[n + 1].extract_text().split("version 3", 1)[-1].lstrip()
            if body.startswith(SECTION_STARTS + ("Good to know",)) \
                    or lowest < float(reader.pages[n].mediabox.height) / 2:
                continue
            for heading in ("Your exercises", "Everyday habits"):  # a card's list heading goes with it
                body = body.removeprefix(heading).lstrip()
            card = next((items[k] for k in items if body.startswith(k)), None)
            assert card is not None, (name, n + 1, body[:40])
            # the card's text, plus the space kept above and below a card (about 12 points)
            assert _card_height(pages[n + 1], card, footer_top) + 12 > lowest - footer_top, (name, n + 1)


@pytest.mark.parametrize("name", list(TYPICAL))
@pytest.mark.parametrize("size", ["A4", "Letter"])
@pytest.mark.parametrize("large", [False, True])
def test_get_help_now_is_whole_on_page_one_with_the_phone_lines(plans, library, name, size, large):
    """Page 1 carries the whole "Get help now" box: the clinic's phone, when it is closed, the
    ambulance line (first in the box) and every sign, in every print size."""
    pdf = _print(plans[name], library, page_size=size, large_print=large)
    first = re.sub(r"\s+", " ", PdfReader(io.BytesIO(pdf)).pages[0].extract_text())
    for needle in ("Get help now", "call Riverside Physiotherapy on 01632 960 123",
                   "When the clinic is closed: call NHS 111", "call an ambulance now"):
        assert needle in first, (name, size, large, needle)
    for sign in plans[name].seek_help_if:
        assert re.sub(r"\s+", " ", sign) in first, (name, size, large, sign)
    assert first.index("01632 960 123 (") < first.index(re.sub(r"\s+", " ", plans[name].seek_help_if[0]))


@pytest.mark.parametrize("name", list(TYPICAL))
@pytest.mark.parametrize("size", ["A4", "Letter"])
def test_large_print_tracking_sheet_is_one_page_with_a_wide_notes_column(plans, library, name, size):
    """"Copy this sheet each week": the large-print sheet is one landscape page, pain rows included."""
    from rehab.pdf.plan import split_phases, _tracking_sheet
    from rehab.pdf.styles import get_styles
    from rehab.pdf.tracking import TrackingGrid

    reader = PdfReader(io.BytesIO(_print(plans[name], library, page_size=size, large_print=True)))
    sheet = [p.extract_text() for p in reader.pages if float(p.mediabox.width) > float(p.mediabox.height)]
    assert len(sheet) == 1, (name, size)
    assert "Worst pain today" in sheet[0] and "Pain next morning" in sheet[0]
    current, _ = split_phases(plans[name])
    grid = [f for f in _tracking_sheet(current, get_styles(True), sample.sample_details(large_print=True,
                                                                                        page_size=size))
            if isinstance(f, TrackingGrid)][0]
    assert grid.notes_w >= 30 * mm


URL = "https://rehab.example/p/abcdefghijklmnopqrstuvwxyz0123456789"


@pytest.mark.parametrize("name", list(TYPICAL))
@pytest.mark.parametrize("size", ["A4", "Letter"])
@pytest.mark.parametrize("large", [False, True])
def test_the_qr_code_is_on_page_one(plans, library, name, size, large):
    """The code sits beside the clinic and the title, so a full page 1 never pushes it to page 2."""
    import zxingcpp

    p = plans[name]
    figures = {i.exercise_id: library[i.exercise_id].figure for ph in p.phases for i in ph.items}
    pdf = render_plan(p, sample.sample_details(side="left", page_size=size, large_print=large), figures,
                      link_url=URL)
    doc = pdfium.PdfDocument(pdf)
    try:
        first = doc[0].render(scale=150 / 72).to_pil()
    finally:
        doc.close()
    assert [b.text for b in zxingcpp.read_barcodes(first)] == [URL], (name, size, large)
    text = re.sub(r"\s+", " ", PdfReader(io.BytesIO(pdf)).pages[0].extract_text())
    assert "Scan to open your plan on your phone" in text and "Get help now" in text
