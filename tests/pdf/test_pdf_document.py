"""What a reader, a viewer and a print queue see: metadata, outline, language, fonts,
type and figure sizes, page fill, the glossary, the tracking sheet, no QR code."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re

import pytest
import zxingcpp
from pypdf import PdfReader
from reportlab.lib.units import mm

from rehab.pdf import render_plan, render_referral_letter, words
from rehab.pdf.details import ClinicContact
from rehab.pdf.sample import sample_refusal
from rehab.pdf.styles import get_styles
from rehab.pdf.tracking import DAYS, MIN_DAY_W, TrackingGrid, TrackRow

from .conftest import page_chars


def _docs(plan, figures, details):
    return {
        "plan": render_plan(plan, details(), figures),
        "large": render_plan(plan, details(large_print=True, page_size="Letter"), figures),
        "letter": render_referral_letter(sample_refusal(), details(), {"nprs_rest": 4}),
    }


def test_metadata_names_no_patient(typical_plan, plan_figures, print_details):
    for kind, pdf in _docs(typical_plan, plan_figures, print_details).items():
        reader = PdfReader(io.BytesIO(pdf))
        meta = reader.metadata
        assert meta.title == ("Referral letter" if kind == "letter" else "Exercise plan")
        assert meta.author == "Riverside Physiotherapy"
        everything = " ".join(str(v) for v in meta.values())
        for private in ("Jordan", "Smith", "RS-004217", "1990", "PLN-2025"):
            assert private not in everything, (kind, private)
        assert reader.trailer["/Root"]["/Lang"] == "en-GB"


def test_creation_date_is_real_unless_fixed(typical_plan, plan_figures, print_details):
    fixed = PdfReader(io.BytesIO(render_plan(typical_plan, print_details(), plan_figures))).metadata
    assert fixed.creation_date.replace(tzinfo=None) == dt.datetime(2025, 3, 14, 9, 30)
    before = dt.datetime.now(dt.timezone.utc).replace(microsecond=0, tzinfo=None)
    now = PdfReader(io.BytesIO(render_plan(typical_plan, print_details(created=None), plan_figures))).metadata
    after = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    assert before <= now.creation_date.replace(tzinfo=None) <= after


def test_outline_has_a_bookmark_per_section(typical_plan, plan_figures, print_details):
    reader = PdfReader(io.BytesIO(render_plan(typical_plan, print_details(), plan_figures)))

    def titles(outline, depth=0):
        for entry in outline:
            if isinstance(entry, list):
                yield from titles(entry, depth + 1)
            else:
                yield depth, entry.title, reader.get_destination_page_number(entry)

    found = list(titles(reader.outline))
    names = [t for _, t, _ in found]
    for section in ("Your exercise plan", "Get help now", "How to use this plan", "Now: Phase 1 · Protect and settle",
                    "Your exercises", "What comes next", "Phase 2 · Build strength", "Words used in this plan",
                    "Tracking sheet"):
        assert section in names, section
    pages = {t: p for _, t, p in found}
    assert pages["Get help now"] == 0 and pages["Tracking sheet"] == len(reader.pages) - 1
    assert (1, "Your exercises") in [(d, t) for d, t, _ in found]
    letter = PdfReader(io.BytesIO(render_referral_letter(sample_refusal(), print_details())))
    assert [e.title for e in letter.outline] == ["Referral letter"]


def test_every_font_is_embedded(typical_plan, plan_figures, print_details):
    """No base-14 font anywhere (the figures' labels included): each is an embedded DejaVu subset."""
    docs = _docs(typical_plan, plan_figures, print_details)
    docs["all"] = render_plan(typical_plan, print_details(all_phases=True), plan_figures)
    for kind, pdf in docs.items():
        reader = PdfReader(io.BytesIO(pdf))
        seen = set()
        for page in reader.pages:
            fonts = dict(page["/Resources"].get("/Font", {}))
            for xobj in page["/Resources"].get("/XObject", {}).values():
                res = xobj.get_object().get("/Resources")
                if res is not None:
                    fonts.update(res.get_object().get("/Font", {}))
            for font in fonts.values():
                font = font.get_object()
                seen.add(str(font["/BaseFont"]).split("+")[-1])
                desc = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
                assert "/FontFile2" in desc["/FontDescriptor"].get_object(), (kind, font["/BaseFont"])
        assert seen == {"DejaVuSans", "DejaVuSans-Bold"}, (kind, seen)
        assert b"Helvetica" not in pdf


def _sizes(pdf: bytes) -> list[dict[float, int]]:
    """Per page: characters by rendered font size in points."""
    out = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        sizes: dict[float, int] = {}

        def visit(text, cm, tm, font, size, sizes=sizes):
            if text.strip():
                key = round(size * tm[0] * (cm[0] or 1), 1)
                sizes[key] = sizes.get(key, 0) + len(text.strip())

        page.extract_text(visitor_text=visit)
        out.append(sizes)
    return out


@pytest.mark.parametrize("size", ["A4", "Letter"])
def test_large_print_type_sizes(typical_plan, plan_figures, print_details, size):
    for full in (False, True):
        pdf = render_plan(typical_plan, print_details(large_print=True, page_size=size, all_phases=full),
                          plan_figures)
        pages = _sizes(pdf)
        smallest = min(s for page in pages for s in page)
        assert smallest >= 12, smallest
        body = max(pages[2], key=pages[2].get)
        assert body >= 14
    normal = _sizes(render_plan(typical_plan, print_details(page_size=size), plan_figures))
    assert max(normal[2], key=normal[2].get) < 12


def _label_boxes(pdf: bytes, label: str) -> list[tuple[int, float, float, float]]:
    """(page, x centre, height) of each occurrence of `label` as a word on its own."""
    found = []
    for n, chars in enumerate(page_chars(pdf)):
        text = "".join(c for c, *_ in chars)
        for m in re.finditer(label, text):
            box = chars[m.start():m.end()]
            left, right = min(b[1] for b in box), max(b[3] for b in box)
            found.append((n, (left + right) / 2, box[0][2]))
    return found


@pytest.mark.parametrize("large, min_w, min_label", [(False, 45 * mm, 8), (True, 65 * mm, 12)])
def test_current_phase_figures_and_labels_are_big_enough(typical_plan, plan_figures, print_details, large, min_w,
                                                         min_label):
    pdf = render_plan(typical_plan, print_details(large_print=large), plan_figures)
    starts, finishes = _label_boxes(pdf, "Start"), _label_boxes(pdf, "Finish")
    assert len(starts) == len(finishes) == len(typical_plan.phases[0].items)
    for (p1, x1, _), (p2, x2, _) in zip(starts, finishes):
        assert p1 == p2
        assert 2 * (x2 - x1) >= min_w  # the labels sit over the middle of each half of the figure
    sizes = _sizes(pdf)
    label_pt = get_styles(large).label_size
    assert label_pt >= min_label
    assert any(label_pt == pytest.approx(s, abs=0.05) for page in sizes for s in page)
    assert get_styles(True).figure_w >= 1.8 * get_styles(False).figure_w
    assert get_styles(True).figure_small_w >= 1.8 * get_styles(False).figure_small_w


def test_a_static_figure_is_marked_hold(typical_plan, plan_figures, print_details, pdf_text):
    fig = plan_figures["supine_heel_dig"]
    figures = dict(plan_figures, supine_heel_dig=fig.model_copy(update={"end": fig.start}))
    before = pdf_text(render_plan(typical_plan, print_details(), plan_figures))
    text = pdf_text(render_plan(typical_plan, print_details(), figures))
    assert len(re.findall(r"\bHold\b", text)) == len(re.findall(r"\bHold\b", before)) + 1
    assert text.count("Start") == before.count("Start") - 1


SECTION_STARTS = ("Now: ", "What comes next", "Words used in this plan", "Tracking sheet", "Next: ", "Later: ")


@pytest.mark.parametrize("size", ["A4", "Letter"])
def test_large_print_pages_are_at_least_half_full(typical_plan, plan_figures, print_details, size):
    """Only the last page of a section may be under half full, or a page whose next
    exercise card (kept whole in large print) is taller than the room left on it."""
    items = {f"{n}. {i.name}": i for phase in typical_plan.phases for n, i in enumerate(phase.items, 1)}
    for full in (False, True):
        pdf = render_plan(typical_plan, print_details(large_print=True, page_size=size, all_phases=full),
                          plan_figures)
        reader = PdfReader(io.BytesIO(pdf))
        pages = page_chars(pdf)
        footer_top = 16 * mm + 40  # margin plus the footer's lines
        for n, chars in enumerate(pages[:-1]):
            height = float(reader.pages[n].mediabox.height)
            lowest = min(b[2] for b in chars if b[2] > footer_top)
            next_text = reader.pages[n + 1].extract_text()
            next_body = next_text.split("version 3", 1)[-1].lstrip()
            if next_body.startswith(SECTION_STARTS) or lowest < height / 2:
                continue
            card = next((items[k] for k in items if next_body.startswith(k)), None)
            assert card is not None, (full, n + 1, next_body[:40])
            room = lowest - footer_top
            assert _card_height(pages[n + 1], card, footer_top) > room, (n + 1, card.name)


def _card_height(chars, item, footer_top) -> float:
    """From the top of the page's text to the bottom of the card's last line."""
    text = "".join(c for c, *_ in chars)
    last = (item.precautions or item.instructions)[-1].replace(" ", "")[-15:]
    at = text.index(last) + len(last) - 1
    top = max(b[4] for b in chars if b[2] > footer_top)
    return top - chars[at][2]


def test_glossary_lists_the_terms_used_once(typical_plan, plan_figures, print_details, make_item, replace_item,
                                            pdf_text):
    text = pdf_text(render_plan(typical_plan, print_details(), plan_figures))
    box = text[text.index("Words used in this plan"):]
    box = box[:box.index("Tracking sheet")] if "Tracking sheet" in box else box
    assert "Askling: " + words.GLOSSARY["Askling"][:40] in box
    assert "H-test: " in box and "Nordic: " in box
    assert "Pallof" not in box and "carioca" not in box
    pallof = make_item("pallof_press", "Pallof press", steps=["Hold the band.", "Press out.", "Return."])
    plan = dataclasses.replace(replace_item(typical_plan, 0, pallof), phases=[replace_item(
        typical_plan, 0, pallof).phases[0]])
    text = pdf_text(render_plan(plan, print_details(), plan_figures))
    assert text.count("Pallof: ") == 1 and "Askling:" not in text


def test_no_glossary_without_terms(typical_plan, plan_figures, print_details, pdf_text):
    plan = dataclasses.replace(typical_plan, phases=typical_plan.phases[:1])
    assert "Words used in this plan" not in pdf_text(render_plan(plan, print_details(), plan_figures))


def test_glossary_words_match_whole_words():
    assert words.glossary_terms(["slow eccentric lowering"]) == [("eccentric", words.GLOSSARY["eccentric"])]
    assert [t for t, _ in words.glossary_terms(["Nordics", "Asklings", "glutes"])] == ["glute"]
    assert words.glossary_terms(["nothing here"]) == []


def test_no_qr_code_on_any_page(typical_plan, plan_figures, print_details, page_pil):
    """The plan carries no QR code until patients have a page of their own to open."""
    for pdf in _docs(typical_plan, plan_figures, print_details).values():
        for image in page_pil(pdf, 150):
            assert zxingcpp.read_barcodes(image) == []


def test_zxing_reads_a_qr_code(tmp_path):
    """The QR check above can fail: zxing-cpp finds a code that is there."""
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing
    from reportlab.graphics import renderPM  # noqa: F401  (only to prove the import works)
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.graphics import renderPDF

    from .conftest import render_pil

    buf = io.BytesIO()
    canv = Canvas(buf)
    widget = QrCodeWidget("https://clinic.example/x")
    d = Drawing(200, 200)
    d.add(widget)
    renderPDF.draw(d, canv, 100, 400)
    canv.save()
    (image,) = render_pil(buf.getvalue(), 150)
    assert [r.text for r in zxingcpp.read_barcodes(image)] == ["https://clinic.example/x"]


# ------------------------------------------------------------------ tracking sheet


def test_tracking_sheet_rows(typical_plan, plan_figures, print_details, make_item, make_dose, replace_item,
                             pdf_pages):
    walking = make_item("graded_walking_programme", "Graded walking programme",
                        make_dose(None, None, duration_min=10, per_day=2, days_per_week=5),
                        category="ergonomics_education")
    habit = make_item("sitting_setup_breaks", "Chair set-up", make_dose(None, None, per_day=None),
                      category="ergonomics_education")
    plan = replace_item(replace_item(typical_plan, 4, walking), 5, habit)
    for large in (False, True):
        pages = pdf_pages(render_plan(plan, print_details(large_print=large), plan_figures))
        sheet = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in pages
                                              if float(p.mediabox.width) > float(p.mediabox.height)))
        assert "Graded walking programme 10 min each side" not in sheet
        sep = ":" if large else ""  # large print: the name and dose run on in one paragraph
        assert f"Graded walking programme{sep} 10 min · 2x a day · 5 days a week" in sheet  # the dose, large too
        assert "Chair set-up" not in sheet
        assert f"Lying heel dig{sep} 1 set x 10 reps · hold 10 s · 3x a day · 7 days a week" in sheet
        assert "Worst pain today" in sheet and "Pain next morning" in sheet and "Notes" in sheet
        assert all(f"Day {d}" in sheet for d in range(1, DAYS + 1))


