"""The printed plan: a handout the patient reads and ticks off at home.

Page 1: who, what and why, how to use the plan, the pain rules and "Get help now".
Then the current phase in full (straight on from page 1 where it fits), "What comes
next" as a short outline (no doses), a tracking sheet and, under it, "Words used in
this plan". PrintDetails.all_phases prints every later phase in full instead."""

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
from .layout import (
    Box, Column, Document, FigureCard, beside_then_below, first_fit, heading, labelled, para, table_style,
)
from .styles import ACCENT, RULE, TINT, WARN, WARN_TINT, Styles, get_styles
from .tracking import TrackingGrid, TrackRow

if TYPE_CHECKING:
    from rehab.library.schema import Figure
    from rehab.planner.types import Item, Phase, Plan

HABITS = "ergonomics_education"
MIN_BESIDE = 50 * mm  # the narrowest column of text beside a figure (1.4 times that in large print)
TITLE = "Exercise plan"  # the PDF's Title: never the patient's name


def render_plan(plan: Plan, details: PrintDetails, figures: dict[str, Figure], link_url: str | None = None) -> bytes:
    """The patient's plan as PDF bytes; the same input gives the same bytes. With `link_url`
    (the patient's private page), page 1 carries it as a QR code."""
    if not plan.allowed:
        raise ValueError("this plan was refused (plan.allowed is False): print render_referral_letter instead")
    st = get_styles(details.large_print)
    buf = io.BytesIO()
    doc = Document(buf, details, st, title=TITLE, landscape_pages=True)
    current, later = split_phases(plan)
    full = details.all_phases
    shown = Counter(item.exercise_id for phase in ([current] if current else []) + (later if full else [])
                    for item in phase.items)
    side = details.side if details.side in ("left", "right") else None

    def figure(item: Item, width: float):
        """The item's figure or None; a figure shown more than once becomes a shared form."""
        return figure_flowable(figures.get(item.exercise_id), width, shared=shown[item.exercise_id] > 1,
                               side=side, label_size=st.label_size)

    # "Good to know" fills what page 1 has left if it fits there whole, else follows the
    # current phase; the current phase follows on page 1 unless only a strip is left.
    know_here, know_there = _education(plan, st)
    story = _first_page(plan, current, details, st, doc.width, link_url) + [know_here]
    if current is not None:
        story += [CondPageBreak(doc.height * 0.15)] + _current_phase(current, figure, st, doc.width)
    story.append(know_there)
    if full:
        for i, phase in enumerate(later):
            story += _later_phase(phase, figure, st, nxt=(i == 0 and current is not None))
    else:
        story += _what_comes_next(plan, current, later, st, doc.width)
    # "Words used in this plan" after the outline if it fits on that page, else under the
    # tracking sheet: a reference box should not cost a page of its own.
    here, there = _glossary(plan, current, later, st)
    story.append(here)
    if current is not None and current.items:
        story += _tracking_sheet(current, st, details)
    story.append(there)
    return doc.build_bytes(story)


def split_phases(plan: Plan) -> tuple[Phase | None, list[Phase]]:
    """The current phase and the ones after it, in plan order."""
    for i, phase in enumerate(plan.phases):
        if phase.id == plan.current_phase:
            return phase, list(plan.phases[i + 1:])
    if plan.phases:  # no current phase named: the first one listed is where to start
        return plan.phases[0], list(plan.phases[1:])
    return None, []


def _bullets(items, st: Styles, style=None) -> list[Flowable]:
    return [para(text, style or st.bullet, "•") for text in items if str(text).strip()]


def _short_list(items, st: Styles, width: float | None) -> list[Flowable]:
    """Bullets; a list of four or more short ones goes in two columns (down the first,
    then the second) when that saves at least a fifth of its height."""
    bullets = _bullets(items, st)
    if not width or len(bullets) < 4:
        return bullets

    def height(column, w):
        return sum(b.wrap(w, 1e6)[1] + b.getSpaceAfter() for b in column)

    n = (len(bullets) + 1) // 2
    col = width / 2 - 3 * mm
    if max(height(bullets[:n], col), height(bullets[n:], col)) > height(bullets, width) * 0.8:
        return bullets
    return [_two_columns(bullets[:n], bullets[n:], width)]


