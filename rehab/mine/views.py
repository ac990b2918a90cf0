"""The patient's page: the plan's current phase, "Get help now", the daily log and the PSFS.

No login: the private link's token is the key (rehab.patient_link). The app's session CSRF
does not apply (the patient has no session); each form carries a token bound to its link
instead. Writes are rate-limited per link (rehab.patient_link.count_write). Nothing here logs
the token or anything the patient types; the audit names the link, the plan and the patient
by id.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from sqlalchemy import text

from rehab import audit, bounds, patient_link, patient_log
from rehab.extensions import csrf, db
from rehab.mine.content import version_content
from rehab.mine.reads import VIEW, Write, read_for_write, read_page, since, view_detail
from rehab.models import utcnow
from rehab.pdf import words

bp = Blueprint("mine", __name__, url_prefix="/p")
csrf.exempt(bp)  # the form token is bound to the link instead (form_token_ok)

ENDED = {  # status -> (HTTP status, heading, what to do)
    "unknown": (404, "This link does not work",
                "Please check the address, or ask your clinic for your plan link again."),
    "revoked": (410, "This link has been switched off",
                "Your clinic has switched this link off. Please contact them for a new one."),
    "expired": (410, "This link has expired",
                "Links to your plan work for a limited time. Please contact your clinic for a new one."),
    "superseded": (410, "There is a newer plan for you",
                   "Your physio has saved a newer plan for you. Please use the new plan sheet or the new "
                   "link your clinic gives you; if you have neither, contact the clinic."),
}


@bp.after_request
def _private(response):
    """The page is for one person: not indexed, not cached, no address passed on."""
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def _today() -> dt.date:
    return dt.date.today()


def _ended(resolved: patient_link.Resolved):
    code, title, message = ENDED.get(resolved.status, ENDED["unknown"])  # (a write that lost its link: never a 500)
    return render_template("mine/ended.html", title=title, message=message, clinic=resolved.clinic), code


def _first_day(version) -> dt.date:
    """The day the version was saved: the log starts there."""
    return version.created_at.date()


def _chosen_day(text: str | None, today: dt.date, first: dt.date) -> dt.date:
    try:
        day = dt.date.fromisoformat((text or "")[:10])
    except ValueError:
        return today
    return day if day in patient_log.editable_days(today, first) else today


def _entry_from_row(row, day: dt.date) -> dict:
    """A stored day as the form's values."""
    raw = {"day": day.isoformat(), "pain": "", "note": "", "done": []}
    if row is not None:
        raw["pain"] = "" if row.pain is None else str(row.pain)
        raw["note"] = row.note or ""
        raw["done"] = [f"{exercise_id}:{n}" for exercise_id, count in (row.ticks or {}).items()
                       for n in range(1, int(count) + 1)]
        for code in row.symptoms or []:
            raw[f"symptom-{code}"] = "yes"
    return raw


def _page(resolved: patient_link.Resolved, token: str, day: dt.date, *, logged: dict | None = None,
          psfs_state: patient_log.PsfsState | None = None, typed: dict | None = None, errors: dict | None = None,
          psfs_typed: dict | None = None, psfs_errors: dict | None = None, notice: str = "", status: int = 200,
          advice: list[str] | None = None):
    """The page; `logged` and `psfs_state` as read with the link (rehab.mine.reads), else read here."""
    today = _today()
    version, link = resolved.version, resolved.link
    content = version_content(version)
    if logged is None:
        logged = patient_log.days_logged(version.id, since(today))
    if psfs_state is None:
        psfs_state = patient_log.psfs_state(resolved.patient.id, today)
    row = logged.get(day)
    values = typed if typed is not None else _entry_from_row(row, day)
    if advice is None:  # what the stored day calls for; a refused post passes what it typed
        advice = [] if typed is not None or row is None else patient_log.triggers(row.pain, row.symptoms)
    return render_template(
        "mine/page.html", token=token, first_name=resolved.patient.first_name, clinic=resolved.clinic,
        content=content, items=content.items, days=patient_log.editable_days(today, _first_day(version)),
        logged=logged, day=day,
        today=today, values=values, errors=errors or {},
        advice=[(code, *patient_log.ADVICE[code]) for code in advice],
        symptoms=patient_log.SYMPTOMS, note_max=patient_log.NOTE_MAX, scores=patient_log.SCALE,
        psfs=psfs_state, psfs_values=psfs_typed or {},
        psfs_errors=psfs_errors or {}, psfs_max=patient_log.PSFS_ACTIVITY_MAX,
        form_token=patient_link.form_token(current_app.config["SECRET_KEY"], link),
        expires=link.expires_at.date(), notice=notice,
        notice_text={"day": "Saved. Thank you.", "psfs": "Your scores are saved. Thank you."}.get(notice, "")), status


