"""The patient's own daily log and weekly PSFS, sent from their plan page (rehab.mine).

Reading a form (`read_day`, `read_psfs`) and choosing the safety advice (`triggers`) are
pure; `save_day`, `save_psfs` and the queries below them touch the database. Every write is
bounded: ticks 0..per_day for the plan's own exercises, pain 0-10, a note of at most
NOTE_MAX characters, one row per plan version and day, and only the last EDIT_DAYS days.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from typing import NamedTuple

from sqlalchemy.exc import IntegrityError

from rehab.extensions import db
from rehab.models import LogDay, PsfsScore
from rehab.pdf.plan import split_phases, tracked
from rehab.planner.types import Phase, Plan

NOTE_MAX = 500
EDIT_DAYS = 7  # today and the six days before it
PSFS_EVERY_DAYS = 7
PSFS_ACTIVITY_MAX = 80
PSFS_ITEMS_MAX = 3

# The "new symptom" questions, in the patient's words; the code is what LogDay.symptoms keeps.
SYMPTOMS = {
    "saddle_numbness": "Numbness between your legs or around your back passage or genitals (the saddle area)",
    "bladder_bowel": "A change in your bladder or bowel control (trouble passing or holding urine or stool)",
    "calf_swelling": "A swollen, painful, warm or red calf or leg",
    "chest_breathless": "Chest pain, or sudden shortness of breath",
}

# What a trigger shows at once, most urgent first: (how urgent, heading, advice).
ADVICE = {
    "cauda_equina": ("emergency", "Emergency: get help now",
                     "Numbness in the saddle area or a change in bladder or bowel control can be serious. "
                     "Go to the emergency department now, or call an ambulance. Do not wait."),
    "chest": ("emergency", "Call an ambulance now",
              "Chest pain or sudden shortness of breath: call an ambulance now. Do not drive yourself."),
    "calf": ("urgent", "See a doctor today",
             "A swollen or painful calf needs a doctor the same day: call your GP or the clinic now, "
             "or go to an urgent care centre today. Stop the exercises until you have been seen."),
    "pain": ("clinic", "Contact your clinic",
             "Pain of 8 out of 10 or more: stop the exercises for today and contact your clinic."),
}
PAIN_ALERT = 8  # pain logged at this or more shows the advice and flags the day
SCALE = tuple(str(n) for n in range(11))  # the answers of pain and PSFS scores (0-10), as a form sends them


def triggers(pain: int | None, symptoms) -> list[str]:
    """The ADVICE codes a logged day triggers, most urgent first (empty: none)."""
    said = set(symptoms or ())
    found = []
    if said & {"saddle_numbness", "bladder_bowel"}:
        found.append("cauda_equina")
    if "chest_breathless" in said:
        found.append("chest")
    if "calf_swelling" in said:
        found.append("calf")
    if pain is not None and pain >= PAIN_ALERT:
        found.append("pain")
    return found


def reported(pain: int | None, symptoms, note: str = "", before: dict | None = None) -> dict:
    """What raised a day's alert, as LogDay.alert_reported keeps it: the highest pain and
    every symptom reported, and the note as it was when the alert was raised (added to
    `before`, what was reported earlier while the alert was unseen), so a correction never
    hides what first raised it."""
    before = before or {}
    pains = [p for p in (before.get("pain"), pain) if p is not None]
    said = set(before.get("symptoms") or ()) | set(symptoms or ())
    return {"pain": max(pains) if pains else None,
            "symptoms": [code for code in SYMPTOMS if code in said] + sorted(said - set(SYMPTOMS)),
            "note": before["note"] if "note" in before else note}


def clean_text(text: str) -> str:
    """Typed text without control characters (a NUL from a pasted note, say), line breaks
    and tabs kept, Windows line ends as one: what is checked, counted and saved."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")


def editable_days(today: dt.date, first: dt.date | None = None) -> list[dt.date]:
    """The days the patient may log or correct, today first: the last seven, none before
    `first` (the day the plan was saved: earlier days belong to no plan of this one)."""
    return [day for day in (today - dt.timedelta(days=n) for n in range(EDIT_DAYS))
            if first is None or day >= min(first, today)]


@dataclass(frozen=True)
class Tracked:
    """An exercise the patient ticks: its id, name and boxes a day (per_day, at least 1)."""

    exercise_id: str
    name: str
    per_day: int


def current_phase(plan: Plan) -> Phase | None:
    """The phase the patient is in: the same choice as the printed plan's."""
    return split_phases(plan)[0]


