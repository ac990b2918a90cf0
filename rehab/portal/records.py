"""A patient's rights over their record: correct it, take a copy of all of it, erase it.

Used by the portal's patient pages and by `flask --app rehab patients export|erase`.
Each action leaves an audit entry; an erasure's entry and the patient's earlier entries
keep ids and counts only, never a name, a date of birth or a clinical detail.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

from sqlalchemy.exc import IntegrityError

from rehab import audit
from rehab.extensions import db
from rehab.models import AuditEntry, Clinic, Draft, Patient, Plan, PlanVersion, User, VersionPage
from rehab.portal import printing, progress
from rehab.portal.operations import ReferenceTaken

EDITABLE = ("first_name", "last_name", "reference", "date_of_birth", "sex")


def _plain(value):
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value


def update_details(patient: Patient, user_id: int | None, **values) -> dict:
    """Change the patient's details; the audit entry keeps the previous values of the fields
    that changed. Returns {field: (before, after)}."""
    values = {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items() if k in EDITABLE}
    changed = {k: (getattr(patient, k), v) for k, v in values.items() if getattr(patient, k) != v}
    if not changed:
        return {}
    for field, (_, after) in changed.items():
        setattr(patient, field, after)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise ReferenceTaken() from None
    audit.record("patient_edit", "patient", patient.id, patient_id=patient.id, user_id=user_id,
                 before={k: _plain(b) for k, (b, _) in changed.items()})
    db.session.commit()
    return changed


def _versions(patient_id: int) -> list[tuple[PlanVersion, Plan, str]]:
    return list(db.session.execute(
        db.select(PlanVersion, Plan, User.name).join(Plan, PlanVersion.plan_id == Plan.id)
        .outerjoin(User, PlanVersion.created_by_id == User.id)
        .where(Plan.patient_id == patient_id).order_by(Plan.id, PlanVersion.number)).all())


def export_zip(patient: Patient, user_id: int | None) -> bytes:
    """Everything held about the patient, in one zip: their details, every saved version as
    JSON (intake, plan, changes, note) with its PDF as printed, their own log, PSFS scores and
    plan links (never a token), and who did what with the record (the audit trail, by user
    id). Audited as an export."""
    clinic = db.session.get(Clinic, patient.clinic_id)
    buffer = io.BytesIO()
    versions = _versions(patient.id)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        details = {field: _plain(getattr(patient, field)) for field in ("id", *EDITABLE, "created_at")}
        details["clinic"] = clinic.name
        archive.writestr("patient.json", json.dumps(details, indent=2, ensure_ascii=False))
        for version, plan, author in versions:
            stem = f"plans/plan-{plan.id}/version-{version.number}"
            archive.writestr(f"{stem}.json", json.dumps({
                "plan_id": plan.id, "version": version.number, "diagnosis": plan.diagnosis,
                "saved_at": _plain(version.created_at), "saved_by": author or "", "note": version.note,
                "intake": version.intake, "plan": version.plan, "adjustments": version.adjustments,
            }, indent=2, ensure_ascii=False))
            pdf_details = printing.details_for(
                patient, clinic=clinic, clinician_name=author or "", plan_id=plan.id,
                plan_version=version.number, plan_date=version.created_at.date(),
                side=version.intake.get("side", "unspecified"),
                next_appointment=getattr(version, "next_appointment", "") or "")
            data, kind = printing.version_document(version, pdf_details)
            archive.writestr(f"{stem}-{kind}.pdf", data)
        archive.writestr("between-visits.json", json.dumps(progress.export_rows(patient.id), indent=2,
                                                            ensure_ascii=False))
        trail = db.session.execute(db.select(AuditEntry).where(AuditEntry.patient_id == patient.id)
                                   .order_by(AuditEntry.id)).scalars()
        archive.writestr("audit.json", json.dumps(
            [{"at": _plain(e.at), "user_id": e.user_id, "action": e.action} for e in trail], indent=2))
    audit.record("patient_export", "patient", patient.id, patient_id=patient.id, user_id=user_id,
                 versions=len(versions))
    db.session.commit()
    return buffer.getvalue()


def erase(patient: Patient, user_id: int | None) -> dict:
    """Remove the patient, their plans, versions, drafts, log, PSFS and links for good. The
    patient's audit entries stay (who did what, when) with their details emptied, and one more
    entry records the erasure with counts only. Returns the counts."""
    plan_ids = list(db.session.execute(db.select(Plan.id).where(Plan.patient_id == patient.id)).scalars())
    counts = {"plans": len(plan_ids), "versions": 0}
    counts.update(progress.erase_rows(patient.id))  # the log, PSFS and links name the versions: first
    if plan_ids:
        db.session.execute(db.delete(VersionPage).where(VersionPage.version_id.in_(
            db.select(PlanVersion.id).where(PlanVersion.plan_id.in_(plan_ids)))))
        counts["versions"] = db.session.execute(
            db.delete(PlanVersion).where(PlanVersion.plan_id.in_(plan_ids))).rowcount
        db.session.execute(db.delete(Plan).where(Plan.id.in_(plan_ids)))
    db.session.execute(db.delete(Draft).where(Draft.patient_id == patient.id))
    db.session.execute(db.update(AuditEntry).where(AuditEntry.patient_id == patient.id).values(detail={}))
    # the plans' entries name the plan, not the patient, in object_id: their details go too
    if plan_ids:
        db.session.execute(db.update(AuditEntry).where(
            AuditEntry.object_type == "plan", AuditEntry.object_id.in_([str(i) for i in plan_ids]))
            .values(detail={}))
    patient_id = patient.id
    db.session.delete(patient)
    audit.record("patient_erase", "patient", patient_id, patient_id=patient_id, user_id=user_id, **counts)
    db.session.commit()
    return counts
