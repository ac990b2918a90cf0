"""Login limits per client address and per account, shared by every worker and host.

Counts live in redis when RATELIMIT_STORAGE_URI names one (through the `limits` package),
else in the database (LoginAttempt rows): never in a process, so two workers cannot each
allow the full number. The address is the one ProxyFix found (REHAB_PROXY_HOPS); the
account is the typed email, digested, whether or not such a user exists. (A patient link's
write limit is counted on the link's own row: rehab.patient_link.count_write.)
"""

from __future__ import annotations

import datetime as dt
import hashlib

from flask import current_app, request
from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from rehab.extensions import db
from rehab.models import LoginAttempt, utcnow

_redis_limiters: dict[str, MovingWindowRateLimiter] = {}  # one connection pool per URI and process
_attempts = LoginAttempt.__table__  # plain Core statements: no unit of work on a hot path


def _limiter() -> MovingWindowRateLimiter | None:
    uri = current_app.config["RATELIMIT_STORAGE_URI"]
    if uri.startswith("memory://"):
        return None
    if uri not in _redis_limiters:
        _redis_limiters[uri] = MovingWindowRateLimiter(storage_from_string(uri))
    return _redis_limiters[uri]


def address_key() -> str:
    return f"addr:{request.remote_addr or '-'}"


def account_key(email: str) -> str:
    return "account:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:40]


# the setting that limits each kind of key (the part before the colon)
LIMITS = {"addr": "LOGIN_RATE_LIMIT", "account": "ACCOUNT_LOGIN_LIMIT"}


def _item(key: str) -> RateLimitItem:
    return parse(current_app.config[LIMITS[key.partition(":")[0]]])


def _db_count(key: str, item: RateLimitItem) -> int:
    since = utcnow() - dt.timedelta(seconds=item.get_expiry())
    return db.session.execute(db.select(db.func.count(_attempts.c.id)).where(
        _attempts.c.key == key, _attempts.c.at > since)).scalar_one()


def allowed(key: str) -> bool:
    """Whether one more attempt on `key` is within its limit (counts nothing)."""
    if not current_app.config["RATELIMIT_ENABLED"]:
        return True
    item, limiter = _item(key), _limiter()
    if limiter is not None:
        return limiter.test(item, current_app.config["RATELIMIT_KEY_PREFIX"], key)
    return _db_count(key, item) < item.amount


def _lock_id(key: str) -> int:
    """The key as a signed 64-bit number, for PostgreSQL's advisory locks."""
    return int.from_bytes(hashlib.sha256(b"rehab-throttle:" + key.encode()).digest()[:8], "big", signed=True)


def _serialise(key: str) -> None:
    """Let one transaction at a time count and add attempts on `key`: on PostgreSQL a
    transaction-level advisory lock on the key's hash (held until the commit, or the
    rollback that ends the request), so parallel workers cannot all count below the limit
    and all insert. SQLite takes no such lock: it lets one connection write at a time (a
    second that read first fails busy rather than over-counting)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(db.text("SELECT pg_advisory_xact_lock(:id)"), {"id": _lock_id(key)})


def hit(key: str) -> bool:
    """Count one attempt on `key` and commit; False (and not counted) when the limit is
    already reached. Atomic per key in the database too (`_serialise`)."""
    if not current_app.config["RATELIMIT_ENABLED"]:
        return True
    item, limiter = _item(key), _limiter()
    if limiter is not None:
        return limiter.hit(item, current_app.config["RATELIMIT_KEY_PREFIX"], key)
    _serialise(key)
    if _db_count(key, item) >= item.amount:
        return False
    now = utcnow()
    db.session.execute(_attempts.insert().values(key=key, at=now))
    # forget attempts older than a day (no limit looks further back)
    db.session.execute(_attempts.delete().where(_attempts.c.at < now - dt.timedelta(days=1)))
    db.session.commit()
    return True
