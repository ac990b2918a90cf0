"""A patient link's write limit (PATIENT_WRITE_LIMIT, rehab.patient_link.count_write): counted
on the link's own row, in windows that start with the first write after the last window
ended; the count's row lock lets one write of the link run at a time, so parallel workers
never get more than the limit through."""

from __future__ import annotations

import datetime as dt
import sqlite3
import time

import pytest

from rehab import patient_link
from rehab.extensions import db
from rehab.models import LogDay, PatientLink, utcnow

from .conftest import copy_plan, give_link

LIMIT = 3
HOUR = dt.timedelta(hours=1)
NOW = dt.datetime(2026, 12, 6, 9, 0, tzinfo=dt.timezone.utc)


def _link(app, link_id: int) -> PatientLink:
    with app.app_context():
        link = db.session.get(PatientLink, link_id)
        db.session.expunge(link)
        return link


def _count(token: str, now=NOW) -> bool:
    return patient_link.count_write(token, f"{LIMIT} per hour", now)


def test_writes_stop_at_the_limit_then_count_nothing_more(app, linked):
    with app.app_context():
        assert [_count(linked.token) for _ in range(LIMIT + 2)] == [True] * LIMIT + [False] * 2
        db.session.commit()
    link = _link(app, linked.link_id)
    assert (link.writes_from, link.writes) == (NOW, LIMIT + 1)  # stays one over, however many more


@pytest.mark.parametrize(("after", "within"), [
    (HOUR - dt.timedelta(seconds=1), False),  # just inside the window: still full
    (HOUR, True),  # the window has ended: a new one starts
    (HOUR + dt.timedelta(seconds=1), True),
], ids=["just before the hour", "at the hour", "just after the hour"])
def test_a_new_window_starts_when_the_last_one_has_ended(app, linked, after, within):
    with app.app_context():
        for _ in range(LIMIT):
            assert _count(linked.token)
        assert _count(linked.token, NOW + after) is within
        db.session.commit()
    link = _link(app, linked.link_id)
    assert (link.writes_from, link.writes) == ((NOW + after, 1) if within else (NOW, LIMIT + 1))


def test_the_window_starts_with_the_first_write_not_the_clock(app, linked):
    """Writes at 9:00 and 9:50 (limit 2 per hour): at 10:10 the 9:00 window has ended."""
    with app.app_context():
        assert patient_link.count_write(linked.token, "2 per hour", NOW)
        assert patient_link.count_write(linked.token, "2 per hour", NOW + dt.timedelta(minutes=50))
        assert not patient_link.count_write(linked.token, "2 per hour", NOW + dt.timedelta(minutes=59))
        assert patient_link.count_write(linked.token, "2 per hour", NOW + dt.timedelta(minutes=70))


def test_a_count_rolled_back_counts_nothing(app, linked):
    with app.app_context():
        assert _count(linked.token)
        db.session.rollback()  # the write failed
    assert _link(app, linked.link_id).writes == 0


def test_each_link_has_its_own_count(app, linked, portal, make_patient, clinician):
    other = give_link(portal, copy_plan(app, linked.version_id, make_patient(clinician.clinic_id, "H-009")), 1)
    with app.app_context():
        assert [_count(linked.token) for _ in range(LIMIT + 1)][-1] is False
        assert _count(other.token)
        db.session.commit()
    assert (_link(app, linked.link_id).writes, _link(app, other.link_id).writes) == (LIMIT + 1, 1)


def test_parallel_writes_never_pass_more_than_the_limit(concurrent_writers, app, linked, at_once):
    """Ten workers count a write of one link at once, each then holding its transaction open
    a little (the rest of the write) before committing: exactly LIMIT get through."""

    def worker():
        with app.app_context():  # its own session and connection, as another worker
            within = _count(linked.token, utcnow())
            time.sleep(0.02)
            db.session.commit()
            db.session.remove()
            return within

    results = at_once([worker] * 10)
    assert results.count(True) == LIMIT
    assert _link(app, linked.link_id).writes == LIMIT + 1
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize(("ends_in", "counted"), [
    (dt.timedelta(seconds=-1), False),  # expired a second ago
    (dt.timedelta(0), False),  # expires now: a link works until, not at, its expiry
    (dt.timedelta(seconds=1), True),
], ids=["expired", "at its expiry", "a second before"])
def test_an_expired_link_counts_nothing(app, linked, ends_in, counted):
    with app.app_context():
        db.session.execute(db.update(PatientLink).where(PatientLink.id == linked.link_id)
                           .values(expires_at=NOW + ends_in))
        assert _count(linked.token) is (True if counted else None)
        db.session.commit()
    assert _link(app, linked.link_id).writes == (1 if counted else 0)


def test_a_revoked_or_erased_link_counts_nothing(app, linked):
    with app.app_context():
        assert patient_link.count_write("A" * 43, "3 per hour") is None  # no such link (or erased)
        assert patient_link.count_write(linked.token[:-1], "3 per hour") is None  # not a token: no query
        db.session.execute(db.update(PatientLink).where(PatientLink.id == linked.link_id).values(revoked_at=NOW))
        assert patient_link.count_write(linked.token, "3 per hour") is None