def _two_columns(left: list, right: list, width: float) -> Table:
    table = Table([[left, right]], colWidths=[width / 2, width / 2])
    table.setStyle(table_style([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                ("RIGHTPADDING", (0, 0), (-1, -1), 3 * mm), ("TOPPADDING", (0, 0), (-1, -1), 0),
                                ("BOTTOMPADDING", (0, 0), (-1, -1), 0)]))
    return table


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
    lines = c.lines()
    if c.address.strip() and len(lines) > 1:  # the address and the phone on one line (wrapping if long)
        lines = [f"{lines[0]} · {lines[1]}"] + lines[2:]
    text = [para(c.name, st.h2)] + [para(line, st.small) for line in lines]
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


def info_table(rows: list[tuple[str, str]], st: Styles, width: float, one_a_row: bool = False) -> Table:
    """Label and value pairs, two pairs a row (one when `one_a_row`)."""
    rows = [(k, v) for k, v in rows if str(v).strip()]
    cells = [[para(k, st.cell_bold), para(v, st.cell)] for k, v in rows]
    pairs = [cells[i] + (cells[i + 1] if i + 1 < len(cells) else ["", ""]) for i in range(0, len(cells), 2)]
    if one_a_row:
        from reportlab.pdfbase.pdfmetrics import stringWidth

        label_w = max(stringWidth(k, st.cell_bold.fontName, st.cell_bold.fontSize) for k, _ in rows) + 6
        info = Table(cells, colWidths=[label_w, width - label_w])
    elif st.large:  # two pairs a row too (compact: page 1 also has "Get help now"), labels as wide as they need
        from reportlab.pdfbase.pdfmetrics import stringWidth

        def label_w(column):
            return max([stringWidth(k, st.cell_bold.fontName, st.cell_bold.fontSize) for k, _ in column] or [0]) + 6
        left, right = label_w(rows[0::2]), label_w(rows[1::2])
        half = width / 2
        info = Table(pairs, colWidths=[left, half - left, right, half - right])
    else:
        label_w = 38 * mm  # "Next appointment" on one line
        half = width / 2
        info = Table(pairs, colWidths=[label_w, half - label_w, label_w, half - label_w])
    info.setStyle(table_style([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
    ]))
    return info


def _first_page(plan: Plan, current: Phase | None, d: PrintDetails, st: Styles, width: float,
                link_url: str | None = None) -> list:
    rows = [("Patient", d.patient_name),
            ("Date of birth", words.date_words(d.date_of_birth) if d.date_of_birth else ""),
            ("Reference", d.patient_reference), ("Plan date", words.date_words(d.plan_date)),
            ("Side", words.side_words(d.side)), ("Your physio", d.clinician),
            ("Next appointment", d.next_appointment)]  # the plan and version are in every footer
    story = _header_and_qr(d, link_url, st, width)
    who = [KeepTogether([info_table(rows, st, width)] + _link_line(link_url, st)), Spacer(0, 3 * mm), _rule(), Spacer(0, 2 * mm),
           labelled("Your condition:", words.diagnosis_words(plan.diagnosis), st.body)]
    why = [Spacer(0, 2 * mm), labelled("Where you are now:", _phase_title(current), st.body)] \
        if current is not None else []
    # "Get help now" (kept whole) straight after who and what, so it is on page 1 whatever the
    # paper; in large print, where the box alone can take most of a page, before the details.
    if st.large:
        return story + _seek_help(plan, d, st) + [Spacer(0, 3 * mm)] + who + _plan_referral(plan, st) + why \
            + _how_to(plan, current, st)
    return story + who + _plan_referral(plan, st) + _seek_help(plan, d, st) + why + _how_to(plan, current, st)


def _plan_referral(plan: Plan, st: Styles) -> list:
    """An allowed plan that also refers (routine or urgent): said plainly on page 1."""
    level, said = plan.referral.level, words.plan_referral(plan.referral)
    if said is None:
        return []
    rows = [labelled(said[0], "", st.body), para(said[1], st.body)]
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
    return [Spacer(0, 3 * mm), KeepTogether([Box(rows, ACCENT, TINT, 4 * mm)])]  # never a heading alone


def _seek_help(plan: Plan, d: PrintDetails, st: Styles) -> list:
    """Who to call first (the clinic's phone, when it is closed, an ambulance), then the signs.
    Page 1 is laid out so the box fits there whole; only a list of signs far longer than any
    plan's runs on to page 2, and then never before the phone lines and the first two signs."""
    c = d.contact
    rows = [heading("Get help now", st.warn_title)]
    call = f"call {c.name} on {c.phone}" if c.phone else f"contact {c.name}"
    call += f" ({c.hours})" if c.hours else ""
    rows.append(labelled("If any of the signs below happen,", f"stop the exercises and {call} or your GP "
                         "the same day.", st.body))
    if c.out_of_hours:
        rows.append(labelled("When the clinic is closed:", c.out_of_hours, st.body))
    rows.append(labelled("If you feel very unwell, have chest pain or sudden shortness of breath, "
                         "call an ambulance now.", "", st.body))
    calls = len(rows)
    rows += _bullets(unique(plan.seek_help_if), st, _cell_bullet(st) if st.large else None)
    return [Spacer(0, 3 * mm), Box(rows, WARN, WARN_TINT, 4 * mm, line=2, min_first=calls + 2)]


