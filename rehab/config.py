"""Configuration: defaults here, overrides from the environment and the instance folder.

Everything a process needs comes from the environment, the instance folder or
the database, so any number of gunicorn workers behind a proxy behave as one
application (the login limits count in redis when RATELIMIT_STORAGE_URI names one,
else in the database: never in a process).
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import tempfile
from pathlib import Path

import limits

ROOT = Path(__file__).resolve().parent.parent
EXERCISES_DIR = ROOT / "exercises"
TEMPLATES_DIR = ROOT / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"
MIGRATIONS_DIR = ROOT / "migrations"


def normalise_database_url(url: str) -> str:
    """Accept the usual spellings of a PostgreSQL URL and use the psycopg 3 driver."""
    if url.startswith("postgres://"):  # Heroku-style spelling
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def database_url(instance_path: str) -> str:
    """DATABASE_URL if set, else a SQLite file in the instance folder."""
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{Path(instance_path) / 'rehab.sqlite'}"
    return normalise_database_url(url)


def secret_key(instance_path: str) -> str:
    """SECRET_KEY from the environment, else one generated once into the instance folder.

    The file is created atomically, so workers starting at the same moment all
    end up with the same key.
    """
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".secret_key.")
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
            os.link(tmp, path)  # fails if another process won the race; then use theirs
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    return path.read_text().strip()


MIN_SECRET_KEY_BYTES = 32
MAX_CONTENT_LENGTH = 1024 * 1024  # 1 MB: the largest request body (a plan intake is under 10 KB)


def check_secret_key(key: str | bytes | None, testing: bool) -> None:
    """Refuse a guessable SECRET_KEY: with it anyone can sign an admin's session cookie."""
    size = len(key.encode() if isinstance(key, str) else key or b"")
    if size < MIN_SECRET_KEY_BYTES and not testing:
        raise RuntimeError(
            f"SECRET_KEY has {size} bytes; it needs at least {MIN_SECRET_KEY_BYTES}. Generate one with "
            "`python -c 'import secrets; print(secrets.token_hex(32))'`, or unset SECRET_KEY to use "
            "the key generated into the instance folder.")


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _env_rate(name: str, default: str) -> str:
    """A limit such as "30 per hour" (the limits package's notation), refused at start-up
    with the variable's name rather than on the first request it would limit."""
    value = os.environ.get(name, "").strip() or default
    try:
        rates = limits.parse_many(value)
    except ValueError:
        rates = []
    if len(rates) != 1:  # (several rates would be cut to the first without a word)
        raise ValueError(f"{name}={value!r} is not one rate such as '30 per hour' or '5 per 15 minutes'")
    return value


def _env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in ("1", "true", "yes", "on")


# The first clinic's settings (admin "Clinic settings" edits them later); the command
# line prints them on its PDFs as they are.
CLINIC_ENV = {"name": "REHAB_CLINIC_NAME", "address": "REHAB_CLINIC_ADDRESS", "phone": "REHAB_CLINIC_PHONE",
              "email": "REHAB_CLINIC_EMAIL", "hours": "REHAB_CLINIC_HOURS",
              "out_of_hours": "REHAB_CLINIC_OUT_OF_HOURS"}


def clinic_from_env(environ=None) -> dict:
    """{field: value} for the clinic from the REHAB_CLINIC_* variables; the name defaults to "Rehab Clinic"."""
    environ = os.environ if environ is None else environ
    values = {field: environ.get(var, "").strip() for field, var in CLINIC_ENV.items()}
    values["name"] = values["name"] or "Rehab Clinic"
    return values


def defaults(instance_path: str) -> dict:
    """Settings before the instance config.py and test overrides; SECRET_KEY is added later."""
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY") or None,
        "SQLALCHEMY_DATABASE_URI": database_url(instance_path),
        # hide_parameters: a failed statement's error (and log line) never shows patient data.
        # Idle connections are checked before use (rehab.dbpool), not every one.
        "SQLALCHEMY_ENGINE_OPTIONS": {"hide_parameters": True},
        "EXERCISES_DIR": str(EXERCISES_DIR),
        "CLINIC_NAME": clinic_from_env()["name"],
        "CLINIC_DEFAULTS": clinic_from_env(),
        # Links that leave the site are built from this, or from the request's own host when
        # it is empty: never from a guessed host and port.
        "PUBLIC_URL": os.environ.get("REHAB_PUBLIC_URL", ""),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # A login ends after this long without a request (the signed cookie's age is checked
        # and renewed on every request): a shared clinic computer left open locks itself.
        "PERMANENT_SESSION_LIFETIME": dt.timedelta(minutes=_env_int("REHAB_IDLE_MINUTES", 60)),
        "SESSION_COOKIE_SECURE": os.environ.get("REHAB_INSECURE_COOKIES") != "1"
        and os.environ.get("REHAB_HTTPS") == "1",
        "HTTPS": os.environ.get("REHAB_HTTPS") == "1",  # HSTS on every response
        # how many proxies in front of the app set X-Forwarded-For/-Proto (0: none, trust no header)
        "PROXY_HOPS": _env_int("REHAB_PROXY_HOPS", 0),
        "MAX_CONTENT_LENGTH": MAX_CONTENT_LENGTH,
        "MAX_FORM_MEMORY_SIZE": 100_000,  # one form field (a note, an exercise's steps)
        "DRAFT_EXPIRY_DAYS": _env_int("REHAB_DRAFT_EXPIRY_DAYS", 14),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        # the login limits (rehab.throttle): redis:// counts there; memory:// (the default)
        # means "no redis": they count in the database, never in a process
        "RATELIMIT_ENABLED": _env_flag("RATELIMIT_ENABLED", True),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_KEY_PREFIX": "rehab",
        "LOGIN_RATE_LIMIT": _env_rate("REHAB_LOGIN_RATE_LIMIT", "10 per minute"),  # per address
        # failed logins per account, from any address
        "ACCOUNT_LOGIN_LIMIT": _env_rate("REHAB_ACCOUNT_LOGIN_LIMIT", "5 per 15 minutes"),
        # the patient's log and PSFS posts per private link (rehab.mine), counted on the link's
        # own row (rehab.patient_link.count_write), with or without redis
        "PATIENT_WRITE_LIMIT": _env_rate("REHAB_PATIENT_WRITE_LIMIT", "30 per hour"),
        # a patient's private plan link works this long after it is given (rehab.patient_link)
        "PATIENT_LINK_WEEKS": _env_int("REHAB_PATIENT_LINK_WEEKS", 12),
        "PAGE_SIZE": 50,
        "PASSWORD_HASH_METHOD": "scrypt",
        "WTF_CSRF_TIME_LIMIT": None,
    }


TEST = {
    "TESTING": True,
    "SECRET_KEY": "test-secret",
    "WTF_CSRF_ENABLED": False,
    "RATELIMIT_ENABLED": False,
    "RATELIMIT_STORAGE_URI": "memory://",
    "SESSION_COOKIE_SECURE": False,
    "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # fast; real deployments keep scrypt
}