@pytest.mark.parametrize("large", [False, True])
@pytest.mark.parametrize("size", ["A4", "Letter"])
def test_tracking_cells_and_boxes(large, size):
    from reportlab.lib.pagesizes import landscape

    from rehab.pdf.details import PAGE_SIZES
    from rehab.pdf.layout import para

    st = get_styles(large)
    width = landscape(PAGE_SIZES[size])[0] - 2 * st.margin
    rows = [TrackRow([para("x", st.cell)], n) for n in (1, 2, 3, 5, 6, 9)]
    grid = TrackingGrid(rows, st, width)
    grid.wrap(width, 1000)
    assert grid.day_w >= MIN_DAY_W
    assert grid.name_w + DAYS * grid.day_w + grid.notes_w == pytest.approx(width)
    assert grid.notes_w >= 20 * mm
    assert grid._per_line(3.0) >= 3  # three sessions a day tick in one line
    drawn = []

    class Canvas:
        def rect(self, x, y, w, h, stroke=1, fill=0):
            drawn.append((x, y, w, h))

    grid.canv = Canvas()
    for n, expected in ((1, 1), (3, 3), (6, 6), (9, 6)):  # more than 6: capped
        drawn.clear()
        grid._tick_boxes(0, 0, 40 * mm, n)
        assert len(drawn) == expected
        assert all(x >= 0 and x + w <= grid.day_w for x, _, w, _ in drawn)  # inside the day cell


