"""Printing from the portal: the clinic's settings, the clinician's job title, the next
appointment saved with a version, the clinic's default page size, all phases in full."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from rehab.models import Clinic, PlanVersion, User


def _text(data: bytes) -> str:
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))


def _set(app, model, row_id, **values):
    from rehab.extensions import db

    with app.app_context():
        row = db.session.get(model, row_id)
        for k, v in values.items():
            setattr(row, k, v)
        db.session.commit()


def test_next_appointment_is_saved_and_printed(app, wizard, cases):
    wizard.run(cases.hamstring_2)
    response = wizard.client.post(f"/patients/{wizard.patient_id}/plans/draft/save",
                                  data={"note": "", "next_appointment": "  Tuesday 18 March, 10:30 "})
    assert response.status_code == 302
    plan_id, number = map(int, re.search(r"/plans/(\d+)/versions/(\d+)$", response.headers["Location"]).groups())
    from rehab.extensions import db

    with app.app_context():
        version = db.session.execute(db.select(PlanVersion).filter_by(plan_id=plan_id)).scalar_one()
        assert version.next_appointment == "Tuesday 18 March, 10:30"
    text = _text(wizard.client.get(f"/plans/{plan_id}/versions/{number}/plan.pdf").data)
    assert "Next appointment Tuesday 18 March, 10:30" in text


@pytest.mark.parametrize("length, status", [(120, 302), (121, 422)])
def test_next_appointment_length_boundary(wizard, cases, length, status):
    wizard.run(cases.hamstring_2)
    response = wizard.client.post(f"/patients/{wizard.patient_id}/plans/draft/save",
                                  data={"next_appointment": "x" * length})
    assert response.status_code == status
    if status == 422:
        assert "x" * length in response.get_data(as_text=True)  # what was typed is kept


def test_clinic_settings_and_job_title_on_the_plan(app, portal, saved_plan, clinician):
    _set(app, Clinic, clinician.clinic_id, phone="01632 960 123", out_of_hours="call NHS 111",
         address="1 High Street", page_size="Letter")
    _set(app, User, clinician.id, job_title="physiotherapist")
    plan_id, number = saved_plan
    data = portal.get(f"/plans/{plan_id}/versions/{number}/plan.pdf").data
    text = _text(data)
    for needle in ("1 High Street", "Phone 01632 960 123", "Test Clinician, physiotherapist",
                   "When the clinic is closed: call NHS 111"):
        assert needle in text, needle
    page = PdfReader(io.BytesIO(data)).pages[0]
    assert round(float(page.mediabox.width)) == 612  # the clinic's default: Letter
    a4 = PdfReader(io.BytesIO(portal.get(f"/plans/{plan_id}/versions/{number}/plan.pdf?page_size=A4").data))
    assert round(float(a4.pages[0].mediabox.width)) == 595  # asked for: A4


def test_all_phases_in_full_is_the_clinicians_choice(portal, saved_plan):
    plan_id, number = saved_plan
    outline = _text(portal.get(f"/plans/{plan_id}/versions/{number}/plan.pdf").data)
    full = _text(portal.get(f"/plans/{plan_id}/versions/{number}/plan.pdf?all_phases=y").data)
    assert "What comes next" in outline and "What comes next" not in full
    page = portal.get(f"/plans/{plan_id}/versions/{number}").get_data(as_text=True)
    assert 'name="all_phases"' in page and "Clinic default" in page


def test_version_pdf_has_no_qr_code_and_no_link(portal, saved_plan):
    plan_id, number = saved_plan
    data = portal.get(f"/plans/{plan_id}/versions/{number}/plan.pdf").data
    assert b"http" not in data.split(b"/Producer")[0].replace(b"http://www.reportlab.com", b"")
    assert "Scan to open" not in _text(data)
