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
import functools

from flask import has_request_context
from flask_login import current_user
from sqlalchemy import ColumnElement

from rehab.extensions import db
from rehab.models import AuditEntry, utcnow

VIEW_WINDOW = dt.timedelta(minutes=10)


_ADD = AuditEntry.__table__.insert()


def record(action: str, object_type: str, object_id, *, patient_id: int | None = None,
           user_id: int | None = None, commit: bool = False, **detail) -> int:
    """Add an entry by the given user (else the logged-in one) and return its id; commit=True
    for a read.

    Written at once, as a plain INSERT in the session's transaction (a third of a patient's
    log post went on the unit of work for this one row). Changes pending in the session are
    left to the caller's flush or commit, which still reports their clashes (a name taken, a
    row changed meanwhile) as the caller expects; the entry names only rows already written
    (the acting user), and the commit keeps both or neither."""
    if user_id is None and has_request_context() and current_user.is_authenticated:
        user_id = current_user.id
    with db.session.no_autoflush:
        added = db.session.execute(_ADD, {"user_id": user_id, "action": action, "object_type": object_type,
                                          "object_id": str(object_id if object_id is not None else ""),
                                          "patient_id": patient_id, "detail": detail})
    if commit:
        db.session.commit()
    return added.inserted_primary_key[0]


_LOGGED_IN = object()


def _column(value) -> ColumnElement | None:
    """`value` as a column of an enclosing query, if it is one (not a plain value)."""
    value = value.__clause_element__() if hasattr(value, "__clause_element__") else value
    return value if isinstance(value, ColumnElement) else None


def _same(path, value):
    """SQL: the detail's `path` equals `value` (a plain value, or a column of an enclosing
    query). Numbers and text compare as text: no cast can fail on another entry's detail."""
    column = _column(value)
    if value is None:
        return path.as_string().is_(None)
    if (column.type.python_type if column is not None else type(value)) is bool:
        return path.as_boolean() == value
    return path.as_string() == (db.cast(column, db.String) if column is not None else str(value))


def window_start() -> dt.datetime:
    """The earliest time a view still counts as recent."""
    return utcnow() - VIEW_WINDOW


def seen_recently(action: str, object_type: str, object_id, user_id, detail: dict, since=None):
    """SQL EXISTS: the viewer (None: the patient) already has an entry for this view (action,
    object and detail) since `since` (default: window_start()). `object_id`, the detail's
    values and `since` may be columns or parameters of an enclosing query: the patient's page
    asks it in the query that reads its link. The detail is matched key by key: each view
    action is written by one call, always with the same keys."""
    column = _column(object_id)
    object_id = db.cast(column, AuditEntry.object_id.type) if column is not None else str(object_id)
    return db.select(AuditEntry.id).where(
        AuditEntry.object_type == object_type, AuditEntry.object_id == object_id,
        AuditEntry.user_id.is_(None) if user_id is None else AuditEntry.user_id == user_id,
        AuditEntry.action == action, AuditEntry.at >= (window_start() if since is None else since),
        *(_same(AuditEntry.detail[key], value) for key, value in detail.items())).exists()


_SQL_TYPES = {bool: db.Boolean, int: db.Integer, float: db.Float, str: db.String}


@functools.lru_cache(maxsize=128)
def _seen_statement(action: str, object_type: str, anonymous: bool, shape: tuple):
    """record_view's check for one action and detail shape ((key, type of value), ...),
    with parameters: built once, since building it costs more than running it."""
    detail = {key: None if kind is type(None) else db.bindparam(f"d_{key}", type_=_SQL_TYPES.get(kind, db.String))
              for key, kind in shape}
    return db.select(seen_recently(action, object_type, db.bindparam("object_id", type_=db.String),
                                   None if anonymous else db.bindparam("user_id"), detail,
                                   since=db.bindparam("since")))


def record_view(action: str, object_type: str, object_id, *, patient_id: int | None = None,
                user_id=_LOGGED_IN, commit: bool = True, **detail) -> bool:
    """Record that the logged-in user (or `user_id`; None: the patient through their link)
    viewed something, unless the same viewer already has an entry for the same view
    (`seen_recently`); False when it was skipped."""
    if user_id is _LOGGED_IN:
        user_id = current_user.id
    shape = tuple((key, type(value)) for key, value in detail.items())
    params = {f"d_{key}": value for key, value in detail.items() if value is not None}
    if db.session.execute(_seen_statement(action, object_type, user_id is None, shape), params | {
            "object_id": str(object_id), "user_id": user_id, "since": window_start()}).scalar():
        return False
    record(action, object_type, object_id, patient_id=patient_id, user_id=user_id, commit=commit, **detail)
    return True
