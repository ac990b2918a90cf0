"""The patient page's one query: the link (rehab.patient_link.BY_HASH) with the last seven
days' log rows, the PSFS state, and whether this view is already in the audit within its
window (rehab.audit.seen_recently): one round trip for a page view that writes nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rehab import audit, patient_link, patient_log
from rehab.extensions import db
from rehab.models import LogDay, PatientLink, PlanVersion

VIEW = "patient_page_view"  # the audit action of a page view


def view_detail(link_id, version_number) -> dict:
    """What a page view's audit entry says besides the plan: the version and the link."""
    return {"version": version_number, "link": link_id}


_COLUMNS = len(patient_link.BY_HASH.selected_columns)  # then: PSFS items, PSFS day, viewed, the day's columns
_PAGE = (patient_link.BY_HASH
         .add_columns(*patient_log.psfs_columns(PatientLink.patient_id),
                      audit.seen_recently(VIEW, "plan", PlanVersion.plan_id, None,
                                          view_detail(PatientLink.id, PlanVersion.number),
                                          since=db.bindparam("seen_since")),
                      *patient_log.DAY_COLUMNS)
         .outerjoin(LogDay, db.and_(LogDay.version_id == PlanVersion.id, LogDay.day >= db.bindparam("since_day"))))


@dataclass
class Page:
    """resolved: what the token opens; logged: day -> row (patient_log.DAY_COLUMNS) for the
    last seven days; psfs: the PSFS state; viewed: an entry for this view is in the audit
    within audit.VIEW_WINDOW (nothing to write)."""

    resolved: patient_link.Resolved
    logged: dict
    psfs: patient_log.PsfsState | None = None
    viewed: bool = False


def since(today: dt.date) -> dt.date:
    """The first of the days the page lists."""
    return today - dt.timedelta(days=patient_log.EDIT_DAYS - 1)


def read_page(token: str, today: dt.date) -> Page:
    if not patient_link.TOKEN_RE.fullmatch(token or ""):
        return Page(patient_link.Resolved("unknown"), {})
    # On a connection of its own in autocommit: a read needs no BEGIN and ROLLBACK round trips,
    # and psycopg keeps the statement prepared on the pooled connection (a rollback drops it),
    # so PostgreSQL stops planning it anew on every view. The first view's audit row is then
    # written through the session, in a transaction as every write is.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        rows = connection.execute(_PAGE, {"token_hash": patient_link.token_hash(token), "since_day": since(today),
                                          "seen_since": audit.window_start()}).all()
    resolved = patient_link.resolved_from(rows[0] if rows else None)
    if resolved.status != "ok":
        return Page(resolved, {})
    items, last_own, viewed = rows[0][_COLUMNS:_COLUMNS + 3]
    logged = {row.day: row for row in rows if row.day is not None}
    return Page(resolved, logged, patient_log.psfs_from(items, last_own, today), bool(viewed))


# A write's one read, made after its count has locked the link's row
# (rehab.patient_link.count_write): the link, the PSFS state and the row of the day it writes.
_WRITE = (patient_link.BY_HASH
          .add_columns(*patient_log.psfs_columns(PatientLink.patient_id), *patient_log.DAY_ROW_COLUMNS)
          .outerjoin(LogDay, db.and_(LogDay.version_id == PlanVersion.id, LogDay.day == db.bindparam("day"))))


@dataclass
class Write:
    """resolved: what the token opens; psfs: the PSFS state; day_row: the stored row of the day
    the write is for (patient_log.DAY_ROW_COLUMNS; None: none yet, or no day)."""

    resolved: patient_link.Resolved
    psfs: patient_log.PsfsState | None = None
    day_row: patient_log.DayRow | None = None


def read_for_write(token: str, day: dt.date | None, today: dt.date, now: dt.datetime) -> Write:
    """In the request's transaction, after the write's count (rehab.patient_link.count_write)
    holds the link's lock: no other write of the link runs between this read and the write,
    and this statement sees what the last one committed."""
    if not patient_link.TOKEN_RE.fullmatch(token or ""):
        return Write(patient_link.Resolved("unknown"))
    row = db.session.execute(_WRITE, {"token_hash": patient_link.token_hash(token), "day": day}).first()
    resolved = patient_link.resolved_from(row, now)
    if resolved.status != "ok":
        return Write(resolved)
    items, last_own = row[_COLUMNS:_COLUMNS + 2]
    day_row = patient_log.DayRow(*row[_COLUMNS + 2:])
    return Write(resolved, patient_log.psfs_from(items, last_own, today), day_row if day_row.id is not None else None)
