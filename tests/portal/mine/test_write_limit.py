"""A patient link's write limit (PATIENT_WRITE_LIMIT, rehab.patient_link.count_write): counted
on the link's own row, in windows that start with the first write after the last window
ended; the count's row lock lets one write of the link run at a time, so parallel workers
never get more than the limit through."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from rehab import patient_link
from rehab.extensions import db
from rehab.models import PatientLink, utcnow

from .conftest import copy_plan, give_link

LIMIT = 3
HOUR = dt.timedelta(hours=1)
NOW = dt.datetime(2026, 12, 6, 9, 0, tzinfo=dt.timezone.utc)


def _link(app, link_id: int) -> PatientLink:
    with app.app_context():
        link = db.session.get(PatientLink, link_id)
        db.session.expunge(link)
        return link


def _count(link_id: int, now=NOW) -> bool:
    return patient_link.count_write(link_id, f"{LIMIT} per hour", now)


def test_writes_stop_at_the_limit_then_count_nothing_more(app, linked):
    with app.app_context():
        assert [_count(linked.link_id) for _ in range(LIMIT + 2)] == [True] * LIMIT + [False] * 2
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
            assert _count(linked.link_id)
        assert _count(linked.link_id, NOW + after) is within
        db.session.commit()
    link = _link(app, linked.link_id)
    assert (link.writes_from, link.writes) == ((NOW + after, 1) if within else (NOW, LIMIT + 1))


def test_the_window_starts_with_the_first_write_not_the_clock(app, linked):
    """Writes at 9:00 and 9:50 (limit 2 per hour): at 10:10 the 9:00 window has ended."""
    with app.app_context():
        assert patient_link.count_write(linked.link_id, "2 per hour", NOW)
        assert patient_link.count_write(linked.link_id, "2 per hour", NOW + dt.timedelta(minutes=50))
        assert not patient_link.count_write(linked.link_id, "2 per hour", NOW + dt.timedelta(minutes=59))
        assert patient_link.count_write(linked.link_id, "2 per hour", NOW + dt.timedelta(minutes=70))


def test_a_count_rolled_back_counts_nothing(app, linked):
    with app.app_context():
        assert _count(linked.link_id)
        db.session.rollback()  # the write failed
    assert _link(app, linked.link_id).writes == 0


def test_each_link_has_its_own_count(app, linked, portal, make_patient, clinician):
    other = give_link(portal, copy_plan(app, linked.version_id, make_patient(clinician.clinic_id, "H-009")), 1)
    with app.app_context():
        assert [_count(linked.link_id) for _ in range(LIMIT + 1)][-1] is False
        assert _count(other.link_id)
        db.session.commit()
    assert (_link(app, linked.link_id).writes, _link(app, other.link_id).writes) == (LIMIT + 1, 1)


def test_parallel_writes_never_pass_more_than_the_limit(app, linked, at_once):
    """Ten workers count a write of one link at once, each then holding its transaction open
    a little (the rest of the write) before committing: exactly LIMIT get through."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite lets one connection write at a time by itself")

    def worker():
        with app.app_context():  # its own session and connection, as another worker
            within = _count(linked.link_id, utcnow())
            time.sleep(0.02)
            db.session.commit()
            db.session.remove()
            return within

    results = at_once([worker] * 10)
    assert results.count(True) == LIMIT
    assert _link(app, linked.link_id).writes == LIMIT + 1
    with app.app_context():
        db.engine.dispose()
