"""The printed plan: content, order, escaping, wrapping, fonts, sizes, speed-related caching."""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path

import pytest

from rehab.pdf import PrintDetails, render_plan, render_referral_letter
from rehab.pdf import words
from rehab.pdf.plan import HABITS
from rehab.planner.types import Referral


def _positions(text: str, needles: list[str]) -> list[int]:
    found = []
    for needle in needles:
        at = text.find(needle, found[-1] + 1 if found else 0)
        assert at >= 0, f"{needle!r} missing or out of order"
        found.append(at)
    return found


def test_every_section_in_order(typical_plan, plan_figures, print_details, pdf_text):
    text = pdf_text(render_plan(typical_plan, print_details(), plan_figures))
    current, *later = typical_plan.phases
    needles = ["Your exercise plan", "Your condition:", "Get help now"] + typical_plan.seek_help_if
    needles += ["Where you are now: Phase 1 · Protect and settle", "How to use this plan", "Pain rules"]
    needles += ["Now: Phase 1 · Protect and settle"]
    for n, item in enumerate(current.items, 1):
        amount, effort = words.dosage_parts(item.dosage)
        needles += [f"{n}. {item.name}", amount, effort, item.instructions[0], item.instructions[-1]]
    needles += ["What comes next"]
    for phase in later:
        needles += [f"{words.phase_number(phase.id)} · {phase.name}", phase.goals[0]]
    needles += ["Tracking sheet"] + [item.name for item in current.items]
    _positions(text, needles)
    # The glossary goes after the outline, on its page if it fits there, else under the tracking sheet.
    assert text.index("Words used in this plan") > text.index(later[-1].goals[0])
    # "Good to know" fills page 1 if it fits there whole, else follows the current phase.
    know = text.index("Good to know")
    assert text.index(typical_plan.education[0]) > know
    assert know < text.index("Now: Phase 1") or text.index(current.items[-1].instructions[-1]) < know \
        < text.index("What comes next")


def test_later_phases_are_an_outline_without_doses(typical_plan, plan_figures, print_details, pdf_text):
    text = pdf_text(render_plan(typical_plan, print_details(), plan_figures))
    later = typical_plan.phases[1:]
    outline = text[text.index("What comes next"):text.index("Tracking sheet")]
    for phase in later:
        for item in phase.items:
            assert words.dosage_line(item.dosage) not in text
    assert "You will know you are ready when:" in outline
    # P2's readiness is P1's "move on" list, printed once above; P4's is P3's (clinician words
    # when there are no patient words).
    assert typical_plan.phases[0].patient_exit_criteria[0] not in outline
    assert "the points under “Move on to the next stage when” are true." in outline
    # A later phase's readiness runs on as one sentence (an outline, not today's list).
    assert "You will know you are ready when: strength is about the same as the other side; you can jog without " \
        "pain." in outline
    assert "H-test without insecurity" in outline
    assert "New exercises, for example Two-leg bridge, Standing hamstring curl and Sit to stand." \
        in outline


def test_print_all_phases_keeps_every_dose(typical_plan, plan_figures, print_details, pdf_text, pdf_pages):
    pdf = render_plan(typical_plan, print_details(all_phases=True), plan_figures)
    text = pdf_text(pdf)
    for phase in typical_plan.phases[1:]:
        assert f"{words.phase_number(phase.id)} · {phase.name}" in text
        for item in phase.items:
            assert words.dosage_line(item.dosage) in text
    assert "What comes next" not in text
    assert len(pdf_pages(pdf)) > len(pdf_pages(render_plan(typical_plan, print_details(), plan_figures)))


@pytest.mark.parametrize("size", ["A4", "Letter"])
def test_typical_plan_is_three_to_five_pages(typical_plan, plan_figures, print_details, pdf_pages, size):
    assert 3 <= len(pdf_pages(render_plan(typical_plan, print_details(page_size=size), plan_figures))) <= 5


@pytest.mark.parametrize("size", ["A4", "Letter"])
@pytest.mark.parametrize("large", [False, True])
def test_get_help_is_on_page_one(typical_plan, plan_figures, print_details, pdf_pages, size, large):
    pages = pdf_pages(render_plan(typical_plan, print_details(page_size=size, large_print=large), plan_figures))
    first = re.sub(r"\s+", " ", pages[0].extract_text())
    assert "Get help now" in first
    for sign in typical_plan.seek_help_if:
        assert sign in first
    assert "01632 960 123" in first  # the clinic's phone in the help box
    assert "call an ambulance now" in first


