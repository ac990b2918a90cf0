"""PDF benchmark: median milliseconds per printed plan (current phase + three later
phases), against a raw-canvas floor that draws the same text and figures with
canvas calls only (no platypus layout). Run with `.venv/bin/python bench/pdf.py`."""

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
from rehab.pdf.drawings import figure_drawing, place_figure  # noqa: E402
from rehab.pdf.layout import draw_qr  # noqa: E402
from rehab.pdf.fonts import BOLD, REGULAR, accelerated, register_fonts  # noqa: E402
from rehab.pdf.sample import sample_details, sample_figures, sample_plan, sample_refusal  # noqa: E402

RUNS = 60


def floor(plan, details, figures) -> bytes:
    """The same words and figures, placed line by line with drawString: the cost of
    writing the PDF without any layout engine."""
    register_fonts()
    buf = io.BytesIO()
    w, h = details.pagesize
    canv = Canvas(buf, pagesize=(w, h), invariant=1, initialFontName=REGULAR)
    m, size = 15 * mm, 10.5
    state = {"y": h - m, "page": 1}

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
        name, drawing = figure_drawing(fig, item.name)
        scale = fig_w / drawing.width
        if state["y"] - drawing.height * scale < m + 30:
            new_page()
        place_figure(canv, name, drawing, m, state["y"] - drawing.height * scale, scale, shared=False)

    if details.portal_url:
        draw_qr(canv, details.portal_url, w - m - 26 * mm, h - m - 26 * mm, 26 * mm)
    for s in (details.clinic_name, "Your exercise plan", details.patient_name, details.patient_reference,
              words.date_words(details.plan_date), words.side_words(details.side), details.clinician_name,
              words.diagnosis_words(plan.diagnosis), "How to use this plan", *words.pain_rules(plan.diagnosis)):
        text(s)
    for n, phase in enumerate(plan.phases):
        text(f"{words.phase_number(phase.id)} · {phase.name}", BOLD, size * 1.45)
        for s in phase.goals + (phase.patient_exit_criteria or phase.exit_criteria) + phase.precautions:
            text(s)
        for item in phase.items:
            top = state["y"]
            figure(item, (60 if n == 0 else 34) * mm)
            state["y"] = top
            x = m + (65 if n == 0 else 38) * mm
            text(item.name, BOLD, size * 1.15, x, w - m - x)
            text(words.dosage_line(item.dosage), BOLD, size, x, w - m - x)
            if n == 0:
                for s in item.instructions + item.precautions:
                    text(s, REGULAR, size, x, w - m - x)
            state["y"] = min(state["y"], top - (30 if n == 0 else 17) * mm) - 4 * mm
    for s in plan.education + ["Get help now if"] + plan.seek_help_if:
        text(s)
    new_page()
    canv.setPageSize(landscape((w, h)))
    lw, lh = landscape((w, h))
    rows = plan.phases[0].items
    xs = [m, lw - m - 160 * mm - 20 * mm] + [lw - m - 20 * mm - (13 - d) * 10 * mm for d in range(14)] + [lw - m]
    ys = [lh - m - 25 * mm - r * 10 * mm for r in range(len(rows) + 5)]
    canv.grid(sorted(set(xs)), ys)
    canv.setFont(REGULAR, size * 0.9)
    for r, item in enumerate(rows):
        canv.drawString(m + 3, ys[r + 3] + 8, item.name)
    canv.drawString(m, m, f"Page {state['page']}")
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


def main() -> None:
    plan = sample_plan()
    figures, source = typical_figures(plan)
    details = sample_details()
    large = sample_details(large_print=True, page_size="Letter")
    items = sum(len(p.items) for p in plan.phases)
    pages = render_plan(plan, details, figures).count(b"/Type /Page\n")
    print(f"rl_accel C helpers: {'yes' if accelerated() else 'NO (pip install rl-accel)'}")
    print(f"typical plan: {len(plan.phases)} phases, {items} items, {pages} pages; {source}")
    fresh = iter(range(10**9))
    ms = medians_ms({
        "plan": lambda: render_plan(plan, details, figures),
        "floor": lambda: floor(plan, details, figures),
        "large": lambda: render_plan(plan, large, figures),
        "new_url": lambda: render_plan(plan, sample_details(portal_url=f"https://clinic.example/p/{next(fresh)}"),
                                       figures),
        "letter": lambda: render_referral_letter(sample_refusal(), details, {"nprs_rest": 4}),
    })
    print(f"render_plan (A4)              {ms['plan']:6.1f} ms  median of {RUNS}")
    print(f"raw-canvas floor              {ms['floor']:6.1f} ms")
    print(f"ratio plan / floor            {ms['plan'] / ms['floor']:6.2f} x  (aim: within 2x)")
    print(f"render_plan large print Letter {ms['large']:5.1f} ms")
    print(f"render_plan, new QR URL       {ms['new_url']:6.1f} ms  (QR encoded afresh: each patient's first print)")
    print(f"referral letter               {ms['letter']:6.1f} ms")


if __name__ == "__main__":
    main()
