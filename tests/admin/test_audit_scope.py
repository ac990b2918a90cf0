"""The audit trail page across clinics (rehab.accounts.views.audit_trail): entries with no
user and no patient (the command line's user changes) show to the clinic of the user they
are about only, and the patient's own page actions say "patient link", not "command line"."""

from __future__ import annotations

import html
import re

from rehab.extensions import db
from rehab.models import AuditEntry, Patient


def _page(client) -> str:
    response = client.get("/admin/audit")
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def _about_user(page: str, user_id: int) -> bool:
    return re.search(rf"user {user_id}</span>", page) is not None


def test_command_line_user_entries_show_to_that_users_clinic_only(app, make_user, login, runner):
    """Two clinics, each with an admin made on the command line; each admin sees the command
    line's entries about their own clinic's users, none about the other's."""
    admin_a = make_user("a@a.example", "admin", clinic="Clinic A")
    admin_b = make_user("b@b.example", "admin", clinic="Clinic B")
    clin_b = make_user("clin@b.example", "clinician", clinic="Clinic B")
    assert runner.invoke(args=["users", "set-role", "clin@b.example", "admin"]).exit_code == 0
    with app.app_context():
        command_line = db.session.execute(db.select(AuditEntry).where(
            AuditEntry.user_id.is_(None), AuditEntry.patient_id.is_(None),
            AuditEntry.object_type == "user")).scalars().all()
        assert {e.action for e in command_line} >= {"user_create", "user_role"}
    client_a, client_b = app.test_client(), app.test_client()
    login(client_a, admin_a)
    login(client_b, admin_b)
    page_a, page_b = _page(client_a), _page(client_b)
    assert _about_user(page_a, admin_a.id) and not _about_user(page_a, admin_b.id)
    assert not _about_user(page_a, clin_b.id) and "user role" not in page_a
    assert _about_user(page_b, admin_b.id) and _about_user(page_b, clin_b.id) and "user role" in page_b
    assert not _about_user(page_b, admin_a.id)
    # the other clinic's id (user_create's detail) never shows
    with app.app_context():
        assert f"clinic id: {clin_b.clinic_id}" not in page_a


def test_a_failed_login_naming_no_account_shows_to_every_clinic(app, make_user, login):
    admin_a = make_user("a@a.example", "admin", clinic="Clinic A")
    admin_b = make_user("b@b.example", "admin", clinic="Clinic B")
    with app.app_context():
        db.session.add(AuditEntry(action="login_failed", object_type="user", object_id=""))
        db.session.add(AuditEntry(action="library_import", object_type="exercise", object_id="x"))
        db.session.commit()
    for admin in (admin_a, admin_b):
        client = app.test_client()
        login(client, admin)
        page = _page(client)
        assert "login failed" in page and "unknown account" in page
        assert "library import" not in page  # no user, no patient, no clinic: no clinic's


def test_the_patients_own_actions_say_patient_link(app, admin_client, admin):
    with app.app_context():
        db.session.add(Patient(id=7, clinic_id=admin.clinic_id, reference="P7", first_name="Pat", last_name="Seven"))
        for action in ("patient_page_view", "patient_log_write", "patient_psfs_write"):
            db.session.add(AuditEntry(action=action, object_type="plan", object_id="3", patient_id=7,
                                      detail={"version": 1, "link": 1}))
        db.session.commit()
    page = _page(admin_client)
    rows = [row for row in page.split("<tr>") if "patient page view" in row or "patient log write" in row
            or "patient psfs write" in row]
    assert len(rows) == 3
    assert all("patient link" in row and "command line" not in row for row in rows)


def test_every_action_the_patient_page_records_is_labelled():
    """The labelled set covers every action rehab.mine.views records."""
    from pathlib import Path

    from rehab.accounts.views import PATIENT_LINK_ACTIONS
    source = (Path(__file__).parents[2] / "rehab" / "mine" / "views.py").read_text()
    recorded = set(re.findall(r'_audit\("([a-z_]+)"', source))
    assert recorded and recorded <= PATIENT_LINK_ACTIONS
