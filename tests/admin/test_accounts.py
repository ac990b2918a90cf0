"""Admin user management and the audit trail page (issue #11 findings 11 and 12): admins
only, own clinic only; creating, resetting and deactivating end or force what they should."""

from __future__ import annotations

import datetime as dt
import html

import pytest

from rehab.extensions import db
from rehab.models import AuditEntry, Patient, User

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def colleague(make_user):
    return make_user("colleague@test.example", name="Colleague")


def _routes(user_id: int):
    return [("GET", "/admin/users", None), ("GET", "/admin/users/new", None),
            ("POST", "/admin/users/new", {"email": "x@test.example", "role": "clinician", "password": NEW_PASSWORD}),
            ("GET", f"/admin/users/{user_id}", None),
            ("POST", f"/admin/users/{user_id}/role", {"role": "admin"}),
            ("POST", f"/admin/users/{user_id}/password", {"password": NEW_PASSWORD}),
            ("POST", f"/admin/users/{user_id}/active", {}),
            ("GET", "/admin/audit", None)]


def test_every_accounts_route_is_covered(app, colleague):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("accounts.")}
    assert endpoints == {"accounts.user_list", "accounts.user_new", "accounts.user", "accounts.user_role",
                         "accounts.user_password", "accounts.user_active", "accounts.audit_trail"}
    assert len(_routes(colleague.id)) == 8


def test_anonymous_goes_to_login(client, colleague):
    for method, url, data in _routes(colleague.id):
        response = client.open(url, method=method, data=data)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_clinician_gets_403(app, client, clinician, colleague, login):
    login(client, clinician)
    for method, url, data in _routes(colleague.id):
        assert client.open(url, method=method, data=data).status_code == 403, url
    with app.app_context():
        assert db.session.get(User, colleague.id).role == "clinician"


def test_admin_of_another_clinic_gets_404_for_our_users(app, colleague, make_user, login):
    client = app.test_client()
    login(client, make_user("admin@other.example", "admin", clinic="Other clinic"))
    for method, url, data in _routes(colleague.id)[3:7]:
        assert client.open(url, method=method, data=data).status_code == 404, url
    listing = client.get("/admin/users").get_data(as_text=True)
    assert "colleague@test.example" not in listing


def test_list_shows_role_and_last_login(admin_client, colleague, app, login):
    page = admin_client.get("/admin/users").get_data(as_text=True)
    assert "colleague@test.example" in page and "never" in page
    login(app.test_client(), colleague)
    page = admin_client.get("/admin/users").get_data(as_text=True)
    row = page.split("colleague@test.example")[1].split("</tr>")[0]
    assert dt.datetime.now(dt.timezone.utc).strftime("%d %b %Y") in row


def test_create_a_user_who_must_choose_a_password(app, admin_client, admin):
    response = admin_client.post("/admin/users/new", data={"email": "New@Test.example", "name": "New One",
                                                           "role": "admin", "password": NEW_PASSWORD})
    assert response.status_code == 302
    with app.app_context():
        user = db.session.execute(db.select(User).filter_by(email="new@test.example")).scalar_one()
        assert (user.role, user.must_change_password, user.clinic_id) == ("admin", True, admin.clinic_id)
        entry = db.session.execute(db.select(AuditEntry).filter_by(action="user_create",
                                                                   object_id=str(user.id))).scalar_one()
        assert entry.user_id == admin.id and entry.object_id == str(user.id)
    # the first login leads to the password page, and nothing else opens until it is changed
    client = app.test_client()
    response = client.post("/login", data={"email": "new@test.example", "password": NEW_PASSWORD})
    assert response.headers["Location"] == "/account/password"
    assert client.get("/patients").headers["Location"] == "/account/password"
    assert client.post("/api/plan", json={}).status_code == 403
    response = client.post("/account/password", data={"current": NEW_PASSWORD, "password": "my very own phrase",
                                                      "confirm": "my very own phrase"})
    assert response.status_code == 302
    assert client.get("/patients").status_code == 200


