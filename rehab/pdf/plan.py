"""The printed plan: a handout the patient reads and ticks off at home.

Page 1: who, what and why, how to use the plan, the pain rules and "Get help now".
Then the current phase in full, "What comes next" as a short outline (no doses), and
a tracking sheet. PrintDetails.all_phases prints every later phase in full instead."""

from __future__ import annotations

import io
from collections import Counter
from typing import TYPE_CHECKING

from reportlab.lib.pagesizes import landscape
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak, Flowable, HRFlowable, Image, KeepTogether, NextPageTemplate, PageBreak, Spacer, Table,
)

from . import words
from .details import PrintDetails
from .drawings import figure_flowable
from .layout import Box, Document, FigureCard, heading, labelled, para, table_style
from .styles import ACCENT, RULE, TINT, WARN, WARN_TINT, Styles, get_styles
from .tracking import TrackingGrid, TrackRow

if TYPE_CHECKING:
    from rehab.library.schema import Figure
    from rehab.planner.types import Item, Phase, Plan

HABITS = "ergonomics_education"
TITLE = "Exercise plan"  # the PDF's Title: never the patient's name


def render_plan(plan: Plan, details: PrintDetails, figures: dict[str, Figure], link_url: str | None = None) -> bytes:
    """The patient's plan as PDF bytes; the same input gives the same bytes. With `link_url`
    (the patient's private page), page 1 carries it as a QR code."""
    if not plan.allowed:
        raise ValueError("this plan was refused (plan.allowed is False): print render_referral_letter instead")
    st = get_styles(details.large_print)
    buf = io.BytesIO()
    doc = Document(buf, details, st, title=TITLE, landscape_pages=True)
    current, later = _split_phases(plan)
    full = details.all_phases
    shown = Counter(item.exercise_id for phase in ([current] if current else []) + (later if full else [])
                    for item in phase.items)
    side = details.side if details.side in ("left", "right") else None

    def figure(item: Item, width: float):
        """The item's figure or None; a figure shown more than once becomes a shared form."""
        return figure_flowable(figures.get(item.exercise_id), width, shared=shown[item.exercise_id] > 1,
                               side=side, label_size=st.label_size)

    story = _first_page(plan, current, details, st, doc.width) + _link_qr(link_url, st, doc.width)
    if current is not None:  # on a page of its own unless most of this one is still free
        story += [CondPageBreak(doc.height * 0.6)] + _current_phase(current, figure, st)
    story += _education(plan, st)
    if full:
        for i, phase in enumerate(later):
            story += _later_phase(phase, figure, st, nxt=(i == 0 and current is not None))
    else:
        story += _what_comes_next(current, later, st)
    story += _glossary(plan, current, later, st)
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


def unique(texts) -> list[str]:
    """The texts in order, each once (ignoring case, spaces and a final full stop)."""
    seen, out = set(), []
    for text in texts:
        key = " ".join(str(text).lower().rstrip(".").split())
        if key and key not in seen:
            seen.add(key)
            out.append(str(text).strip())
    return out


# ------------------------------------------------------------------ page 1


def clinic_block(d: PrintDetails, st: Styles, width: float) -> list:
    """The clinic's name, logo and contact lines: on every plan and letter."""
    c = d.contact
    text = [para(c.name, st.h2)] + [para(line, st.small) for line in c.lines()]
    if not c.logo:
        return text
    h = (22 if st.large else 16) * mm
    logo = Image(io.BytesIO(c.logo), height=h, width=h * 3, kind="proportional")
    logo_w = min(logo.drawWidth, width * 0.3)
    table = Table([[logo, text]], colWidths=[logo_w + 4 * mm, width - logo_w - 4 * mm])
    table.setStyle(table_style([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 0),
                                ("BOTTOMPADDING", (0, 0), (-1, -1), 0)]))
    return [table]


def info_table(rows: list[tuple[str, str]], st: Styles, width: float) -> Table:
    """Label and value pairs: one pair a row in large print, two otherwise."""
    label_w = (56 if st.large else 34) * mm
    cells = [[para(k, st.cell_bold), para(v, st.cell)] for k, v in rows if str(v).strip()]
    if st.large:
        info = Table(cells, colWidths=[label_w, width - label_w])
    else:
        pairs = [cells[i] + (cells[i + 1] if i + 1 < len(cells) else ["", ""]) for i in range(0, len(cells), 2)]
        half = width / 2
        info = Table(pairs, colWidths=[label_w, half - label_w, label_w, half - label_w])
    info.setStyle(table_style([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]))
    return info