def _cell_bullet(st: Styles):
    """Bullets at the details table's size (the large-print minimum for dense text): a long list of
    signs then fits on page 1 with the phone lines above it."""
    from reportlab.lib.styles import ParagraphStyle

    key = (st.bullet.name, st.cell.fontSize, st.cell.leading)
    style = _CELL_BULLETS.get(key)
    if style is None:
        style = _CELL_BULLETS[key] = ParagraphStyle(
            st.bullet.name + "-cell", parent=st.bullet, fontSize=st.cell.fontSize, leading=st.cell.leading,
            bulletFontSize=st.cell.fontSize)
    return style


_CELL_BULLETS: dict = {}  # by the styles' name and size (normal, large): built once each


def _header_and_qr(d: PrintDetails, url: str | None, st: Styles, width: float) -> list:
    """The clinic and the title; with a link (the patient's private page), its QR code beside
    them, top right, so the code is on page 1 however full the page is."""
    head = clinic_block(d, st, width) + [Spacer(0, 2 * mm), heading("Your exercise plan", st.title),
                                          Spacer(0, 1 * mm)]
    if not url:
        return head
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing

    size = (36 if st.large else 26) * mm
    widget = QrCodeWidget(url, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    code = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    code.add(widget)
    side_w = size + 4 * mm
    head = clinic_block(d, st, width - side_w) + head[len(clinic_block(d, st, width)):]
    side = [code, para("Scan to open your plan on your phone", st.small)]
    table = Table([[head, side]], colWidths=[width - side_w, side_w])
    table.setStyle(table_style([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 0),
                                ("BOTTOMPADDING", (0, 0), (-1, -1), 0), ("LEFTPADDING", (1, 0), (1, 0), 4 * mm)]))
    return [table]


def _link_line(url: str | None, st: Styles) -> list:
    """The link in words, under the details: to type in if the code will not scan."""
    if not url:
        return []
    return [Spacer(0, 1 * mm), labelled("Your plan on your phone:", f"{url} (your exercises, \"Get help now\" "
                                        "and a daily log; keep this link private)", st.small)]


# ------------------------------------------------------------------ the current phase


def _duration(phase: Phase, st: Styles) -> list:
    if not phase.duration_days:
        return []
    lo, hi = phase.duration_days.min, phase.duration_days.max
    span = f"{lo} days" if lo == hi else f"{lo} to {hi} days"
    return [para(f"Usually lasts about {span}. You move on when you are ready, not by the calendar.", st.body)]


def _take_care(phase: Phase, st: Styles) -> list:
    return [para("Take care", st.h3)] + _bullets(phase.precautions, st) if phase.precautions else []


def _phase_facts(phase: Phase, st: Styles) -> list:
    return _duration(phase, st) + _take_care(phase, st)


def _move_on(phase: Phase, st: Styles, title: str, style, width: float | None = None) -> list:
    criteria = phase.patient_exit_criteria or phase.exit_criteria
    return [para(title, style)] + _short_list(criteria, st, width) if criteria else []


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


def _item_section(title: str, items: list[Item], figure, st: Styles, width: float) -> list:
    """A heading and one card per item, each card kept on one page with its heading (a
    card taller than a page runs on). The pictures sit side by side at the top left,
    each at least 45 mm wide (65 mm in large print); the name, dose and first steps go
    beside them while there is room, the rest full width below. In large print the
    column beside a pair would be too narrow: the name and dose go above the pictures."""
    story = []
    pair_w = 2 * st.figure_w
    for n, item in enumerate(items, 1):
        top = [heading(title, st.h2, 1)] if n == 1 else [_rule(0.5), Spacer(0, 2 * mm)]
        head, body = _item_text(n, item, st)
        fig = figure(item, pair_w)
        if fig is None:
            card = head + body
        elif width - fig.width - 5 * mm < MIN_BESIDE * (1.4 if st.large else 1):  # no room beside
            card = head + [Spacer(0, 2 * mm), fig, Spacer(0, 3 * mm)] + body
        else:
            card = beside_then_below(fig, head + body, fig.width, 5 * mm, width)
        story += [KeepTogether(top + card), Spacer(0, 2 * mm)]
    return story


