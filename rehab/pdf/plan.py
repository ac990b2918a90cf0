"""The printed plan: a handout the patient reads and ticks off at home."""

from __future__ import annotations

import io
from collections import Counter
from typing import TYPE_CHECKING

from reportlab.lib.pagesizes import landscape
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak, Flowable, HRFlowable, KeepTogether, NextPageTemplate, PageBreak, Spacer, Table,
)

from . import words
from .details import PrintDetails
from .drawings import figure_flowable
from .layout import Box, Document, FigureCard, QRFlowable, esc, markup, para, table_style
from .styles import ACCENT, RULE, TINT, WARN, WARN_TINT, Styles, get_styles
from .tracking import TrackingGrid

if TYPE_CHECKING:
    from rehab.library.schema import Figure
    from rehab.planner.types import Item, Phase, Plan

HABITS = "ergonomics_education"


def render_plan(plan: Plan, details: PrintDetails, figures: dict[str, Figure]) -> bytes:
    """The patient's plan as PDF bytes; the same input gives the same bytes."""
    if not plan.allowed:
        raise ValueError("this plan was refused (plan.allowed is False): print render_referral_letter instead")
    st = get_styles(details.large_print)
    buf = io.BytesIO()
    doc = Document(buf, details, st, title=f"Exercise plan for {details.patient_name}", landscape_pages=True)
    current, later = _split_phases(plan)
    shown = Counter(item.exercise_id for phase in plan.phases for item in phase.items)

    def figure(item: Item, width: float):
        """The item's figure or None; a figure shown more than once becomes a shared form."""
        return figure_flowable(figures.get(item.exercise_id), item.name, width, shared=shown[item.exercise_id] > 1)

    story = _header(plan, details, st, doc.width)
    story += _how_to(plan, st)
    if current is not None:
        story += _current_phase(current, figure, st)
    for i, phase in enumerate(later):
        story += _later_phase(phase, figure, st, nxt=(i == 0 and current is not None))
    story += _education(plan, st)
    story += _seek_help(plan, st)
    if current is not None and current.items:
        story += _tracking_sheet(current, st, details)
    return doc.build_bytes(story)


def _split_phases(plan: Plan) -> tuple[Phase | None, list[Phase]]:
    """The current phase and the ones after it, in plan order."""
    for i, phase in enumerate(plan.phases):
        if phase.id == plan.current_phase:
            return phase, list(plan.phases[i + 1:])
    if plan.phases:  # no current phase named: the first one listed is where to start
        return plan.phases[0], list(plan.phases[1:])
    return None, []


def _bullets(items, st: Styles, style=None) -> list[Flowable]:
    return [para(text, style or st.bullet, "•") for text in items if str(text).strip()]


def _labelled(label: str, text: str, style) -> Flowable:
    return markup(f"<b>{esc(label)}</b> {esc(text)}", style)


def _header(plan: Plan, d: PrintDetails, st: Styles, width: float) -> list:
    rows = [
        ("Patient", d.patient_name), ("Reference", d.patient_reference),
        ("Date of birth", words.date_words(d.date_of_birth)) if d.date_of_birth else None,
        ("Plan date", words.date_words(d.plan_date)), ("Side", words.side_words(d.side)),
        ("Clinician", d.clinician_name), ("Plan version", str(d.plan_version)),
    ]
    rows = [r for r in rows if r is not None]
    label_w = (40 if st.large else 27) * mm
    cells = [[para(k, st.cell_bold), para(v, st.cell)] for k, v in rows]
    qr_w = (34 if st.large else 26) * mm if d.portal_url else 0
    info_w = width - qr_w - (4 * mm if qr_w else 0)
    if st.large:
        info = Table(cells, colWidths=[label_w, info_w - label_w])
    else:  # two label/value pairs per row
        pairs = [cells[i] + (cells[i + 1] if i + 1 < len(cells) else ["", ""]) for i in range(0, len(cells), 2)]
        half = info_w / 2
        info = Table(pairs, colWidths=[label_w, half - label_w, label_w, half - label_w])
    info.setStyle(table_style([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]))
    left = [para(d.clinic_name, st.h3), para("Your exercise plan", st.title), Spacer(0, 2 * mm), info]
    if qr_w:
        right = [QRFlowable(d.portal_url, qr_w), para("Scan to open your plan online", st.small)]
        top = Table([[left, right]], colWidths=[info_w + 4 * mm, qr_w])
        top.setStyle(table_style([
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
        ]))
        story = [top]
    else:
        story = list(left)
    story += [Spacer(0, 3 * mm), _labelled("Your condition:", words.diagnosis_words(plan.diagnosis), st.body),
              _rule()]
    return story


def _rule(thickness=0.8, space=0.0) -> HRFlowable:
    return HRFlowable(width="100%", thickness=thickness, color=RULE, spaceBefore=space, spaceAfter=space)


def _how_to(plan: Plan, st: Styles) -> list:
    rows = [para("How to use this plan", st.h2)]
    rows.append(para("Do the exercises under “Now” at the dose shown for each one, and tick them off "
                     "on the tracking sheet at the end.", st.body))
    rows.append(para("Pain rules", st.h3))
    rows += _bullets(words.pain_rules(plan.diagnosis), st)
    rows.append(para("Move on to the next phase only when the “Move on when” points are true. "
                     "Your physio will check this with you.", st.body))
    rows.append(markup("<b>Stop the exercises and get help</b> if any of the warning signs under "
                       "“Get help now” appear.", st.body))
    return [Spacer(0, 3 * mm), Box(rows, ACCENT, TINT, 5 * mm)]


