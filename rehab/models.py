"""Database tables. Logic that changes state lives in the blueprints' operations.

Timestamps are aware UTC datetimes (see rehab.extensions.UTCDateTime).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timezone

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import (JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint, bindparam, delete, event,
                        false, func, insert, select, text)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from rehab.extensions import db

ROLES = ("clinician", "admin")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Clinic(db.Model):
    """A clinic and its settings, printed on every plan and letter (admin "Clinic settings")."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    address: Mapped[str] = mapped_column(String(300), default="", server_default="")
    phone: Mapped[str] = mapped_column(String(40), default="", server_default="")
    email: Mapped[str] = mapped_column(String(254), default="", server_default="")
    hours: Mapped[str] = mapped_column(String(200), default="", server_default="")
    out_of_hours: Mapped[str] = mapped_column(String(200), default="", server_default="")
    logo: Mapped[bytes | None] = mapped_column(LargeBinary)  # PNG, re-encoded on upload
    page_size: Mapped[str] = mapped_column(String(10), default="A4", server_default="A4")


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(20), default="clinician")
    job_title: Mapped[str] = mapped_column(String(80), default="", server_default="")  # printed after the name
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Part of every session cookie: bumping it (logout everywhere, a new password,
    # deactivation) ends every session signed before.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())
    last_login_at: Mapped[datetime | None]

    clinic: Mapped[Clinic] = relationship()

    def set_password(self, password: str) -> None:
        """Hash the password; ends the user's other sessions when it replaces one."""
        if self.password_hash:
            self.end_sessions()
        # the tests choose a cheap method (config.TEST); the hash names its method, so any verifies
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt") if has_app_context() else "scrypt"
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def end_sessions(self) -> None:
        self.session_version = (self.session_version or 1) + 1

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active


class Exercise(db.Model):
    """The current version of a library exercise; `data` is the schema's JSON form."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    category: Mapped[str] = mapped_column(String(40), index=True)
    data: Mapped[dict] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(default=1)  # optimistic locking
    retired: Mapped[bool] = mapped_column(default=False, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    tags: Mapped[list["ExerciseTag"]] = relationship(
        back_populates="exercise", cascade="all, delete-orphan", lazy="selectin")
    revisions: Mapped[list["ExerciseRevision"]] = relationship(
        back_populates="exercise", order_by="ExerciseRevision.version", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}


class ExerciseTag(db.Model):
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercise.id"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)

    exercise: Mapped[Exercise] = relationship(back_populates="tags")


class ExerciseRevision(db.Model):
    """Audit trail of the library: every create, edit, retire, revert and file load."""

    id: Mapped[int] = mapped_column(primary_key=True)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercise.id"), index=True)
    version: Mapped[int]
    action: Mapped[str] = mapped_column(String(20))  # create, edit, retire, restore, revert, load
    data: Mapped[dict] = mapped_column(JSON)  # full snapshot after the change
    diff: Mapped[dict] = mapped_column(JSON, default=dict)  # field -> [before, after]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    exercise: Mapped[Exercise] = relationship(back_populates="revisions")
    user: Mapped[User | None] = relationship()

    __table_args__ = (UniqueConstraint("exercise_id", "version"),)


def fold(text: str) -> str:
    """Lower case without accents ("Núñez" -> "nunez"), as the patient search compares."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)).casefold()


def fold_words(text: str) -> list[str]:
    """The folded words of `text`: letters and digits, split at anything else."""
    return re.findall(r"[^\W_]+", fold(text or ""))


def search_words(*texts: str) -> str:
    """The words of `texts`, folded, each after a space (LIKE '% word%' finds a word by its
    start): letters and digits split at anything else, plus the words of a run without spaces
    together, so "O'Brien" gives "o", "brien" and "obrien", "MRN-1001" "mrn", "1001", "mrn1001"."""
    words: list[str] = []
    for run in " ".join(texts).split():
        parts = fold_words(run)
        words += parts + (["".join(parts)] if len(parts) > 1 else [])
    return "".join(f" {w}" for w in dict.fromkeys(words))


def _patient_search_words(context) -> str:
    row = context.get_current_parameters()
    return search_words(*(row.get(name) or "" for name in ("first_name", "last_name", "reference")))


class Patient(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"))
    reference: Mapped[str] = mapped_column(String(40))
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    date_of_birth: Mapped[date | None]
    sex: Mapped[str] = mapped_column(String(20), default="unspecified")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # the name and reference words the search compares (search_words), kept by insert and update
    search_words: Mapped[str] = mapped_column(Text, default=_patient_search_words, server_default="")

    plans: Mapped[list["Plan"]] = relationship(back_populates="patient", order_by="Plan.id")

    __table_args__ = (UniqueConstraint("clinic_id", "reference"),)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


# The patient list is ordered by lower(last name), lower(first name), id and searched by
# word starts (PatientWordStart) or date of birth (rehab.portal.operations.patient_page): one index in the
# list's order, which pages, keyset cursors and word searches read in order and leave after
# a page; one in that order within a date of birth. The names are compared byte by byte: SQLite does so anyway, and on
# PostgreSQL the migration (c3f1d2e4a5b6) gives each lower() COLLATE "C", as the queries
# do; it is not repeated here because Alembic cannot reflect an index's collation to
# compare it.
Index("ix_patient_clinic_name", Patient.clinic_id, func.lower(Patient.last_name),
      func.lower(Patient.first_name), Patient.id,  # with the page's columns: a page by offset reads the index alone
      postgresql_include=["last_name", "first_name", "reference", "date_of_birth", "sex"])
Index("ix_patient_clinic_dob_name", Patient.clinic_id, Patient.date_of_birth, func.lower(Patient.last_name),
      func.lower(Patient.first_name), Patient.id)


WORD_START = 8  # letters: a start this long picks few patients, even in a clinic of 100,000


def word_starts(words: str) -> set[str]:
    """The first one to WORD_START letters of each of `words` (a patient's search words)."""
    return {word[:n] for word in words.split() for n in range(1, WORD_START + 1)}


_LIST_KEY = Text().with_variant(Text(collation="C"), "postgresql")  # compared byte by byte, as the list


class PatientWordStart(db.Model):
    """How a word search finds patients in list order: one row per patient and start (the
    first one to WORD_START letters) of one of their search words, with the patient's place
    in the list (lower last name, lower first name, id). A search reads the rows of its
    longest word's start in that order, one short index range however many patients match,
    and keeps those whose search words match every word (rehab.portal.operations).
    Written with the patient (index_word_starts, from the ORM events below; a bulk insert
    calls it itself)."""

    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), primary_key=True)
    start: Mapped[str] = mapped_column(String(WORD_START), primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"))
    last_key: Mapped[str] = mapped_column(_LIST_KEY)
    first_key: Mapped[str] = mapped_column(_LIST_KEY)


Index("ix_patient_word_start_list", PatientWordStart.clinic_id, PatientWordStart.start, PatientWordStart.last_key,
      PatientWordStart.first_key, PatientWordStart.patient_id)

_SEARCH_WORDS_OF = select(Patient.id, Patient.search_words).where(Patient.id.in_(bindparam("ids", expanding=True)))
_ADD_WORD_START = insert(PatientWordStart).from_select(
    ["patient_id", "start", "clinic_id", "last_key", "first_key"],
    select(Patient.id, bindparam("start", type_=String()), Patient.clinic_id, func.lower(Patient.last_name),
           func.lower(Patient.first_name)).where(Patient.id == bindparam("pid")))


def index_word_starts(connection, patient_ids) -> None:
    """(Re)write the word starts of these patients from their stored search words and names
    (the list keys come from the database's lower(), as the list's own order does)."""
    ids = list(patient_ids)
    rows = connection.execute(_SEARCH_WORDS_OF, {"ids": ids}).all()
    connection.execute(delete(PatientWordStart).where(PatientWordStart.patient_id.in_(ids)))
    params = [{"pid": pid, "start": start} for pid, words in rows for start in sorted(word_starts(words))]
    if params:
        connection.execute(_ADD_WORD_START, params)


@event.listens_for(Patient, "after_insert")
@event.listens_for(Patient, "after_update")
def _rewrite_word_starts(mapper, connection, patient: Patient) -> None:
    index_word_starts(connection, [patient.id])


@event.listens_for(Patient, "before_delete")
def _delete_word_starts(mapper, connection, patient: Patient) -> None:
    connection.execute(delete(PatientWordStart).where(PatientWordStart.patient_id == patient.id))


@event.listens_for(Patient, "before_update")
def _refresh_search_words(mapper, connection, patient: Patient) -> None:
    patient.search_words = search_words(patient.first_name, patient.last_name, patient.reference)


class Plan(db.Model):
    """A patient's plan; its content lives in immutable PlanVersion snapshots."""

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    diagnosis: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    patient: Mapped[Patient] = relationship(back_populates="plans")
    versions: Mapped[list["PlanVersion"]] = relationship(
        back_populates="plan_obj", order_by="PlanVersion.number")


class PlanVersion(db.Model):
    """Everything printed, frozen: later library edits never change a saved version."""

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    number: Mapped[int]
    intake: Mapped[dict] = mapped_column(JSON)
    plan: Mapped[dict] = mapped_column(JSON)  # the plan JSON as adjusted and saved
    figures: Mapped[dict] = mapped_column(JSON)  # exercise_id -> figure, as printed
    adjustments: Mapped[list] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(Text, default="")
    next_appointment: Mapped[str] = mapped_column(String(120), default="", server_default="")  # printed
    # between-visits figures of the version reassessed, as they stood when this one was saved
    # (rehab.portal.progress.snapshot); None for a first version or one saved before the log
    progress: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    # `plan` is the saved plan JSON, so the relationship to the Plan row is `plan_obj`.
    plan_obj: Mapped[Plan] = relationship("Plan", back_populates="versions")
    created_by: Mapped[User | None] = relationship()

    __table_args__ = (UniqueConstraint("plan_id", "number"),)


class VersionPage(db.Model):
    """A saved version's page parts as drawn (rehab.portal.rendering.version_parts), so that a
    version is drawn once for the whole installation rather than once per worker. `stamp`
    names the code and mount point they were drawn with: a deploy that changes either draws
    them anew. Derived data: erased with the version, never exported."""

    version_id: Mapped[int] = mapped_column(ForeignKey("plan_version.id"), primary_key=True)
    stamp: Mapped[str] = mapped_column(String(64))
    heading: Mapped[str] = mapped_column(Text)
    before_toolbar: Mapped[str] = mapped_column(Text)
    downloads: Mapped[str] = mapped_column(Text)
    after_toolbar: Mapped[str] = mapped_column(Text)
    allowed: Mapped[bool]


class AuditEntry(db.Model):
    """Who did what, for things other than library edits (logins, views, plans, users).

    `patient_id` is a plain number, not a foreign key: the entry outlives an erased patient.
    `detail` never holds a password; erasing a patient empties the details of its entries.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(64))
    patient_id: Mapped[int | None] = mapped_column(index=True)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)

    # a record's entries, and "was this view recorded within the window" (rehab.audit.seen_recently)
    __table_args__ = (Index("ix_audit_entry_object_action_at", "object_type", "object_id", "action", "at"),)


class Draft(db.Model):
    """An unsaved plan (the wizard's answers and changes): one per patient and clinician.

    Kept on the server, never in the cookie; `version` catches two tabs writing at once.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    data: Mapped[dict] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)

    __table_args__ = (UniqueConstraint("user_id", "patient_id"),)
    __mapper_args__ = {"version_id_col": version}


class LoginAttempt(db.Model):
    """Login attempts counted by the login limit when no redis is configured (shared by
    every worker through the database). `key` is "addr:<ip>" or "account:<email digest>"."""

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    __table_args__ = (Index("ix_login_attempt_key_at", "key", "at"),)


class PatientLink(db.Model):
    """A patient's private link to one saved plan version (the QR code on the printed plan).

    Only the SHA-256 of the token is stored, with the salt it is derived from. The link stops working when it is revoked, when
    it expires, or when a newer version of its plan is saved (the page then says so).
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("plan_version.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # the token is HMAC(SECRET_KEY, salt) (rehab.patient_link): shown and printed again at will
    salt: Mapped[str] = mapped_column(String(32), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # the patient's writes (log and PSFS posts) in the write limit's current window, counted
    # on the link's own row (rehab.patient_link.count_write): the count's row lock also lets
    # one write of the link run at a time
    writes_from: Mapped[datetime | None]
    writes: Mapped[int] = mapped_column(default=0, server_default="0")

    patient: Mapped[Patient] = relationship()
    version: Mapped[PlanVersion] = relationship()


class LogDay(db.Model):
    """One day of the patient's own log for one plan version.

    `ticks` maps exercise id -> sessions done that day (0..per_day); `symptoms` lists the
    "new symptom" answers that were yes. `alert` is set when the day triggers the safety
    advice (pain 8/10 or more, or any new symptom); the clinician clears it by marking it seen.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"))  # indexed by ix_log_day_patient_alert
    version_id: Mapped[int] = mapped_column(ForeignKey("plan_version.id"))
    day: Mapped[date]
    ticks: Mapped[dict] = mapped_column(JSON, default=dict)
    pain: Mapped[int | None]
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    symptoms: Mapped[list] = mapped_column(JSON, default=list)
    alert: Mapped[bool] = mapped_column(default=False, server_default=false())
    alert_seen_at: Mapped[datetime | None]
    alert_seen_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # what raised the alert, kept while it is unseen however the day is corrected:
    # {"pain": the highest pain reported, "symptoms": every symptom reported} (rehab.patient_log.reported)
    alert_reported: Mapped[dict | None] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (UniqueConstraint("version_id", "day"),
                      Index("ix_log_day_patient_alert", "patient_id", "alert"))


class PsfsScore(db.Model):
    """Patient-Specific Functional Scale: up to three activities the patient names, each
    rated 0 (unable) to 10 (as before the problem). Taken in the wizard ("clinic") at the
    first visit and each reassessment, and weekly from the patient's page ("patient")."""

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("plan_version.id"))
    taken_on: Mapped[date]
    source: Mapped[str] = mapped_column(String(10))  # "clinic" or "patient"
    items: Mapped[list] = mapped_column(JSON)  # [{"activity": str, "score": 0..10}, ...] (1-3)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PlanTemplate(db.Model):
    """A clinic's named set of plan changes for one diagnosis (rehab.portal.plan_templates).

    `changes` holds the planner's adjustment dicts (rehab.planner.adjustments), re-checked
    against each patient when applied: a template never carries a safety decision of its own.
    A retired template is no longer offered but kept, with its audit entries.
    `name_key` (the name folded, rehab.models.fold) is unique per clinic and diagnosis among
    the live templates.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"))
    diagnosis: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(80))
    name_key: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(String(500), default="", server_default="")
    changes: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    retired_at: Mapped[datetime | None]
    retired_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    version: Mapped[int] = mapped_column(default=1)  # optimistic locking: two editors at once

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    __table_args__ = (
        Index("ix_plan_template_clinic_diagnosis", "clinic_id", "diagnosis"),
        Index("uq_plan_template_live_name", "clinic_id", "diagnosis", "name_key", unique=True,
              sqlite_where=text("retired_at IS NULL"), postgresql_where=text("retired_at IS NULL")),
    )
    __mapper_args__ = {"version_id_col": version}