def tracked_items(plan: Plan) -> list[Tracked]:
    """What the patient ticks: the current phase's items the printed tracking sheet lists."""
    phase = current_phase(plan)
    out, seen = [], set()
    for item in tracked(phase.items) if phase else []:
        if item.exercise_id not in seen:
            seen.add(item.exercise_id)
            out.append(Tracked(item.exercise_id, item.name, max(1, min(item.dosage.per_day or 1, 10))))
    return out


@dataclass
class DayEntry:
    """A day as typed: the values to show again, the errors (field -> message) and, when
    there are none, the clean values to save."""

    day: dt.date | None = None
    ticks: dict[str, int] = field(default_factory=dict)
    pain: int | None = None
    note: str = ""
    symptoms: list[str] = field(default_factory=list)
    raw: dict = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def _int(text: str) -> int | None:
    """A whole number typed with the digits 0-9 (str.isdigit also passes "²" and "٥")."""
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 3 else None


def _day_text(form) -> str:
    return (form.get("day") or "").strip()[:20]


def form_day(form) -> dt.date | None:
    """The day a posted day form is for, as read_day reads it (None: not a date)."""
    try:
        return dt.date.fromisoformat(_day_text(form))
    except ValueError:
        return None


def read_day(form, items: list[Tracked], today: dt.date, first: dt.date | None = None) -> DayEntry:
    """Check a posted day (a MultiDict: day, done = "<exercise id>:<box>", pain, note,
    symptom-<code> = yes/no)."""
    entry = DayEntry()
    allowed_days = editable_days(today, first)
    entry.raw["day"] = _day_text(form)
    day = form_day(form)
    if day is None:
        entry.errors["day"] = "Day: choose one of the last seven days."
    else:
        if day > today:
            entry.errors["day"] = "Day: you cannot fill in a day that has not happened yet."
        elif first is not None and day < first and day >= today - dt.timedelta(days=EDIT_DAYS - 1):
            entry.errors["day"] = "Day: this plan starts on the day it was given to you; log from then on."
        elif day not in allowed_days:
            entry.errors["day"] = "Day: you can fill in or correct only the last seven days."
        entry.day = day
    per_day = {item.exercise_id: item.per_day for item in items}
    boxes: dict[str, set[int]] = {}
    done = form.getlist("done")
    entry.raw["done"] = [str(v)[:80] for v in done[:200]]
    for value in done[:200]:
        exercise_id, _, box = str(value).partition(":")
        number = _int(box)
        if exercise_id not in per_day:
            entry.errors["done"] = "Sessions done: a tick was for an exercise that is not in your plan."
        elif number is None or not 1 <= number <= per_day[exercise_id]:
            entry.errors["done"] = "Sessions done: a tick was for a session that is not in your plan."
        else:
            boxes.setdefault(exercise_id, set()).add(number)
    if len(done) > 200:
        entry.errors["done"] = "Sessions done: too many ticks."
    entry.ticks = {exercise_id: len(boxes.get(exercise_id, ())) for exercise_id in per_day}
    pain_text = (form.get("pain") or "").strip()[:10]
    entry.raw["pain"] = pain_text
    if pain_text:
        pain = _int(pain_text)
        if pain is None or pain > 10:
            entry.errors["pain"] = "Pain: give a whole number from 0 (no pain) to 10 (the worst pain)."
        entry.pain = pain if pain is not None and pain <= 10 else None
    note = clean_text(form.get("note") or "")
    entry.raw["note"] = note[:NOTE_MAX * 4]
    if len(note) > NOTE_MAX:
        entry.errors["note"] = f"Note: at most {NOTE_MAX} characters (this one has {len(note)}); please shorten it."
    entry.note = note.strip()[:NOTE_MAX]
    for code in SYMPTOMS:
        answer = (form.get(f"symptom-{code}") or "no").strip().lower()
        entry.raw[f"symptom-{code}"] = answer[:3]
        if answer not in ("yes", "no"):
            entry.errors[f"symptom-{code}"] = "New symptoms: answer yes or no."
        elif answer == "yes":
            entry.symptoms.append(code)
    return entry


_DAYS = LogDay.__table__
DAY_ROW_COLUMNS = (LogDay.id, LogDay.pain, LogDay.note, LogDay.symptoms, LogDay.alert, LogDay.alert_seen_at,
                   LogDay.alert_reported, LogDay.updated_at)  # what a write reads of the day's stored row


