"""The clinician's controls for the patient's link: give, show (with its QR code), revoke;
login, clinic scoping, CSRF and the audit (rehab.portal.links)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from rehab import patient_link
from rehab.extensions import db
from rehab.models import AuditEntry, PatientLink

from .conftest import give_link, newer_version


def _audit(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        return db.session.execute(db.select(AuditEntry).filter_by(action=action)).scalars().all()


def _links(app) -> list[PatientLink]:
    with app.app_context():
        return db.session.execute(db.select(PatientLink)).scalars().all()


def test_the_version_page_offers_a_link(portal, saved_plan):
    plan_id, number = saved_plan
    html = portal.get(f"/plans/{plan_id}/versions/{number}").get_data(as_text=True)
    assert "Give the patient a link" in html and f"/plans/{plan_id}/versions/{number}/link" in html


def test_give_makes_one_link_stored_as_a_hash_and_shows_it(app, portal, linked):
    (link,) = _links(app)
    assert link.token_hash == patient_link.token_hash(linked.token) and linked.token not in link.token_hash
    assert len(linked.token) == 43  # 256 bits
    assert link.expires_at - link.created_at == dt.timedelta(weeks=12)
    response = portal.get(f"/plans/{linked.plan_id}/versions/{linked.number}/link")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"http://localhost/p/{linked.token}" in html and '<svg' in html and "QR code" in html
    assert [e.detail["link"] for e in _audit(app, "patient_link_create")] == [link.id]
    assert len(_audit(app, "patient_link_show")) == 1
    for entry in _audit(app, "patient_link_show") + _audit(app, "patient_link_create"):
        assert linked.token not in str(entry.detail)


def test_giving_again_shows_the_same_live_link(app, portal, linked):
    again = give_link(portal, linked.plan_id, linked.number)
    assert again.token == linked.token and len(_links(app)) == 1
    html = portal.get(f"/plans/{linked.plan_id}/versions/{linked.number}").get_data(as_text=True)
    assert "Show the link and QR code" in html and "Revoke the link" in html


def test_the_public_url_setting_is_used(app, portal, linked):
    app.config["PUBLIC_URL"] = "https://physio.example.org"
    html = portal.get(f"/plans/{linked.plan_id}/versions/{linked.number}/link").get_data(as_text=True)
    assert f"https://physio.example.org/p/{linked.token}" in html and "localhost" not in html


def test_the_link_weeks_setting(app, portal, saved_plan):
    app.config["PATIENT_LINK_WEEKS"] = 2
    give_link(portal, *saved_plan)
    (link,) = _links(app)
    assert link.expires_at - link.created_at == dt.timedelta(weeks=2)


def test_revoke_ends_every_link_of_the_version(app, portal, linked, patient_client):
    assert patient_client.get(linked.path).status_code == 200
    response = portal.post(f"/plans/{linked.plan_id}/versions/{linked.number}/link/revoke")
    assert response.status_code == 303
    assert all(link.revoked_at is not None for link in _links(app))
    assert patient_client.get(linked.path).status_code == 410
    assert _audit(app, "patient_link_revoke")[0].detail["links"] == 1
    # the show page goes back to the version; a new link is a new token
    assert portal.get(f"/plans/{linked.plan_id}/versions/{linked.number}/link").status_code == 302
    fresh = give_link(portal, linked.plan_id, linked.number)
    assert fresh.token != linked.token and patient_client.get(fresh.path).status_code == 200


def test_only_the_latest_version_gets_a_link(app, portal, linked):
    newer_version(app, linked.version_id)
    url = f"/plans/{linked.plan_id}/versions/{linked.number}/link"
    assert portal.post(url).status_code == 400
    assert portal.get(url).status_code == 302  # nothing to show for an older version
    html = portal.get(f"/plans/{linked.plan_id}/versions/{linked.number}").get_data(as_text=True)
    assert "Give the patient a link" not in html and "Revoke the link" not in html
    assert "Give the patient a link" in portal.get(f"/plans/{linked.plan_id}/versions/2").get_data(as_text=True)


@pytest.mark.parametrize("method, suffix", [("post", "/link"), ("get", "/link"), ("post", "/link/revoke")])
def test_anonymous_is_sent_to_login(app, linked, method, suffix):
    client = app.test_client()
    response = getattr(client, method)(f"/plans/{linked.plan_id}/versions/{linked.number}{suffix}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("method, suffix", [("post", "/link"), ("get", "/link"), ("post", "/link/revoke")])
def test_another_clinic_gets_404(app, linked, make_user, login, method, suffix):
    other = make_user("other@clinic.example", clinic="Elsewhere clinic")
    client = app.test_client()
    login(client, other)
    response = getattr(client, method)(f"/plans/{linked.plan_id}/versions/{linked.number}{suffix}")
    assert response.status_code == 404
    assert all(link.revoked_at is None for link in _links(app))


@pytest.mark.parametrize("suffix", ["/link", "/link/revoke"])
def test_the_forms_need_the_csrf_token(app, linked, clinician, login, suffix):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"',
                      login_page)
    value = next(g for g in token.groups() if g)
    assert client.post("/login", data={"email": clinician.email, "password": "correct-horse-battery",
                                       "csrf_token": value}).status_code == 302
    url = f"/plans/{linked.plan_id}/versions/{linked.number}{suffix}"
    assert client.post(url).status_code == 400
    assert all(link.revoked_at is None for link in _links(app)) and len(_links(app)) == 1
    page = client.get(f"/plans/{linked.plan_id}/versions/{linked.number}").get_data(as_text=True)
    value = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post(url, data={"csrf_token": value}).status_code == 303


# ------------------------------------------------------------------ the QR code on the printed plan


def _codes(pdf: bytes) -> list[str]:
    import pypdfium2 as pdfium
    import zxingcpp

    doc = pdfium.PdfDocument(pdf)
    try:
        return [r.text for page in doc for r in zxingcpp.read_barcodes(page.render(scale=150 / 72).to_pil())]
    finally:
        doc.close()


def test_the_printed_plan_carries_the_link_as_a_qr_code(app, portal, linked):
    app.config["PUBLIC_URL"] = "https://physio.example.org/"
    response = portal.get(f"/plans/{linked.plan_id}/versions/{linked.number}/plan.pdf")
    assert response.status_code == 200
    assert _codes(response.data) == [f"https://physio.example.org/p/{linked.token}"]
    large = portal.get(f"/plans/{linked.plan_id}/versions/{linked.number}/plan.pdf?large_print=y")
    assert _codes(large.data) == [f"https://physio.example.org/p/{linked.token}"]


def test_no_qr_code_without_a_live_link(app, portal, linked):
    portal.post(f"/plans/{linked.plan_id}/versions/{linked.number}/link/revoke")
    assert _codes(portal.get(f"/plans/{linked.plan_id}/versions/{linked.number}/plan.pdf").data) == []


def test_an_older_versions_print_carries_no_qr_code(app, portal, linked):
    newer_version(app, linked.version_id)
    assert _codes(portal.get(f"/plans/{linked.plan_id}/versions/{linked.number}/plan.pdf").data) == []


def test_a_reprint_carries_the_same_working_link(app, portal, linked, patient_client):
    first = _codes(portal.get(f"/plans/{linked.plan_id}/versions/{linked.number}/plan.pdf").data)
    second = _codes(portal.get(f"/plans/{linked.plan_id}/versions/{linked.number}/plan.pdf").data)
    assert first == second == [f"http://localhost/p/{linked.token}"]
    assert patient_client.get(first[0].removeprefix("http://localhost")).status_code == 200


def test_erasing_the_patient_removes_their_links(app, portal, linked, admin, login, patient_client):
    client = app.test_client()
    login(client, admin)
    response = client.post(f"/patients/{linked.patient_id}/erase", data={"confirm": "H-001"})
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
    assert _links(app) == []
    assert patient_client.get(linked.path).status_code == 404


def _reassess_and_save(portal, wizard, plan_id: int):
    """Reassess keeping every prefilled answer, then save; the page the save leads to."""
    from ..test_versions import _form_values

    wizard.client.post(f"/plans/{plan_id}/reassess")
    for step in wizard.STEPS:
        values = _form_values(wizard.client.get(wizard.url(step)).get_data(as_text=True))
        assert wizard.post(step, values).status_code == 302, step
    return portal.post(f"/patients/{wizard.patient_id}/plans/draft/save", data={"note": ""},
                       follow_redirects=True).get_data(as_text=True)


def test_saving_a_new_version_says_the_patients_link_ended(portal, wizard, saved_plan):
    """A reassessment ends the patient's link: the clinician is told so where a new one is given."""
    plan_id, number = saved_plan
    assert "phone link has ended" not in _reassess_and_save(portal, wizard, plan_id)  # no link given
    give_link(portal, plan_id, number + 1)
    assert "phone link has ended with this version" in _reassess_and_save(portal, wizard, plan_id)
