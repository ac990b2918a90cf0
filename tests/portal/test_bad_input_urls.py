"""Bad input in addresses and forms gets a clear 4xx, never a 500 (issue #11 finding 8),
and pages and PDFs with patient data are never stored by a browser (finding 10)."""

from __future__ import annotations

import html

import pytest

MAX_ID = 2**31 - 1


def test_nul_in_search_is_400_naming_the_field(portal):
    response = portal.get("/patients?q=Jo%00nes")
    assert response.status_code == 400
    assert "The field 'q' contains a NUL character" in html.unescape(response.get_data(as_text=True))


def test_nul_in_a_form_field_is_400_naming_the_field(app, portal):
    response = portal.post("/patients/new", data={"first_name": "A\x00", "last_name": "B", "reference": "R"})
    assert response.status_code == 400
    assert "The field 'first_name' contains a NUL character" in html.unescape(response.get_data(as_text=True))


def test_nul_in_a_field_name_is_400(portal):
    assert portal.post("/patients/new", data={"first\x00name": "A"}).status_code == 400


@pytest.mark.parametrize("url", [
    "/patients/{id}", "/patients/{id}/plans/new/diagnosis", "/plans/{id}", "/plans/{id}/versions/1",
    "/plans/1/versions/{id}", "/plans/{id}/versions/1/plan.pdf", "/patients/{id}/plans/draft",
])
@pytest.mark.parametrize("big", [MAX_ID, MAX_ID + 1, 10**30])
def test_huge_ids_in_urls_are_404(portal, url, big):
    """Finding 8: ids of 2^31 and more reached PostgreSQL's integer columns and gave 500."""
    assert portal.get(url.format(id=big)).status_code == 404


def test_huge_ids_in_posts_are_404(portal):
    assert portal.post(f"/patients/{MAX_ID + 1}/plans/new").status_code == 404
    assert portal.post(f"/plans/{MAX_ID + 1}/reassess").status_code == 404


@pytest.mark.parametrize("cursor, status", [
    (str(MAX_ID), 200), (str(MAX_ID + 1), 400), ("9" * 40, 400), ("-1", 400), ("0", 400), ("abc", 400),
    ("1", 200),
])
@pytest.mark.parametrize("name", ["after", "before"])
def test_paging_cursors_in_range(portal, patient_id, name, cursor, status):
    response = portal.get(f"/patients?page=2&{name}={cursor}")
    assert response.status_code == status
    if status == 400:
        assert f"'{name}' must be a whole number from 1 to {MAX_ID}" in html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize("page", ["99999999999999999999999", "-4", "x", "100001"])
def test_page_numbers_typed_into_the_address_are_forgiven(portal, patient_id, page):
    assert portal.get(f"/patients?page={page}").status_code == 200


def test_crlf_in_next_goes_home(client, clinician, user_password):
    """Finding 8: CRLF in ?next= reached the Location header and gave 500."""
    response = client.post("/login?next=/patients%0d%0aSet-Cookie:x=1",
                           data={"email": clinician.email, "password": user_password})
    assert response.status_code == 302 and response.headers["Location"] == "/"


@pytest.mark.parametrize("target", ["//evil.example/", "/\\evil.example", "https://evil.example/", "/%0a"])
def test_next_to_another_site_goes_home(client, clinician, user_password, target):
    from rehab.auth import _safe_next

    assert _safe_next(target) in (None, "/%0a")
    response = client.post(f"/login?next={target}", data={"email": clinician.email, "password": user_password})
    assert response.headers["Location"] in ("/", "/%0a")


def test_pdf_and_pages_with_patient_data_are_no_store(portal, saved_plan, patient_id):
    plan_id, number = saved_plan
    for url in (f"/patients/{patient_id}", f"/plans/{plan_id}/versions/{number}",
                f"/plans/{plan_id}/versions/{number}/plan.pdf", "/patients?q=Jones"):
        response = portal.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store", url
