"""What the portal changes: patients, drafts and saved plan versions.

Each function takes plain values (and the current user) and returns what it made;
the views only translate requests and responses. The planner decides every
clinical question: these functions never look at tags or rules themselves.
"""

from __future__ import annotations

import datetime as dt

from flask import abort
from sqlalchemy import func, or_

from rehab.catalog import library_from_db
from rehab.extensions import db
from rehab.models import AuditEntry, Exercise, ExerciseTag, Patient, Plan, PlanVersion, User
from rehab.planner import AdjustmentError, apply_adjustments, make_plan, parse_intake
from rehab.portal.wizard import Draft, age_on

# ------------------------------------------------------------------ reading (scoped to a clinic)


def _parse_date(text: str) -> dt.date | None:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _prefix(column, text: str):
    """Case-insensitive `column starts with text`, with LIKE wildcards taken literally."""
    pattern = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    if db.session.get_bind().dialect.name == "sqlite":  # SQLite's LIKE ignores (ASCII) case already
        return column.like(pattern, escape="\\")
    return column.ilike(pattern, escape="\\")


def patient_query(clinic_id: int, q: str | None = None):
    """The clinic's patients, by name; `q` matches a name, a reference number or a date of birth."""
    query = db.select(Patient).where(Patient.clinic_id == clinic_id)
    q = (q or "").strip()
    if q:
        born = _parse_date(q)
        if born is not None:
            query = query.where(Patient.date_of_birth == born)
        else:
            names = [or_(_prefix(Patient.first_name, w), _prefix(Patient.last_name, w)) for w in q.split()]
            query = query.where(or_(_prefix(Patient.reference, q), db.and_(*names)))
    return query.order_by(Patient.last_name, Patient.first_name, Patient.id)


def get_patient(clinic_id: int, patient_id: int) -> Patient:
    """The patient, or 404 when it does not exist or belongs to another clinic."""
    patient = db.session.execute(db.select(Patient).where(
        Patient.id == patient_id, Patient.clinic_id == clinic_id)).scalar_one_or_none()
    if patient is None:
        abort(404)
    return patient


def get_plan(clinic_id: int, plan_id: int) -> Plan:
    plan = db.session.execute(db.select(Plan).join(Plan.patient).where(
        Plan.id == plan_id, Patient.clinic_id == clinic_id)).scalar_one_or_none()
    if plan is None:
        abort(404)
    return plan


def get_version(clinic_id: int, plan_id: int, number: int):
    """A saved version with its plan, patient, author's name and the plan's latest version
    number, in one query (or 404): (version, plan, patient, author, latest)."""
    latest = (db.select(func.max(PlanVersion.number)).where(PlanVersion.plan_id == Plan.id)
              .correlate(Plan).scalar_subquery())
    row = db.session.execute(
        db.select(PlanVersion, Plan, Patient, User.name, latest)
        .join(Plan, PlanVersion.plan_id == Plan.id)
        .join(Patient, Plan.patient_id == Patient.id)
        .outerjoin(User, PlanVersion.created_by_id == User.id)
        .where(PlanVersion.plan_id == plan_id, PlanVersion.number == number,
               Patient.clinic_id == clinic_id)).first()
    if row is None:
        abort(404)
    return row[0], row[1], row[2], row[3] or "", row[4]


def version_numbers(plan_id: int) -> list[int]:
    return list(db.session.execute(db.select(PlanVersion.number).where(
        PlanVersion.plan_id == plan_id).order_by(PlanVersion.number)).scalars())


def plan_versions(plan_id: int) -> list[tuple[PlanVersion, str]]:
    """Every version of a plan with its author's name (one query)."""
    return [(v, name or "") for v, name in db.session.execute(
        db.select(PlanVersion, User.name).outerjoin(User, PlanVersion.created_by_id == User.id)
        .where(PlanVersion.plan_id == plan_id).order_by(PlanVersion.number))]


def patient_plans(patient_id: int) -> list[dict]:
    """The patient's plans, each with its latest version's number, phase and referral level."""
    plans = db.session.execute(db.select(Plan).where(Plan.patient_id == patient_id)
                               .order_by(Plan.id.desc())).scalars().all()
    latest = {}
    if plans:
        newest = (db.select(PlanVersion.plan_id, func.max(PlanVersion.number).label("n"))
                  .where(PlanVersion.plan_id.in_([p.id for p in plans])).group_by(PlanVersion.plan_id)
                  .subquery())
        for v in db.session.execute(db.select(PlanVersion).join(
                newest, db.and_(PlanVersion.plan_id == newest.c.plan_id,
                                PlanVersion.number == newest.c.n))).scalars():
            latest[v.plan_id] = v
    return [{"plan": p, "latest": latest.get(p.id)} for p in plans]


def library_rows() -> list[dict]:
    """The current library for listing: slug, name, category and tags (two plain queries, no ORM objects)."""
    tags: dict[int, list[str]] = {}
    for exercise_id, tag in db.session.execute(
            db.select(ExerciseTag.exercise_id, ExerciseTag.tag).order_by(ExerciseTag.tag)):
        tags.setdefault(exercise_id, []).append(tag)
    return [{"slug": slug, "name": name, "category": category, "tags": tags.get(id_, [])}
            for id_, slug, name, category in db.session.execute(
                db.select(Exercise.id, Exercise.slug, Exercise.name, Exercise.category)
                .where(Exercise.retired.is_(False)).order_by(Exercise.name))]


