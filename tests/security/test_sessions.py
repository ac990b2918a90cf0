"""Sessions end when they should (issue #11 findings 1, 2, 10): key strength, session
versions, a fresh session and CSRF token at login, no-store and HSTS."""

from __future__ import annotations

import re

import pytest
from flask_login import current_user, login_required

from rehab import config, create_app
from rehab.extensions import db
from rehab.models import User


def _protect(app):
    app.add_url_rule("/_protected", "protected", login_required(lambda: f"hello {current_user.email}"))


@pytest.mark.parametrize("size, refused", [(31, True), (32, False), (33, False)])
def test_short_secret_key_is_refused(size, refused, monkeypatch, tmp_path, database_url):
    monkeypatch.setenv("REHAB_INSTANCE_PATH", str(tmp_path))
    settings = {"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "k" * size}
    if refused:
        with pytest.raises(RuntimeError, match="SECRET_KEY has 31 bytes; it needs at least 32"):
            create_app(settings)
    else:
        assert create_app(settings).secret_key == "k" * size


def test_short_secret_key_from_environment_is_refused(monkeypatch, tmp_path, database_url):
    monkeypatch.setenv("REHAB_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "x")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": database_url})


def test_short_key_allowed_in_testing(app):
    assert app.testing and len(app.secret_key) < 32


def _stolen_cookie(client) -> str:
    return client.get_cookie("session").value


def _replay(app, cookie: str):
    """A second browser holding a copy of the session cookie."""
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other.get("/_protected")


def test_logout_ends_a_copied_session(app, client, clinician, login):
    _protect(app)
    login(client, clinician)
    cookie = _stolen_cookie(client)
    assert _replay(app, cookie).status_code == 200
    client.post("/logout")
    assert _replay(app, cookie).status_code == 302


def test_logout_everywhere_ends_every_session(app, client, clinician, login):
    _protect(app)
    login(client, clinician)
    elsewhere = app.test_client()
    login(elsewhere, clinician)
    assert elsewhere.get("/_protected").status_code == 200
    response = client.post("/account/logout-everywhere")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert elsewhere.get("/_protected").status_code == 302
    assert client.get("/_protected").status_code == 302


def test_password_change_ends_other_sessions_but_not_this_one(app, client, clinician, login, user_password):
    _protect(app)
    login(client, clinician)
    elsewhere = app.test_client()
    login(elsewhere, clinician)
    response = client.post("/account/password", data={
        "current": user_password, "password": "a new long passphrase", "confirm": "a new long passphrase"})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert client.get("/_protected").status_code == 200
    assert elsewhere.get("/_protected").status_code == 302


def test_password_reset_from_the_command_line_ends_sessions(app, client, clinician, login, runner):
    _protect(app)
    login(client, clinician)
    result = runner.invoke(args=["users", "add", clinician.email, "--reset-password", "--password-stdin"],
                           input="another long passphrase\n")
    assert result.exit_code == 0, result.output
    assert client.get("/_protected").status_code == 302


def test_deactivation_ends_sessions(app, client, clinician, login, runner):
    _protect(app)
    login(client, clinician)
    result = runner.invoke(args=["users", "deactivate", clinician.email])
    assert result.exit_code == 0, result.output
    assert client.get("/_protected").status_code == 302
    with app.app_context():
        assert db.session.get(User, clinician.id).active is False


def test_session_is_emptied_at_login(app, client, clinician, login):
    with client.session_transaction() as s:
        s["left_by_someone_else"] = {"diagnosis": "sciatica"}
    login(client, clinician)
    with client.session_transaction() as s:
        assert "left_by_someone_else" not in s
        assert set(s) <= {"_user_id", "_fresh", "_id", "sv", "csrf_token", "_flashes", "_permanent"}


def test_session_is_emptied_at_logout(app, client, clinician, login):
    login(client, clinician)
    with client.session_transaction() as s:
        s["something"] = 1
    client.post("/logout")
    with client.session_transaction() as s:
        assert "something" not in s and "_user_id" not in s


@pytest.fixture
def csrf_app(_migrated, _instance_path, monkeypatch):
    monkeypatch.setenv("REHAB_INSTANCE_PATH", str(_instance_path))
    app = create_app({**config.TEST, "SQLALCHEMY_DATABASE_URI": _migrated, "WTF_CSRF_ENABLED": True})
    yield app
    with app.app_context():
        db.engine.dispose()


def _token(client, url: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                     client.get(url).get_data(as_text=True)).group(1)


def test_csrf_token_renewed_at_login(csrf_app, app, clinician, user_password):
    client = csrf_app.test_client()
    before = _token(client, "/login")
    response = client.post("/login", data={"csrf_token": before, "email": clinician.email,
                                           "password": user_password})
    assert response.status_code == 302
    after = _token(client, "/account/password")
    with client.session_transaction() as s:
        raw_after = s["csrf_token"]
    assert after != before
    # the token from before the login no longer passes
    response = client.post("/account/logout-everywhere", data={"csrf_token": before})
    assert response.status_code == 400
    assert raw_after


def test_no_store_on_pages_but_not_on_static_files(app, client, clinician, login):
    _protect(app)
    assert client.get("/login").headers["Cache-Control"] == "no-store"
    login(client, clinician)
    assert client.get("/_protected").headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/static/rehab.css").headers.get("Cache-Control", "")


def test_hsts_only_with_https(app, client, _migrated, _instance_path, monkeypatch):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    monkeypatch.setenv("REHAB_HTTPS", "1")
    monkeypatch.setenv("REHAB_INSTANCE_PATH", str(_instance_path))
    secure = create_app({**config.TEST, "SQLALCHEMY_DATABASE_URI": _migrated})
    response = secure.test_client().get("/login")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert secure.config["SESSION_COOKIE_SECURE"] is False  # config.TEST turns it off for the client
    with secure.app_context():
        db.engine.dispose()


def test_request_id_on_every_response(client):
    response = client.get("/login")
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])
    assert client.get("/login", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"] == "abc-123"
    assert client.get("/login", headers={"X-Request-ID": "bad id <x>"}).headers["X-Request-ID"] != "bad id <x>"


def test_a_login_ends_after_an_idle_hour(app, client, clinician, login):
    """The session cookie is permanent with a lifetime: an abandoned login expires."""
    login(client, clinician)
    assert app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() == 3600
    with client.session_transaction() as s:
        assert s.permanent
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.expires is not None
