"""What the patient's page and log post do in the database: a page view reads in one query and
writes only the first view within the audit window; a log post is one transaction with one
commit (the write limit's count on the link's row, the day's row and its audit entry), so a
write that fails half-way leaves nothing behind and counts nothing, and the count's row lock
lets one write of a link run at a time."""

from __future__ import annotations

import datetime as dt
import secrets
import time

import pytest

from rehab import audit, patient_link, patient_log
from rehab.extensions import db
from rehab.models import AuditEntry, LogDay, PatientLink

from .conftest import give_link


def _count(app, model, **where) -> int:
    with app.app_context():
        return db.session.execute(db.select(db.func.count()).select_from(model).filter_by(**where)).scalar_one()


def _limited(app, limit="30 per hour"):
    app.config.update(RATELIMIT_ENABLED=True, PATIENT_WRITE_LIMIT=limit)


def _writes(app, link_id: int) -> int:
    """The link's writes counted in its current window."""
    with app.app_context():
        return db.session.get(PatientLink, link_id).writes


def test_a_repeated_view_reads_once_and_writes_nothing(app, linked, patient_client, sql):
    with sql() as first:
        assert patient_client.get(linked.path).status_code == 200
    assert first.commits == 1 and _count(app, AuditEntry, action="patient_page_view") == 1
    with sql() as again:
        assert patient_client.get(linked.path).status_code == 200
    assert (again.commits, len(again.statements)) == (0, 1)  # the link, the days, the PSFS and the audit check
    assert _count(app, AuditEntry, action="patient_page_view") == 1


def test_a_view_after_the_window_or_by_a_new_link_is_recorded_again(app, portal, linked, patient_client):
    patient_client.get(linked.path)
    with app.app_context():
        for entry in db.session.execute(db.select(AuditEntry).filter_by(action="patient_page_view")).scalars():
            entry.at -= audit.VIEW_WINDOW + dt.timedelta(minutes=1)
        db.session.commit()
    patient_client.get(linked.path)
    assert _count(app, AuditEntry, action="patient_page_view") == 2
    assert portal.post(f"/plans/{linked.plan_id}/versions/{linked.number}/link/revoke").status_code == 303
    new = give_link(portal, linked.plan_id, linked.number)
    patient_client.get(new.path)
    patient_client.get(new.path)
    with app.app_context():
        entries = db.session.execute(db.select(AuditEntry).filter_by(action="patient_page_view")
                                     .order_by(AuditEntry.id)).scalars().all()
        assert [entry.detail["link"] for entry in entries] == [linked.link_id, linked.link_id, new.link_id]


def test_a_log_post_commits_once(app, linked, patient_client, form_token, day_form, sql):
    _limited(app)
    token = form_token(patient_client, linked.path)
    with app.app_context():
        postgresql = db.engine.dialect.name == "postgresql"
    gate = not postgresql  # SQLite reads the link before the count (rehab.mine.views._start_write)
    with sql() as first:
        assert patient_client.post(linked.path + "/log", data=day_form(token, pain="9")).status_code == 303
    # count, read (link, PSFS, day), then the day's first row in a savepoint, audit; an alert waits for the disk
    assert first.commits == 1 and len(first.statements) == 6 + gate
    with sql() as correction:
        assert patient_client.post(linked.path + "/log", data=day_form(token, pain="5")).status_code == 303
    # count, read, day write, audit; a day without advice does not wait for the disk (PostgreSQL)
    assert correction.commits == 1 and len(correction.statements) == 4 + gate + postgresql
    assert ("SET LOCAL synchronous_commit TO OFF" in correction.statements) is postgresql
    assert not any("synchronous_commit" in statement for statement in first.statements)
    assert _writes(app, linked.link_id) == 2 and _count(app, LogDay, alert=True) == 1
    assert _count(app, AuditEntry, action="patient_log_write") == 2


@pytest.mark.parametrize(("changes", "durable"), [
    ({"pain": "7"}, False),  # just under the alert level: a day without advice
    ({"pain": "8"}, True),  # at it: the clinic is alerted
    ({"pain": "9"}, True),
    ({"pain": "0", "symptom-calf_swelling": "yes"}, True),
    ({"pain": "", "note": "Stiff."}, False),
], ids=["pain 7", "pain 8", "pain 9", "a symptom", "no pain given"])
def test_a_day_that_raises_an_alert_waits_for_the_disk(app, linked, patient_client, form_token, day_form, sql,
                                                        changes, durable):
    """On PostgreSQL a day without advice commits without waiting for the disk (only a
    database crash in the next fraction of a second could lose it, and the patient would see
    it missing); a day that calls for advice, and so alerts the clinic, waits. SQLite always
    waits."""
    token = form_token(patient_client, linked.path)
    with app.app_context():
        postgresql = db.engine.dialect.name == "postgresql"
    with sql() as seen:
        assert patient_client.post(linked.path + "/log", data=day_form(token, **changes)).status_code == 303
    assert ("SET LOCAL synchronous_commit TO OFF" in seen.statements) is (postgresql and not durable)