@pytest.mark.parametrize("password, message", [
    ("short one", "at least 12 characters"), ("password1234", "too common"), ("x" * 11, "at least 12")])
def test_create_refuses_weak_passwords(app, admin_client, password, message):
    response = admin_client.post("/admin/users/new", data={"email": "w@test.example", "role": "clinician",
                                                           "password": password})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert 'value="w@test.example"' in response.get_data(as_text=True)


def test_create_refuses_an_existing_email(app, admin_client, colleague):
    response = admin_client.post("/admin/users/new", data={"email": "colleague@test.example", "role": "admin",
                                                           "password": NEW_PASSWORD})
    assert response.status_code == 422 and "already has an account" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, colleague.id).role == "clinician"


def test_reset_password_forces_a_change_and_ends_sessions(app, admin_client, colleague, login):
    theirs = app.test_client()
    login(theirs, colleague)
    response = admin_client.post(f"/admin/users/{colleague.id}/password", data={"password": NEW_PASSWORD})
    assert response.status_code == 302
    assert theirs.get("/patients").status_code == 302  # logged out
    with app.app_context():
        user = db.session.get(User, colleague.id)
        assert user.must_change_password and user.check_password(NEW_PASSWORD)
    response = theirs.post("/login", data={"email": colleague.email, "password": NEW_PASSWORD})
    assert response.headers["Location"] == "/account/password"


def test_reset_refuses_a_weak_password(app, admin_client, colleague):
    response = admin_client.post(f"/admin/users/{colleague.id}/password", data={"password": "12345678"})
    assert response.status_code == 422


def test_deactivate_ends_sessions_and_reactivate(app, admin_client, colleague, login, user_password):
    theirs = app.test_client()
    login(theirs, colleague)
    assert admin_client.post(f"/admin/users/{colleague.id}/active", data={}).status_code == 302
    assert theirs.get("/patients").status_code == 302
    assert theirs.post("/login", data={"email": colleague.email, "password": user_password}).status_code == 200
    assert admin_client.post(f"/admin/users/{colleague.id}/active", data={"active": "y"}).status_code == 302
    assert theirs.post("/login", data={"email": colleague.email, "password": user_password}).status_code == 302


def test_role_change_is_audited(app, admin_client, colleague, admin):
    assert admin_client.post(f"/admin/users/{colleague.id}/role", data={"role": "admin"}).status_code == 302
    with app.app_context():
        entry = db.session.execute(db.select(AuditEntry).filter_by(action="user_role")).scalar_one()
        assert (entry.user_id, entry.detail) == (admin.id, {"before": "clinician", "after": "admin"})


def test_an_admin_cannot_lock_themselves_out(app, admin_client, admin):
    for url, data in ((f"/admin/users/{admin.id}/active", {}), (f"/admin/users/{admin.id}/role", {"role": "clinician"})):
        response = admin_client.post(url, data=data)
        assert response.status_code == 302
    with app.app_context():
        user = db.session.get(User, admin.id)
        assert user.active and user.role == "admin"


# ---------------------------------------------------------------- the audit trail page


def _add(app, **fields):
    with app.app_context():
        db.session.add(AuditEntry(object_type=fields.pop("object_type", "patient"),
                                  object_id=fields.pop("object_id", "1"), **fields))
        db.session.commit()


def _actions(response) -> list[str]:
    text = html.unescape(response.get_data(as_text=True))
    return [a for a in ("patient view", "pdf download", "patient export", "login failed", "foreign view")
            if a in text]


def _patients(app, clinic_id: int, *ids: int) -> None:
    with app.app_context():
        db.session.add_all(Patient(id=i, clinic_id=clinic_id, reference=f"A{i}", first_name="Pat", last_name=f"N{i}")
                           for i in ids)
        db.session.commit()