class DayRow(NamedTuple):
    """A day's stored row as a write reads it (DAY_ROW_COLUMNS)."""
    id: int
    pain: int | None
    note: str | None
    symptoms: list | None
    alert: bool
    alert_seen_at: dt.datetime | None
    alert_reported: dict | None
    updated_at: dt.datetime


_UPDATE_DAY = db.update(_DAYS).where(_DAYS.c.id == db.bindparam("day_id"))  # SET: the columns in the parameters
_UPDATE_DAY_AS_READ = _UPDATE_DAY.where(_DAYS.c.updated_at == db.bindparam("read_at"))
_DAY_ROW = db.select(*DAY_ROW_COLUMNS).where(LogDay.version_id == db.bindparam("version_id"),
                                             LogDay.day == db.bindparam("day")).with_for_update()


def save_day(version_id: int, patient_id: int, entry: DayEntry, row: DayRow | None) -> bool:
    """Write (or correct) the day's one row; whether the day is flagged after it. A day that
    triggers advice is flagged for the clinician; a correction never clears a flag the
    clinician has not seen, nor what raised it: while the flag is unseen, `alert_reported`
    keeps the highest pain and every symptom reported that day, and the note as it was when
    the alert was raised. A flag the clinician has seen is raised again only by something it
    did not already report (a new symptom, or pain 8 or more above what was seen), not by a
    corrected note.

    `row` is the day's stored row as the caller read it (None: none yet). The caller holds
    the link's write lock (rehab.patient_link.count_write), so no other write of the link
    comes between; the row is written only if nothing else changed it since (another live
    link of the version, a clinician marking the alert seen), else it is read again, locked,
    and the values worked out anew on what is there now. The caller commits."""
    if row is None:
        try:  # (another link of the same version may have saved the day since: then correct it)
            with db.session.begin_nested():
                values, alert = _day_values(None, entry)
                db.session.execute(db.insert(_DAYS).values(patient_id=patient_id, version_id=version_id,
                                                           day=entry.day, **values))
            return alert
        except IntegrityError:
            pass
    else:
        values, alert = _day_values(row, entry)
        if db.session.execute(_UPDATE_DAY_AS_READ, {"day_id": row.id, "read_at": row.updated_at, **values}).rowcount:
            return alert
    row = _locked_day_row(version_id, entry.day)  # anything else now waits for this commit
    values, alert = _day_values(row, entry)
    db.session.execute(_UPDATE_DAY, {"day_id": row.id, **values})
    return alert


def _locked_day_row(version_id: int, day: dt.date) -> DayRow:
    return DayRow(*db.session.execute(_DAY_ROW, {"version_id": version_id, "day": day}).one())


def _day_values(row, entry: DayEntry) -> tuple[dict, bool]:
    """The columns to write for `entry` over the stored `row` (None: a new day), and whether
    the day is flagged after it."""
    values = {"ticks": dict(entry.ticks), "pain": entry.pain, "note": entry.note, "symptoms": list(entry.symptoms)}
    if row is not None and row.alert and row.alert_seen_at is None:  # unseen: add to what raised it
        values["alert_reported"] = reported(entry.pain, entry.symptoms, entry.note, _flag_report(row))
        return values, True
    if _raises_anew(row, entry):  # a new flag (or a seen one raised by something new)
        values.update(alert=True, alert_seen_at=None, alert_seen_by_id=None,
                      alert_reported=reported(entry.pain, entry.symptoms, entry.note))
        return values, True
    return values, bool(row and row.alert)


def _flag_report(row) -> dict:
    """What the day's flag reports so far."""
    return row.alert_reported or reported(row.pain, row.symptoms, row.note)  # (saved before the column)


def raises_alert(row: DayRow | None, entry: DayEntry) -> bool:
    """Whether saving `entry` over the day's stored `row` would flag its day for the clinician
    anew, or tell a flag (seen or not) something it does not report: a symptom that calls for
    advice, or pain of 8 or more above the highest reported. What the write limit never
    refuses (rehab.mine): at most one post per symptom and a few pains a day, however the
    rest is varied."""
    return not entry.errors and _raises_anew(row, entry)


def _raises_anew(row, entry: DayEntry) -> bool:
    """Whether the entry flags the day: a day not flagged yet, by any trigger; a flagged day,
    only by something its flag does not report."""
    now = triggers(entry.pain, entry.symptoms)
    if not now or row is None or not row.alert:
        return bool(now)
    seen = _flag_report(row)
    new_symptoms = set(entry.symptoms) - set(seen.get("symptoms") or ())
    worse_pain = "pain" in now and (entry.pain or 0) > (seen.get("pain") or 0)
    return bool(new_symptoms and triggers(None, sorted(new_symptoms))) or worse_pain


