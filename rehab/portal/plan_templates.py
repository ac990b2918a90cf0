"""Clinic templates: a clinician's reviewed plan changes, saved under a name for one diagnosis
and applied to another patient's new plan.

A template holds only the planner's adjustment dicts (rehab.planner.adjustments). Applying
it is the same as making each change by hand: every change is re-checked by the planner
against this patient (`operations.try_adjustment`), the ones it refuses are reported with
the planner's reason, and nothing here looks at a safety rule itself.

Who may do what: any clinician (or admin) of the clinic lists, views and applies its live
templates; the template's author or an admin of the clinic renames, edits (removes changes
from) and retires it. Retired templates are no longer offered but are kept, with their audit
entries (template_create, template_edit, template_apply, template_apply_undo, template_retire).
"""

from __future__ import annotations

from typing import NamedTuple

from flask import abort
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from rehab import audit
from rehab.extensions import db
from rehab.models import AuditEntry, PlanTemplate, User, fold, utcnow
from rehab.planner import AdjustmentError
from rehab.planner.adjustments import validated
from rehab.portal import operations

NAME_MAX = 80
DESCRIPTION_MAX = 500
MAX_CHANGES = operations.MAX_ADJUSTMENTS  # what one draft can hold


class NameTaken(Exception):
    """Another live template of the clinic has this name for the diagnosis."""


class TemplateConflict(Exception):
    """Someone else changed or retired the template since the form was opened."""


def name_key(name: str) -> str:
    """The name as uniqueness compares it: no case, no accents, single spaces."""
    return " ".join(fold(name).split())[:NAME_MAX]


def may_edit(template: PlanTemplate, user) -> bool:
    """The author or an admin of the clinic renames, edits and retires a template."""
    return template.clinic_id == user.clinic_id and (user.is_admin or template.created_by_id == user.id)


# ------------------------------------------------------------------ reading (scoped to a clinic)


def get_template(clinic_id: int, template_id: int) -> PlanTemplate:
    """The clinic's template (live or retired), or 404."""
    template = db.session.execute(db.select(PlanTemplate).where(
        PlanTemplate.id == template_id, PlanTemplate.clinic_id == clinic_id)).scalar_one_or_none()
    if template is None:
        abort(404)
    return template


def clinic_templates(clinic_id: int, diagnosis: str | None = None, *, retired: bool = False
                     ) -> list[tuple[PlanTemplate, str]]:
    """The clinic's live (or retired) templates with their author's name, by diagnosis and name."""
    query = (db.select(PlanTemplate, User.name).outerjoin(User, PlanTemplate.created_by_id == User.id)
             .where(PlanTemplate.clinic_id == clinic_id,
                    PlanTemplate.retired_at.is_not(None) if retired else PlanTemplate.retired_at.is_(None)))
    if diagnosis is not None:
        query = query.where(PlanTemplate.diagnosis == diagnosis)
    return [(t, name or "") for t, name in db.session.execute(
        query.order_by(PlanTemplate.diagnosis, PlanTemplate.name_key, PlanTemplate.id))]


def name_taken(clinic_id: int, diagnosis: str, name: str, except_id: int | None = None) -> bool:
    return db.session.execute(db.select(PlanTemplate.id).where(
        PlanTemplate.clinic_id == clinic_id, PlanTemplate.diagnosis == diagnosis,
        PlanTemplate.name_key == name_key(name), PlanTemplate.retired_at.is_(None),
        PlanTemplate.id != (except_id or 0))).first() is not None


# ------------------------------------------------------------------ changing


def _commit(conflict: type[Exception]) -> None:
    try:
        db.session.commit()
    except IntegrityError:  # the form checked the name; another request took it since
        db.session.rollback()
        raise conflict() from None
    except StaleDataError:
        db.session.rollback()
        raise TemplateConflict() from None


def create_template(clinic_id: int, user, *, diagnosis: str, name: str, description: str,
                    changes: list[dict]) -> PlanTemplate:
    """Save `changes` (checked for shape by the planner's validator) as a live template."""
    if not changes or len(changes) > MAX_CHANGES:
        raise AdjustmentError(f"A template holds 1 to {MAX_CHANGES} changes.")
    template = PlanTemplate(clinic_id=clinic_id, diagnosis=diagnosis, name=name.strip(),
                            name_key=name_key(name), description=(description or "").strip(),
                            changes=validated(changes), created_by_id=user.id)
    db.session.add(template)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise NameTaken() from None
    audit.record("template_create", "plan_template", template.id, user_id=user.id,
                 diagnosis=diagnosis, changes=len(template.changes))
    _commit(NameTaken)
    return template


