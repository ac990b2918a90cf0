"""Patients: create, validation that keeps what was typed, search and pagination."""

from __future__ import annotations

import pytest

import datetime as dt
import re

from rehab.extensions import db
from rehab.models import AuditEntry, Patient


def test_create_patient(app, portal, clinician):
    response = portal.post("/patients/new", data={"first_name": "Maria", "last_name": "Lopez",
                                                  "reference": "MRN-42", "date_of_birth": "1985-02-03",
                                                  "sex": "female"})
    assert response.status_code == 302
    with app.app_context():
        patient = db.session.execute(db.select(Patient).filter_by(reference="MRN-42")).scalar_one()
        assert patient.clinic_id == clinician.clinic_id
        assert patient.date_of_birth == dt.date(1985, 2, 3)
        assert patient.created_by_id == clinician.id
        assert db.session.execute(db.select(AuditEntry).filter_by(action="patient_create")).scalar_one()
    page = portal.get(response.headers["Location"]).get_data(as_text=True)
    assert "Maria Lopez" in page and "MRN-42" in page


def test_bad_input_is_shown_at_the_field_with_everything_kept(portal):
    response = portal.post("/patients/new", data={"first_name": "Maria", "last_name": "",
                                                  "reference": "MRN-7", "date_of_birth": "31/31/1985",
                                                  "sex": "female"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'value="Maria"' in html and 'value="MRN-7"' in html and 'value="31/31/1985"' in html
    assert "This field is required." in html
    assert "Not a valid date value." in html
    assert '<option selected value="female">' in html


def test_duplicate_reference_in_the_same_clinic_is_refused(portal, make_patient, clinician):
    make_patient(clinician.clinic_id, "DUP-1")
    response = portal.post("/patients/new", data={"first_name": "A", "last_name": "B", "reference": "DUP-1",
                                                  "sex": "male"})
    assert response.status_code == 422
    assert "already exists" in response.get_data(as_text=True)


def test_same_reference_in_another_clinic_is_fine(portal, other_clinic_patient):
    response = portal.post("/patients/new", data={"first_name": "A", "last_name": "B", "reference": "X-999",
                                                  "sex": "male"})
    assert response.status_code == 302


def test_search_by_name_reference_and_date_of_birth(portal, make_patient, clinician):
    cid = clinician.clinic_id
    make_patient(cid, "AB-100", first_name="Anna", last_name="Berg", date_of_birth=dt.date(1970, 1, 2))
    make_patient(cid, "CD-200", first_name="Carl", last_name="Dahl", date_of_birth=dt.date(1981, 12, 24))

    def names(q):
        return portal.get("/patients", query_string={"q": q}).get_data(as_text=True)

    assert "Berg" in names("berg") and "Dahl" not in names("berg")
    assert "Berg" in names("Anna Berg") and "Dahl" not in names("Anna Berg")
    assert "Dahl" in names("CD-2") and "Berg" not in names("CD-2")
    assert "Dahl" in names("1981-12-24") and "Berg" not in names("1981-12-24")
    assert "Berg" in names("02/01/1970")
    assert "No patient matches" in names("zzz")
    assert "Berg" not in names("%")  # LIKE wildcards are taken literally


def test_pagination(app, portal, make_patient, clinician):
    app.config["PAGE_SIZE"] = 5
    for i in range(12):
        make_patient(clinician.clinic_id, f"P{i:03}", last_name=f"Name{i:02}")
    first = portal.get("/patients").get_data(as_text=True)
    assert "Page 1<" in first and "Name00" in first and "Name05" not in first
    assert "(showing 1–5)" in first and "Previous" not in first
    second = portal.get(_link(first, "Next")).get_data(as_text=True)
    assert "Page 2<" in second and "Name05" in second and "Name04" not in second
    third = portal.get(_link(second, "Next")).get_data(as_text=True)
    assert "Page 3 (last)" in third and "Name10" in third and "Name11" in third and "Name00" not in third
    assert "Next" not in third
    back = portal.get(_link(third, "Previous")).get_data(as_text=True)
    assert "Page 2<" in back and "Name05" in back and "Name09" in back and "Name10" not in back
    assert "Name00" in portal.get(_link(back, "Previous")).get_data(as_text=True)
    # a bare page number (old links, bookmarks) still works, by offset
    assert "Name10" in portal.get("/patients?page=3").get_data(as_text=True)
    beyond = portal.get("/patients?page=99")
    assert beyond.status_code == 200 and "There is no page 99" in beyond.get_data(as_text=True)
    assert portal.get("/patients?page=-4").status_code == 200
    # a cursor that is no patient of this clinic shows the first page
    assert "Name00" in portal.get("/patients?page=2&after=999999").get_data(as_text=True)


def test_one_page_shows_how_many(portal, make_patient, clinician):
    make_patient(clinician.clinic_id, "AB-1", first_name="Anna", last_name="Berg")
    make_patient(clinician.clinic_id, "AB-2", first_name="Bo", last_name="Berg")
    assert "(2 found)" in portal.get("/patients?q=berg").get_data(as_text=True)
    html = portal.get("/patients").get_data(as_text=True)
    assert "(2)" in html and 'class="pager"' not in html


def _link(html: str, text: str) -> str:
    match = re.search(rf'<a href="([^"]+)">[^<]*{text}', html)
    assert match, text
    return match.group(1).replace("&amp;", "&")


def test_search_box_keeps_the_query_and_the_forms_length_limit(portal):
    """The box is written out in the template (speed); it must still say what SearchForm says."""
    page = portal.get("/patients?q=a<b").get_data(as_text=True)
    box = re.search(r'<input[^>]*id="q"[^>]*>', page).group(0)
    assert 'maxlength="80"' in box and 'value="a&lt;b"' in box and 'name="q"' in box


@pytest.mark.parametrize("dob, ok", [("1899-12-31", False), ("1900-01-01", True), ("2999-01-01", False)])
def test_date_of_birth_between_1900_and_today(portal, dob, ok):
    response = portal.post("/patients/new", data={"reference": f"D{dob[:4]}", "first_name": "Ann",
                                                   "last_name": "Lee", "date_of_birth": dob, "sex": "female"})
    assert (response.status_code == 302) is ok
    if not ok:
        assert "between 1 January 1900 and today" in response.get_data(as_text=True)
