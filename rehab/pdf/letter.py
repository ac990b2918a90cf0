"""A one-page referral letter, for the patient to take to a doctor: for a refused plan (no exercise
until a doctor has seen them), or for an allowed plan that also refers (routine or urgent: a grade 3
strain's orthopaedic opinion, say), where the exercise plan goes on while the referral is arranged."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, HRFlowable, KeepInFrame, Spacer


from . import words
from .details import PrintDetails
from .fonts import REGULAR
from .layout import Box, Document, FigureCard, OutlineMark, labelled, para
from .plan import clinic_block
from .styles import MUTED, RULE, WARN, WARN_TINT, Styles, get_styles

if TYPE_CHECKING:
    from rehab.planner.types import Plan

AMBER = colors.HexColor("#9a5b00")
AMBER_TINT = colors.HexColor("#fff6e5")
LABEL_W = 50 * mm
TITLE = "Referral letter"  # the PDF's Title: never the patient's name
INTAKE_KEYS = ("diagnosis", "findings", "red_flags", "medications", "age", "sex")


def render_referral_letter(plan: Plan, details: PrintDetails, intake: dict | None = None) -> bytes:
    """PDF bytes of a one-page letter: referral level, reasons, Wells items and score,
    medicines, findings, the clinic's contact and a signature.

    `intake` is the intake as JSON (as the contract, the API and the portal store it),
    the examples' form {"intake": {...}, "expected": ...}, or the findings alone."""
    if not needs_letter(plan):
        raise ValueError("this plan is allowed and refers nobody (referral level none): a referral letter is for "
                         "a refused plan or for an allowed plan with a referral")
    st = get_styles(details.large_print)
    buf = io.BytesIO()
    doc = Document(buf, details, st, title=TITLE)
    story = _story(plan, details, normalise_intake(intake), st, doc.width)
    # One page whatever the length: a long letter is scaled down to fit rather than run over.
    return doc.build_bytes([OutlineMark(TITLE), KeepInFrame(doc.width, doc.height, story, mode="shrink")])


def needs_letter(plan: Plan) -> bool:
    """A refused plan always has a letter; an allowed one only when it also refers."""
    return not plan.allowed or plan.referral.level in words.REFERRAL_WORDS and plan.referral.level != "none"


def normalise_intake(raw: dict | None) -> dict:
    """Every accepted input form as one intake dict (findings under "findings")."""
    if not isinstance(raw, dict):
        return {}
    if isinstance(raw.get("intake"), dict) and "diagnosis" not in raw:
        raw = raw["intake"]
    if any(k in raw for k in INTAKE_KEYS):
        return raw
    return {"findings": raw}  # the findings alone


def _patient_facts(d: PrintDetails, intake: dict) -> list[tuple[str, str]]:
    age = d.age_on() if d.date_of_birth else (intake.get("age") if intake.get("age") is not None else d.age)
    sex = d.sex or intake.get("sex") or ""
    facts = [("Patient", d.patient_name), ("Reference", d.patient_reference)]
    if d.date_of_birth:
        facts.append(("Date of birth", words.date_words(d.date_of_birth)))
    facts += [("Age", f"{age} years" if age is not None else "not recorded"), ("Sex", words.sex_words(sex))]
    return facts