# ------------------------------------------------------------------ patients


def create_patient(clinic_id: int, user: User, *, first_name: str, last_name: str, reference: str,
                   date_of_birth: dt.date | None, sex: str) -> Patient:
    patient = Patient(clinic_id=clinic_id, first_name=first_name.strip(), last_name=last_name.strip(),
                      reference=reference.strip(), date_of_birth=date_of_birth, sex=sex,
                      created_by_id=user.id)
    db.session.add(patient)
    db.session.flush()
    db.session.add(AuditEntry(user_id=user.id, action="patient_create", object_type="patient",
                              object_id=str(patient.id)))
    db.session.commit()
    return patient


# ------------------------------------------------------------------ drafts


def new_draft(patient: Patient, today: dt.date) -> Draft:
    """A fresh wizard for a new plan, with what the patient record already knows."""
    intake: dict = {"sex": patient.sex or "unspecified"}
    age = age_on(patient.date_of_birth, today)
    if age is not None:
        intake["age"] = age
    return Draft(patient_id=patient.id, intake=intake)


def reassessment_draft(version: PlanVersion, plan: Plan, patient: Patient, today: dt.date) -> Draft:
    """The wizard prefilled from the last version, with dates moved on to today."""
    intake = {k: v for k, v in version.intake.items()}
    findings = dict(intake.get("findings") or {})
    saved_on = version.created_at.date()
    elapsed = max(0, (today - saved_on).days)
    if elapsed and findings.get("days_since_onset") is not None:
        findings["days_since_onset"] = min(3650, findings["days_since_onset"] + elapsed)
    if elapsed >= 7 and findings.get("weeks_in_programme") is not None:
        findings["weeks_in_programme"] += elapsed // 7
    intake["findings"] = findings
    age = age_on(patient.date_of_birth, today)
    if age is not None:
        intake["age"] = age
    return Draft(patient_id=patient.id, plan_id=plan.id, base_version=version.number, intake=intake,
                 adjustments=list(version.adjustments or []))


def build_plan(draft: Draft, library: dict | None = None):
    """The draft's plan, with the adjustments that still apply.

    Returns (plan, kept adjustments, dropped [(adjustment, reason)]). A change the
    planner no longer accepts (say the phase moved on after new findings) is dropped
    and reported rather than failing the whole plan.
    """
    library = library if library is not None else library_from_db()
    intake = parse_intake(draft.intake)
    if not draft.adjustments:
        return make_plan(intake, library), [], []
    try:
        return apply_adjustments(intake, library, draft.adjustments), list(draft.adjustments), []
    except AdjustmentError:
        pass
    kept, dropped, plan = [], [], make_plan(intake, library)
    for adjustment in draft.adjustments:
        try:
            plan = apply_adjustments(intake, library, kept + [adjustment])
        except AdjustmentError as exc:
            dropped.append((adjustment, exc.reason))
        else:
            kept.append(adjustment)
    return plan, kept, dropped


MAX_ADJUSTMENTS = 40  # the draft lives in the session cookie, which must stay small


def try_adjustment(draft: Draft, adjustment: dict, library: dict | None = None):
    """The plan with one more change, judged by the planner (raises AdjustmentError)."""
    if len(draft.adjustments) >= MAX_ADJUSTMENTS:
        raise AdjustmentError(f"A draft holds at most {MAX_ADJUSTMENTS} changes: save this version, "
                              "then reassess to change more.")
    library = library if library is not None else library_from_db()
    plan = apply_adjustments(parse_intake(draft.intake), library, draft.adjustments + [adjustment])
    draft.adjustments = draft.adjustments + [adjustment]
    return plan


def save_draft(draft: Draft, patient: Patient, user: User, note: str = "") -> PlanVersion:
    """Freeze the draft as the next version: intake, adjusted plan, adjustments and figures."""
    library = library_from_db()
    plan, kept, _ = build_plan(draft, library)
    figures = {item.exercise_id: library[item.exercise_id].figure.model_dump(mode="json")
               for phase in plan.phases for item in phase.items if item.exercise_id in library}
    if draft.plan_id is not None:
        plan_row = get_plan(patient.clinic_id, draft.plan_id)
        plan_row.diagnosis = plan.diagnosis
    else:
        plan_row = Plan(patient_id=patient.id, diagnosis=plan.diagnosis, created_by_id=user.id)
        db.session.add(plan_row)
        db.session.flush()
    number = (db.session.execute(db.select(func.max(PlanVersion.number)).where(
        PlanVersion.plan_id == plan_row.id)).scalar() or 0) + 1
    version = PlanVersion(plan_id=plan_row.id, number=number, intake=draft.intake, plan=plan.to_dict(),
                          figures=figures, adjustments=kept, note=note.strip(), created_by_id=user.id)
    db.session.add(version)
    db.session.add(AuditEntry(user_id=user.id, action="plan_version_save", object_type="plan",
                              object_id=str(plan_row.id),
                              detail={"version": number, "allowed": plan.allowed,
                                      "referral": plan.referral.level}))
    db.session.commit()
    return version
