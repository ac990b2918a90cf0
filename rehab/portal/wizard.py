"""The new-plan wizard: four steps that together build the contract's intake dict.

The draft (intake so far, the clinician's adjustments, how far the wizard got)
lives in the database, one per patient and clinician (several patients at once), never
in the session cookie (readable by anyone holding it) nor in process memory (several
processes serve the portal). Each step owns some keys of the intake; posting a
step replaces those keys and asks `parse_intake` whether the result is valid,
so the planner, not the form, decides what a valid intake is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from flask import current_app, request
from flask_login import current_user
from sqlalchemy import and_, bindparam
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.datastructures import MultiDict

from rehab.extensions import db
from rehab.models import Draft as DraftRow, Patient, utcnow
from rehab.planner import IntakeError, parse_intake
from rehab.planner.triage import triage
from rehab.portal import forms, psfs
from rehab.vocab import RED_FLAGS

STEPS = ("diagnosis", "red_flags", "modifiers", "findings")
SUMMARY = "summary"  # the answers in words, shown once every step is done, before the review
STEP_TITLES = {
    "diagnosis": "Diagnosis",
    "red_flags": "Red-flag screen",
    "modifiers": "Patient factors",
    "findings": "Findings",
    SUMMARY: "Check the answers",
}


@dataclass
class Draft:
    patient_id: int
    plan_id: int | None = None  # set when reassessing an existing plan
    base_version: int | None = None  # the version being reassessed
    intake: dict = field(default_factory=dict)
    adjustments: list = field(default_factory=list)
    done: list = field(default_factory=list)  # steps completed
    psfs: list = field(default_factory=list)  # PSFS taken at this visit: [{"activity", "score"}] (rehab.portal.psfs)
    typed: dict = field(default_factory=dict)  # step -> what was typed there before "Back" (unchecked)

    @property
    def complete(self) -> bool:
        return all(step in self.done for step in STEPS)

    def next_step(self) -> str | None:
        """The first step not done yet (None when the draft is ready for review)."""
        return next((s for s in STEPS if s not in self.done), None)

    def may_open(self, step: str) -> bool:
        if step == SUMMARY:
            return self.complete
        return all(s in self.done for s in STEPS[:STEPS.index(step)])

    def refused(self) -> bool:
        """The red-flag screen is done and the planner's triage, on what is known so far,
        refuses a plan (an emergency or urgent red flag): the review shows the refusal and
        the referral letter at once; the remaining steps may still be recorded."""
        if "red_flags" not in self.done:
            return False
        try:
            return triage(parse_intake(self.intake)).refused
        except IntakeError:
            return False

    @property
    def reviewable(self) -> bool:
        return self.complete or self.refused()


# ------------------------------------------------------------------ storage (the draft table)


class DraftConflict(Exception):
    """The draft changed (another tab, a double click) between reading and writing it."""


def _expiry() -> dt.datetime:
    return utcnow() - dt.timedelta(days=current_app.config["DRAFT_EXPIRY_DAYS"])


# The logged-in clinician's unexpired drafts: a condition with parameters (`mine()` gives
# them), so that a statement built once can join on it.
MINE = and_(DraftRow.user_id == bindparam("draft_user"), DraftRow.updated_at >= bindparam("draft_since"))


def mine() -> dict:
    """The parameters of MINE."""
    return {"draft_user": current_user.id, "draft_since": _expiry()}


def _row(patient_id: int) -> DraftRow | None:
    """The logged-in clinician's unexpired draft for the patient."""
    return db.session.execute(db.select(DraftRow).where(DraftRow.patient_id == patient_id, MINE),
                              mine()).scalar_one_or_none()


def load_draft(patient_id: int) -> Draft | None:
    row = _row(patient_id)
    return None if row is None else draft_from(row.data, row.version)


def draft_from(data: dict | None, row_version: int | None) -> Draft | None:
    """The draft kept as `data` (None: no draft) at the row's `row_version`."""
    if data is None:
        return None
    names = Draft.__dataclass_fields__
    draft = Draft(**{k: v for k, v in data.items() if k in names})
    draft.row_version = row_version  # what a later store or save checks against
    return draft


