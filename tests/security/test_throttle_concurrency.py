"""The database-backed login limit (rehab.throttle.hit) holds under concurrent workers: on
PostgreSQL counting and adding one attempt is atomic per key (an advisory transaction lock),
so parallel requests never get more than the limit through. (A patient link's write limit:
tests/portal/mine/test_write_limit.py.)"""

from __future__ import annotations

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
                      LOGIN_RATE_LIMIT=f"{LIMIT} per minute")
    return app


def test_parallel_hits_never_pass_more_than_the_limit(limited_app, monkeypatch, at_once):
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

    def worker():
        with app.app_context():  # its own session and connection, as another worker
            hit = throttle.hit("addr:192.0.2.42")
            db.session.remove()
            return hit

    assert at_once([worker] * WORKERS).count(True) == LIMIT
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(LoginAttempt.id)).where(
            LoginAttempt.key == "addr:192.0.2.42")).scalar_one() == LIMIT
        db.engine.dispose()


def test_hits_in_turn_stop_at_the_limit(limited_app):
    """SQLite and PostgreSQL alike: the limit, then refusals that add nothing."""
    with limited_app.app_context():
        assert [throttle.hit("addr:192.0.2.7") for _ in range(LIMIT + 2)] == [True] * LIMIT + [False] * 2
        assert db.session.execute(db.select(db.func.count(LoginAttempt.id))).scalar_one() == LIMIT
        assert throttle.hit("addr:192.0.2.8")  # another key has its own count
        assert throttle._lock_id("addr:192.0.2.7") != throttle._lock_id("addr:192.0.2.8")