@pytest.mark.parametrize("what", ["log", "psfs"])
def test_a_link_switched_off_while_a_post_waits_gets_the_ended_page(concurrent_writers, app, linked, form_token,
                                                                    day_form, at_once, what):
    """A post waits for the link's row (another write of the link holds it); meanwhile the
    clinician revokes the link: when the row is free, the post gets the kind "switched off"
    page, and nothing is saved or counted."""
    with app.app_context():
        engine = db.engine
    token = form_token(app.test_client(), linked.path)
    data = (day_form(token, pain="9") if what == "log"
            else {"form_token": token, "activity-0": "Run", "score-0": "3"})
    with engine.connect() as other_write:
        other_write.execute(db.select(PatientLink.id).where(PatientLink.id == linked.link_id).with_for_update())

        def clinician():
            time.sleep(0.3)  # the post is waiting for the row by now
            other_write.execute(db.update(PatientLink).where(PatientLink.id == linked.link_id)
                                .values(revoked_at=utcnow()))
            other_write.commit()

        response, _ = at_once([lambda: app.test_client().post(f"{linked.path}/{what}", data=data), clinician])
    assert response.status_code == 410 and "switched off" in response.get_data(as_text=True)
    assert _link(app, linked.link_id).writes == 0
    with app.app_context():
        assert not db.session.execute(db.select(LogDay)).first()
        db.engine.dispose()


def test_over_the_limit_a_day_that_raises_a_new_alert_is_still_saved(app, linked, patient_client, form_token,
                                                                      day_form):
    """The limit must not keep a red flag from the clinic: over it, a day is saved only when
    it flags the day anew or adds to an unseen flag (a higher pain, another symptom)."""
    app.config.update(RATELIMIT_ENABLED=True, PATIENT_WRITE_LIMIT="1 per hour")
    token = form_token(patient_client, linked.path)

    def post(**changes):
        return patient_client.post(linked.path + "/log", data=day_form(token, **changes)).status_code

    assert post(pain="3") == 303  # the one allowed
    assert post(pain="4") == 429
    assert post(pain="8") == 303  # raises the flag
    assert post(pain="8", note="again") == 429  # nothing new
    assert post(pain="9") == 303  # a higher pain, while the flag is unseen
    assert post(pain="9", **{"symptom-chest_breathless": "yes"}) == 303  # another symptom
    assert post(pain="9", **{"symptom-chest_breathless": "yes"}) == 429
    assert post(pain="10", note="x" * 600) == 429  # not savable (too long a note): the limit stands
    with app.app_context():
        (row,) = db.session.execute(db.select(LogDay)).scalars().all()
        assert (row.pain, row.alert, row.symptoms) == (9, True, ["chest_breathless"])
        assert row.alert_reported["pain"] == 9


def test_over_the_limit_a_pain_below_the_alert_level_is_nothing_new(app, linked, patient_client, form_token,
                                                                     day_form):
    """A day flagged by a symptom: pains 0-7 tell the clinic nothing new, so the limit stands
    (an attacker cannot buy eleven posts a day by walking the pain scale); 8 does."""
    app.config.update(RATELIMIT_ENABLED=True, PATIENT_WRITE_LIMIT="1 per hour")
    token = form_token(patient_client, linked.path)
    calf = {"symptom-calf_swelling": "yes"}

    def post(pain):
        return patient_client.post(linked.path + "/log", data=day_form(token, pain=pain, **calf)).status_code

    assert post("0") == 303  # the one allowed, and the flag
    assert [post(str(pain)) for pain in range(1, 8)] == [429] * 7
    assert (post("8"), post("8"), post("7")) == (303, 429, 429)


def test_two_psfs_posts_at_once_save_one_week(concurrent_writers, app, linked, form_token, monkeypatch, at_once):
    """The PSFS is due once a week: read after the link's write lock, so of two posts at once
    one saves and the other is told the week's scores are in."""
    from rehab import patient_log
    from rehab.models import PsfsScore

    token = form_token(app.test_client(), linked.path)
    real = patient_log.read_psfs

    def slow(*args):  # widen the window between reading "due" and saving
        time.sleep(0.05)
        return real(*args)

    monkeypatch.setattr(patient_log, "read_psfs", slow)
    data = {"form_token": token, "activity-0": "Run", "score-0": "3"}
    codes = at_once([lambda: app.test_client().post(linked.path + "/psfs", data=data).status_code] * 2)
    assert sorted(codes) == [303, 409]
    with app.app_context():
        assert len(db.session.execute(db.select(PsfsScore).filter_by(source="patient")).all()) == 1
        db.engine.dispose()


def test_the_ended_page_never_fails_on_a_status_it_does_not_name(app):
    """A write that lost its link shows the page of whatever `resolve` says then: a status
    without a page of its own (a link working again) gets the plain "does not work" page."""
    from rehab.mine import views

    with app.test_request_context("/p/x/log", method="POST"):
        html, code = views._ended(patient_link.Resolved("ok"))
    assert code == 404 and "This link does not work" in html


def test_an_unknown_token_post_does_not_wait_for_the_sqlite_write_lock(app, database_url, day_form):
    """An unknown (or ended) token's post is the kind 404/410 page at once, even while
    another writer holds SQLite's database-wide write lock: it is turned away by a read
    before the count's UPDATE (which would queue behind every writer, block them, and end
    in a 500 after the busy timeout)."""
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's database-wide write lock")
    app.config["PROPAGATE_EXCEPTIONS"] = False
    with app.app_context():
        db.session.execute(db.text("SELECT 1"))  # the schema is there
        db.session.remove()
    holder = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None, timeout=0)
    holder.execute("BEGIN IMMEDIATE")  # another writer (a clinician's save, a patient's log post)
    try:
        start = time.monotonic()
        code = app.test_client().post("/p/" + "A" * 43 + "/log", data=day_form("0" * 64)).status_code
        waited = time.monotonic() - start
    finally:
        holder.rollback()
        holder.close()
    assert (code, waited < 1) == (404, True)
