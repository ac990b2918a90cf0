"""Between visits, the clinician's side: what the patient's own log says, read for the patient
page, the reassessment and the plan history; alerts marked seen; the PSFS taken in the clinic.

The figures themselves are computed by rehab.trends (pure); this module reads the rows
(LogDay, PsfsScore) and shapes them for the templates. Everything here is scoped by the
caller: the views pass a patient already checked against the clinician's clinic.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from sqlalchemy import JSON, Date, String, and_, bindparam, null, or_, select, true, type_coerce, union_all, update
from sqlalchemy.orm import load_only

from rehab import audit, patient_log, trends
from rehab.extensions import db
from rehab.models import LogDay, PatientLink, PlanVersion, PsfsScore, utcnow

CHART_DAYS = 28  # the pain chart and notes cover the same 28 days as the longer adherence window
RECENT_NOTES = 10
PSFS_SHOWN = 12

# The "new symptom" answers of the patient's log, in plain words (codes as the log stores them;
# an unknown code is shown as its words).
SYMPTOM_WORDS = {
    "saddle_numbness": "numbness between the legs (saddle area)",
    "bladder_bowel": "a change in bladder or bowel control",
    "calf_swelling": "calf swelling or pain",
    "chest_breathless": "chest pain or breathlessness",
}
ALERT_PAIN = 8  # the patient's page raises an alert at this pain or more


def symptom_words(code: str) -> str:
    return SYMPTOM_WORDS.get(code, str(code).replace("_", " "))


def alert_reasons(row) -> list[str]:
    """Why a log day raised an alert, in plain words: what was reported (the highest pain and
    every symptom, LogDay.alert_reported), with the day's pain now when it was corrected, and
    the note sent with the alert when it was changed since."""
    said = getattr(row, "alert_reported", None) or {"pain": row.pain, "symptoms": row.symptoms}
    reasons = [symptom_words(code) for code in said.get("symptoms") or []]
    pain = said.get("pain")
    if pain is not None and pain >= ALERT_PAIN:
        if row.pain == pain:
            reasons.insert(0, f"pain {pain}/10 ({ALERT_PAIN} or more)")
        else:  # corrected since: what was reported first, then the day's pain now
            now = f"corrected to {row.pain}/10" if row.pain is not None else "the pain score since removed"
            reasons.insert(0, f"pain {pain}/10 reported ({ALERT_PAIN} or more), {now}")
    note = said.get("note") or ""
    if note and note != (row.note or ""):  # the note that came with the alert, since changed
        reasons.append(f"the note then: \u201c{note}\u201d")
    return reasons or ["the patient's page raised an alert"]


def one_per_day(rows: list[PsfsScore]) -> list[PsfsScore]:
    """One PSFS per day, the day's last (rows oldest first), so the chart and the table show
    the same value for a day on which the scale was taken twice (clinic and patient page)."""
    return list({r.taken_on: r for r in rows}.values())


def _days(rows) -> list[trends.Day]:
    return [trends.Day(r.day, r.ticks or {}, r.pain) for r in rows]


# The patient's log rows a page needs: the last 28 days, and any older day whose alert nobody
# has marked seen. Plain columns, no ORM objects.
_LOG_COLUMNS = (LogDay.id, LogDay.version_id, LogDay.day, LogDay.ticks, LogDay.pain, LogDay.note,
                LogDay.symptoms, LogDay.alert, LogDay.alert_seen_at, LogDay.alert_reported, LogDay.updated_at)
_LOG_WHERE = (LogDay.patient_id == bindparam("patient"),
              or_(and_(LogDay.day >= bindparam("start"), LogDay.day <= bindparam("today")),
                  and_(LogDay.alert.is_(True), LogDay.alert_seen_at.is_(None))))
_LOG = select(*_LOG_COLUMNS).where(*_LOG_WHERE).order_by(LogDay.day)

# The same log rows and the patient's latest PSFS_SHOWN PSFS in one query (one round trip for
# the between-visits figures): each row fills its own table's columns, NULL the other's.
_PSFS_LATEST = (select(PsfsScore.id, PsfsScore.taken_on, PsfsScore.source, PsfsScore.items)
                .where(PsfsScore.patient_id == bindparam("patient"))
                .order_by(PsfsScore.taken_on.desc(), PsfsScore.id.desc()).limit(PSFS_SHOWN).subquery())
_NO_PSFS = (type_coerce(null(), Date).label("taken_on"), type_coerce(null(), String).label("source"),
            type_coerce(null(), JSON).label("items"))
_LOG_AND_PSFS = union_all(
    select(*_LOG_COLUMNS, *_NO_PSFS).where(*_LOG_WHERE),
    select(_PSFS_LATEST.c.id, *(type_coerce(null(), c.type).label(c.key) for c in _LOG_COLUMNS[1:]),
           _PSFS_LATEST.c.taken_on, _PSFS_LATEST.c.source, _PSFS_LATEST.c["items"]))


def _window(today: dt.date) -> dt.date:
    return today - dt.timedelta(days=CHART_DAYS - 1)


def _log_and_psfs(patient_id: int, today: dt.date) -> tuple[list, list]:
    """The log rows (as `_LOG` reads them, by day) and the latest PSFS (oldest first), in one query."""
    log, psfs = [], []
    for row in db.session.connection().execute(
            _LOG_AND_PSFS, {"patient": patient_id, "start": _window(today), "today": today}):
        (psfs if row.taken_on is not None else log).append(row)
    log.sort(key=lambda r: r.day)
    psfs.sort(key=lambda r: (r.taken_on, r.id))
    return log, psfs


def panel(patient_id: int, followed, today: dt.date) -> tuple[SimpleNamespace, list]:
    """The patient page's between-visits figures (see `summary`) and unseen alerts, from one
    read of the log. `followed`: the head of the version the patient follows (`followed_version`);
    its saved plan is read only when the page shows figures (something logged or a PSFS)."""
    rows, psfs = _log_and_psfs(patient_id, today)
    shown = psfs or any(_window(today) <= r.day <= today for r in rows)
    version = db.session.execute(select(PlanVersion).options(load_only(
        PlanVersion.plan, PlanVersion.number, PlanVersion.created_at)).where(
        PlanVersion.id == followed.version_id)).scalar_one() if followed is not None and shown else None
    return summary(patient_id, version, today, (rows, psfs)), unseen_alerts(rows)


def summary(patient_id: int, version: PlanVersion | None, today: dt.date, read=None) -> SimpleNamespace:
    """The between-visits figures: adherence over 7 and 28 days of `version` (the plan the
    patient is following), the patient's pain over the last 28 days, PSFS and recent notes.
    `read`: the log and PSFS rows as `_log_and_psfs` gives them (read here when not given)."""
    start = _window(today)
    rows, psfs_rows = read if read is not None else _log_and_psfs(patient_id, today)
    recent = [r for r in rows if start <= r.day <= today]
    adherence = []
    if version is not None:
        own = _days(r for r in recent if r.version_id == version.id)
        adherence = [trends.adherence(version.plan, version.created_at.date(), own, today, window)
                     for window in trends.WINDOWS]
    pain = trends.pain_series(_days(recent), start, today)
    psfs = [trends.Psfs(r.taken_on, r.source, r.items) for r in one_per_day(psfs_rows)]
    psfs_points = [(p.taken_on, p.mean) for p in psfs if p.mean is not None and start <= p.taken_on <= today]
    return SimpleNamespace(
        version=version, today=today, start=start, adherence=adherence, pain=pain,
        pain_trend=trends.trend_words([v for _, v in pain]), psfs=psfs,
        psfs_table=trends.psfs_table(psfs), psfs_points=psfs_points,
        chart=trends.chart_svg(pain, psfs_points, start, today, chart_id=f"pain-chart-{patient_id}")
        if pain or psfs_points else None,
        notes=[(r.day, r.note) for r in reversed(recent) if r.note][:RECENT_NOTES],
        logged=bool(recent), reported=reported(rows, start, today))


def followed_version(plans: list):
    """The head of the version the patient is following: the newest version saved for any of
    their plans (rows as operations.patient_plans gives them), or None when that one was
    refused. The same rule as the patient's link (rehab.patient_link): a newer version of any
    plan, a refused one included, ends the older plans' links, so an older allowed plan is not
    "followed" any more. Newest is the largest id (saving order; timestamps can tie)."""
    newest = max((row for row in plans if row.version_id is not None), key=lambda row: row.version_id, default=None)
    return newest if newest is not None and newest.allowed else None


def reassessed(patient_id: int, plan_id: int | None, number: int | None, today: dt.date) -> SimpleNamespace | None:
    """The figures of the version a reassessment is based on (None for a new plan)."""
    if plan_id is None or number is None:
        return None
    version = db.session.execute(db.select(PlanVersion).where(
        PlanVersion.plan_id == plan_id, PlanVersion.number == number)).scalar_one_or_none()
    return summary(patient_id, version, today) if version is not None else None


def snapshot(figures: SimpleNamespace, psfs_now: list[dict] | None = None) -> dict | None:
    """What a newly saved version keeps (PlanVersion.progress): adherence and the last pain of
    the version it reassessed, and the PSFS mean (the one taken at this visit, else the
    latest). None when there is nothing to keep."""
    adherence = {f"adherence_{a.window}": a.percent for a in figures.adherence}
    psfs = trends.Psfs(figures.today, "clinic", psfs_now) if psfs_now else (
        figures.psfs[-1] if figures.psfs else None)
    kept = {"version": figures.version.number if figures.version else None,
            "adherence_7": adherence.get("adherence_7"), "adherence_28": adherence.get("adherence_28"),
            "last_pain": figures.pain[-1][1] if figures.pain else None,
            "last_pain_on": figures.pain[-1][0].isoformat() if figures.pain else None,
            "psfs_mean": psfs.mean if psfs else None}
    if all(value is None for value in kept.values()):
        return None
    return {"on": figures.today.isoformat(), **kept}


# ------------------------------------------------------------------ how urgent a logged day is

# The levels of the patient page's advice (rehab.patient_log.ADVICE), most urgent first, and
# what the clinician's pages call them.
LEVEL_RANK = {"emergency": 0, "urgent": 1, "clinic": 2}
LEVEL_WORDS = {"emergency": "Emergency symptom reported", "urgent": "Urgent symptom reported",
               "clinic": "Pain of 8 or more reported"}


def alert_level(row) -> str | None:
    """How urgent a logged day is: the level of its most urgent trigger (None: no trigger)."""
    codes = patient_log.triggers(row.pain, row.symptoms)
    return patient_log.ADVICE[codes[0]][0] if codes else None


def reported(rows, start: dt.date, today: dt.date) -> list[SimpleNamespace]:
    """The log days (as `_LOG` reads them) that triggered advice, in the last 28 days or still
    unseen: most urgent first, then newest. For the clinician at the red-flag screen and the
    review: what the patient reported, not a rule (the planner decides the plan)."""
    days = [SimpleNamespace(id=r.id, day=r.day, level=alert_level(r), words=LEVEL_WORDS[alert_level(r)],
                            reasons=alert_reasons(r), seen=not (r.alert and r.alert_seen_at is None))
            for r in sorted(rows, key=lambda r: r.day, reverse=True)
            if (start <= r.day <= today or (r.alert and r.alert_seen_at is None)) and alert_level(r)]
    return sorted(days, key=lambda d: LEVEL_RANK[d.level])


def reported_since(patient_id: int, today: dt.date) -> list[SimpleNamespace]:
    """`reported` for a patient, read here (the wizard's red-flag step)."""
    rows = db.session.execute(_LOG, {"patient": patient_id, "start": _window(today), "today": today}).all()
    return reported(rows, _window(today), today)


# ------------------------------------------------------------------ alerts


def unseen_alerts(rows) -> list[SimpleNamespace]:
    """The log days (as `_LOG` reads them) that raised an alert nobody has marked seen, most
    urgent first, then newest."""
    alerts = [SimpleNamespace(id=r.id, day=r.day, reasons=alert_reasons(r), level=alert_level(r), shown=r.updated_at,
                              words=LEVEL_WORDS.get(alert_level(r), "Alert"))
              for r in sorted(rows, key=lambda r: r.day, reverse=True) if r.alert and r.alert_seen_at is None]
    return sorted(alerts, key=lambda a: LEVEL_RANK.get(a.level, len(LEVEL_RANK)))  # most urgent first


def mark_seen(patient_id: int, log_day_id: int, user_id: int, shown: dt.datetime | None) -> str | None:
    """Mark one alert of the patient seen (audited), as the clinician was shown it: "seen";
    "changed" when the patient has changed that day since the clinician's page was drawn
    (`shown`: the day's updated_at then), so what would be marked seen is not what they read
    (a symptom added meanwhile would hide under a seen flag); None: no such unseen alert."""
    unseen = (LogDay.id == log_day_id, LogDay.patient_id == patient_id, LogDay.alert.is_(True),
              LogDay.alert_seen_at.is_(None))
    day = db.session.execute(select(LogDay.day).where(*unseen)).scalar_one_or_none()
    if day is None:
        return None
    marked = db.session.execute(update(LogDay).where(*unseen, LogDay.updated_at == shown).values(
        alert_seen_at=utcnow(), alert_seen_by_id=user_id)).rowcount  # one statement: nothing between check and mark
    if not marked:
        db.session.rollback()
        return "changed"
    audit.record("log_alert_seen", "patient", patient_id, patient_id=patient_id, user_id=user_id,
                 log_day=log_day_id, day=day.isoformat())
    db.session.commit()
    return "seen"


# one query for a page of the patient list: reads ix_log_day_patient_alert (patient_id, alert)
# (alert = true, not IS TRUE: an index compares with =)
_FLAGGED = (select(LogDay.patient_id, LogDay.pain, LogDay.symptoms, LogDay.alert_reported).where(
    LogDay.patient_id.in_(bindparam("ids", expanding=True)), LogDay.alert == true(),
    LogDay.alert_seen_at.is_(None)))
_RANK = ("emergency", "urgent", "clinic")


def flagged(patient_ids: list[int]) -> dict[int, str]:
    """The patients of these with an alert nobody has marked seen -> the most urgent level
    among them ("emergency", "urgent" or "clinic"), from what raised each alert."""
    levels: dict[int, str] = {}
    if not patient_ids:
        return levels
    for patient_id, pain, symptoms, said in db.session.connection().execute(_FLAGGED, {"ids": list(patient_ids)}):
        said = said or {"pain": pain, "symptoms": symptoms}
        level = alert_level(SimpleNamespace(pain=said.get("pain"), symptoms=said.get("symptoms") or [])) or "clinic"
        if patient_id not in levels or _RANK.index(level) < _RANK.index(levels[patient_id]):
            levels[patient_id] = level
    return levels


# ------------------------------------------------------------------ PSFS taken in the clinic


def record_clinic_psfs(patient_id: int, version_id: int, items: list[dict], today: dt.date) -> None:
    """The PSFS of the wizard, kept with the version it was taken for (in the caller's transaction)."""
    if items:
        db.session.add(PsfsScore(patient_id=patient_id, version_id=version_id, taken_on=today,
                                 source="clinic", items=items))


def latest_activities(patient_id: int) -> list[str]:
    """The activities of the patient's latest PSFS, to ask about again."""
    row = db.session.execute(db.select(PsfsScore.items).where(PsfsScore.patient_id == patient_id)
                             .order_by(PsfsScore.taken_on.desc(), PsfsScore.id.desc()).limit(1)).scalar()
    return [str(i.get("activity", "")) for i in row or []][:3]


# ------------------------------------------------------------------ export and erase


def export_rows(patient_id: int) -> dict:
    """The patient's log, PSFS and links (never a token or its hash) for the record's export."""
    log = db.session.execute(db.select(LogDay).where(LogDay.patient_id == patient_id)
                             .order_by(LogDay.day, LogDay.id)).scalars()
    psfs = db.session.execute(db.select(PsfsScore).where(PsfsScore.patient_id == patient_id)
                              .order_by(PsfsScore.taken_on, PsfsScore.id)).scalars()
    links = db.session.execute(db.select(PatientLink).where(PatientLink.patient_id == patient_id)
                               .order_by(PatientLink.id)).scalars()
    iso = _iso
    return {
        "log_days": [{"day": iso(r.day), "version_id": r.version_id, "ticks": r.ticks, "pain": r.pain,
                      "note": r.note, "symptoms": r.symptoms, "alert": r.alert,
                      "alert_reported": r.alert_reported, "alert_seen_at": iso(r.alert_seen_at),
                      "alert_seen_by": r.alert_seen_by_id,
                      "updated_at": iso(r.updated_at)} for r in log],
        "psfs": [{"taken_on": iso(r.taken_on), "source": r.source, "version_id": r.version_id,
                  "items": r.items} for r in psfs],
        "links": [{"version_id": r.version_id, "created_at": iso(r.created_at), "created_by": r.created_by_id,
                   "expires_at": iso(r.expires_at), "revoked_at": iso(r.revoked_at)} for r in links],
    }


def _iso(value):
    return value.isoformat() if value is not None else None


def erase_rows(patient_id: int) -> dict:
    """Delete the patient's links, log and PSFS (in the caller's transaction); the counts.
    Links first: deleting a link waits for a patient's write that holds its row (rehab.mine),
    so the log and PSFS are deleted after that write, with what it wrote."""
    return {name: db.session.execute(db.delete(model).where(model.patient_id == patient_id)).rowcount
            for name, model in (("links", PatientLink), ("log_days", LogDay), ("psfs", PsfsScore))}