def store_draft(draft: Draft) -> None:
    """Write the draft; DraftConflict if it changed since it was loaded. A draft never loaded
    (a new plan, a reassessment) replaces whatever draft the clinician had for the patient."""
    row = db.session.execute(db.select(DraftRow).where(
        DraftRow.patient_id == draft.patient_id, DraftRow.user_id == current_user.id)).scalar_one_or_none()
    loaded = getattr(draft, "row_version", None)
    if row is None:
        if loaded is not None:  # it was discarded or saved meanwhile
            raise DraftConflict()
        row = DraftRow(patient_id=draft.patient_id, user_id=current_user.id, data=asdict(draft))
        db.session.add(row)
    elif loaded is not None and loaded != row.version:
        raise DraftConflict()
    else:
        row.data = asdict(draft)
        row.updated_at = utcnow()
    # expired drafts (anyone's) go for good: they hold health data nobody will save
    db.session.execute(db.delete(DraftRow).where(DraftRow.updated_at < _expiry()))
    try:
        db.session.commit()
    except (IntegrityError, StaleDataError):  # another request wrote it first
        db.session.rollback()
        raise DraftConflict() from None
    draft.row_version = row.version


def delete_draft(draft: Draft, user_id: int) -> None:
    """Delete the draft row as loaded, in the caller's transaction; DraftConflict if another
    request changed or removed it first (so a plan is saved once even on a double click).
    A draft never stored (built in code, as bench/portal.py does) has no row to delete."""
    loaded = getattr(draft, "row_version", None)
    if loaded is None:
        return
    deleted = db.session.execute(db.delete(DraftRow).where(
        DraftRow.patient_id == draft.patient_id, DraftRow.user_id == user_id,
        DraftRow.version == loaded)).rowcount
    if deleted != 1:
        raise DraftConflict()


def clear_draft(patient_id: int) -> None:
    db.session.execute(db.delete(DraftRow).where(DraftRow.patient_id == patient_id,
                                                 DraftRow.user_id == current_user.id))
    db.session.commit()


def unsaved_drafts() -> list[tuple[DraftRow, Patient]]:
    """The logged-in clinician's unexpired unsaved plans, newest first (one query)."""
    return list(db.session.execute(
        db.select(DraftRow, Patient).join(Patient, DraftRow.patient_id == Patient.id)
        .where(DraftRow.user_id == current_user.id, Patient.clinic_id == current_user.clinic_id,
               DraftRow.updated_at >= _expiry())
        .order_by(DraftRow.updated_at.desc())).all())


def age_on(date_of_birth: dt.date | None, today: dt.date) -> int | None:
    if date_of_birth is None:
        return None
    return today.year - date_of_birth.year - ((today.month, today.day) < (date_of_birth.month, date_of_birth.day))


# ------------------------------------------------------------------ form <-> intake


def _yes_no(value) -> str:
    return "" if value is None else ("yes" if value else "no")


def _from_yes_no(value: str):
    return {"yes": True, "no": False}.get(value)


_SIDES = ("injured", "uninjured")


def finding_to_form(name: str, value) -> dict:
    """Form data for one intake finding (a pair fills two boxes)."""
    kind = forms.field_spec(name).kind
    if kind == "pair":
        value = value if isinstance(value, dict) else {}
        return {f"{name}_{side}": value.get(side) for side in _SIDES}
    if kind == "bool":
        return {name: _yes_no(value)}
    if kind == "float":
        return {name: None if value is None else Decimal(str(value))}
    if kind == "choice":
        return {name: value or ""}
    return {name: value}


def finding_from_form(form, name: str):
    """The intake value a submitted form gives for one finding (None: not assessed)."""
    kind = forms.field_spec(name).kind
    if kind == "pair":
        pair = {side: form[f"{name}_{side}"].data for side in _SIDES}
        return {k: v for k, v in pair.items() if v is not None} or None
    value = form[name].data
    if kind == "bool":
        return _from_yes_no(value)
    if kind == "float":
        return None if value is None else float(value)
    return None if value == "" else value


def _findings_owned(step: str) -> set[str]:
    if step == "diagnosis":
        return {"bamic"}
    if step == "red_flags":
        return set(forms.RED_FLAG_FINDINGS)
    if step == "findings":
        return set(forms.FINDINGS_STEP)
    return set()


def form_class(step: str, intake: dict):
    if step == "findings":
        return forms.findings_form(intake.get("diagnosis", ""))
    if step == "modifiers":
        return forms.modifiers_form(intake.get("diagnosis"))
    return {"diagnosis": forms.DiagnosisForm, "red_flags": forms.RedFlagForm}[step]