def _audit(action: str, resolved: patient_link.Resolved, **detail) -> None:
    version = resolved.version
    audit.record(action, "plan", version.plan_id, patient_id=resolved.patient.id, user_id=None,
                 version=version.number, link=resolved.link.id, **detail)


@bp.route("/<token>")
def page(token: str):
    """The plan and the day's log (?day=YYYY-MM-DD picks one of the last seven days)."""
    today = _today()
    read = read_page(token, today)  # one query; a view already audited within the window writes nothing
    resolved = read.resolved
    if resolved.status != "ok":
        return _ended(resolved)
    day = _chosen_day(request.args.get("day"), today, _first_day(resolved.version))
    saved = request.args.get("saved")
    notice = saved if saved in ("day", "psfs") else ""
    response = _page(resolved, token, day, logged=read.logged, psfs_state=read.psfs, notice=notice)
    if not read.viewed:
        version = resolved.version
        audit.record(VIEW, "plan", version.plan_id, patient_id=resolved.patient.id, user_id=None,
                     **view_detail(resolved.link.id, version.number))
        _commit(durable=False)
    return response


_NO_WAIT = text("SET LOCAL synchronous_commit TO OFF")


def _commit(durable: bool) -> None:
    """Commit the request's transaction; durable=False: without waiting for the disk on
    PostgreSQL (asynchronous commit, for this transaction only). The transaction is still
    written whole and in order; only a database server crash in the next fraction of a second
    could lose it. The wait was half a view's time and half a routine log post's. Used for a
    view's audit row and for a day that calls for no advice (ticks, a pain below 8, a note:
    if lost, the patient's page shows the day as not logged); a day that raises an alert,
    the PSFS and every clinician action wait for the disk."""
    if not durable and db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(_NO_WAIT)
    db.session.commit()


def _start_write(token: str, day: dt.date | None) -> tuple[Write, bool | None]:
    """A write's first two statements, in the request's transaction: its count on the link's
    row (rehab.patient_link.count_write: False over the limit, None for a link that has
    ended), whose row lock holds the link's other writes until this one commits or rolls
    back, then one read of what it needs (the link, the PSFS state and `day`'s row), which
    therefore sees what the last write of the link committed."""
    now = utcnow()
    if db.session.get_bind().dialect.name == "sqlite":
        # An UPDATE takes SQLite's write lock on the whole database, even one that matches no
        # row: a token that opens nothing is turned away by a read first, never queued
        # behind (or blocking) every writer. (PostgreSQL locks only a row that matched.)
        gate = patient_link.resolve(token, now)
        if gate.status != "ok":
            return Write(gate), None
    within = patient_link.count_write(token, current_app.config["PATIENT_WRITE_LIMIT"], now)  # also when not enforced
    return read_for_write(token, day, _today(), now), within


def _refusal(read: Write, within: bool, exempt=lambda: False):
    """(message, HTTP status) for a write of a live link that may not go ahead, rolled back
    (not counted; the link's lock goes at once): a bad form token (400), or over the link's
    write limit unless `exempt()` (429). The form is shown again as typed, so nothing is lost.
    A write that goes ahead commits on every path, a refused form (422, 409) included: the
    attempt counts."""
    config = current_app.config
    if not patient_link.form_token_ok(config["SECRET_KEY"], read.resolved.link, request.form.get("form_token")):
        refusal = "This form has expired. Please send it again.", 400
    elif not within and config["RATELIMIT_ENABLED"] and not exempt():
        refusal = "Too many changes in a short time. Please wait a while, then send it again.", 429
    else:
        return None
    db.session.rollback()
    return refusal