def test_get_help_lists_each_sign_once(typical_plan, plan_figures, print_details, pdf_text):
    sign = typical_plan.seek_help_if[0]
    plan = dataclasses.replace(typical_plan, seek_help_if=[sign, sign.upper(), sign.rstrip(".") + " ", "Other."])
    text = pdf_text(render_plan(plan, print_details(), plan_figures))
    assert text.lower().count(sign.lower().rstrip(".")) == 1
    assert "Other." in text


def test_clinic_contact_and_clinician_with_role(typical_plan, plan_figures, print_details, pdf_text):
    text = pdf_text(render_plan(typical_plan, print_details(), plan_figures))
    for needle in ("Riverside Physiotherapy", "12 River Street, Northtown NT1 2AB", "Phone 01632 960 123",
                   "physio@riverside.example", "Open Monday to Friday 8:00 to 18:00",
                   "When the clinic is closed: call NHS 111", "Alex Morgan, physiotherapist",
                   "Next appointment Tuesday 18 March, 10:30"):
        assert needle in text, needle
    bare = pdf_text(render_plan(typical_plan, print_details(clinic=None, clinician_role="", next_appointment=""),
                                plan_figures))
    assert "stop the exercises and contact Riverside Physiotherapy or your GP the same day." in bare
    assert "Next appointment" not in bare and "clinic is closed" not in bare and "Alex Morgan," not in bare


def test_allowed_plan_with_a_referral_says_so_on_page_one(typical_plan, plan_figures, print_details, pdf_pages):
    for level, words_ in (("urgent", "within the next 1 to 2 days"), ("routine", "in the coming weeks")):
        plan = dataclasses.replace(typical_plan, referral=Referral(level, ["Grade 3 without clearance"],
                                                                   ["an orthopaedic surgeon"]))
        first = re.sub(r"\s+", " ", pdf_pages(render_plan(plan, print_details(), plan_figures))[0].extract_text())
        assert "Your physiotherapist is also referring you to: an orthopaedic surgeon." in first
        assert words_ in first
    first = pdf_pages(render_plan(typical_plan, print_details(), plan_figures))[0].extract_text()
    assert "referring you" not in first


def test_no_rpe_in_patient_text(typical_plan, plan_figures, print_details, make_dose, make_item, replace_item,
                                pdf_text):
    """The planner's effort is plain words; Dosage.rpe (when the planner has it) is for the clinician only."""
    dose = make_dose(effort="moderate: you can talk but not sing")
    if "rpe" in {f.name for f in dataclasses.fields(dose)}:
        dose = dataclasses.replace(dose, rpe="4-6/10")
    plan = replace_item(typical_plan, 0, make_item("bridge", "Bridge", dose))
    for large in (False, True):
        text = pdf_text(render_plan(plan, print_details(large_print=large, all_phases=large), plan_figures))
        assert "moderate: you can talk but not sing" in text
        assert "RPE" not in text and "4-6/10" not in text


def test_pain_rules_follow_the_kind_of_pain(typical_plan, plan_figures, print_details, pdf_text):
    plan = dataclasses.replace(typical_plan, diagnosis="sciatica_lumbar_radiculopathy")
    text = pdf_text(render_plan(plan, print_details(), plan_figures))
    assert "Sciatica (irritated nerve root in the lower back)" in text
    assert "further down your leg" in text
    assert "between 0 and 3 out of 10" in text
    assert "2 out of 10 or less" not in text


def test_footer_on_every_page(typical_plan, plan_figures, print_details, pdf_pages):
    pages = pdf_pages(render_plan(typical_plan, print_details(), plan_figures))
    assert len(pages) >= 3
    for n, page in enumerate(pages, 1):
        text = page.extract_text()
        assert f"Page {n} of" in text and "Plan PLN-2025-00042" in text
        # The total is a form placed on every page: it extracts only where pypdf follows forms,
        # so check the form itself is referenced by every page.
        xobjects = page["/Resources"]["/XObject"]
        assert any("PageTotal" in str(name) for name in xobjects)


def test_page_total_is_right(typical_plan, plan_figures, print_details, page_images, pdf_pages):
    pdf = render_plan(typical_plan, print_details(), plan_figures)
    pages = pdf_pages(pdf)
    form = pages[0]["/Resources"]["/XObject"]
    total = next(form[k] for k in form if "PageTotal" in str(k)).get_object()
    assert f"({len(pages)})".encode() in total.get_data()