DAY_COLUMNS = (LogDay.day, LogDay.ticks, LogDay.pain, LogDay.note, LogDay.symptoms)  # what the page shows


def days_logged(version_id: int, since: dt.date) -> dict:
    """The version's logged days from `since` on: day -> row (DAY_COLUMNS)."""
    rows = db.session.execute(db.select(*DAY_COLUMNS).where(LogDay.version_id == version_id, LogDay.day >= since))
    return {row.day: row for row in rows}


# ------------------------------------------------------------------ PSFS


@dataclass
class PsfsState:
    """activities: the ones last named (empty: the patient names up to three);
    due: whether a rating may be sent today; next_on: else when."""

    activities: list[str]
    due: bool
    next_on: dt.date | None


def psfs_columns(patient_id) -> tuple:
    """The items of the patient's latest score and the day of the latest the patient sent, as
    two scalar subqueries; `patient_id` may be a column of an enclosing query (the patient's
    page reads them with its link, rehab.mine.reads)."""
    def newest(column, *where):
        return (db.select(column).where(PsfsScore.patient_id == patient_id, *where)
                .order_by(PsfsScore.taken_on.desc(), PsfsScore.id.desc()).limit(1).scalar_subquery())

    return newest(PsfsScore.items), newest(PsfsScore.taken_on, PsfsScore.source == "patient")


def psfs_state(patient_id: int, today: dt.date) -> PsfsState:
    """The activities last named and whether a rating is due (one query)."""
    return psfs_from(*db.session.execute(db.select(*psfs_columns(patient_id))).one(), today)


def psfs_from(latest_items: list | None, last_own: dt.date | None, today: dt.date) -> PsfsState:
    """The state from what psfs_columns reads."""
    activities = [str(i.get("activity", ""))[:PSFS_ACTIVITY_MAX] for i in latest_items or []
                  if str(i.get("activity", "")).strip()][:PSFS_ITEMS_MAX]
    if last_own is not None and today < last_own + dt.timedelta(days=PSFS_EVERY_DAYS):
        return PsfsState(activities, False, last_own + dt.timedelta(days=PSFS_EVERY_DAYS))
    return PsfsState(activities, True, None)


@dataclass
class PsfsEntry:
    items: list[dict] = field(default_factory=list)
    raw: dict = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def read_psfs(form, activities: list[str]) -> PsfsEntry:
    """Scores score-0..2 (0-10) for the named activities, or, with none named yet, up to
    three activity-N names each with its score."""
    entry = PsfsEntry()
    named: dict[str, int] = {}  # an activity's name, folded -> the row that named it first
    for n in range(PSFS_ITEMS_MAX):
        name = activities[n] if n < len(activities) else None
        if name is None and activities:
            break
        typed = " ".join(clean_text(form.get(f"activity-{n}") or "").split()) if name is None else name
        score_text = (form.get(f"score-{n}") or "").strip()[:10]
        entry.raw[f"activity-{n}"], entry.raw[f"score-{n}"] = typed[:PSFS_ACTIVITY_MAX * 4], score_text
        if not typed and not score_text:
            continue
        label = f"Activity {n + 1}"
        if len(typed) > PSFS_ACTIVITY_MAX:
            entry.errors[f"activity-{n}"] = f"{label}: at most {PSFS_ACTIVITY_MAX} characters."
        elif not typed:
            entry.errors[f"activity-{n}"] = f"{label}: say what the activity is, or clear its score."
        elif typed.casefold() in named:
            entry.errors[f"activity-{n}"] = (f"{label}: this is the same as activity {named[typed.casefold()] + 1}; "
                                             "name a different activity, or clear this one.")
        if typed:
            named.setdefault(typed.casefold(), n)
        score = _int(score_text)
        if score is None or score > 10:
            entry.errors[f"score-{n}"] = f"{label}: choose a score from 0 (cannot do it) to 10 (as before)."
        elif typed and f"activity-{n}" not in entry.errors:
            entry.items.append({"activity": typed, "score": score})
    if not entry.items and not entry.errors:
        entry.errors["score-0"] = "Activity 1: give at least one score."
    return entry


def save_psfs(patient_id: int, version_id: int, today: dt.date, entry: PsfsEntry) -> PsfsScore:
    score = PsfsScore(patient_id=patient_id, version_id=version_id, taken_on=today, source="patient",
                      items=entry.items)
    db.session.add(score)
    db.session.flush()
    return score