def _ended_write(read: Write, within: bool | None):
    """The kind page, rolled back, when the link has ended (also while the write waited for
    it); else None."""
    if within is not None and read.resolved.status == "ok":
        return None
    db.session.rollback()
    return _ended(read.resolved)  # (no count beside an "ok" read cannot happen, both use one `now`: "does not work")


@bp.route("/<token>/log", methods=["POST"])
@bounds.form_cleans_nul  # read_day drops control characters from the note
def log_day(token: str):
    """Log or correct one day: one transaction and one commit (the write limit's count, the
    day's row and its audit entry). The write limit never refuses a day that raises a new
    alert for the clinician: the patient is told what to do at once, and the clinic must
    hear of it too."""
    read, within = _start_write(token, patient_log.form_day(request.form))
    ended = _ended_write(read, within)
    if ended is not None:
        return ended
    resolved, today = read.resolved, _today()
    items = version_content(resolved.version).items
    first = _first_day(resolved.version)
    entry = patient_log.read_day(request.form, items, today, first)
    day = entry.day if entry.day in patient_log.editable_days(today, first) else today
    # A day that is not saved (a typo, the limit) still gets the advice for what it reports.
    advice = patient_log.triggers(entry.pain, entry.symptoms)
    refused = _refusal(read, within, exempt=lambda: patient_log.raises_alert(read.day_row, entry))
    if refused is not None:
        message, code = refused
        return _page(resolved, token, day, typed=entry.raw, errors={"form": message}, status=code, advice=advice)
    if entry.errors:
        db.session.commit()  # the attempt counts
        return _page(resolved, token, day, typed=entry.raw, errors=entry.errors, status=422, advice=advice)
    flagged = patient_log.save_day(resolved.version.id, resolved.patient.id, entry, read.day_row)
    _audit("patient_log_write", resolved, day=entry.day.isoformat(), alert=flagged)
    # Land where the patient reads the answer: the advice (with "Saved") when the day calls
    # for it, else "Saved" above the form (the page draws both with these ids; no script needed).
    anchor = "#advice" if advice else "#saved"
    _commit(durable=bool(advice))
    return redirect(url_for("mine.page", token=token, day=entry.day.isoformat(), saved="day") + anchor, 303)


@bp.route("/<token>/psfs", methods=["POST"])
@bounds.form_cleans_nul  # read_psfs drops control characters from the activities
def psfs(token: str):
    """The weekly PSFS: at most once every seven days."""
    read, within = _start_write(token, None)
    ended = _ended_write(read, within)
    if ended is not None:
        return ended
    # the state was read after the link's lock: of two posts at once, one finds the scores due
    resolved, state, today = read.resolved, read.psfs, _today()
    entry = patient_log.read_psfs(request.form, state.activities)
    refused = _refusal(read, within)
    if refused is not None:
        message, code = refused
        return _page(resolved, token, today, psfs_state=state, psfs_typed=entry.raw, psfs_errors={"form": message},
                     status=code)
    if not state.due:
        db.session.commit()  # the attempt counts
        return _page(resolved, token, today, psfs_state=state, psfs_typed=entry.raw, status=409, psfs_errors={
            "form": f"You have already sent your scores this week; the next ones are due on "
                    f"{words.date_words(state.next_on)}."})
    if entry.errors:
        db.session.commit()  # the attempt counts
        return _page(resolved, token, today, psfs_state=state, psfs_typed=entry.raw, psfs_errors=entry.errors,
                     status=422)
    patient_log.save_psfs(resolved.patient.id, resolved.version.id, today, entry)
    _audit("patient_psfs_write", resolved)
    db.session.commit()
    return redirect(url_for("mine.page", token=token, saved="psfs") + "#psfs-saved", 303)


@bp.route("/", methods=["GET", "POST"], defaults={"anything": ""})
@bp.route("/<path:anything>", methods=["GET", "POST"])
def unknown(anything: str):
    """Any other address under /p/ (a mistyped or cut link): the same kind page, never the portal's."""
    return _ended(patient_link.Resolved("unknown"))
