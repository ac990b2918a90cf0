"""PDF benchmark. Prints, each as the median CPU milliseconds of many runs:

- render_plan for the sample plan (current phase in full, three later phases as an
  outline, tracking sheet) beside a raw-canvas floor that draws the same words, figures
  and grid with canvas calls only (no platypus layout): aim within 2x;
- the whole printed plan for a typical intake (planning plus render, grade 1 hamstring
  strain on day 2) beside an 18-line drawString page made in the same process: aim under 35x;
- a cold first print (fonts, styles and figure caches empty) before anything is warmed,
  and the state of the caches the warm figures rely on.

Run with `.venv/bin/python bench/pdf.py`."""

from __future__ import annotations

import io
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reportlab.lib.pagesizes import landscape  # noqa: E402
from reportlab.lib.units import mm  # noqa: E402
from reportlab.lib.utils import simpleSplit  # noqa: E402
from reportlab.pdfgen.canvas import Canvas  # noqa: E402

from rehab.pdf import render_plan, render_referral_letter, words  # noqa: E402
from rehab.pdf import drawings  # noqa: E402
from rehab.pdf.drawings import figure_drawing, place_figure  # noqa: E402
from rehab.pdf.fonts import BOLD, REGULAR, accelerated, register_fonts  # noqa: E402
from rehab.pdf.sample import sample_details, sample_figures, sample_plan, sample_refusal  # noqa: E402
from rehab.pdf.styles import get_styles  # noqa: E402

# A typical first visit: grade 1 hamstring strain two days after a sprint (like the
# reference's TC01), written out here so the benchmark runs on a bare clone.
TYPICAL_INTAKE = {
    "diagnosis": "hamstring_strain", "grade": 1, "age": 24, "sex": "male", "side": "left",
    "findings": {"days_since_onset": 2, "nprs_rest": 2, "nprs_activity": 5, "walking": "antalgic",
                 "ake_deficit_deg": 15, "bamic": "1a", "pop_at_injury": False, "palpable_gap": False},
}
RUNS = 60


def floor(plan, details, figures) -> bytes:
    """The same words, figures and tracking grid as the printed plan, placed line by line
    with drawString: the cost of writing the PDF without any layout engine."""
    register_fonts()
    buf = io.BytesIO()
    w, h = details.pagesize
    canv = Canvas(buf, pagesize=(w, h), invariant=1, initialFontName=REGULAR)
    m, size = 12.7 * mm, 10.5
    state = {"y": h - m, "page": 1}
    current, later = plan.phases[0], plan.phases[1:]

    def new_page():
        canv.setFont(REGULAR, 8.5)
        canv.drawString(m, m, f"Page {state['page']} · {details.patient_name} · Plan {details.plan_id}")
        canv.showPage()
        state["y"], state["page"] = h - m, state["page"] + 1

    def text(s, font=REGULAR, fs=size, x=m, width=w - 2 * m):
        for line in simpleSplit(s, font, fs, width):
            if state["y"] < m + 30:
                new_page()
            canv.setFont(font, fs)
            canv.drawString(x, state["y"], line)
            state["y"] -= fs * 1.3

    def figure(item, fig_w):
        fig = figures.get(item.exercise_id)
        if fig is None:
            return
        name, drawing = figure_drawing(fig, details.side)
        scale = fig_w / drawing.width
        if state["y"] - drawing.height * scale < m + 30:
            new_page()
        place_figure(canv, name, drawing, m, state["y"] - drawing.height * scale, scale, shared=False)
        canv.setFont(BOLD, 8.5)
        canv.drawCentredString(m + fig_w / 4, state["y"] + 3, "Start")
        canv.drawCentredString(m + 3 * fig_w / 4, state["y"] + 3, "Finish")

    contact = details.contact
    for s in (contact.name, *contact.lines(), "Your exercise plan", details.patient_name, details.patient_reference,
              words.date_words(details.plan_date), words.side_words(details.side), details.clinician,
              words.diagnosis_words(plan.diagnosis), "How to use this plan", *words.pain_rules(plan.diagnosis),
              "Get help now", *plan.seek_help_if, contact.out_of_hours):
        text(s)
    new_page()
    text(f"Now: {words.phase_number(current.id)} · {current.name}", BOLD, size * 1.45)
    for s in current.goals + current.precautions:
        text(s)
    fig_w = 2 * get_styles(False).figure_w  # a start/finish pair, as printed
    for item in current.items:
        top = state["y"]
        figure(item, fig_w)
        state["y"] = top
        x = m + fig_w + 5 * mm  # name and dose beside the pictures, the steps full width below
        text(item.name, BOLD, size * 1.15, x, w - m - x)
        text(words.dosage_line(item.dosage), BOLD, size, x, w - m - x)
        state["y"] = min(state["y"], top - fig_w * 0.3) - 2 * mm
        for s in item.instructions + item.precautions:
            text(s, REGULAR, size, m, w - 2 * m)
        state["y"] -= 4 * mm
    for s in current.patient_exit_criteria + plan.education:
        text(s)
    text("What comes next", BOLD, size * 1.45)
    for phase in later:
        text(f"{words.phase_number(phase.id)} · {phase.name}", BOLD, size * 1.15)
        for s in phase.goals + [", ".join(i.name for i in phase.items[:4])] + (
                phase.patient_exit_criteria or phase.exit_criteria):
            text(s)
    for term, meaning in words.glossary_terms([i.name for p in plan.phases for i in p.items]):
        text(f"{term}: {meaning}")
    new_page()
    canv.setPageSize(landscape((w, h)))
    lw, lh = landscape((w, h))
    rows = current.items
    xs = [m, m + 78 * mm] + [m + 78 * mm + d * 20 * mm for d in range(1, 8)] + [lw - m]
    ys = [lh - m - 25 * mm - r * 10 * mm for r in range(len(rows) + 5)]
    canv.grid(sorted(set(xs)), ys)
    canv.setFont(REGULAR, size * 0.9)
    for r, item in enumerate(rows):
        canv.drawString(m + 3, ys[r + 3] + 8, item.name)
        canv.drawString(m + 3, ys[r + 3] + 2, words.dosage_parts(item.dosage)[0])
        for d in range(7):
            for b in range(item.dosage.per_day or 1):
                canv.rect(m + 80 * mm + d * 20 * mm + b * 15, ys[r + 3] + 4, 12, 12)
    canv.drawString(m, m, f"Page {state['page']}")
    canv.showPage()
    canv.save()
    return buf.getvalue()


