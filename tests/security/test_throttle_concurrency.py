"""The database-backed rate limit (rehab.throttle.hit) holds under concurrent workers: on
PostgreSQL counting and adding one attempt is atomic per key (an advisory transaction lock),
so parallel requests never get more than the limit through."""

from __future__ import annotations

import threading
import time

import pytest

from rehab import throttle
from rehab.extensions import db
from rehab.models import LoginAttempt

LIMIT = 3
WORKERS = 10


@pytest.fixture
def limited_app(app):
    app.config.update(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                      PATIENT_WRITE_LIMIT=f"{LIMIT} per minute")
    return app


@pytest.mark.parametrize("commit", [True, False], ids=["hit commits", "caller commits"])
def test_parallel_hits_never_pass_more_than_the_limit(limited_app, monkeypatch, commit):
    """Also when the caller commits (rehab.mine counts a write in the write's own transaction):
    the key's lock is then held until that commit."""
    app = limited_app
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite serialises writers itself; the lock is PostgreSQL's")
    counted = throttle._db_count

    def slow_count(key, item):  # widen the window between counting and adding
        n = counted(key, item)
        time.sleep(0.05)
        return n

    monkeypatch.setattr(throttle, "_db_count", slow_count)
    start, results, errors = threading.Barrier(WORKERS), [], []

    def worker():
        try:
            with app.app_context():  # its own session and connection, as another worker
                start.wait()
                results.append(throttle.hit(throttle.link_key(42), commit=commit))
                time.sleep(0.02)  # the rest of the caller's transaction
                db.session.commit()
                db.session.remove()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    assert len(results) == WORKERS
    assert results.count(True) == LIMIT
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(LoginAttempt.id)).where(
            LoginAttempt.key == throttle.link_key(42))).scalar_one() == LIMIT
        db.engine.dispose()


def test_hits_in_turn_stop_at_the_limit(limited_app):
    """SQLite and PostgreSQL alike: the limit, then refusals that add nothing."""
    with limited_app.app_context():
        assert [throttle.hit(throttle.link_key(7)) for _ in range(LIMIT + 2)] == [True] * LIMIT + [False] * 2
        assert db.session.execute(db.select(db.func.count(LoginAttempt.id))).scalar_one() == LIMIT
        assert throttle._lock_id("link:7") != throttle._lock_id("link:8")


def test_a_hit_left_to_the_caller_counts_only_when_committed(limited_app):
    with limited_app.app_context():
        assert throttle.hit(throttle.link_key(9), commit=False)
        db.session.rollback()  # the write failed: nothing counted
        assert db.session.execute(db.select(db.func.count(LoginAttempt.id))).scalar_one() == 0
        assert [throttle.hit(throttle.link_key(9), commit=False) for _ in range(LIMIT + 1)] == [True] * LIMIT + [False]
        db.session.commit()
        assert db.session.execute(db.select(db.func.count(LoginAttempt.id))).scalar_one() == LIMIT
