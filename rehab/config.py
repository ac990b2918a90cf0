"""Configuration: defaults here, overrides from the environment and the instance folder.

Everything a process needs comes from the environment, the instance folder or
the database, so any number of gunicorn workers behind a proxy behave as one
application (set RATELIMIT_STORAGE_URI to a shared store such as redis:// for
the login limit to count across workers).
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

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
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "EXERCISES_DIR": str(EXERCISES_DIR),
        "CLINIC_NAME": clinic_from_env()["name"],
        "CLINIC_DEFAULTS": clinic_from_env(),
        # Links that leave the site are built from this, or from the request's own host when
        # it is empty: never from a guessed host and port.
        "PUBLIC_URL": os.environ.get("REHAB_PUBLIC_URL", ""),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("REHAB_INSECURE_COOKIES") != "1"
        and os.environ.get("REHAB_HTTPS") == "1",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        # Always set explicitly: Flask-Limiter keeps the last app's value otherwise.
        "RATELIMIT_ENABLED": _env_flag("RATELIMIT_ENABLED", True),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_RATE_LIMIT": os.environ.get("REHAB_LOGIN_RATE_LIMIT", "10 per minute"),
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