def test_escaping_markup_is_printed_literally(typical_plan, plan_figures, print_details, make_item,
                                              replace_item, pdf_text):
    nasty = make_item("bob", "<b>Bob & Co</b>", steps=["Press <i>gently</i> & hold", "a < b > c", "&amp; stays"],
                      precautions=["<font size=40>big</font>"])
    plan = replace_item(typical_plan, 0, nasty)
    plan = dataclasses.replace(plan, education=["Tom & Jerry <br/> say hi"], seek_help_if=["<u>pain</u> & swelling"])
    details = print_details(patient_name="Ann <O'Neil> & Sons", clinic_name="A&B <Physio>", clinic=None)
    text = pdf_text(render_plan(plan, details, plan_figures))
    for literal in ("<b>Bob & Co</b>", "Press <i>gently</i> & hold", "a < b > c", "&amp; stays",
                    "<font size=40>big</font>", "Tom & Jerry <br/> say hi", "<u>pain</u> & swelling",
                    "Ann <O'Neil> & Sons", "A&B <Physio>"):
        assert literal in text, literal


def test_long_text_wraps_and_is_all_there(typical_plan, plan_figures, print_details, make_item, replace_item,
                                          pdf_text):
    long_name = "Very long exercise name that goes on " * 6
    long_step = "Keep breathing slowly and evenly while you hold the position without pushing into pain. " * 12
    word = "Supercalifragilistic" * 8  # 160 letters, no space to break at
    item = make_item("long", long_name.strip(), steps=[long_step.strip(), word, "Rest."])
    plan = replace_item(typical_plan, 1, item)
    for large in (False, True):
        pdf = render_plan(plan, print_details(large_print=large), plan_figures)
        text = pdf_text(pdf)
        assert long_name.strip() in text
        assert long_step.strip() in text
        # The unbreakable word is cut into pieces to fit; all its letters print in order.
        assert word in text.replace(" ", "")


def test_accented_letters_extract(typical_plan, plan_figures, print_details, make_item, replace_item, pdf_text,
                                  pdf_pages):
    item = make_item("accents", "Élévation du genou: über, niño, łydka", steps=["Crème brûlée ü ñ ł é.", "B", "C"])
    plan = replace_item(typical_plan, 2, item)
    pdf = render_plan(plan, print_details(patient_name="Zoë Łukasiewicz-Muñoz"), plan_figures)
    text = pdf_text(pdf)
    for needle in ("Élévation du genou: über, niño, łydka", "Crème brûlée ü ñ ł é.", "Zoë Łukasiewicz-Muñoz"):
        assert needle in text
    fonts = {}
    for page in pdf_pages(pdf):
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts[str(font["/BaseFont"]).split("+")[-1]] = font
    assert {"DejaVuSans", "DejaVuSans-Bold"} <= set(fonts)
    for name in ("DejaVuSans", "DejaVuSans-Bold"):  # embedded TrueType subsets
        descendant = fonts[name]["/DescendantFonts"][0].get_object() if "/DescendantFonts" in fonts[name] \
            else fonts[name]
        assert "/FontFile2" in descendant["/FontDescriptor"].get_object()
    # Anything else can only be a standard PDF font (the figures' ASCII labels), never embedded text.
    assert set(fonts) - {"DejaVuSans", "DejaVuSans-Bold"} <= {"/Helvetica", "Helvetica"}


@pytest.mark.parametrize("size, expected", [("A4", (595.28, 841.89)), ("Letter", (612.0, 792.0))])
def test_page_sizes(typical_plan, plan_figures, print_details, pdf_pages, size, expected):
    pages = pdf_pages(render_plan(typical_plan, print_details(page_size=size), plan_figures))
    w, h = expected
    for page in pages[:-1]:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx((w, h), abs=0.1)
    # The tracking sheet is a landscape page of the same paper.
    last = pages[-1]
    assert (float(last.mediabox.width), float(last.mediabox.height)) == pytest.approx((h, w), abs=0.1)
    assert "Tracking sheet" in last.extract_text()


def _body_size(page) -> float:
    sizes: dict[float, int] = {}

    def visit(text, cm, tm, font, size):
        if text.strip():
            sizes[round(size * tm[0], 1)] = sizes.get(round(size * tm[0], 1), 0) + len(text)

    page.extract_text(visitor_text=visit)
    return max(sizes, key=sizes.get)