def form_data(step: str, intake: dict) -> dict:
    """Initial form values for a step from an intake (prefill and going back)."""
    findings = intake.get("findings") or {}
    if step == "diagnosis":
        grade = intake.get("grade")
        return {"diagnosis": intake.get("diagnosis"), "grade": str(grade) if grade else "",
                "bamic": findings.get("bamic") or ""}
    if step == "red_flags":
        flags = intake.get("red_flags") or {}
        dvt = flags.get("dvt") or {}
        data = {name: bool(flags.get(name)) for name in RED_FLAGS}
        data["dvt_symptoms_present"] = bool(dvt.get("symptoms_present"))
        data["wells_items"] = list(dvt.get("wells_items") or [])
        for key in forms.RED_FLAG_FINDINGS:
            data.update(finding_to_form(key, findings.get(key)))
        return data
    if step == "modifiers":
        pregnancy = intake.get("pregnancy") or {}
        return {"age": intake.get("age"), "sex": intake.get("sex") or "unspecified",
                "side": intake.get("side") or "unspecified",
                "activity_level": intake.get("activity_level") or "",
                "previous_phase": intake.get("previous_phase") or "",
                "pregnancy_pregnant": bool(pregnancy.get("pregnant")),
                "pregnancy_weeks": pregnancy.get("weeks"),
                "pregnancy_months_post_partum": pregnancy.get("months_post_partum"),
                "pregnancy_obstetric_contraindication": bool(pregnancy.get("obstetric_contraindication")),
                "comorbidities": list(intake.get("comorbidities") or []),
                "medications": list(intake.get("medications") or [])}
    data = {}
    for key in forms.findings_asked(intake.get("diagnosis")):
        data.update(finding_to_form(key, findings.get(key)))
    return data


def _answered(form, names) -> dict:
    values = {name: finding_from_form(form, name) for name in names}
    return {k: v for k, v in values.items() if v is not None}


def intake_part(step: str, form) -> dict:
    """The intake keys a step's submitted form gives (findings under 'findings')."""
    if step == "diagnosis":
        hamstring = form.diagnosis.data == "hamstring_strain"
        part = {"diagnosis": form.diagnosis.data, "grade": int(form.grade.data) if hamstring and form.grade.data
                else None, "findings": {}}
        if hamstring and (form.bamic.data or "").strip():
            part["findings"]["bamic"] = form.bamic.data.strip()
        return part
    if step == "red_flags":
        # Every answer counts on its own: a follow-up (fever, a cold foot, a clot risk factor)
        # is a question in its own right, not only a detail of the flag above it.
        flags = {name: bool(form[name].data) for name in RED_FLAGS}
        flags["dvt"] = {"symptoms_present": bool(form.dvt_symptoms_present.data),
                        "wells_items": list(form.wells_items.data or [])}
        return {"red_flags": flags, "findings": _answered(form, forms.RED_FLAG_FINDINGS)}
    if step == "modifiers":
        pregnancy = {"pregnant": bool(form.pregnancy_pregnant.data),
                     "weeks": form.pregnancy_weeks.data,
                     "months_post_partum": form.pregnancy_months_post_partum.data,
                     "obstetric_contraindication": bool(form.pregnancy_obstetric_contraindication.data)}
        part = {"sex": form.sex.data, "side": form.side.data, "pregnancy": pregnancy,
                "comorbidities": list(form.comorbidities.data or []),
                "medications": list(form.medications.data or [])}
        if form.age.data is not None:
            part["age"] = form.age.data
        for key in ("activity_level", "previous_phase"):  # not asked: left out, the planner assumes
            if form[key].data:
                part[key] = form[key].data
        return part
    return {"findings": _answered(form, form.asked)}


def merge(intake: dict, step: str, part: dict) -> dict:
    """A new intake: `intake` with the keys owned by `step` replaced by `part`."""
    result = {k: v for k, v in intake.items() if k != "findings"}
    part = dict(part)
    findings = {k: v for k, v in (intake.get("findings") or {}).items()
                if k not in _findings_owned(step)}
    findings.update(part.pop("findings", {}))
    if step == "modifiers":  # keys the step may leave out: a blank answer clears them
        for key in ("age", "activity_level", "previous_phase"):
            result.pop(key, None)
    result.update(part)
    if result.get("grade") is None:
        result.pop("grade", None)
    if step == "diagnosis":  # keep only the findings that the new diagnosis asks about
        wanted = set(forms.findings_asked(result["diagnosis"])) | set(forms.RED_FLAG_FINDINGS)
        findings = {k: v for k, v in findings.items() if k in wanted or k == "bamic"}
    result["findings"] = findings
    return result


def _field_for(form, path: str):
    """The form field an intake error path names ('findings.ake_deficit_deg' -> ake_deficit_deg)."""
    parts = [p for p in path.replace("[", ".").replace("]", "").split(".") if p and not p.isdigit()]
    for i in range(len(parts)):
        name = "_".join(parts[i:])
        if name in form:
            return form[name]
    if parts and parts[-1] in ("dvt",) and "dvt_symptoms_present" in form:
        return form["dvt_symptoms_present"]
    if len(parts) >= 2 and f"{parts[-2]}_injured" in form:  # a pair given as a whole
        return form[f"{parts[-2]}_injured"]
    if parts and f"{parts[-1]}_injured" in form:
        return form[f"{parts[-1]}_injured"]
    return None


