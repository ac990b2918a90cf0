"""Pooled connections are checked before use only after they have been idle (rehab.dbpool):
one handed back less than IDLE_PING_SECONDS ago is used without a round trip; one idle that
long or longer is pinged first, and replaced when the database has dropped it, so the
request still works."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine, text

from rehab import dbpool
from rehab.extensions import db

IDLE = dbpool.IDLE_PING_SECONDS


@pytest.fixture
def clock(monkeypatch):
    """The check's clock, moved by hand: clock.now += seconds."""
    state = SimpleNamespace(now=time.monotonic())
    monkeypatch.setattr(dbpool, "clock", lambda: state.now)
    return state


@pytest.fixture
def engine(database_url, _migrated, monkeypatch):
    """An engine of one connection with the check installed; engine.pings counts the pings."""
    engine = create_engine(database_url, pool_size=1, max_overflow=0)
    dbpool.ping_after_idle(engine)
    engine.pings = 0
    real = engine.dialect.do_ping

    def counted(dbapi_connection):
        engine.pings += 1
        return real(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    yield engine
    engine.dispose()


def _use(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("SELECT 1")).scalar()


def _restart(database_url: str) -> None:
    """What a database restart does to the pools: the server drops every connection but this one."""
    admin = create_engine(database_url)
    try:
        with admin.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
    finally:
        admin.dispose()


@pytest.fixture
def server(database_url) -> str:
    """The PostgreSQL database's URL (a SQLite file has no server to drop a connection)."""
    if not database_url.startswith("postgresql"):
        pytest.skip("a SQLite file has no server to drop a connection")
    return database_url


def test_a_new_connection_is_not_pinged(engine, clock):
    assert _use(engine) == 1 and engine.pings == 0


@pytest.mark.parametrize(("idle", "pinged"), [
    (IDLE - 0.001, False),  # handed back just now: used as it is
    (IDLE, True),
    (IDLE + 0.001, True),
], ids=["just under the idle time", "at it", "just over it"])
def test_a_connection_is_pinged_once_it_has_been_idle(engine, clock, idle, pinged):
    _use(engine)
    clock.now += idle
    assert _use(engine) == 1 and engine.pings == (1 if pinged else 0)


def test_an_idle_connection_the_database_dropped_is_replaced(engine, clock, server):
    _use(engine)
    _restart(server)
    clock.now += IDLE
    assert _use(engine) == 1 and engine.pings == 1


def test_the_apps_pool_is_checked_so_a_request_works_after_a_database_restart(app, clock, server):
    with app.app_context():
        db.session.execute(text("SELECT 1"))  # a connection in the app's pool
        db.session.remove()
        engine = db.engine
    _restart(server)
    clock.now += IDLE
    with app.app_context():
        assert db.session.execute(text("SELECT 1")).scalar() == 1
        db.session.remove()
    assert engine.pool.checkedout() == 0


def test_a_failed_ping_replaces_every_older_connection_not_only_the_pinged_one(server, _migrated, clock):
    """A database restart: the connection idle a second or more is pinged, fails and is
    replaced, and so is the one handed back just before the restart (idle under a second, so
    not pinged): the next request gets a new connection, not a 500 on a dead one."""
    engine = create_engine(server, pool_size=2, max_overflow=0)
    dbpool.ping_after_idle(engine)
    try:
        first, second = engine.connect(), engine.connect()
        first.execute(text("SELECT 1")), second.execute(text("SELECT 1"))
        first.close()  # handed back first: the pool hands it out first (FIFO)
        clock.now += 0.5
        second.close()
        _restart(server)
        clock.now += IDLE - 0.4  # the first idle IDLE + 0.1, the second 0.6
        with engine.connect() as a:  # pinged: replaced
            assert a.execute(text("SELECT 1")).scalar() == 1
            with engine.connect() as b:  # not pinged
                assert b.execute(text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()
