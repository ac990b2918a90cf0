"""A patient's rights (issue #11 finding 12): correct the details (audited with the previous
values), export the whole record, erase it (admins only); and the read audit."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest

from rehab.extensions import db
from rehab.models import AuditEntry, Draft, Patient, PatientWordStart, Plan, PlanVersion, VersionPage

DETAILS = {"first_name": "Alexandra", "last_name": "Jones-Smith", "reference": "H-002",
           "date_of_birth": "1990-05-18", "sex": "female"}


def _entries(app, action=None) -> list[AuditEntry]:
    with app.app_context():
        query = db.select(AuditEntry).order_by(AuditEntry.id)
        if action:
            query = query.filter_by(action=action)
        return list(db.session.execute(query).scalars())


# ---------------------------------------------------------------- edit


def test_edit_details_keeps_the_previous_values_in_the_audit(app, portal, patient_id):
    page = portal.get(f"/patients/{patient_id}/edit").get_data(as_text=True)
    assert 'value="Alex"' in page and 'value="H-001"' in page
    response = portal.post(f"/patients/{patient_id}/edit", data=DETAILS)
    assert response.status_code == 302
    with app.app_context():
        patient = db.session.get(Patient, patient_id)
        assert (patient.first_name, patient.reference, str(patient.date_of_birth)) == \
            ("Alexandra", "H-002", "1990-05-18")
    entry, = _entries(app, "patient_edit")
    assert entry.patient_id == patient_id
    assert entry.detail == {"before": {"first_name": "Alex", "last_name": "Jones", "reference": "H-001",
                                       "date_of_birth": "1990-05-17"}}


def test_edit_with_nothing_changed_is_not_audited(app, portal, patient_id):
    same = {"first_name": "Alex", "last_name": "Jones", "reference": "H-001", "date_of_birth": "1990-05-17",
            "sex": "female"}
    assert portal.post(f"/patients/{patient_id}/edit", data=same).status_code == 302
    assert _entries(app, "patient_edit") == []


def test_edit_refuses_another_patients_reference_and_keeps_the_typing(app, portal, patient_id, make_patient,
                                                                      clinician):
    make_patient(clinician.clinic_id, "TAKEN-1")
    response = portal.post(f"/patients/{patient_id}/edit", data={**DETAILS, "reference": "TAKEN-1"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "already exists" in html and 'value="Alexandra"' in html


def test_edit_other_clinics_patient_is_404(portal, other_clinic_patient):
    assert portal.get(f"/patients/{other_clinic_patient}/edit").status_code == 404
    assert portal.post(f"/patients/{other_clinic_patient}/edit", data=DETAILS).status_code == 404


# ---------------------------------------------------------------- export


def _zip(data: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data))


def test_export_from_the_patient_page(app, wizard, cases, saved_plan):
    plan_id, _ = saved_plan
    _reassess_and_save(wizard, plan_id, cases)
    response = wizard.client.get(f"/patients/{wizard.patient_id}/export.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.headers["Cache-Control"] == "no-store"
    assert "record-H-001.zip" in response.headers["Content-Disposition"]
    archive = _zip(response.data)
    names = set(archive.namelist())
    assert {"patient.json", "audit.json", "between-visits.json", f"plans/plan-{plan_id}/version-1.json",
            f"plans/plan-{plan_id}/version-2.json", f"plans/plan-{plan_id}/version-1-plan.pdf",
            f"plans/plan-{plan_id}/version-2-plan.pdf"} == names
    details = json.loads(archive.read("patient.json"))
    assert details["first_name"] == "Alex" and details["date_of_birth"] == "1990-05-17"
    version = json.loads(archive.read(f"plans/plan-{plan_id}/version-2.json"))
    assert version["intake"]["diagnosis"] == "hamstring_strain" and version["saved_by"] == "Test Clinician"
    assert archive.read(f"plans/plan-{plan_id}/version-1-plan.pdf").startswith(b"%PDF")
    assert _entries(app, "patient_export")[0].detail == {"versions": 2}


def _reassess_and_save(wizard, plan_id, cases):
    wizard.client.post(f"/plans/{plan_id}/reassess")
    for step in ("diagnosis", "red_flags", "modifiers", "findings"):
        wizard.post(step, cases.hamstring_2[step])
    return wizard.save()


def test_export_other_clinics_patient_is_404(portal, other_clinic_patient):
    assert portal.get(f"/patients/{other_clinic_patient}/export.zip").status_code == 404


def test_export_from_the_command_line(app, runner, saved_plan, patient_id, tmp_path):
    out = tmp_path / "record.zip"
    result = runner.invoke(args=["patients", "export", str(patient_id), str(out)])
    assert result.exit_code == 0, result.output
    assert "patient.json" in _zip(out.read_bytes()).namelist()
    entry, = _entries(app, "patient_export")
    assert entry.user_id is None and entry.patient_id == patient_id


@pytest.mark.parametrize("given", ["999", "2147483648", "-1"])
def test_export_unknown_patient_exits_2(runner, app, given, tmp_path):
    result = runner.invoke(args=["patients", "export", "--", given, str(tmp_path / "x.zip")])
    assert result.exit_code == 2


# ---------------------------------------------------------------- erase


@pytest.fixture
def admin_portal(app, client, make_user, login, loaded_library):
    admin = make_user("admin@test.example", "admin", name="Test Admin")
    other = app.test_client()
    login(other, admin)
    return other


def test_clinician_cannot_erase(portal, patient_id):
    assert portal.get(f"/patients/{patient_id}/erase").status_code == 403
    assert portal.post(f"/patients/{patient_id}/erase", data={"confirm": "H-001"}).status_code == 403
    assert "Erase the patient" not in portal.get(f"/patients/{patient_id}").get_data(as_text=True)


def test_admin_erases_after_typing_the_reference(app, wizard, saved_plan, admin_portal, cases):
    plan_id, _ = saved_plan
    pid = wizard.patient_id
    wizard.client.post(f"/plans/{plan_id}/reassess")  # an unsaved draft too
    wizard.client.get(f"/patients/{pid}")
    wizard.client.get(f"/plans/{plan_id}/versions/1")  # its page is kept drawn (VersionPage)
    page = admin_portal.get(f"/patients/{pid}/erase")
    assert page.status_code == 200 and "1 plan(s)" in page.get_data(as_text=True)
    wrong = admin_portal.post(f"/patients/{pid}/erase", data={"confirm": "H-00"})
    assert wrong.status_code == 422 and "not the patient&#39;s reference" in wrong.get_data(as_text=True)
    response = admin_portal.post(f"/patients/{pid}/erase", data={"confirm": "H-001"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/patients")
    with app.app_context():
        for model in (Patient, PatientWordStart, Plan, PlanVersion, VersionPage, Draft):
            assert db.session.scalar(db.select(db.func.count()).select_from(model)) == 0, model
    entries = _entries(app)
    erased = [e for e in entries if e.action == "patient_erase"]
    assert len(erased) == 1 and erased[0].detail == {"plans": 1, "versions": 1, "log_days": 0, "psfs": 0, "links": 0}
    assert {"patient_view", "plan_version_save"} <= {e.action for e in entries}  # the trail stays
    trail = json.dumps([(e.action, e.object_type, e.object_id, e.detail) for e in entries])
    for personal in ("Alex", "Jones", "H-001", "1990", "hamstring"):
        assert personal not in trail, personal
    assert admin_portal.get(f"/patients/{pid}").status_code == 404


def test_admin_of_another_clinic_gets_404(app, patient_id, make_user, login):
    client = app.test_client()
    login(client, make_user("admin@other.example", "admin", clinic="Other clinic"))
    assert client.get(f"/patients/{patient_id}/erase").status_code == 404
    assert client.post(f"/patients/{patient_id}/erase", data={"confirm": "H-001"}).status_code == 404


def test_erase_from_the_command_line_needs_yes(app, runner, saved_plan, patient_id):
    result = runner.invoke(args=["patients", "erase", str(patient_id)])
    assert result.exit_code == 2 and "--yes" in result.stderr
    with app.app_context():
        assert db.session.get(Patient, patient_id) is not None
    result = runner.invoke(args=["patients", "erase", str(patient_id), "--yes"])
    assert result.exit_code == 0, result.output
    assert "1 plan(s) and 1 version(s)" in result.stdout
    with app.app_context():
        assert db.session.get(Patient, patient_id) is None


# ---------------------------------------------------------------- the read audit


def test_views_and_downloads_are_audited(app, portal, saved_plan, patient_id, clinician):
    plan_id, number = saved_plan
    portal.get(f"/patients/{patient_id}")
    portal.get(f"/plans/{plan_id}/versions/{number}")
    portal.get(f"/plans/{plan_id}")
    portal.get(f"/plans/{plan_id}/versions/{number}/plan.pdf")
    entries = {e.action: e for e in _entries(app)}
    for action in ("patient_view", "version_view", "plan_history_view", "pdf_download"):
        assert entries[action].patient_id == patient_id, action
        assert entries[action].user_id == clinician.id, action
    assert entries["pdf_download"].detail == {"kind": "plan", "plan_id": plan_id, "version": number}
    assert entries["version_view"].detail == {"version": number}


def test_a_404_is_not_audited_as_a_view(app, portal, other_clinic_patient):
    portal.get(f"/patients/{other_clinic_patient}")
    assert _entries(app, "patient_view") == []


def test_a_view_is_recorded_once_per_window(app, portal, saved_plan, patient_id, monkeypatch):
    """Opening the same page of the same record again within the window adds no entry; the
    first view after it does, and another version of the plan is another view."""
    from rehab import audit

    plan_id, number = saved_plan
    for _ in range(3):
        assert portal.get(f"/plans/{plan_id}/versions/{number}").status_code == 200
        assert portal.get(f"/patients/{patient_id}").status_code == 200
    assert len(_entries(app, "version_view")) == 1
    assert len(_entries(app, "patient_view")) == 1
    with app.app_context():  # the last views were 11 minutes ago
        for entry in db.session.execute(db.select(AuditEntry)).scalars():
            entry.at -= audit.VIEW_WINDOW + dt.timedelta(minutes=1)
        db.session.commit()
    portal.get(f"/plans/{plan_id}/versions/{number}")
    assert len(_entries(app, "version_view")) == 2
    assert len(_entries(app, "patient_view")) == 1  # not opened again
    monkeypatch.setattr(audit, "VIEW_WINDOW", dt.timedelta(0))  # no window: every view counts
    portal.get(f"/patients/{patient_id}")
    assert len(_entries(app, "patient_view")) == 2


def test_another_users_view_is_recorded_within_the_window(app, portal, patient_id, clinician, make_user, login):
    portal.get(f"/patients/{patient_id}")
    colleague = make_user("colleague@test.example", "clinician")
    other = app.test_client()
    login(other, colleague)
    assert other.get(f"/patients/{patient_id}").status_code == 200
    assert sorted(e.user_id for e in _entries(app, "patient_view")) == sorted([clinician.id, colleague.id])


def test_another_users_view_of_a_version_is_recorded_within_the_window(app, portal, saved_plan, clinician,
                                                                       make_user, login):
    """The version page checks the audit trail in its head query: per viewer, per version."""
    plan_id, number = saved_plan
    portal.get(f"/plans/{plan_id}/versions/{number}")
    colleague = make_user("colleague@test.example", "clinician")
    other = app.test_client()
    login(other, colleague)
    for _ in range(2):
        assert other.get(f"/plans/{plan_id}/versions/{number}").status_code == 200
    assert sorted(e.user_id for e in _entries(app, "version_view")) == sorted([clinician.id, colleague.id])
    assert other.get(f"/plans/{plan_id}/versions/{number + 1}").status_code == 404
    assert len(_entries(app, "version_view")) == 2  # a 404 is no view


def test_a_repeated_view_matches_every_detail(app):
    """The same viewer, action, object and detail within the window is one view; any other
    value in the detail (a number, a text or a yes/no), or another object, is another view."""
    from rehab import audit

    with app.test_request_context():
        seen = dict(version=2, kind="plan", between_visits=True)
        assert audit.record_view("test_view", "plan", 7, user_id=None, **seen) is True
        assert audit.record_view("test_view", "plan", 7, user_id=None, **seen) is False
        for other in (dict(seen, version=3), dict(seen, kind="sheet"), dict(seen, between_visits=False)):
            assert audit.record_view("test_view", "plan", 7, user_id=None, **other) is True, other
        assert audit.record_view("test_view", "plan", 8, user_id=None, **seen) is True
        assert audit.record_view("other_view", "plan", 7, user_id=None, **seen) is True
    assert len(_entries(app, "test_view")) == 5
