"""What the portal changes: patients, drafts and saved plan versions.

Each function takes plain values (and the current user) and returns what it made;
the views only translate requests and responses. The planner decides every
clinical question: these functions never look at tags or rules themselves.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache, lru_cache
from types import SimpleNamespace
from typing import Any, NamedTuple

from flask import abort
from sqlalchemy import String, and_, bindparam, func, or_, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.functions import FunctionElement

from rehab import audit
from rehab.catalog import library_from_db
from rehab.extensions import db
from rehab.library.schema import Exercise as ExerciseSchema
from rehab.models import (WORD_START, AuditEntry, Draft as DraftRow, Exercise, ExerciseTag, Patient, PatientLink,
                          PatientWordStart, Plan, PlanVersion, User, VersionPage, fold_words, utcnow)
from rehab.planner import AdjustmentError, apply_adjustments, make_plan, parse_intake
from rehab.portal import progress, wizard
from rehab.portal.wizard import Draft, DraftConflict, age_on, delete_draft

# ------------------------------------------------------------------ reading (scoped to a clinic)


def _parse_date(text: str) -> dt.date | None:
    """A date of birth as typed: 1985-03-14, 14/03/1985, 14.03.1985, or as the list shows it,
    14 Mar 1985 (or March; any case)."""
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d %b %Y", "%d %B %Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


# ------------------------------------------------------------------ the patient list
#
# Ordered by lower(last name), lower(first name), id, compared byte by byte: the index
# ix_patient_clinic_name holds the clinic's patients in that order, so a page is one short
# index range whatever the clinic's size. The pager's links carry a keyset cursor (the id
# of the last patient shown, or for "previous" the first), so page 100 costs what page 1
# costs; a bare ?page=N (old links, bookmarks) still works, by offset. Nothing is counted:
# a page reads one row more than it shows to know whether there is a next one.
#
# A search folds its words as Patient.search_words holds the names and reference (no case,
# no accents) and keeps the patients where each word starts one of theirs: it reads, in list
# order, the patients with its longest word's first letters (PatientWordStart) and stops
# after a page, however many patients match; a date of birth reads ix_patient_clinic_dob_name. Statements are built once per shape, with bound
# parameters: building a select costs more than running it.

PATIENT_COLUMNS = (Patient.id, Patient.last_name, Patient.first_name, Patient.reference,
                   Patient.date_of_birth, Patient.sex)


class lower_bytes(FunctionElement):
    """lower(text) compared byte by byte (by code point, in UTF-8) whatever the database's
    collation, as the patient indexes are: SQLite compares so already, PostgreSQL is told
    COLLATE "C"."""

    type = String()
    name = "lower_bytes"
    inherit_cache = True


@compiles(lower_bytes)
def _lower_bytes(element, compiler, **kw):
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(lower_bytes, "postgresql")
def _lower_bytes_postgresql(element, compiler, **kw):
    return f'lower({compiler.process(element.clauses, **kw)}) COLLATE "C"'


_KEY = (lower_bytes(Patient.last_name), lower_bytes(Patient.first_name), Patient.id)
# the cursor patient's place in the list
_CURSOR = select(*_KEY).where(Patient.id == bindparam("id"), Patient.clinic_id == bindparam("clinic"))


@dataclass
class PatientPage:
    """One page of the patient list: rows (id, last_name, first_name, reference,
    date_of_birth, sex), its number, and whether there are pages before and after it."""

    items: list
    number: int
    size: int
    has_prev: bool
    has_next: bool

    @property
    def total(self) -> int | None:
        """How many patients were found, when this page shows them all (otherwise not counted)."""
        return len(self.items) if self.number == 1 and not self.has_next else None

    @property
    def first(self) -> int:
        """The position of the first row shown (1-based)."""
        return (self.number - 1) * self.size + 1

    @property
    def last(self) -> int:
        return (self.number - 1) * self.size + len(self.items)


@lru_cache(maxsize=64)
def _list_statement(starts: int, long_words: int, born: bool, cursor: bool, forward: bool):
    """The list's rows in its order (backwards if not `forward`), from `offset`, `limit` of
    them: with `born`, those born on parameter born; with `starts`, those with a word starting
    with each of s0, s1... (PatientWordStart, read in list order from s0's rows), and with
    `long_words`, whose search words also hold each of w0, w1... (words longer than a start);
    with `cursor`, those after (a, b, c), the cursor patient's key."""
    clinic = bindparam("clinic")
    at = tuple_(bindparam("a", type_=String()), bindparam("b", type_=String()), bindparam("c"))
    if not starts:  # the list, or a date of birth: one of the patient indexes, in order
        where = [Patient.clinic_id == clinic] + ([Patient.date_of_birth == bindparam("born")] if born else [])
        if cursor:
            where.append(tuple_(*_KEY) > at if forward else tuple_(*_KEY) < at)
        return (select(*PATIENT_COLUMNS).where(*where).order_by(*(_KEY if forward else [k.desc() for k in _KEY]))
                .limit(bindparam("limit")).offset(bindparam("offset")))
    word = PatientWordStart
    key = (word.last_key, word.first_key, word.patient_id)
    page = select(*key).where(word.clinic_id == clinic, word.start == bindparam("s0"))
    for i in range(1, starts):
        other = aliased(PatientWordStart)
        page = page.join(other, (other.patient_id == word.patient_id) & (other.clinic_id == clinic)
                         & (other.start == bindparam(f"s{i}")))
    if long_words:
        page = page.join(Patient, Patient.id == word.patient_id).where(
            *(Patient.search_words.like(bindparam(f"w{i}", type_=String())) for i in range(long_words)))
    if cursor:
        page = page.where(tuple_(*key) > at if forward else tuple_(*key) < at)
    page = (page.order_by(*(key if forward else [k.desc() for k in key]))
            .limit(bindparam("limit")).offset(bindparam("offset")).subquery())
    order = (page.c.last_key, page.c.first_key, page.c.patient_id)
    return (select(*PATIENT_COLUMNS).join(page, page.c.patient_id == Patient.id).where(Patient.clinic_id == clinic)
            .order_by(*(order if forward else [k.desc() for k in order])))


def _read(statement, params: dict | None = None):
    """Run a select of plain columns on the session's connection: without the ORM's result
    machinery, which costs more than a short query itself."""
    return db.session.connection().execute(statement, params or {})


def patient_page(clinic_id: int, q: str | None = None, *, page: int = 1, after: int | None = None,
                 before: int | None = None, size: int = 50) -> PatientPage:
    """A page of the clinic's patients in name order; `q` is a date of birth, or words that
    each start a word of the first or last name or the reference, in any case and with or
    without accents. `after` / `before`: the id of the patient the page follows / precedes
    (the keyset cursors the pager's links carry); without either, `page` is found by offset."""
    q = (q or "").strip()
    page = max(1, page)
    born = _parse_date(q) if q else None
    words = [] if born else fold_words(q)
    if q and not born and not words:
        return PatientPage([], page, size, has_prev=False, has_next=False)
    words = sorted(words, key=len, reverse=True)  # the longest start picks the fewest patients
    long_words = [w for w in words if len(w) > WORD_START]
    params = {"clinic": clinic_id, "born": born, "offset": 0, "limit": size + 1} | {
        f"s{i}": w[:WORD_START] for i, w in enumerate(words)} | {f"w{i}": f"% {w}%" for i, w in enumerate(long_words)}
    shape = (len(words), len(long_words), born is not None)
    if after is not None or before is not None:
        forward = after is not None
        found = _read(_CURSOR, {"id": after if forward else before, "clinic": clinic_id}).first()
        rows = [] if found is None else _read(_list_statement(*shape, True, forward),
                                              params | dict(zip("abc", found))).all()
        more, rows = len(rows) > size, rows[:size]
        if rows and forward:
            return PatientPage(rows, max(page, 2), size, has_prev=True, has_next=more)
        if rows and more:
            return PatientPage(rows[::-1], max(page, 2), size, has_prev=True, has_next=True)
        page = 1  # back at the start, or the cursor's patient is gone: the first page
    rows = _read(_list_statement(*shape, False, True),
                 params | {"offset": (page - 1) * size}).all()
    return PatientPage(rows[:size], page, size, has_prev=page > 1, has_next=len(rows) > size)


def get_patient(clinic_id: int, patient_id: int) -> Patient:
    """The patient, or 404 when it does not exist or belongs to another clinic."""
    patient = db.session.execute(db.select(Patient).where(
        Patient.id == patient_id, Patient.clinic_id == clinic_id)).scalar_one_or_none()
    if patient is None:
        abort(404)
    return patient


def patient_with_plans(clinic_id: int, patient_id: int) -> tuple[Patient, Draft | None, list]:
    """What the patient page shows above its between-visits panel, in one query: the patient
    (404 as `get_patient`), the logged-in clinician's draft for them (wizard.load_draft) and
    their plans (as `patient_plans`)."""
    rows = db.session.execute(_PATIENT_WITH_PLANS, {"patient": patient_id, "clinic": clinic_id,
                                                    **wizard.mine()}).all()
    if not rows:
        abort(404)
    return rows[0][0], wizard.draft_from(rows[0][1], rows[0][2]), [row for row in rows if row.plan_id is not None]


def get_plan(clinic_id: int, plan_id: int) -> Plan:
    plan = db.session.execute(db.select(Plan).join(Plan.patient).where(
        Plan.id == plan_id, Patient.clinic_id == clinic_id)).scalar_one_or_none()
    if plan is None:
        abort(404)
    return plan


def _with_plan_patient_author(statement):
    """`statement` over plan versions, joined to their plan, patient and author."""
    return (statement.join(Plan, PlanVersion.plan_id == Plan.id)
            .join(Patient, Plan.patient_id == Patient.id)
            .outerjoin(User, PlanVersion.created_by_id == User.id))


def get_version(clinic_id: int, plan_id: int, number: int):
    """A saved version with its plan, patient and author's name, in one query (or 404):
    (version, plan, patient, author)."""
    row = db.session.execute(_with_plan_patient_author(db.select(PlanVersion, Plan, Patient, User.name))
                             .where(PlanVersion.plan_id == plan_id, PlanVersion.number == number,
                                    Patient.clinic_id == clinic_id)).first()
    if row is None:
        abort(404)
    return row[0], row[1], row[2], row[3] or ""


class VersionHead(NamedTuple):
    id: int
    plan_id: int
    number: int
    created_at: dt.datetime


class PatientHead(NamedTuple):
    """What a page's patient line shows (portal/_patient_head.html)."""

    id: int
    reference: str
    first_name: str
    last_name: str
    date_of_birth: dt.date | None
    sex: str

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


_LATEST = (select(func.max(PlanVersion.number)).where(PlanVersion.plan_id == Plan.id)
           .correlate(Plan).scalar_subquery())


class VersionView(NamedTuple):
    """What a saved version's page reads besides its drawn parts."""

    version: VersionHead
    patient: PatientHead
    author: str
    latest: int  # the plan's latest version number
    link: Any  # rehab.patient_link.LinkState: the live link (its expires_at) and whether superseded
    seen: bool  # the user's view of this version is already in the audit trail (rehab.audit.seen_recently)
    kept: tuple | None  # the parts kept in the database (VersionPage), when asked for: all None if none


@cache
def _version_head(with_parts: bool):
    """The statement behind get_version_head (built once; patient_link imports this module)."""
    from rehab.patient_link import newer_exists

    live_link_expires = (
        select(PatientLink.expires_at).where(PatientLink.version_id == PlanVersion.id, PatientLink.revoked_at.is_(None),
                                             PatientLink.expires_at > bindparam("now"))
        .order_by(PatientLink.id.desc()).limit(1).correlate(PlanVersion).scalar_subquery())
    statement = (
        _with_plan_patient_author(select(
            PlanVersion.id, PlanVersion.plan_id, PlanVersion.number, PlanVersion.created_at,
            Patient.id, Patient.reference, Patient.first_name, Patient.last_name, Patient.date_of_birth,
            Patient.sex, User.name, _LATEST, live_link_expires, newer_exists(PlanVersion.id, PlanVersion.plan_id),
            audit.seen_recently(VERSION_VIEW, "plan", PlanVersion.plan_id, bindparam("user_id"),
                                {"version": PlanVersion.number}, since=bindparam("since"))))
        .where(PlanVersion.plan_id == bindparam("plan_id"), PlanVersion.number == bindparam("number"),
               Patient.clinic_id == bindparam("clinic_id")))
    if with_parts:
        statement = statement.add_columns(
            VersionPage.heading, VersionPage.before_toolbar, VersionPage.downloads, VersionPage.after_toolbar,
            VersionPage.allowed).outerjoin(VersionPage, (VersionPage.version_id == PlanVersion.id)
                                           & (VersionPage.stamp == bindparam("stamp")))
    return statement


def get_version_head(clinic_id: int, user_id: int, plan_id: int, number: int,
                     parts_stamp: str | None = None) -> VersionView:
    """What a saved version's page needs, in one query (or 404): the version's head, the
    patient, the author's name, the latest number, its link's state, whether the user's
    view is already audited, and with `parts_stamp` the parts drawn under that stamp
    (rehab.portal.rendering.version_parts). The snapshot is read only when the version
    was never drawn."""
    from rehab.patient_link import LinkState

    now = utcnow()
    row = _read(_version_head(parts_stamp is not None), {
        "clinic_id": clinic_id, "plan_id": plan_id, "number": number, "now": now, "stamp": parts_stamp,
        "user_id": user_id, "since": now - audit.VIEW_WINDOW}).first()
    if row is None:
        abort(404)
    expires, superseded = row[12], bool(row[13])
    link = LinkState(SimpleNamespace(expires_at=expires) if expires and not superseded else None, superseded)
    return VersionView(VersionHead(*row[:4]), PatientHead(*row[4:10]), row[10] or "", row[11], link, bool(row[14]),
                       tuple(row[15:]) if parts_stamp is not None else None)


VERSION_VIEW = "version_view"  # the audit action of a saved version's page


def get_version_snapshot(version_id: int) -> PlanVersion:
    return db.session.execute(db.select(PlanVersion).where(PlanVersion.id == version_id)).scalar_one()


def version_numbers(plan_id: int) -> list[int]:
    return list(db.session.execute(db.select(PlanVersion.number).where(
        PlanVersion.plan_id == plan_id).order_by(PlanVersion.number)).scalars())


def plan_versions(plan_id: int) -> list[tuple[PlanVersion, str]]:
    """Every version of a plan with its author's name (one query)."""
    return [(v, name or "") for v, name in db.session.execute(
        db.select(PlanVersion, User.name).outerjoin(User, PlanVersion.created_by_id == User.id)
        .where(PlanVersion.plan_id == plan_id).order_by(PlanVersion.number))]


# A plan's head for the patient's pages: the latest version's number, date and result, only the
# columns shown (the pages must not read each plan's whole saved JSON).
_PLAN_HEAD = (Plan.id.label("plan_id"), Plan.diagnosis, PlanVersion.id.label("version_id"), PlanVersion.number,
              PlanVersion.created_at, PlanVersion.plan["allowed"].as_boolean().label("allowed"),
              PlanVersion.plan["current_phase"].as_string().label("phase"),
              PlanVersion.plan[("referral", "level")].as_string().label("referral_level"))
_NEWEST = aliased(PlanVersion)
_LATEST_NUMBER = (select(func.max(_NEWEST.number)).where(_NEWEST.plan_id == Plan.id)
                  .correlate(Plan).scalar_subquery())


def _with_plans(statement):
    """`statement` (selecting _PLAN_HEAD from Plan) with each plan's latest version joined,
    newest plan first."""
    return (statement.outerjoin(PlanVersion, and_(PlanVersion.plan_id == Plan.id,
                                                  PlanVersion.number == _LATEST_NUMBER))
            .order_by(Plan.id.desc()))


_PLANS = _with_plans(select(*_PLAN_HEAD).where(Plan.patient_id == bindparam("patient")))
_PATIENT_WITH_PLANS = _with_plans(
    select(Patient, DraftRow.data, DraftRow.version, *_PLAN_HEAD)
    .outerjoin(DraftRow, and_(DraftRow.patient_id == Patient.id, wizard.MINE))
    .outerjoin(Plan, Plan.patient_id == Patient.id)
    .where(Patient.id == bindparam("patient"), Patient.clinic_id == bindparam("clinic")))


def patient_plans(patient_id: int) -> list:
    """The patient's plans, newest first: rows of plan_id, diagnosis and the latest version's
    version_id, number, created_at, allowed, phase and referral_level (None without a version)."""
    return _read(_PLANS, {"patient": patient_id}).all()


_LIBRARY_STAMP = select(func.count(Exercise.id), func.max(Exercise.updated_at), func.sum(Exercise.version),
                        func.max(Exercise.id),
                        select(func.count()).select_from(ExerciseTag).scalar_subquery())


def library_stamp() -> tuple:
    """Changes whenever the library list could: every change of an exercise (name, category,
    tags, retiring) updates its row, which moves its updated_at and version on."""
    return tuple(_read(_LIBRARY_STAMP).one())


_LIBRARY: dict = {}  # "current": (key, library), one entry per process


def current_library() -> dict[str, ExerciseSchema]:
    """The library as the planner takes it (slug -> validated exercise, retired ones left out),
    read and validated again only when `library_stamp` changes: per process, one small query
    a request instead of 70 rows validated. The same objects are handed out until the library
    changes, so the planner's fingerprint memo (`library_version`) hits as well. The key holds
    the database too, so an app on another database (the tests) never sees this one's library."""
    key = (id(db.engine), str(db.engine.url), library_stamp())
    cached = _LIBRARY.get("current")
    if cached is None or cached[0] != key:
        cached = _LIBRARY["current"] = (key, library_from_db())
    return cached[1]


def current_library_key() -> tuple:
    """What the library last handed out by `current_library` was read for (a cache key part)."""
    return _LIBRARY["current"][0]


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


class ReferenceTaken(Exception):
    """Another patient of the clinic has this reference (saved by someone else meanwhile)."""


def create_patient(clinic_id: int, user: User, *, first_name: str, last_name: str, reference: str,
                   date_of_birth: dt.date | None, sex: str) -> Patient:
    patient = Patient(clinic_id=clinic_id, first_name=first_name.strip(), last_name=last_name.strip(),
                      reference=reference.strip(), date_of_birth=date_of_birth, sex=sex,
                      created_by_id=user.id)
    db.session.add(patient)
    try:
        db.session.flush()
    except IntegrityError:  # the form checked the reference; another request took it since
        db.session.rollback()
        raise ReferenceTaken() from None
    db.session.add(AuditEntry(user_id=user.id, action="patient_create", object_type="patient",
                              object_id=str(patient.id), patient_id=patient.id))
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
    # Second edition: progress from the phase the patient was in (shown and editable).
    if version.plan.get("allowed") and version.plan.get("current_phase"):
        intake["previous_phase"] = version.plan["current_phase"]
    return Draft(patient_id=patient.id, plan_id=plan.id, base_version=version.number, intake=intake,
                 adjustments=list(version.adjustments or []))


class Choice(NamedTuple):
    exercise: object  # the library's Exercise
    reason: str  # why the safety rules exclude it here; "" when allowed


def picker_choices(draft: Draft, plan, phase: str, library: dict, q: str = "", category: str = "") -> list[Choice]:
    """The exercises a clinician may add to (or swap into) `phase` of the draft's plan, matching
    the search words and category: those allowed first, then the excluded ones with the
    planner's reason. Exercises already in the phase are left out."""
    from rehab.planner.assemble import Context

    ctx = Context(parse_intake(draft.intake), library)
    present = {item.exercise_id for p in plan.phases if p.id == phase for item in p.items}
    words = fold_words(q)
    choices = [Choice(ex, ctx.reason(slug, phase) or "") for slug, ex in library.items()
               if slug not in present and (not category or ex.category == category)
               and all(any(w.startswith(word) for w in fold_words(" ".join([ex.name, ex.category, *ex.tags])))
                       for word in words)]
    return sorted(choices, key=lambda c: (bool(c.reason), c.exercise.name.lower()))


def build_plan(draft: Draft, library: dict | None = None):
    """The draft's plan, with the adjustments that still apply.

    Returns (plan, kept adjustments, dropped [(adjustment, reason)]). A change the
    planner no longer accepts (say the phase moved on after new findings) is dropped
    and reported rather than failing the whole plan.
    """
    library = library if library is not None else current_library()
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


MAX_ADJUSTMENTS = 40  # bounded input: a draft is read and re-planned on every page


def try_adjustment(draft: Draft, adjustment: dict, library: dict | None = None):
    """The plan with one more change, judged by the planner (raises AdjustmentError)."""
    if len(draft.adjustments) >= MAX_ADJUSTMENTS:
        raise AdjustmentError(f"A draft holds at most {MAX_ADJUSTMENTS} changes: save this version, "
                              "then reassess to change more.")
    library = library if library is not None else current_library()
    plan = apply_adjustments(parse_intake(draft.intake), library, draft.adjustments + [adjustment])
    draft.adjustments = draft.adjustments + [adjustment]
    return plan


@dataclass
class PlanConflict(Exception):
    """The draft cannot be saved as it is: the plan has a newer version than the one it
    reassessed (`latest`, saved by `author`), or the draft was saved or changed meanwhile."""

    plan_id: int | None = None
    base: int | None = None
    latest: int | None = None
    author: str = ""


def save_draft(draft: Draft, patient: Patient, user: User, note: str = "", next_appointment: str = "") -> PlanVersion:
    """Freeze the draft as the next version: intake, adjusted plan, adjustments and figures,
    with the between-visits figures of the version it reassessed (PlanVersion.progress) and
    the PSFS taken in the wizard.

    Raises PlanConflict when a reassessment's plan has moved on since the version it was
    based on, or when two saves race (the draft row is deleted once, the version number
    is unique): nothing is saved then and the draft stays.
    """
    library = current_library()
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
    latest = db.session.execute(db.select(func.max(PlanVersion.number)).where(
        PlanVersion.plan_id == plan_row.id)).scalar() or 0
    if draft.plan_id is not None and latest != draft.base_version:
        author = db.session.execute(db.select(User.name).join(PlanVersion, PlanVersion.created_by_id == User.id)
                                    .where(PlanVersion.plan_id == plan_row.id, PlanVersion.number == latest)
                                    ).scalar() or ""
        db.session.rollback()
        raise PlanConflict(plan_row.id, draft.base_version, latest, author)
    number = latest + 1
    today = dt.date.today()
    base = db.session.execute(db.select(PlanVersion).where(
        PlanVersion.plan_id == plan_row.id, PlanVersion.number == latest)).scalar() if latest else None
    version = PlanVersion(plan_id=plan_row.id, number=number, intake=draft.intake, plan=plan.to_dict(),
                          figures=figures, adjustments=kept, note=note.strip(),
                          next_appointment=next_appointment.strip(), created_by_id=user.id,
                          progress=progress.snapshot(progress.summary(patient.id, base, today), draft.psfs))
    db.session.add(version)
    db.session.add(AuditEntry(user_id=user.id, action="plan_version_save", object_type="plan",
                              object_id=str(plan_row.id), patient_id=patient.id,
                              detail={"version": number, "allowed": plan.allowed,
                                      "referral": plan.referral.level}))
    try:
        delete_draft(draft, user.id)
        db.session.flush()
        progress.record_clinic_psfs(patient.id, version.id, draft.psfs, today)
        db.session.commit()
    except (DraftConflict, IntegrityError):  # a second click, or another save of this plan
        db.session.rollback()
        raise PlanConflict(draft.plan_id, draft.base_version) from None
    return version