def test_letter_clinic_contact_on_every_document(typical_plan, plan_figures, print_details, pdf_text):
    clinic = ClinicContact("Northside Clinic", phone="0100 200 300", email="x@y.example")
    for pdf in (render_plan(typical_plan, print_details(clinic=clinic), plan_figures),
                render_referral_letter(sample_refusal(), print_details(clinic=clinic))):
        assert "Northside Clinic Phone 0100 200 300 · x@y.example" in pdf_text(pdf)


def test_the_plans_side_goes_to_a_renderer_that_mirrors(typical_plan, plan_figures, print_details, monkeypatch):
    """When rehab.figures' renderer takes `side`, the plan's left/right is passed (None otherwise),
    and a mirrored figure is cached apart from the unmirrored one."""
    import rehab.figures
    from rehab.pdf import drawings

    real = rehab.figures.render_drawing
    calls = []

    def render_drawing(figure, width=240, height=120, labels=("Start", "Finish"), side=None):
        calls.append(side)
        return real(figure, width, height, labels=labels)

    monkeypatch.setattr(rehab.figures, "render_drawing", render_drawing)
    monkeypatch.setattr(drawings, "_cache", type(drawings._cache)())
    for side, expected in (("left", "left"), ("right", "right"), ("bilateral", None), ("unspecified", None)):
        calls.clear()
        drawings._cache.clear()
        render_plan(typical_plan, print_details(side=side), plan_figures)
        assert calls and set(calls) == {expected}, side
    render_plan(typical_plan, print_details(side="left"), plan_figures)
    calls.clear()
    render_plan(typical_plan, print_details(side="left"), plan_figures)
    assert calls == []  # cached per figure and side