def test_large_print(typical_plan, plan_figures, print_details, pdf_pages):
    normal = pdf_pages(render_plan(typical_plan, print_details(), plan_figures))
    large = pdf_pages(render_plan(typical_plan, print_details(large_print=True), plan_figures))
    assert len(large) > len(normal)
    assert _body_size(normal[1]) < 12
    assert 14 <= _body_size(large[1]) <= 16


def test_same_input_same_bytes(typical_plan, plan_figures, print_details):
    first = render_plan(typical_plan, print_details(), plan_figures)
    render_plan(typical_plan, print_details(large_print=True, page_size="Letter"), plan_figures)
    assert render_plan(typical_plan, print_details(), plan_figures) == first


def test_a_figure_shown_twice_is_one_form(typical_plan, plan_figures, print_details, pdf_pages):
    """A figure used on two pages (current phase, later phase) is defined once and referenced
    twice; figures shown once are drawn straight into the page."""
    current = typical_plan.phases[0]
    later = dataclasses.replace(typical_plan.phases[1], items=list(typical_plan.phases[1].items) + [current.items[0]])
    plan = dataclasses.replace(typical_plan, phases=[current, later] + list(typical_plan.phases[2:]))
    pages = pdf_pages(render_plan(plan, print_details(all_phases=True), plan_figures))
    uses = {}
    for n, page in enumerate(pages):
        for name, ref in page["/Resources"].get("/XObject", {}).items():
            if name.startswith("/FormXob.Fig") and f"{name} Do".encode() in page.get_contents().get_data():
                uses.setdefault(name, []).append((n, ref.idnum))
    assert len(uses) == 1, uses  # only supine_heel_dig is shown twice
    (places,) = uses.values()
    assert len(places) == 2 and places[0][0] != places[1][0]  # on two pages
    assert len({idnum for _, idnum in places}) == 1  # the same object


def test_figures_render_the_same_from_the_cache(typical_plan, plan_figures, print_details):
    from rehab.pdf import drawings

    drawings._streams.clear()
    cold = render_plan(typical_plan, print_details(), plan_figures)
    assert render_plan(typical_plan, print_details(), plan_figures) == cold


def test_missing_figure_is_left_out(typical_plan, print_details, pdf_text):
    text = pdf_text(render_plan(typical_plan, print_details(), {}))
    assert "Lying heel dig" in text


def test_habits_are_listed_apart_and_not_tracked(typical_plan, plan_figures, print_details, make_item,
                                                 replace_item, pdf_text):
    habit = make_item("sitting_setup_breaks", "Chair set-up and 30-minute breaks", category=HABITS)
    text = pdf_text(render_plan(replace_item(typical_plan, 5, habit), print_details(), plan_figures))
    habits_at = text.index("Everyday habits")
    assert text.index("Chair set-up and 30-minute breaks") > habits_at
    assert "Chair set-up" not in text[text.index("Tracking sheet"):]


def test_no_current_phase_named_starts_at_the_first(typical_plan, plan_figures, print_details, pdf_text):
    text = pdf_text(render_plan(dataclasses.replace(typical_plan, current_phase=None), print_details(),
                                plan_figures))
    assert "Now: Phase 1" in text


def test_refused_plan_is_not_printed_as_a_plan(typical_plan, plan_figures, print_details):
    refused = dataclasses.replace(typical_plan, allowed=False)
    with pytest.raises(ValueError, match="render_referral_letter"):
        render_plan(refused, print_details(), plan_figures)


def test_print_details_checks_page_size():
    with pytest.raises(ValueError, match="page_size"):
        PrintDetails(clinic_name="c", clinician_name="c", patient_name="p", patient_reference="r",
                     plan_date=None, side="left", plan_id="x", plan_version=1, page_size="A5")


def test_package_stays_pure():
    """rehab.pdf never imports Flask, the models or a blueprint (the before-stop hook checks the same)."""
    banned = ("flask", "rehab.models", "rehab.portal", "rehab.admin", "rehab.api", "rehab.extensions")
    for path in Path(__file__).parents[2].joinpath("rehab", "pdf").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            for name in names:
                assert not name.startswith(banned), f"{path.name} imports {name}"


def test_api_is_importable_from_the_package():
    import rehab.pdf as pkg

    assert {"render_plan", "render_referral_letter", "PrintDetails"} <= set(pkg.__all__)
    assert callable(render_referral_letter)