def test_audit_filters_by_user_patient_and_date(app, admin_client, colleague, admin, make_user):
    day = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.timezone.utc)
    _patients(app, admin.clinic_id, 5, 6)
    _add(app, action="patient_view", user_id=colleague.id, patient_id=5, at=day)
    _add(app, action="pdf_download", user_id=colleague.id, patient_id=6, at=day + dt.timedelta(days=1))
    _add(app, action="patient_export", user_id=admin.id, patient_id=5, at=day - dt.timedelta(days=1))
    stranger = make_user("s@other.example", clinic="Other clinic")
    _patients(app, stranger.clinic_id, 99)
    _add(app, action="foreign_view", user_id=stranger.id, patient_id=99, at=day)
    everything = admin_client.get("/admin/audit")
    assert {"patient view", "pdf download", "patient export"} <= set(_actions(everything))
    assert "foreign view" not in _actions(everything)  # another clinic's
    assert _actions(admin_client.get(f"/admin/audit?user={colleague.id}")) == ["patient view", "pdf download"]
    assert _actions(admin_client.get("/admin/audit?patient=5")) == ["patient view", "patient export"]
    # the day itself, from and to inclusive; just before and just after
    assert _actions(admin_client.get("/admin/audit?start=2026-03-10&end=2026-03-10")) == ["patient view"]
    assert _actions(admin_client.get("/admin/audit?start=2026-03-11&end=2026-03-11")) == ["pdf download"]
    assert _actions(admin_client.get("/admin/audit?start=2026-03-09&end=2026-03-09")) == ["patient export"]
    assert _actions(admin_client.get("/admin/audit?start=2026-03-12")) == []


def test_a_user_who_moved_clinic_takes_no_patient_audit_with_them(app, admin_client, admin, make_user, runner):
    """An entry about a patient belongs to the patient's clinic, not the acting user's."""
    mover = make_user("mover@test.example", clinic="Old clinic")
    _patients(app, mover.clinic_id, 41)
    _add(app, action="foreign_view", user_id=mover.id, patient_id=41)
    assert runner.invoke(args=["users", "set-clinic", "mover@test.example", admin.clinic.name]).exit_code == 0
    assert "foreign view" not in _actions(admin_client.get("/admin/audit"))
    assert "foreign view" not in _actions(admin_client.get("/admin/audit?patient=41"))


@pytest.mark.parametrize("query", ["patient=abc", "patient=2147483648", "start=2026-02-30", "user=99999",
                                   "before=2147483648", "patient=%00", "end=9999-12-31", "start=1899-12-31"])
def test_audit_filters_refuse_bad_values_without_5xx(admin_client, query):
    assert admin_client.get(f"/admin/audit?{query}").status_code in (400, 422)


def test_audit_pages_100_at_a_time(app, admin_client, colleague):
    _patients(app, colleague.clinic_id, *range(1, 102))
    with app.app_context():
        db.session.add_all(AuditEntry(action="patient_view", object_type="patient", object_id=str(i),
                                      user_id=colleague.id, patient_id=i) for i in range(1, 102))
        db.session.commit()
    first = admin_client.get(f"/admin/audit?user={colleague.id}").get_data(as_text=True)
    assert first.count("patient view") == 100 and "Older entries" in first
    link = html.unescape(first.split('<p class="pager"><a href="')[1].split('"')[0])
    second = admin_client.get(link).get_data(as_text=True)
    assert second.count("patient view") == 1 and "Older entries" not in second


def test_logins_and_logouts_are_in_the_trail(app, admin_client, colleague, user_password):
    client = app.test_client()
    client.post("/login", data={"email": colleague.email, "password": "not the password"})
    client.post("/login", data={"email": colleague.email, "password": user_password})
    client.post("/logout")
    page = html.unescape(admin_client.get(f"/admin/audit?user={colleague.id}").get_data(as_text=True))
    assert "login failed" in page and "logout" in page and page.count(">login<") == 1