def test_glossary_explains_the_words_the_review_found_unexplained():
    """"avoid HARM", the exercise names and the clinicians' words get a "Words used in this plan" entry;
    HARM only in capitals (the everyday word "harm" is not a term)."""
    texts = ["First 72 hours: avoid HARM.", "Bird-dog", "Dead bug", "T-drill", "No lengthening to end range",
             "until the exit tests", "an exit test", "Maximal strength tests"]
    found = [t for t, _ in words.glossary_terms(texts)]
    assert found == ["HARM", "Bird-dog", "Dead bug", "T-drill", "end range", "exit test", "maximal strength test"]
    assert words.glossary_terms(["This does no harm.", "harmless"]) == []
    assert "Heat, Alcohol, Running and Massage" in words.GLOSSARY["HARM"]


def test_typical_plan_glossary_explains_harm(typical_plan, plan_figures, print_details, pdf_text):
    plan = dataclasses.replace(typical_plan, phases=[dataclasses.replace(
        typical_plan.phases[0], precautions=["No heat, alcohol, running or massage for 72 hours (avoid HARM)."])]
        + list(typical_plan.phases[1:]))
    text = pdf_text(render_plan(plan, print_details(), plan_figures))
    box = text[text.index("Words used in this plan"):]
    assert "HARM: Heat, Alcohol, Running and Massage" in box


def test_a_long_glossary_goes_in_columns(typical_plan, plan_figures, print_details, make_item, replace_item,
                                         pdf_pages):
    """Ten terms: the box is balanced over two or three columns, so it fits under the tracking sheet."""
    from reportlab.lib.pagesizes import A4, landscape

    from rehab.pdf.plan import _glossary, split_phases

    names = "Askling Nordic carioca HARM T-drill Bird-dog Dead bug end range exit test maximal strength test"
    plan = replace_item(typical_plan, 0, make_item("ex_terms", "Terms", steps=[names]))
    current, later = split_phases(plan)
    _, there = _glossary(plan, current, later, get_styles(False))
    balanced = there.box.content[1]
    there.box.wrap(landscape(A4)[0] - 2 * get_styles(False).margin, 1e6)
    assert len(balanced.columns) == 3
    heights = [sum(h for _, h in c) for c in balanced.columns]
    assert max(heights) < sum(heights) / 2
