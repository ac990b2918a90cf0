"""The audit trail: who viewed, printed, exported, changed or erased what, and every login.

An entry names things by id (user, patient, plan), never by name: erasing a patient
leaves its entries readable without any personal data (rehab.portal.operations.erase_patient).

Views are recorded once per window: a user opening the same page of the same record again
within VIEW_WINDOW of their last recorded view of it adds no entry (one indexed read, no
write), so the trail still says who looked at what and when, to within the window, while a
clinician moving between a patient's pages does not write and commit on every click.
Everything else (downloads, exports, changes, logins) is recorded every time.
"""

from __future__ import annotations

import datetime as dt

from flask import has_request_context
from flask_login import current_user

from rehab.extensions import db
from rehab.models import AuditEntry, utcnow

VIEW_WINDOW = dt.timedelta(minutes=10)


def record(action: str, object_type: str, object_id, *, patient_id: int | None = None,
           user_id: int | None = None, commit: bool = False, **detail) -> AuditEntry:
    """Add an entry by the given user (else the logged-in one); commit=True for a read."""
    if user_id is None and has_request_context() and current_user.is_authenticated:
        user_id = current_user.id
    entry = AuditEntry(user_id=user_id, action=action, object_type=object_type,
                       object_id=str(object_id if object_id is not None else ""),
                       patient_id=patient_id, detail=detail)
    db.session.add(entry)
    if commit:
        db.session.commit()
    return entry


_LOGGED_IN = object()


def record_view(action: str, object_type: str, object_id, *, patient_id: int | None = None,
                user_id=_LOGGED_IN, commit: bool = True, **detail) -> AuditEntry | None:
    """Record that the logged-in user (or `user_id`; None: the patient through their link)
    viewed something, unless the same viewer already has an entry for the same view (action,
    object and detail) within VIEW_WINDOW; None when it was skipped."""
    if user_id is _LOGGED_IN:
        user_id = current_user.id
    recent = db.session.execute(
        db.select(AuditEntry.detail).where(
            AuditEntry.object_type == object_type, AuditEntry.object_id == str(object_id),
            AuditEntry.user_id == user_id, AuditEntry.action == action,
            AuditEntry.at >= utcnow() - VIEW_WINDOW)).scalars().all()
    if any((seen or {}) == detail for seen in recent):
        return None
    return record(action, object_type, object_id, patient_id=patient_id, user_id=user_id, commit=commit, **detail)