def test_tracking_sheet_runs_over_pages_with_many_exercises(typical_plan, plan_figures, print_details, make_item,
                                                            pdf_pages):
    items = [make_item(f"ex_{n}", f"Exercise number {n}") for n in range(30)]
    current = dataclasses.replace(typical_plan.phases[0], items=items)
    plan = dataclasses.replace(typical_plan, phases=[current])
    pages = pdf_pages(render_plan(plan, print_details(large_print=True), plan_figures))
    sheet = [p.extract_text() for p in pages if float(p.mediabox.width) > float(p.mediabox.height)]
    assert len(sheet) >= 2
    text = " ".join(sheet)
    positions = [text.index(f"Exercise number {n}\n") if f"Exercise number {n}\n" in text
                 else text.index(f"Exercise number {n}") for n in range(30)]
    assert positions == sorted(positions)
    for part in sheet:
        assert "Day 1" in part and "Date" in part  # the header repeats on each page
        assert "Worst pain today" in part and "Pain next morning" in part  # each page a whole sheet


def test_a_step_longer_than_a_page_runs_on(typical_plan, plan_figures, print_details, make_item, replace_item,
                                           pdf_text, pdf_pages):
    step = " ".join(f"w{n}" for n in range(1500))
    plan = replace_item(typical_plan, 0, make_item("huge", "Huge", steps=[step, "Second step.", "Third step."]))
    for large in (False, True):
        pdf = render_plan(plan, print_details(large_print=large), plan_figures)
        usual = len(pdf_pages(render_plan(typical_plan, print_details(large_print=large), plan_figures)))
        text = pdf_text(pdf)
        # Footers and headers of the following pages come in between: the words keep their order.
        assert re.findall(r"\bw(\d+)\b", text) == [str(n) for n in range(1500)]
        assert text.index("w1499") < text.index("Second step.")
        assert len(pdf_pages(pdf)) > usual + 1


def test_a_missing_figure_renderer_is_an_error(typical_plan, plan_figures, print_details, monkeypatch):
    """No silent fallback: without rehab.figures the plan is not printed with empty boxes."""
    import sys

    from rehab.pdf import drawings

    monkeypatch.setattr(drawings, "_cache", type(drawings._cache)())
    monkeypatch.setitem(sys.modules, "rehab.figures", None)
    with pytest.raises(ImportError):
        render_plan(typical_plan, print_details(), plan_figures)


@pytest.mark.parametrize("size", ["A4", "Letter"])
def test_a_long_help_list_still_starts_on_page_one(typical_plan, plan_figures, print_details, pdf_pages, size):
    signs = [f"Warning sign number {n} that needs a long line of words to describe it well." for n in range(16)]
    plan = dataclasses.replace(typical_plan, seek_help_if=signs)
    pages = pdf_pages(render_plan(plan, print_details(large_print=True, page_size=size), plan_figures))
    first = re.sub(r"\s+", " ", pages[0].extract_text())
    assert "Get help now" in first and signs[0] in first and signs[1] in first
    rest = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in pages[:3]))
    assert all(sign in rest for sign in signs)  # each sign whole: the footer never cuts one in two


def test_tracking_sheet_split_carries_an_exercise_with_the_pain_rows(typical_plan, plan_figures, print_details,
                                                                     make_item, pdf_pages):
    items = [make_item(f"ex_{n}", f"Exercise number {n}") for n in range(9)]
    plan = dataclasses.replace(typical_plan, phases=[dataclasses.replace(typical_plan.phases[0], items=items)])
    for large in (False, True):
        pages = pdf_pages(render_plan(plan, print_details(large_print=large), plan_figures))
        sheet = [p.extract_text() for p in pages if float(p.mediabox.width) > float(p.mediabox.height)]
        if len(sheet) > 1:
            assert len(re.findall(r"Exercise number \d", sheet[-1])) >= 1


def test_tracking_sheet_header_once_per_page(typical_plan, plan_figures, print_details, make_item, pdf_pages):
    items = [make_item(f"ex_{n}", f"Exercise number {n}") for n in range(12)]
    plan = dataclasses.replace(typical_plan, phases=[dataclasses.replace(typical_plan.phases[0], items=items)])
    for large in (False, True):
        pages = pdf_pages(render_plan(plan, print_details(large_print=large), plan_figures))
        sheet = [p.extract_text() for p in pages if float(p.mediabox.width) > float(p.mediabox.height)]
        assert len(sheet) >= 2 if large else len(sheet) >= 1
        for part in sheet:
            assert part.count("Exercise and dose") == 1