def _current_phase(phase: Phase, figure, st: Styles, width: float) -> list:
    intro = [heading(f"Now: {_phase_title(phase)}", st.h1)]
    goals = [para("What this stage is for", st.h3)] + _bullets(phase.goals, st) if phase.goals else []
    care = _take_care(phase, st)
    if goals and care and not st.large:  # side by side: shorter, so it fits under page 1
        intro += [_two_columns(goals, care, width)] + _duration(phase, st)
    else:
        intro += goals + _duration(phase, st) + care
    story = [KeepTogether(intro)] if not st.large else intro
    exercises = [i for i in phase.items if i.category != HABITS]
    habits = [i for i in phase.items if i.category == HABITS]
    story += _item_section("Your exercises", exercises, figure, st, width)
    story += _item_section("Everyday habits", habits, figure, st, width)
    return story + [KeepTogether(_move_on(phase, st, "Move on to the next stage when", st.h2, width))]


def _education(plan: Plan, st: Styles) -> tuple[Flowable, Flowable]:
    """'Good to know' as the two places it may go (layout.first_fit)."""
    if not plan.education:
        return Spacer(0, 0), Spacer(0, 0)
    return first_fit(Column([heading("Good to know", st.h2)] + _bullets(plan.education, st)), 3 * mm)


def _printed_texts(plan: Plan, phases: list[Phase]) -> list[str]:
    out = list(plan.education) + list(plan.seek_help_if)
    for phase in phases:
        out += [phase.name] + phase.goals + phase.precautions + (phase.patient_exit_criteria or phase.exit_criteria)
        for item in phase.items:
            out += [item.name, item.dosage.effort or ""] + item.instructions + item.precautions
    return out


def _glossary(plan: Plan, current: Phase | None, later: list[Phase], st: Styles) -> tuple[Flowable, Flowable]:
    """'Words used in this plan': the glossary terms that appear in what is printed, as
    the two places it may go (layout.first_fit)."""
    phases = ([current] if current else []) + later
    terms = words.glossary_terms(_printed_texts(plan, phases))
    if not terms:
        return Spacer(0, 0), Spacer(0, 0)
    rows = [heading("Words used in this plan", st.h2, 0)]
    # At the details table's size: a reference box, so it fits under the tracking sheet.
    style = _cell_bullet(st)
    entries = [labelled(f"{term}:", meaning, style) for term, meaning in terms]
    rows += [_Balanced(entries, 6 * mm, (90 if st.large else 70) * mm)] if len(entries) >= 4 else entries
    return first_fit(Box(rows, RULE, TINT, 3.5 * mm), 3 * mm)


