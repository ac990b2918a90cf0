"""Portal fixtures: a logged-in client, patient builders and a wizard driver."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest

from rehab.extensions import db as _db
from rehab.models import Clinic, Draft, Patient


@pytest.fixture
def portal(client, clinician, login, loaded_library):
    """A client logged in as the default clinic's clinician, with the real library loaded."""
    login(client, clinician)
    return client


@pytest.fixture
def make_patient(app):
    """make_patient(clinic_id, reference="R1", **fields) -> patient id."""
    counter = iter(range(1, 10_000))

    def make(clinic_id: int, reference: str | None = None, **fields) -> int:
        with app.app_context():
            values = {"first_name": "Alex", "last_name": "Jones", "date_of_birth": dt.date(1990, 5, 17),
                      "sex": "female", **fields}
            patient = Patient(clinic_id=clinic_id, reference=reference or f"R{next(counter)}", **values)
            _db.session.add(patient)
            _db.session.commit()
            return patient.id

    return make


@pytest.fixture
def patient_id(make_patient, clinician):
    return make_patient(clinician.clinic_id, "H-001", first_name="Alex", last_name="Jones")


@pytest.fixture
def other_clinic_patient(app, make_patient):
    with app.app_context():
        clinic = Clinic(name="Another clinic")
        _db.session.add(clinic)
        _db.session.commit()
        clinic_id = clinic.id
    return make_patient(clinic_id, "X-999", first_name="Other", last_name="Person")


HAMSTRING_2 = {
    "diagnosis": {"diagnosis": "hamstring_strain", "grade": "2"},
    "red_flags": {},
    "modifiers": {"age": "34", "sex": "female", "side": "left"},
    "findings": {"days_since_onset": "3", "nprs_rest": "2", "nprs_activity": "4", "ake_deficit_deg": "25",
                 "walking": "antalgic"},
}

CAUDA_EQUINA = {
    "diagnosis": {"diagnosis": "sciatica_lumbar_radiculopathy"},
    "red_flags": {"bladder_bowel_change": "y", "saddle_anaesthesia": "y"},
    "modifiers": {"age": "52", "sex": "male", "side": "bilateral"},
    "findings": {"days_since_onset": "2", "leg_nprs": "8"},
}


class Wizard:
    """Drive the new-plan wizard through the test client, one step at a time."""

    STEPS = ("diagnosis", "red_flags", "modifiers", "findings")

    def __init__(self, client, patient_id: int):
        self.client, self.patient_id = client, patient_id

    def url(self, step: str) -> str:
        return f"/patients/{self.patient_id}/plans/new/{step}"

    def start(self):
        response = self.client.post(f"/patients/{self.patient_id}/plans/new")
        assert response.status_code == 302
        return response

    def post(self, step: str, data: dict):
        return self.client.post(self.url(step), data=data)

    def run(self, answers: dict, start: bool = True):
        """Post every step; returns the last response (a redirect to the review when all went well)."""
        if start:
            self.start()
        response = None
        for step in self.STEPS:
            response = self.post(step, answers.get(step, {}))
            assert response.status_code == 302, (step, response.status_code, error_text(response))
        assert response.headers["Location"].endswith(f"/patients/{self.patient_id}/plans/new/summary")
        return response

    def stored(self) -> dict | None:
        """The unsaved draft as kept in the database (None when there is none)."""
        return stored_draft(self.client, self.patient_id)

    def review(self):
        return self.client.get(f"/patients/{self.patient_id}/plans/draft")

    def adjust(self, **data):
        return self.client.post(f"/patients/{self.patient_id}/plans/draft/adjust", data=data)

    def save(self, note: str = ""):
        response = self.client.post(f"/patients/{self.patient_id}/plans/draft/save", data={"note": note})
        assert response.status_code == 302, error_text(response)
        match = re.search(r"/plans/(\d+)/versions/(\d+)$", response.headers["Location"])
        assert match, response.headers["Location"]
        return int(match.group(1)), int(match.group(2))


def stored_draft(client, patient_id: int | None = None) -> dict | None:
    """The one draft in the database (of `patient_id` if given), as stored."""
    with client.application.app_context():
        query = _db.select(Draft)
        if patient_id is not None:
            query = query.filter_by(patient_id=patient_id)
        row = _db.session.execute(query).scalar_one_or_none()
        return row.data if row else None


def error_text(response) -> str:
    """The error messages on a page, for assertion messages."""
    html = response.get_data(as_text=True)
    return " | ".join(re.findall(r'class="error"[^>]*>(.*?)</p>', html, re.S))



@pytest.fixture
def cases():
    """Wizard answers (form values per step) for the scenarios the tests share."""
    return SimpleNamespace(hamstring_2=HAMSTRING_2, cauda_equina=CAUDA_EQUINA)


@pytest.fixture
def wizard(portal, patient_id):
    return Wizard(portal, patient_id)


@pytest.fixture
def saved_plan(wizard):
    """A hamstring grade 2 plan saved as version 1: (plan_id, number)."""
    wizard.run(HAMSTRING_2)
    return wizard.save()
