"""The application factory: configuration, security headers, login and its rate limit."""

from __future__ import annotations

import os
import re
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from flask_login import current_user, login_required

from rehab import config, create_app
from rehab.extensions import db
from rehab.models import AuditEntry


def _protect(app):
    """A throwaway view behind login_required, so these tests need no blueprint but auth."""
    app.add_url_rule("/_protected", "protected", login_required(lambda: f"hello {current_user.email}"))


def test_testing_config(app, database_url):
    assert app.testing
    assert app.config["SQLALCHEMY_DATABASE_URI"] == database_url
    assert not app.config["RATELIMIT_ENABLED"]


def test_not_testing_without_test_config(database_url, monkeypatch, tmp_path):
    monkeypatch.setenv("REHAB_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": False})
    assert not app.testing
    assert app.config["WTF_CSRF_ENABLED"] is not False


@pytest.mark.parametrize("variable", ["REHAB_PATIENT_WRITE_LIMIT", "REHAB_LOGIN_RATE_LIMIT",
                                      "REHAB_ACCOUNT_LOGIN_LIMIT"])
def test_a_limit_that_is_not_a_rate_is_refused_at_start_naming_the_variable(variable, monkeypatch, tmp_path):
    for wrong in ("thirty an hour", "10 per minute; 100 per hour"):
        monkeypatch.setenv(variable, wrong)
        with pytest.raises(ValueError, match=f"{variable}='{wrong}' is not one rate"):
            config.defaults(str(tmp_path))
    monkeypatch.setenv(variable, "2 per 10 minutes")
    assert "2 per 10 minutes" in config.defaults(str(tmp_path)).values()


def test_security_headers(client):
    response = client.get("/login")
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_secret_key_from_env(monkeypatch, tmp_path, database_url):
    monkeypatch.setenv("REHAB_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "from-the-environment-" + "k" * 11)
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": False})
    assert app.secret_key == "from-the-environment-" + "k" * 11
    assert not (tmp_path / "secret_key").exists()


def test_secret_key_generated_once_into_instance(monkeypatch, tmp_path, database_url):
    """Without SECRET_KEY every worker reads the same generated key from the instance folder."""
    monkeypatch.setenv("REHAB_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": False})
    second = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": False})
    key_file = tmp_path / "secret_key"
    assert len(first.secret_key) >= 32
    assert first.secret_key == second.secret_key == key_file.read_text().strip()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


@pytest.mark.parametrize("given, expected", [
    ("postgres://u:p@db.example:5432/rehab", "postgresql+psycopg://u:p@db.example:5432/rehab"),
    ("postgresql://u@localhost/rehab", "postgresql+psycopg://u@localhost/rehab"),
    ("postgresql+psycopg://u@localhost/rehab", "postgresql+psycopg://u@localhost/rehab"),
    ("sqlite:////tmp/x.sqlite", "sqlite:////tmp/x.sqlite"),
])
def test_database_url_normalised(given, expected, monkeypatch, tmp_path):
    monkeypatch.setenv("REHAB_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", given)
    app = create_app({"SECRET_KEY": "x" * 32, "RATELIMIT_ENABLED": False})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == expected