class _Balanced(Flowable):
    """Entries in as many columns of even height (down the first, then the next) as the width
    given allows at `min_col` each: a long glossary under the tracking sheet (a landscape
    page) takes a third of its height, on a portrait page a half."""

    def __init__(self, entries: list[Flowable], gap: float, min_col: float):
        super().__init__()
        self.entries, self.gap, self.min_col = entries, gap, min_col
        self.columns: list[list[tuple[Flowable, float]]] = []

    @staticmethod
    def _heights(entries, w):
        return [(f, f.wrap(w, 1e6)[1] + f.getSpaceBefore() + f.getSpaceAfter()) for f in entries]

    @staticmethod
    def _best(sized, n):
        """The split into n runs (in order) whose tallest run is shortest."""
        if n == 1 or len(sized) <= 1:
            return [sized]
        best = None
        for k in range(1, len(sized)):
            rest = _Balanced._best(sized[k:], n - 1)
            cols = [sized[:k]] + rest
            tallest = max(sum(h for _, h in c) for c in cols)
            if best is None or tallest < best[0]:
                best = (tallest, cols)
        return best[1]

    def wrap(self, aw, ah):
        if self.columns and getattr(self, "_aw", None) == aw:  # laid out at this width already
            return self.width, self.height
        self._aw = aw
        n = max(1, min(3, len(self.entries), int((aw + self.gap) // (self.min_col + self.gap))))
        self.col_w = (aw - (n - 1) * self.gap) / n
        self.columns = self._best(self._heights(self.entries, self.col_w), n)
        self.width, self.height = aw, max(sum(h for _, h in c) for c in self.columns)
        return self.width, self.height

    def draw(self):
        for i, column in enumerate(self.columns):
            x, y = i * (self.col_w + self.gap), self.height
            for f, h in column:
                f.wrap(self.col_w, 1e6)
                y -= h
                f.drawOn(self.canv, x, y + f.getSpaceAfter())


# ------------------------------------------------------------------ later phases


def _what_comes_next(plan: Plan, current: Phase | None, later: list[Phase], st: Styles, width: float) -> list:
    """Later phases as an outline: the goal, what changes, how you will know you are ready.
    Without later phases (a grade 3 strain waiting for the orthopaedic opinion, or the last
    stage), one plain line says what happens next."""
    if not later:
        if current is None:
            return []
        return [CondPageBreak(25 * mm), heading("What comes next", st.h1),
                para(words.next_without_later_phases(plan.referral.level, plan.referral.refer_to), st.body)]
    story = [CondPageBreak(45 * mm), heading("What comes next", st.h1),
             para("Your physio will give you the exercises and doses for each stage when you get there. "
                  "Do not start them early.", st.body)]
    before = current
    for phase in later:
        block = [heading(_phase_title(phase), st.h2, 1)]
        if phase.goals:
            block.append(labelled("The goal:", phase.goals[0], st.body))  # the main one: an outline
        block.append(labelled("What changes:", _changes(before, phase), st.body))
        ready = (before.patient_exit_criteria or before.exit_criteria) if before else []
        if ready and before is current:  # already listed under "Move on to the next stage when"
            block.append(labelled("You will know you are ready when:",
                                  "the points under “Move on to the next stage when” are true.", st.body))
        elif ready:  # one sentence: an outline, not the list the patient works to now
            block.append(labelled("You will know you are ready when:", _as_clauses(ready), st.body))
        story += block + [Spacer(0, 2 * mm)]  # may run on between lines: the heading keeps with its goal
        before = phase
    return story


def _as_clauses(points: list[str]) -> str:
    """'A is true.', 'You can B.' -> 'a is true; you can B.': criteria run on as one sentence.
    A first word that is a name (Askling, H-test) keeps its capital."""
    out = []
    for text in points:
        text = str(text).strip().rstrip(".;")
        first = text.split(" ", 1)[0]
        if first.isalpha() and first[1:].islower() and first not in words.GLOSSARY:
            text = text[0].lower() + text[1:]
        if text:
            out.append(text)
    return "; ".join(out) + "." if out else ""


def _changes(before: Phase | None, phase: Phase) -> str:
    """New exercises by name (no doses), or that the exercises get harder."""
    old = {i.exercise_id for i in before.items} if before else set()
    # the outline names them only: an explanation in brackets waits for that stage's own sheet
    new = [i.name.split(" (", 1)[0] for i in phase.items if i.exercise_id not in old and i.category != HABITS]
    if not new:
        return "The same kind of exercises, done a little harder."
    return f"New exercises, for example {words.join_words(new[:3])}."


def _later_phase(phase: Phase, figure, st: Styles, nxt: bool) -> list:
    """A later phase in full, with doses and figures (the clinician's 'print all phases' option)."""
    story = [CondPageBreak(70 * mm), heading(f"{'Next' if nxt else 'Later'}: {_phase_title(phase)}", st.h1)]
    if phase.goals:
        story += [para("What this stage is for", st.h3)] + _bullets(phase.goals, st)
    story += _phase_facts(phase, st) + _move_on(phase, st, "Move on when", st.h3)
    if not phase.items:
        return story
    story.append(para("Exercises in this stage", st.h3))
    fig_w = 2 * st.figure_small_w
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
        if st.large and amount:  # name and dose run on in one paragraph: a line less for a short one
            cell = [labelled(f"{item.name}:", amount, st.cell)]
        else:
            cell = [para(item.name, st.cell_bold)] + ([para(amount, st.small)] if amount else [])
        rows.append(TrackRow(cell, item.dosage.per_day or 1, item.dosage.days_per_week or 7))
    width = landscape(d.pagesize)[0] - 2 * st.margin
    rest = any(item.dosage.days_per_week and item.dosage.days_per_week < 7 for item in tracked(phase.items))
    intro = (f"{_phase_title(phase)}. Write the date at the top. Tick a box each time you do an exercise"
             + (" (a shaded “rest” day is a day off for that exercise)" if rest else "")
             + ". At the bottom, write your pain from 0 (none) to 10 (worst). Copy this sheet for each week.")
    return [NextPageTemplate("landscape"), PageBreak(),
            heading("Tracking sheet", st.h1), para(intro, st.body),
            Spacer(0, 2 * mm), TrackingGrid(rows, st, width), NextPageTemplate("portrait")]