def _phase_facts(phase: Phase, st: Styles) -> list:
    out = []
    if phase.duration_days:
        lo, hi = phase.duration_days.min, phase.duration_days.max
        span = f"{lo} days" if lo == hi else f"{lo} to {hi} days"
        out.append(para(f"Usually lasts about {span}. You move on when you are ready, not by the calendar.",
                        st.body))
    if phase.goals:
        out += [para("What this phase is for", st.h3)] + _bullets(phase.goals, st)
    if phase.precautions:
        out += [para("Take care", st.h3)] + _bullets(phase.precautions, st)
    return out


def _move_on(phase: Phase, st: Styles, title: str, style) -> list:
    criteria = phase.patient_exit_criteria or phase.exit_criteria
    return [para(title, style)] + _bullets(criteria, st) if criteria else []


def _phase_title(phase: Phase, prefix: str) -> str:
    return f"{prefix}: {words.phase_number(phase.id)} · {phase.name}"


def _item_text(n: int, item: Item, st: Styles) -> tuple[list, list]:
    """(head, body): the name and dose, then the numbered steps and precautions."""
    amount, effort = words.dosage_parts(item.dosage)
    head = [para(f"{n}. {item.name}", st.item_name)]
    head += [para(amount, st.dose)] if amount else []
    head += [para(effort, st.effort)] if effort else []
    body = [para(step, st.step, f"{i}.") for i, step in enumerate(item.instructions, 1) if step.strip()]
    body += [_labelled("Take care:", p, st.body) for p in item.precautions if p.strip()]
    return head, body


def _item_card(n: int, item: Item, figure, st: Styles) -> list:
    head, body = _item_text(n, item, st)
    fig = figure(item, st.figure_w)
    gap = 5 * mm
    if fig is None:
        return head + body
    if st.large:  # narrow text beside a big figure reads badly: steps go full width below
        return [FigureCard(fig, head, st.figure_w, gap), Spacer(0, 2 * mm)] + body
    return [FigureCard(fig, head + body, st.figure_w, gap)]


def _item_section(title: str, items: list[Item], figure, st: Styles) -> list:
    """A heading and one card per item; each card stays on one page, the heading with the first."""
    story = []
    for n, item in enumerate(items, 1):
        top = [para(title, st.h1)] if n == 1 else [_rule(0.5), Spacer(0, 3 * mm)]
        story += [KeepTogether(top + _item_card(n, item, figure, st)), Spacer(0, 3 * mm)]
    return story


def _current_phase(phase: Phase, figure, st: Styles) -> list:
    story = [para(_phase_title(phase, "Now"), st.h1)] + _phase_facts(phase, st)
    exercises = [i for i in phase.items if i.category != HABITS]
    habits = [i for i in phase.items if i.category == HABITS]
    story += _item_section("Your exercises", exercises, figure, st)
    story += _item_section("Everyday habits", habits, figure, st)
    return story + _move_on(phase, st, "Move on to the next phase when", st.h2)


def _later_phase(phase: Phase, figure, st: Styles, nxt: bool) -> list:
    story = [CondPageBreak(70 * mm), para(_phase_title(phase, "Next" if nxt else "Later"), st.h1)]
    story += _phase_facts(phase, st) + _move_on(phase, st, "Move on when", st.h3)
    if not phase.items:
        return story
    story.append(para("Exercises in this phase", st.h3))
    fig_w = st.figure_small_w
    for n, item in enumerate(phase.items):
        fig = figure(item, fig_w)
        text = [para(item.name, st.bold), para(words.dosage_line(item.dosage), st.small)]
        if n:
            story.append(_rule(0.4, 2 * mm))
        story.append(FigureCard(fig, text, fig_w, 4 * mm, keep=True))
    return story


def _education(plan: Plan, st: Styles) -> list:
    if not plan.education:
        return []
    return [CondPageBreak(40 * mm), para("Good to know", st.h1)] + _bullets(plan.education, st)


def _seek_help(plan: Plan, st: Styles) -> list:
    rows = [para("Get help now if…", st.warn_title)]
    rows += _bullets(plan.seek_help_if, st)
    rows.append(markup("<b>Stop the exercises</b> and contact your clinic or GP the same day. "
                       "If you feel very unwell, go to the emergency department or call an ambulance.", st.body))
    return [Spacer(0, 5 * mm), KeepTogether([Box(rows, WARN, WARN_TINT, 5 * mm)])]


def _tracking_sheet(phase: Phase, st: Styles, d: PrintDetails) -> list:
    items = [i for i in phase.items if i.category != HABITS] or list(phase.items)
    rows = []
    for item in items:
        cell = [para(item.name, st.cell_bold)]
        amount = words.dosage_parts(item.dosage)[0]
        if amount and not st.large:  # large print: the name alone, so the sheet stays on one page
            cell.append(para(amount, st.small))
        rows.append(cell)
    width = landscape(d.pagesize)[0] - 2 * st.margin
    intro = (f"{words.phase_number(phase.id)} · {phase.name}. Write the date above each day and tick the box "
             "when you have done an exercise. In the last column write the worst pain it gave you (0-10); "
             "in the bottom rows, your pain that day and the next morning.")
    return [NextPageTemplate("landscape"), PageBreak(), para("Tracking sheet", st.h1), para(intro, st.body),
            Spacer(0, 2 * mm), TrackingGrid(rows, st, width), NextPageTemplate("portrait")]
