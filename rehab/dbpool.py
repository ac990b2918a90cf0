"""The pooled database connections' check: a connection that has been idle in the pool for
IDLE_PING_SECONDS or more is pinged before use, and replaced if the database has dropped it
(a restart, a failover, a firewall's idle timeout), so no request fails on a dead connection.

SQLAlchemy's `pool_pre_ping` pings on every checkout: one round trip to the database per
request, which was a third of a patient page view's time under load. A connection handed
back less than a second ago is as good as checked: a database restart within that second
fails the requests in flight anyway, and a failed ping (or the first error on a dropped
connection) makes SQLAlchemy replace every connection opened before it.
"""

from __future__ import annotations

import time

from sqlalchemy import event, exc

IDLE_PING_SECONDS = 1.0
clock = time.monotonic


def ping_after_idle(engine) -> None:
    """Install the check on `engine`'s pool (PoolEvents). A failed ping raises
    InvalidatePoolError, as pool_pre_ping does: the pool replaces this connection and every
    other one opened before it (idle under a second, so not pinged, yet as dead after a
    restart), and hands out a fresh one."""

    @event.listens_for(engine, "checkin")
    def _idle_from(dbapi_connection, record) -> None:
        record.info["idle_from"] = clock()

    @event.listens_for(engine, "checkout")
    def _check(dbapi_connection, record, proxy) -> None:
        idle_from = record.info.pop("idle_from", None)  # None: a new connection, used at once
        if idle_from is None or clock() - idle_from < IDLE_PING_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise exc.InvalidatePoolError("the database dropped an idle connection") from error
