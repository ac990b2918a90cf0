"""Every portal page needs a login; a clinician sees only their own clinic's patients."""

from __future__ import annotations

import pytest

from rehab import config, create_app


def _portal_urls(app):
    """One concrete URL per portal route and method (ids filled with 1, the step with the first)."""
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("portal."):
            continue
        values = {arg: ("diagnosis" if arg == "step" else 1) for arg in rule.arguments}
        with app.test_request_context():
            from flask import url_for

            url = url_for(rule.endpoint, **values)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, url


def test_portal_has_the_expected_routes(app):
    endpoints = {endpoint for endpoint, _, _ in _portal_urls(app)}
    assert {"portal.patients", "portal.patient_new", "portal.patient", "portal.plan_new", "portal.wizard_step",
            "portal.draft", "portal.draft_adjust", "portal.draft_save", "portal.version", "portal.version_pdf",
            "portal.version_referral", "portal.plan_history", "portal.plan_reassess",
            "portal.library"} <= endpoints


def test_every_route_needs_login(app, client):
    seen = 0
    for endpoint, method, url in _portal_urls(app):
        response = client.open(url, method=method)
        assert response.status_code == 302, (endpoint, method, response.status_code)
        assert "/login" in response.headers["Location"], (endpoint, method)
        seen += 1
    assert seen >= 15


def test_index_goes_to_patients(portal):
    response = portal.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/patients")


def test_other_clinics_patient_is_404(portal, other_clinic_patient):
    assert portal.get(f"/patients/{other_clinic_patient}").status_code == 404
    assert portal.post(f"/patients/{other_clinic_patient}/plans/new").status_code == 404
    assert portal.get(f"/patients/{other_clinic_patient}/plans/new/diagnosis").status_code == 404
    assert portal.get(f"/patients/{other_clinic_patient}/plans/draft").status_code == 404


def test_other_clinics_patient_not_listed_or_found(portal, other_clinic_patient, patient_id):
    listing = portal.get("/patients").get_data(as_text=True)
    assert "Jones" in listing and "Person" not in listing
    found = portal.get("/patients?q=X-999").get_data(as_text=True)
    assert "Person" not in found


def test_other_clinics_plan_is_404(app, client, login, make_user, saved_plan):
    plan_id, number = saved_plan
    client.post("/logout")
    stranger = make_user("stranger@other.example", clinic="Other clinic")
    login(client, stranger)
    for url in (f"/plans/{plan_id}", f"/plans/{plan_id}/versions/{number}",
                f"/plans/{plan_id}/versions/{number}/plan.pdf"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/plans/{plan_id}/reassess").status_code == 404


def test_unknown_version_is_404(portal, saved_plan):
    plan_id, _ = saved_plan
    assert portal.get(f"/plans/{plan_id}/versions/99").status_code == 404
    assert portal.get("/plans/9999").status_code == 404


@pytest.fixture
def csrf_app(_migrated, _instance_path, monkeypatch):
    monkeypatch.setenv("REHAB_INSTANCE_PATH", str(_instance_path))
    return create_app({**config.TEST, "WTF_CSRF_ENABLED": True, "SQLALCHEMY_DATABASE_URI": _migrated})


def test_forms_need_a_csrf_token(csrf_app, app, clinician, loaded_library):
    client = csrf_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    import re

    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"email": clinician.email, "password": "correct-horse-battery",
                                           "csrf_token": token})
    assert response.status_code == 302
    assert client.post("/patients/new", data={"first_name": "A", "last_name": "B", "reference": "C"}
                       ).status_code == 400
    form = client.get("/patients/new").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    ok = client.post("/patients/new", data={"first_name": "A", "last_name": "B", "reference": "C",
                                            "sex": "male", "csrf_token": token})
    assert ok.status_code == 302


def test_header_names_the_signed_in_users_clinic(app, client, login, make_user):
    """The brand carries the clinic whose name the user's printed plans carry, not the installation's."""
    user = make_user("riverside@clinic.example", clinic="Riverside <Physio>")
    assert b"Riverside &lt;Physio&gt;" not in client.get("/login").data
    login(client, user)
    page = client.get("/patients").get_data(as_text=True)
    assert '<span class="brand-clinic">Riverside &lt;Physio&gt;</span>' in page
    assert f'<span class="brand-clinic">{app.config["CLINIC_NAME"]}</span>' not in page