def _first_page(plan: Plan, current: Phase | None, d: PrintDetails, st: Styles, width: float) -> list:
    rows = [("Patient", d.patient_name),
            ("Date of birth", words.date_words(d.date_of_birth) if d.date_of_birth else ""),
            ("Reference", d.patient_reference), ("Plan date", words.date_words(d.plan_date)),
            ("Side", words.side_words(d.side)), ("Your physio", d.clinician),
            ("Next appointment", d.next_appointment)]  # the plan and version are in every footer
    story = clinic_block(d, st, width)
    story += [Spacer(0, 2 * mm), heading("Your exercise plan", st.title), Spacer(0, 1 * mm), info_table(rows, st, width),
              Spacer(0, 3 * mm), _rule(), Spacer(0, 2 * mm)]
    story.append(labelled("Your condition:", words.diagnosis_words(plan.diagnosis), st.body))
    why = [labelled("Where you are now:", _phase_title(current), st.body)] if current is not None else []
    # "Get help now" straight after who and what, so it is on page 1 whatever the paper and type size.
    return story + _plan_referral(plan, st) + _seek_help(plan, d, st) + why + _how_to(plan, current, st)


def _plan_referral(plan: Plan, st: Styles) -> list:
    """An allowed plan that also refers (routine or urgent): said plainly on page 1."""
    level = plan.referral.level
    if level not in words.PLAN_REFERRAL_WORDS:
        return []
    to = words.join_words(plan.referral.refer_to) or "a doctor"
    rows = [labelled(f"Your physiotherapist is also referring you to: {to}.", "", st.body),
            para(words.PLAN_REFERRAL_WORDS[level], st.body)]
    border = WARN if level == "urgent" else ACCENT
    return [Spacer(0, 2 * mm), Box(rows, border, WARN_TINT if level == "urgent" else TINT, 4 * mm, line=2)]


def _rule(thickness=0.8, space=0.0) -> HRFlowable:
    return HRFlowable(width="100%", thickness=thickness, color=RULE, spaceBefore=space, spaceAfter=space)


def _how_to(plan: Plan, current: Phase | None, st: Styles) -> list:
    rows = [heading("How to use this plan", st.h2)]
    rows += _bullets([
        "Do the exercises on the next pages at the dose shown for each one.",
        "Tick a box on the tracking sheet (last page) each time you do an exercise.",
        "Bring the tracking sheet to your next appointment.",
    ], st)
    rows.append(para("Pain rules", st.h3))
    rows += _bullets(words.pain_rules(plan.diagnosis), st)
    return [Spacer(0, 3 * mm), Box(rows, ACCENT, TINT, 4 * mm)]


def _seek_help(plan: Plan, d: PrintDetails, st: Styles) -> list:
    c = d.contact
    rows = [heading("Get help now", st.warn_title)]
    rows.append(labelled("Stop the exercises and get help", "if any of these happen:", st.body))
    rows += _bullets(unique(plan.seek_help_if), st)
    call = f"Call {c.name} on {c.phone}" if c.phone else f"Contact {c.name}"
    call += f" ({c.hours})" if c.hours else ""
    rows.append(para(f"{call} or your GP the same day.", st.body))
    if c.out_of_hours:
        rows.append(labelled("When the clinic is closed:", c.out_of_hours, st.body))
    rows.append(labelled("If you feel very unwell, have chest pain or sudden shortness of breath, "
                         "call an ambulance now.", "", st.body))
    # A long list may run on to page 2 (both parts framed), but never leaves page 1 without the
    # heading and the first signs.
    return [Spacer(0, 3 * mm), Box(rows, WARN, WARN_TINT, 4 * mm, line=2, min_first=3)]