def test_a_write_that_fails_half_way_leaves_nothing(app, linked, patient_client, form_token, day_form, monkeypatch):
    """The day's row is written, then the audit fails: neither the row nor the write limit's
    count is kept, and the link can be written again at once (no lock left behind)."""
    from rehab.mine import views

    _limited(app, "1 per hour")
    token = form_token(patient_client, linked.path)

    def broken(*args, **kwargs):
        raise RuntimeError("the audit failed")

    with monkeypatch.context() as patch:
        patch.setattr(views, "_audit", broken)
        app.config["PROPAGATE_EXCEPTIONS"] = False
        assert patient_client.post(linked.path + "/log", data=day_form(token)).status_code == 500
    assert _count(app, LogDay) == 0 and _writes(app, linked.link_id) == 0
    assert _count(app, AuditEntry, action="patient_log_write") == 0
    assert patient_client.post(linked.path + "/log", data=day_form(token)).status_code == 303  # the 1 allowed
    assert _count(app, LogDay) == 1 and _writes(app, linked.link_id) == 1


def test_a_refused_form_still_counts_toward_the_limit(app, linked, patient_client, form_token, day_form):
    _limited(app, "2 per hour")
    token = form_token(patient_client, linked.path)
    assert patient_client.post(linked.path + "/log", data=day_form(token, pain="15")).status_code == 422
    assert patient_client.post(linked.path + "/psfs", data={"form_token": token}).status_code == 422
    assert patient_client.post(linked.path + "/log", data=day_form(token)).status_code == 429
    assert _writes(app, linked.link_id) == 2 and _count(app, LogDay) == 0  # the refused one is not counted


def test_saves_of_one_link_at_once_run_one_at_a_time(concurrent_writers, app, linked, form_token, day_form,
                                                     monkeypatch, at_once):
    """A double (or triple) tap on "Save this day" for a day not logged yet: each request reads
    the day's row, then writes it. The link's write lock makes the second wait for the first's
    commit, so it corrects the first's row (no second insert, no 500) and never drops the
    alert the first raised, in whatever order they run."""
    _limited(app)
    token = form_token(app.test_client(), linked.path)
    real = patient_log._raises_anew

    def slow(row, entry):  # widen the window between reading the day and writing it
        time.sleep(0.05)
        return real(row, entry)

    monkeypatch.setattr(patient_log, "_raises_anew", slow)
    pains = ["2", "9", "3", "4"]
    codes = at_once([lambda pain=pain: app.test_client().post(linked.path + "/log", data=day_form(token, pain=pain))
                     .status_code for pain in pains])
    assert codes == [303] * len(pains)
    with app.app_context():
        (row,) = db.session.execute(db.select(LogDay)).scalars().all()
        assert str(row.pain) in pains and row.alert and row.alert_reported["pain"] == 9
        db.engine.dispose()
    assert _writes(app, linked.link_id) == len(pains)


def test_a_day_saved_through_another_link_meanwhile_is_corrected_not_a_500(app, linked, patient_client,
                                                                          form_token, day_form, monkeypatch):
    """Two links of one version (two clinicians gave one at the same moment) hold two locks:
    a first save through each at once both find no row. The second insert meets the unique
    (version, day) in a savepoint, and corrects the first's row, keeping its flag."""
    token = form_token(patient_client, linked.path)
    assert patient_client.post(linked.path + "/log", data=day_form(token, pain="9")).status_code == 303
    from rehab.mine import views

    real, missed = views.read_for_write, []

    def first_look_finds_nothing(*args):
        read = real(*args)
        if not missed:
            missed.append(True)
            read.day_row = None  # as if the other save had not committed yet
        return read

    monkeypatch.setattr(views, "read_for_write", first_look_finds_nothing)
    assert patient_client.post(linked.path + "/log", data=day_form(token, pain="4")).status_code == 303
    assert missed
    with app.app_context():
        (row,) = db.session.execute(db.select(LogDay)).scalars().all()
        assert (row.pain, row.alert, row.alert_reported["pain"]) == (4, True, 9)