def update_template(template: PlanTemplate, user, *, version: int, name: str, description: str,
                    keep: list[int]) -> list[str]:
    """Rename, describe and keep only the changes at positions `keep` (at least one); the
    names of the fields changed (empty: nothing to save). TemplateConflict when `version`
    is not the one stored, NameTaken when another live template took the name meanwhile."""
    if template.retired_at is not None or template.version != version:
        raise TemplateConflict()
    changes = [c for i, c in enumerate(template.changes) if i in set(keep)]
    if not changes:
        raise AdjustmentError("Keep at least one change (or retire the template).")
    before = {"name": template.name, "description": template.description, "changes": template.changes}
    after = {"name": name.strip(), "description": (description or "").strip(), "changes": changes}
    changed = [field for field in before if before[field] != after[field]]
    if not changed:
        return []
    template.name, template.name_key = after["name"], name_key(after["name"])
    template.description, template.changes = after["description"], changes
    audit.record("template_edit", "plan_template", template.id, user_id=user.id, fields=changed,
                 **({"removed": len(before["changes"]) - len(changes)} if "changes" in changed else {}))
    _commit(NameTaken)
    return changed


def retire_template(template: PlanTemplate, user, *, version: int) -> None:
    """No longer offered; kept for the audit trail."""
    if template.retired_at is not None or template.version != version:
        raise TemplateConflict()
    template.retired_at, template.retired_by_id = utcnow(), user.id
    audit.record("template_retire", "plan_template", template.id, user_id=user.id)
    _commit(TemplateConflict)


# ------------------------------------------------------------------ applying to a draft


class Outcome(NamedTuple):
    """What applying a template did to a draft: the changes made, in order, and the ones the
    planner refused, each with its reason."""

    applied: list[dict]
    refused: list[tuple[dict, str]]


def apply_to_draft(template: PlanTemplate, draft, library: dict) -> Outcome:
    """Make each of the template's changes after the draft's own, as the planner allows them
    for this patient (the draft is changed in place; the caller stores it)."""
    applied, refused = [], []
    for change in template.changes:
        try:
            operations.try_adjustment(draft, change, library)
        except AdjustmentError as exc:
            refused.append((change, exc.reason))
        else:
            applied.append(change)
    return Outcome(applied, refused)


def record_apply(template: PlanTemplate, patient_id: int, user, before: int, outcome: Outcome) -> int:
    """The audit entry of an apply (its id), committed with the draft by the caller's store; it also
    keeps what the result page shows and what "take it back" removes (the draft's changes
    from position `before` on)."""
    return audit.record("template_apply", "plan_template", template.id, patient_id=patient_id, user_id=user.id,
                         before=before, applied=outcome.applied,
                         refused=[[change, reason] for change, reason in outcome.refused])


def get_apply(entry_id: int, patient_id: int, user) -> AuditEntry:
    """The user's own apply on this patient's draft, or 404."""
    entry = db.session.execute(db.select(AuditEntry).where(
        AuditEntry.id == entry_id, AuditEntry.action == "template_apply", AuditEntry.user_id == user.id,
        AuditEntry.patient_id == patient_id)).scalar_one_or_none()
    if entry is None or "applied" not in (entry.detail or {}):  # erased details: nothing to show
        abort(404)
    return entry


def can_undo(entry: AuditEntry, draft) -> bool:
    """The apply's changes are still the draft's last ones, untouched since."""
    before, applied = entry.detail["before"], entry.detail["applied"]
    return bool(applied) and draft is not None and draft.adjustments[before:] == applied


def undo_apply(entry: AuditEntry, draft, user) -> int:
    """Take the apply's changes back from the draft (the caller stores it); how many."""
    before = entry.detail["before"]
    count = len(draft.adjustments) - before
    draft.adjustments = draft.adjustments[:before]
    audit.record("template_apply_undo", "plan_template", entry.object_id, patient_id=entry.patient_id,
                 user_id=user.id, apply_entry=entry.id, changes=count)
    return count