def test_sqlite_in_instance_folder_by_default(monkeypatch, tmp_path):
    monkeypatch.setenv("REHAB_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app({"SECRET_KEY": "x" * 32, "RATELIMIT_ENABLED": False})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'rehab.sqlite'}"


def test_rate_limit_storage_from_env(monkeypatch, tmp_path, database_url):
    monkeypatch.setenv("REHAB_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    assert config.defaults(str(tmp_path))["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"
    monkeypatch.delenv("RATELIMIT_STORAGE_URI")
    assert config.defaults(str(tmp_path))["RATELIMIT_STORAGE_URI"] == "memory://"


def test_login_required_redirects(app, client):
    _protect(app)
    response = client.get("/_protected")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    response = client.post("/logout")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_login_works(app, client, clinician, login):
    _protect(app)
    response = login(client, clinician)
    assert response.headers["Location"] == "/"
    assert client.get("/_protected").get_data(as_text=True) == f"hello {clinician.email}"
    with app.app_context():
        entry = db.session.execute(db.select(AuditEntry).filter_by(action="login")).scalar_one()
        assert entry.user_id == clinician.id


def test_login_follows_only_local_next(app, client, clinician, user_password):
    data = {"email": clinician.email, "password": user_password}
    assert client.post("/login?next=/_protected", data=data).headers["Location"] == "/_protected"
    client.post("/logout")
    assert client.post("/login?next=https://evil.example/", data=data).headers["Location"] == "/"


def test_wrong_password_is_refused(app, client, clinician):
    _protect(app)
    response = client.post("/login", data={"email": clinician.email, "password": "not-the-password"})
    assert response.status_code == 200
    assert "Email or password is not right." in response.get_data(as_text=True)
    assert client.get("/_protected").status_code == 302


def test_logout(app, client, clinician, login):
    _protect(app)
    login(client, clinician)
    assert client.get("/_protected").status_code == 200
    client.post("/logout")
    assert client.get("/_protected").status_code == 302


def test_login_rate_limited(app, _migrated, clinician, monkeypatch):
    """The 11th login attempt from one address within a minute gets 429 (counted in the
    database when no redis is configured, so every worker sees the same count)."""
    limited = create_app({**config.TEST, "SQLALCHEMY_DATABASE_URI": _migrated,
                          "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"})
    client = limited.test_client()
    codes = [client.post("/login", data={"email": f"u{i}@example.org", "password": "wrong-password"}).status_code
             for i in range(11)]
    assert codes == [200] * 10 + [429]
    # the limit is on POST only: the form still shows
    assert client.get("/login").status_code == 200
    with limited.app_context():
        db.engine.dispose()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_up(), reason="needs Redis on 127.0.0.1:6379")
def test_gunicorn_workers_share_the_login_limit(tmp_path):
    """Under gunicorn with several workers and Redis storage, the 11th login POST gets 429
    whichever worker answers: the limit is not kept per process."""
    port = _free_port()
    (tmp_path / "config.py").write_text(f"RATELIMIT_KEY_PREFIX = 'rehab-test-{uuid.uuid4().hex}'\n")
    env = {**os.environ, "REHAB_INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "shared-by-workers-" + "k" * 16,
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
           "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0"}
    bin_dir = Path(sys.executable).parent
    subprocess.run([str(bin_dir / "flask"), "--app", "rehab", "db", "upgrade"], env=env, cwd=config.ROOT,
                   check=True, capture_output=True)
    gunicorn = bin_dir / "gunicorn"
    server = subprocess.Popen([str(gunicorn), "-w", "2", "-b", f"127.0.0.1:{port}", "rehab:create_app()"],
                              env=env, cwd=config.ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        url = f"http://127.0.0.1:{port}/login"
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url, timeout=2).close()
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        # a real browser's session: the CSRF token is signed with the SECRET_KEY all workers share
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        with browser.open(url, timeout=5) as response:
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                              response.read().decode()).group(1)
        codes = []
        for i in range(11):
            body = urllib.parse.urlencode({"csrf_token": token, "email": f"u{i}@example.org",
                                           "password": "wrong-password"}).encode()
            try:
                with browser.open(url, data=body, timeout=5) as response:
                    codes.append(response.status)
            except urllib.error.HTTPError as exc:
                codes.append(exc.code)
        assert codes == [200] * 10 + [429]
    finally:
        server.terminate()
        server.wait(timeout=10)
        server.stderr.close()


def test_expired_csrf_token_gets_a_clear_page(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/login", data={"email": "a@example.org", "password": "x" * 10})
    assert response.status_code == 400
    assert b"The form has expired" in response.data and b"Nothing was saved" in response.data