def _link_qr(url: str | None, st: Styles, width: float) -> list:
    """The patient's own page as a QR code with its address, kept together (none without a link)."""
    if not url:
        return []
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing

    size = (40 if st.large else 30) * mm
    widget = QrCodeWidget(url, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    code = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    code.add(widget)
    text = [para("Scan to open your plan on your phone", st.h3),
            para("Your exercises, \"Get help now\" and a daily log to fill in. Keep this link private.", st.body),
            para(url, st.small)]
    table = Table([[code, text]], colWidths=[size + 5 * mm, width - size - 5 * mm])
    table.setStyle(table_style([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return [Spacer(0, 3 * mm), KeepTogether([table])]


# ------------------------------------------------------------------ the current phase


def _phase_facts(phase: Phase, st: Styles) -> list:
    out = []
    if phase.duration_days:
        lo, hi = phase.duration_days.min, phase.duration_days.max
        span = f"{lo} days" if lo == hi else f"{lo} to {hi} days"
        out.append(para(f"Usually lasts about {span}. You move on when you are ready, not by the calendar.",
                        st.body))
    if phase.precautions:
        out += [para("Take care", st.h3)] + _bullets(phase.precautions, st)
    return out


def _move_on(phase: Phase, st: Styles, title: str, style) -> list:
    criteria = phase.patient_exit_criteria or phase.exit_criteria
    return [para(title, style)] + _bullets(criteria, st) if criteria else []


def _phase_title(phase: Phase) -> str:
    return f"{words.phase_number(phase.id)} · {phase.name}"


def _item_text(n: int, item: Item, st: Styles) -> tuple[list, list]:
    """(head, body): the name and dose, then the numbered steps and precautions. The
    clinician's effort scale (Dosage.rpe) is never printed."""
    amount, effort = words.dosage_parts(item.dosage)
    head = [para(f"{n}. {item.name}", st.item_name)]
    head += [para(amount, st.dose)] if amount else []
    head += [para(effort, st.effort)] if effort else []
    body = [para(step, st.step, f"{i}.") for i, step in enumerate(item.instructions, 1) if step.strip()]
    body += [labelled("Take care:", p, st.body) for p in item.precautions if p.strip()]
    return head, body


def _item_section(title: str, items: list[Item], figure, st: Styles) -> list:
    """A heading and one card per item. A normal card stays on one page with its
    heading; in large print the name, figure and first steps stay together and the
    rest may run on, so no page is left half empty."""
    story = []
    for n, item in enumerate(items, 1):
        top = [heading(title, st.h2, 1)] if n == 1 else [_rule(0.5), Spacer(0, 3 * mm)]
        head, body = _item_text(n, item, st)
        fig = figure(item, st.figure_w)
        if fig is None:
            story += [KeepTogether(top + head + body[:2])] + body[2:]
        elif st.large:  # narrow steps beside a big figure read badly: they go full width below
            card = FigureCard(fig, head, st.figure_w, 5 * mm)
            story += [KeepTogether(top + [card, Spacer(0, 2 * mm)] + body[:1])] + body[1:]
        else:
            story.append(KeepTogether(top + [FigureCard(fig, head + body, st.figure_w, 5 * mm)]))
        story.append(Spacer(0, 3 * mm))
    return story


def _current_phase(phase: Phase, figure, st: Styles) -> list:
    story = [heading(f"Now: {_phase_title(phase)}", st.h1)]
    if phase.goals:
        story += [para("What this stage is for", st.h3)] + _bullets(phase.goals, st)
    story += _phase_facts(phase, st)
    exercises = [i for i in phase.items if i.category != HABITS]
    habits = [i for i in phase.items if i.category == HABITS]
    story += _item_section("Your exercises", exercises, figure, st)
    story += _item_section("Everyday habits", habits, figure, st)
    return story + [KeepTogether(_move_on(phase, st, "Move on to the next stage when", st.h2))]


def _education(plan: Plan, st: Styles) -> list:
    if not plan.education:
        return []
    return [CondPageBreak(40 * mm), heading("Good to know", st.h2)] + _bullets(plan.education, st)


def _printed_texts(plan: Plan, phases: list[Phase]) -> list[str]:
    out = list(plan.education) + list(plan.seek_help_if)
    for phase in phases:
        out += [phase.name] + phase.goals + phase.precautions + (phase.patient_exit_criteria or phase.exit_criteria)
        for item in phase.items:
            out += [item.name, item.dosage.effort or ""] + item.instructions + item.precautions
    return out


def _glossary(plan: Plan, current: Phase | None, later: list[Phase], st: Styles) -> list:
    """'Words used in this plan': the glossary terms that appear in what is printed."""
    phases = ([current] if current else []) + later
    terms = words.glossary_terms(_printed_texts(plan, phases))
    if not terms:
        return []
    rows = [heading("Words used in this plan", st.h2, 0)]
    rows += [labelled(f"{term}:", meaning, st.bullet) for term, meaning in terms]
    return [Spacer(0, 4 * mm), KeepTogether([Box(rows, RULE, TINT, 4 * mm)])]


# ------------------------------------------------------------------ later phases


def _what_comes_next(current: Phase | None, later: list[Phase], st: Styles) -> list:
    """Later phases as an outline: the goal, what changes, how you will know you are ready."""
    if not later:
        return []
    story = [CondPageBreak(45 * mm), heading("What comes next", st.h1),
             para("Your physio will give you the exercises and doses for each stage when you get there. "
                  "Do not start them early.", st.body)]
    before = current
    for phase in later:
        block = [heading(_phase_title(phase), st.h2, 1)]
        if phase.goals:
            block.append(labelled("The goal:", " ".join(phase.goals), st.body))
        block.append(labelled("What changes:", _changes(before, phase), st.body))
        ready = (before.patient_exit_criteria or before.exit_criteria) if before else []
        if ready and before is current:  # already listed under "Move on to the next stage when"
            block.append(labelled("You will know you are ready when:",
                                  "the points under “Move on to the next stage when” are true.", st.body))
        elif ready:
            block.append(para("You will know you are ready when:", st.bold))
            block += _bullets(ready, st)
        story += block + [Spacer(0, 2 * mm)]  # may run on between lines: the heading keeps with its goal
        before = phase
    return story


def _changes(before: Phase | None, phase: Phase) -> str:
    """New exercises by name (no doses), or that the exercises get harder."""
    old = {i.exercise_id for i in before.items} if before else set()
    new = [i.name for i in phase.items if i.exercise_id not in old and i.category != HABITS]
    if not new:
        return "The same kind of exercises, done a little harder."
    return f"New exercises, for example {words.join_words(new[:4])}."


def _later_phase(phase: Phase, figure, st: Styles, nxt: bool) -> list:
    """A later phase in full, with doses and figures (the clinician's 'print all phases' option)."""
    story = [CondPageBreak(70 * mm), heading(f"{'Next' if nxt else 'Later'}: {_phase_title(phase)}", st.h1)]
    if phase.goals:
        story += [para("What this stage is for", st.h3)] + _bullets(phase.goals, st)
    story += _phase_facts(phase, st) + _move_on(phase, st, "Move on when", st.h3)
    if not phase.items:
        return story
    story.append(para("Exercises in this stage", st.h3))
    fig_w = st.figure_small_w
    for n, item in enumerate(phase.items):
        fig = figure(item, fig_w)
        text = [para(item.name, st.bold), para(words.dosage_line(item.dosage), st.small)]
        if n:
            story.append(_rule(0.4, 2 * mm))
        story.append(FigureCard(fig, text, fig_w, 4 * mm, keep=True))
    return story


# ------------------------------------------------------------------ tracking sheet


def tracked(items: list[Item]) -> list[Item]:
    """The exercises, and any habit with a timed dose (the walking programme)."""
    return [i for i in items if i.category != HABITS or i.dosage.duration_min] or list(items)


def _tracking_sheet(phase: Phase, st: Styles, d: PrintDetails) -> list:
    rows = []
    for item in tracked(phase.items):
        amount = words.dosage_parts(item.dosage)[0]
        cell = [para(item.name, st.cell_bold)] + ([para(amount, st.small)] if amount else [])
        rows.append(TrackRow(cell, item.dosage.per_day or 1))
    width = landscape(d.pagesize)[0] - 2 * st.margin
    intro = (f"{_phase_title(phase)}. Write the date at the top. Tick a box each time you do an exercise. "
             "At the bottom, write your pain from 0 (none) to 10 (worst). Copy this sheet for each week.")
    return [NextPageTemplate("landscape"), PageBreak(),
            heading("Tracking sheet", st.h1), para(intro, st.body),
            Spacer(0, 2 * mm), TrackingGrid(rows, st, width), NextPageTemplate("portrait")]