def lines18() -> bytes:
    """The yardstick: one A4 page of 18 drawString lines in the embedded font."""
    buf = io.BytesIO()
    canv = Canvas(buf, invariant=1, initialFontName=REGULAR)
    canv.setFont(REGULAR, 10.5)
    for n in range(18):
        canv.drawString(50, 780 - 14 * n, f"Line {n + 1}: do the exercise slowly, 3 sets of 10, twice a day.")
    canv.showPage()
    canv.save()
    return buf.getvalue()


def medians_ms(fns: dict, runs: int = RUNS) -> dict[str, float]:
    """Median CPU ms per call of each function (process time, so other processes on
    the machine count less), run in turns so that what load remains falls on all alike."""
    for fn in fns.values():
        fn()  # warm: fonts, styles, figure drawings and form streams, QR code
    times: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(runs):
        for key, fn in fns.items():
            t = time.process_time()
            fn()
            times[key].append((time.process_time() - t) * 1000)
    return {k: statistics.median(v) for k, v in times.items()}


def typical_figures(plan) -> tuple[dict, str]:
    """The real library's figures for the sample plan's exercises (the sample uses
    library ids), made-up ones for any the library lacks."""
    figures = sample_figures(plan)
    try:
        from rehab.library.loader import load_library

        library = load_library(ROOT / "exercises")
    except Exception as exc:  # the library is optional here: the benchmark still runs
        return figures, f"made-up figures (library not loaded: {exc.__class__.__name__})"
    real = {i: library[i].figure for i in figures if i in library}
    figures.update(real)
    return figures, f"{len(real)} of {len(figures)} figures from exercises/"


def cache_state() -> str:
    fonts = "registered" if getattr(__import__("rehab.pdf.fonts", fromlist=["_done"]), "_done") else "not registered"
    streams = sum(1 for v in drawings._streams.values() if v is not None)
    return (f"fonts {fonts}; styles cached {get_styles.cache_info().currsize}; figure drawings cached "
            f"{len(drawings._cache)}; figure streams cached {streams} (of {len(drawings._streams)} tried)")


def main() -> None:
    from rehab.library.loader import load_library
    from rehab.planner import make_plan, parse_intake

    plan = sample_plan()
    figures, source = typical_figures(plan)
    details = sample_details(created=None)
    print(f"rl_accel C helpers: {'yes' if accelerated() else 'NO (pip install rl-accel)'}")
    print(f"cache state before the first print: {cache_state()}")
    t = time.perf_counter()
    first = render_plan(plan, details, figures)
    cold = (time.perf_counter() - t) * 1000
    print(f"cold first print (sample plan, empty caches) {cold:7.1f} ms wall")
    print(f"cache state after it:  {cache_state()}")

    library = load_library(ROOT / "exercises")
    intake = parse_intake(TYPICAL_INTAKE)
    typical = make_plan(intake, library)
    typical_figs = {i.exercise_id: library[i.exercise_id].figure for p in typical.phases for i in p.items}
    typical_details = sample_details(created=None, side=intake.side)

    def whole_print():
        p = make_plan(parse_intake(TYPICAL_INTAKE), library)
        return render_plan(p, typical_details, typical_figs)

    large = sample_details(large_print=True, page_size="Letter", created=None)
    pages = first.count(b"/Type /Page\n")
    typical_pages = whole_print().count(b"/Type /Page\n")
    items = sum(len(p.items) for p in plan.phases)
    print(f"sample plan: {len(plan.phases)} phases, {items} items, {pages} pages; {source}")
    print(f"typical intake (grade 1 strain, day 2): {len(typical.phases)} phases, current "
          f"{typical.current_phase}, {typical_pages} pages")
    ms = medians_ms({
        "plan": lambda: render_plan(plan, details, figures),
        "floor": lambda: floor(plan, details, figures),
        "large": lambda: render_plan(plan, large, figures),
        "whole": whole_print,
        "lines18": lines18,
        "letter": lambda: render_referral_letter(sample_refusal(), details, {"nprs_rest": 4}),
    })
    print(f"(warm from here on: {cache_state()})")
    print(f"render_plan (A4)               {ms['plan']:7.2f} ms  median of {RUNS}")
    print(f"raw-canvas floor               {ms['floor']:7.2f} ms")
    print(f"ratio plan / floor             {ms['plan'] / ms['floor']:7.2f} x  (aim: within 2x)")
    print(f"render_plan large print Letter {ms['large']:7.2f} ms")
    print(f"whole print: plan + render     {ms['whole']:7.2f} ms  (typical intake)")
    print(f"18-line drawString page        {ms['lines18']:7.2f} ms")
    print(f"ratio whole print / 18 lines   {ms['whole'] / ms['lines18']:7.1f} x  (aim: under 35x)")
    print(f"referral letter                {ms['letter']:7.2f} ms")


if __name__ == "__main__":
    main()