def test_an_erasure_during_a_patients_write_waits_for_it_then_removes_it(
        concurrent_writers, app, linked, form_token, day_form, admin, login, monkeypatch, at_once):
    """The erasure deletes the links first: it waits for the write that holds the link, then
    deletes the log with the day that write saved (not a deadlock, nor a 500 on the version
    the new day names)."""
    from rehab.models import Patient

    with app.app_context():
        reference = db.session.get(Patient, linked.patient_id).reference
    token = form_token(app.test_client(), linked.path)
    real = patient_log._raises_anew

    def slow(row, entry):  # the write holds the link's row a while before saving the day
        time.sleep(0.3)
        return real(row, entry)

    monkeypatch.setattr(patient_log, "_raises_anew", slow)
    eraser = app.test_client()
    login(eraser, admin)

    def erase():
        time.sleep(0.1)  # the patient's write has the link by now
        return eraser.post(f"/patients/{linked.patient_id}/erase", data={"confirm": reference}).status_code

    codes = at_once([lambda: app.test_client().post(linked.path + "/log", data=day_form(token)).status_code, erase])
    assert codes == [303, 302]
    assert _count(app, LogDay) == 0 and _count(app, PatientLink) == 0
    with app.app_context():
        db.engine.dispose()


def test_two_live_links_of_a_version_at_once_keep_every_symptom_the_flag_reports(
        concurrent_writers, app, linked, form_token, day_form, monkeypatch, at_once):
    """Two live links of one version (two clinicians gave one at the same moment) hold two
    locks. The day is flagged and unseen; a post through each link at once, each with a new
    symptom, both read the stored row before either writes: the second finds the row changed
    since it read it, reads it again and adds its symptom to what the first reported (it
    used to overwrite the first's report: an emergency symptom dropped from the flag)."""
    with app.app_context():
        salt = secrets.token_hex(16)
        other = PatientLink(patient_id=linked.patient_id, version_id=linked.version_id, salt=salt,
                            token_hash=patient_link.token_hash(patient_link.token_for(app.config["SECRET_KEY"], salt)),
                            expires_at=dt.datetime.now(dt.timezone.utc) + dt.timedelta(weeks=1))
        db.session.add(other)
        db.session.commit()
        other_path = "/p/" + patient_link.token_for(app.config["SECRET_KEY"], salt)
    client = app.test_client()
    token, other_token = form_token(client, linked.path), form_token(client, other_path)
    assert client.post(linked.path + "/log", data=day_form(token, pain="9")).status_code == 303  # flagged, unseen
    real = patient_log._day_values

    def slow(row, entry):  # both have read the day's row before either writes it
        time.sleep(0.3)
        return real(row, entry)

    monkeypatch.setattr(patient_log, "_day_values", slow)
    codes = at_once([
        lambda: app.test_client().post(linked.path + "/log", data=day_form(
            token, pain="9", **{"symptom-calf_swelling": "yes"})).status_code,
        lambda: app.test_client().post(other_path + "/log", data=day_form(
            other_token, pain="9", **{"symptom-chest_breathless": "yes"})).status_code,
    ])
    assert codes == [303, 303]
    with app.app_context():
        (row,) = db.session.execute(db.select(LogDay)).scalars().all()
        reported = set(row.alert_reported["symptoms"])
        db.engine.dispose()
    assert {"calf_swelling", "chest_breathless"} <= reported, reported


def test_a_symptom_sent_while_the_clinician_marks_the_alert_seen_is_not_hidden_under_the_seen_flag(
        concurrent_writers, app, linked, clinician, form_token, day_form, monkeypatch, at_once):
    """The day is flagged, unseen. The patient sends a new symptom; the write reads the day's
    row first (read_for_write), then reads the form and writes. The clinician marks the
    alert seen in between, as shown. The patient's write finds the row changed since it read
    it, reads it again (seen now) and raises the flag anew for the new symptom: it never
    hides under a seen flag (as it did when the write trusted what it read first)."""
    from rehab.portal import progress

    client = app.test_client()
    token = form_token(client, linked.path)
    assert client.post(linked.path + "/log", data=day_form(token, pain="9")).status_code == 303
    with app.app_context():
        row = db.session.execute(db.select(LogDay)).scalar_one()
        row_id, shown = row.id, row.updated_at
    real = patient_log.read_day

    def slow(*args, **kwargs):  # the write has read the day's row; it parses the form (cf. a version_content miss)
        time.sleep(0.4)
        return real(*args, **kwargs)

    monkeypatch.setattr(patient_log, "read_day", slow)

    def mark():
        time.sleep(0.15)
        with app.app_context():
            return progress.mark_seen(linked.patient_id, row_id, clinician.id, shown)

    code, marked = at_once([
        lambda: app.test_client().post(linked.path + "/log", data=day_form(
            token, pain="9", **{"symptom-chest_breathless": "yes"})).status_code,
        mark])
    assert code == 303
    with app.app_context():
        row = db.session.get(LogDay, row_id)
        hidden = row.alert_seen_at is not None and "chest_breathless" in row.alert_reported["symptoms"]
        db.engine.dispose()
    assert not hidden, (marked, row.alert_seen_at, row.alert_reported)