def attach_error(form, exc: IntakeError) -> None:
    target = _field_for(form, exc.field or "")
    if target is not None:
        target.errors = list(target.errors) + [exc.message]
    else:
        form.form_errors.append(f"{exc.field}: {exc.message}" if exc.field else exc.message)


def submit_step(draft: Draft, step: str, form) -> bool:
    """Validate a posted step through the form and then the planner; store it when both accept."""
    if not form.validate_on_submit():
        return False
    candidate = merge(draft.intake, step, intake_part(step, form))
    try:
        parse_intake(candidate)
    except IntakeError as exc:
        attach_error(form, exc)
        return False
    if step == "diagnosis" and draft.intake.get("diagnosis") not in (None, candidate["diagnosis"]):
        # A different diagnosis asks different findings: walk through them again.
        draft.done = [s for s in draft.done if s != "findings"]
    draft.intake = candidate
    if step not in draft.done:
        draft.done.append(step)
    draft.typed.pop(step, None)
    store_draft(draft)
    return True


# ------------------------------------------------------------------ "Back" keeps what was typed

MAX_TYPED_VALUES = 40  # per field (the longest checkbox list is 13)
MAX_TYPED_LENGTH = 200  # per value; every box of the wizard is shorter


def keep_typed(draft: Draft, step: str, form) -> None:
    """Store what was typed on `step` as it is, unchecked (the clinician is going back, not
    submitting): only the step's own fields (with the findings step's PSFS boxes), each value
    cut to a bounded length, so the draft never holds anything the form could not show again."""
    names = [f.name for f in form if f.type not in ("CSRFTokenField", "HiddenField")]
    if step == psfs.STEP:
        names += psfs.typed_names()
    raw = request.form
    draft.typed[step] = {name: [v[:MAX_TYPED_LENGTH] for v in raw.getlist(name)[:MAX_TYPED_VALUES]]
                         for name in names if name in raw}
    store_draft(draft)


def typed_formdata(draft: Draft, step: str) -> MultiDict | None:
    """What was typed on `step` before going back, as form data to show again (None: nothing)."""
    typed = draft.typed.get(step)
    if not isinstance(typed, dict):
        return None
    return MultiDict([(name, str(v)) for name, values in typed.items() if isinstance(values, list)
                      for v in values])


# ------------------------------------------------------------------ the answers in words


def _answer_words(field, blank_choice: bool = False) -> str:
    """A field's answer as the form shows it ("" when not answered; with `blank_choice`, the
    words of a select's empty choice, such as "Not asked yet")."""
    data = field.data
    if field.type == "BooleanField":
        return "Yes" if data else ""
    if field.type in ("SelectField", "RadioField"):
        value = "" if data is None else str(data)
        if value == "" and not blank_choice:
            return ""
        return next((c.label for c in field.choices if str(c.value) == value), value)
    if field.type == "MultiCheckboxField":
        labels = {c.value: c.label for c in field.choices}
        return "; ".join(labels.get(v, v) for v in data or [])
    return "" if data is None else str(data).strip()


def summary(draft: Draft) -> list[tuple[str, str, list[tuple[str, str]], list[str]]]:
    """Every step's answers in words: [(step, title, [(question, answer)], [not answered])].

    The questions are the wizard's own labels (for findings: the intake model's titles), so
    the summary reads as the steps do. Unticked boxes are left out; empty findings are listed
    by name as not assessed; the PSFS scored at this visit is listed with the findings."""
    out = []
    for step in STEPS:
        form = form_class(step, draft.intake)(formdata=None, data=form_data(step, draft.intake),
                                              meta={"csrf": False})
        answers, empty = [], []
        for f in form:
            if f.type in ("CSRFTokenField", "HiddenField"):
                continue
            words = _answer_words(f, blank_choice=step == "modifiers")
            if words:
                answers.append((f.label.text, words))
            elif f.type not in ("BooleanField", "MultiCheckboxField"):
                empty.append(f.label.text)
        if step == "red_flags" and not any(form[name].data for name in forms.RED_FLAG_FIELDS):
            answers.insert(0, ("Red flags", "None ticked"))
        if step == psfs.STEP:  # the PSFS of this visit, changed on the same step
            answers += [(f"PSFS: {item['activity']}", f"{item['score']} of 10")
                        for item in draft.psfs or [] if item.get("activity")]
            if not draft.psfs:
                empty.append("PSFS (no activity scored at this visit)")
        out.append((step, STEP_TITLES[step], answers, empty if step == "findings" else []))
    return out