def _story(plan: Plan, d: PrintDetails, intake: dict, st: Styles, width: float) -> list:
    level = plan.referral.level if plan.referral.level in words.REFERRAL_WORDS else "urgent"
    heading_text, action = words.REFERRAL_WORDS[level]
    if plan.allowed:  # the exercise plan goes on: the referral is arranged, not an emergency visit
        heading_text, action = words.PLAN_LETTER_WORDS.get(level, (heading_text, action))
    border, tint = (WARN, WARN_TINT) if level == "emergency" else (AMBER, AMBER_TINT)

    story = clinic_block(d, st, width)
    story += [para(TITLE, st.title), para(words.date_words(d.plan_date), st.body)]
    facts = _patient_facts(d, intake)
    facts += [("Side", words.side_words(d.side)), ("Assessed for", words.diagnosis_words(plan.diagnosis)),
              ("Clinician", d.clinician)]
    story += _table([(k, v) for k, v in facts if str(v).strip()], st)
    story.append(Spacer(0, 4 * mm))
    box = [para(heading_text, st.warn_title), para(action, st.body)]
    story += [Box(box, border, tint, 5 * mm, line=2), Spacer(0, 2 * mm)]

    if plan.allowed:
        story.append(para("To the doctor or specialist", st.h2))
        story.append(para(words.plan_letter_opening(plan), st.body))
    else:
        story.append(para("To the GP or the emergency department doctor", st.h2))
        # "Assessed for" above names the diagnosis; its words carry their own brackets.
        story.append(para("During today's assessment we found signs that need a medical check before any "
                          "exercise. No exercise plan has been given. Reasons:", st.body))
    story += [para(r, st.bullet, "•") for r in plan.referral.reasons]
    if plan.referral.refer_to:
        story.append(para("Refer to", st.h3))
        story += [para(r, st.bullet, "•") for r in plan.referral.refer_to]
    wells_items = ((intake.get("red_flags") or {}).get("dvt") or {}).get("wells_items") or []
    if plan.wells_score is not None:
        story.append(labelled("Wells score for DVT:", words.wells_words(plan.wells_score), st.body))
    if wells_items:
        story.append(para("Wells items present", st.h3))
        story += [para(words.wells_item(w), st.bullet, "•") for w in wells_items]
    medicines = intake.get("medications") or []
    story.append(labelled("Medicines:", ", ".join(words.medicine_words(m) for m in medicines)
                           if medicines else "none recorded", st.body))
    findings = {k: v for k, v in (intake.get("findings") or {}).items() if v is not None}
    if findings:
        story.append(para("Findings", st.h3))
        story += _table([(words.finding_label(str(k)), words.finding_value(v)) for k, v in findings.items()], st)
    story += [
        Spacer(0, 4 * mm),
        labelled("For the patient:", words.PLAN_LETTER_PATIENT if plan.allowed else
                 "take this letter with you to your GP or the emergency department. "
                 "Do not start or continue exercises for this pain until a doctor has seen you.", st.body),
        Spacer(0, 8 * mm),
        _Signature(d, st),
    ]
    return story


def _table(rows: list[tuple[str, str]], st: Styles) -> list:
    """Label and value rows with a hairline under each. Flowables that take the width
    they are given (no fixed-width Table), as KeepInFrame may lay the letter out wider
    and then scale it down."""
    out = []
    for label, value in rows:
        out.append(FigureCard(para(label, st.cell_bold), [para(value, st.cell)], LABEL_W, 3 * mm))
        out.append(HRFlowable(width="100%", thickness=0.3, color=RULE, spaceBefore=1.5, spaceAfter=1.5))
    return out


class _Signature(Flowable):
    """Lines to sign and date on, with the clinician's name and the date under them."""

    def __init__(self, d: PrintDetails, st: Styles):
        super().__init__()
        self.name, self.date, self.st = d.clinician, words.date_words(d.plan_date), st

    def wrap(self, aw, ah):
        self.width, self.height = aw, 12 * mm + 2.4 * self.st.small.leading
        return self.width, self.height

    def draw(self):
        canv, st, w = self.canv, self.st, self.width
        top = 2.4 * st.small.leading
        canv.saveState()
        canv.setLineWidth(0.8)
        canv.line(0, top, w * 0.55, top)
        canv.line(w * 0.65, top, w, top)
        canv.setFont(REGULAR, st.small.fontSize)
        canv.setFillColor(MUTED)
        for x, label, value in ((0, "Signature", self.name), (w * 0.65, "Date", self.date)):
            canv.drawString(x, top - st.small.leading, label)
            canv.drawString(x, top - 2 * st.small.leading, value)
        canv.restoreState()
