"""The audit trail: who viewed, printed, exported, changed or erased what, and every login.

An entry names things by id (user, patient, plan), never by name: erasing a patient
leaves its entries readable without any personal data (rehab.portal.operations.erase_patient).
"""

from __future__ import annotations

from flask import has_request_context
from flask_login import current_user

from rehab.extensions import db
from rehab.models import AuditEntry


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
