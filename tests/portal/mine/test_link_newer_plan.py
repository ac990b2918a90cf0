"""A patient has at most one live plan link: any newer version of any of the patient's
plans (a new version, a new plan, a refused red-flag plan) ends the older links
(rehab.patient_link.resolve), and the portal agrees (give, print, followed version)."""

from __future__ import annotations

import pytest

from rehab import patient_link
from rehab.extensions import db
from rehab.models import Clinic, Patient, Plan, PlanVersion
from rehab.portal import operations, progress
from rehab.portal.links import print_url

from .conftest import copy_plan, give_link, newer_version


def _new_plan(app, version_id: int, patient_id: int, allowed: bool) -> int:
    """Save a new plan (version 1) for the same patient; allowed=False: a red-flag refusal."""
    plan_id = copy_plan(app, version_id, patient_id)
    if not allowed:
        with app.app_context():
            version = db.session.execute(db.select(PlanVersion).filter_by(plan_id=plan_id)).scalar_one()
            version.plan = {**version.plan, "allowed": False}
            db.session.commit()
    return plan_id


def _phone(app, patient_id: int) -> str:
    """Give the patient's clinic a phone number; the number."""
    with app.app_context():
        clinic = db.session.get(Clinic, db.session.get(Patient, patient_id).clinic_id)
        clinic.phone = "020 7946 0123"
        db.session.commit()
        return clinic.phone


@pytest.mark.parametrize("newer", ["new version", "new plan allowed", "new plan refused"])
def test_any_newer_version_of_any_plan_ends_the_link(app, linked, patient_client, newer):
    assert patient_client.get(linked.path).status_code == 200
    if newer == "new version":
        newer_version(app, linked.version_id)
    else:
        _new_plan(app, linked.version_id, linked.patient_id, allowed=newer == "new plan allowed")
    phone = _phone(app, linked.patient_id)
    response = patient_client.get(linked.path)
    html = response.get_data(as_text=True)
    assert response.status_code == 410
    assert "newer plan" in html and phone in html
    with app.app_context():
        assert patient_link.resolve(linked.token).status == "superseded"
    # the patient's log cannot be written through the ended link either
    assert patient_client.post(linked.path + "/log", data={}).status_code == 410


def _other_patient(app, patient_id: int) -> int:
    with app.app_context():
        patient = db.session.get(Patient, patient_id)
        other = Patient(clinic_id=patient.clinic_id, first_name="Other", last_name="Person",
                        reference="OTHER-1")
        db.session.add(other)
        db.session.commit()
        return other.id


def test_another_patients_new_plan_does_not_end_the_link(app, linked, patient_client):
    _new_plan(app, linked.version_id, _other_patient(app, linked.patient_id), allowed=False)
    assert patient_client.get(linked.path).status_code == 200


def test_a_later_patients_link_is_not_ended_by_an_earlier_patients_new_version(app, portal, linked,
                                                                                patient_client):
    """The rule looks at the link's own patient, whichever plan row comes first."""
    other_plan = _new_plan(app, linked.version_id, _other_patient(app, linked.patient_id), allowed=True)
    theirs = give_link(portal, other_plan, 1)
    newer_version(app, linked.version_id)  # the first patient's
    assert patient_client.get(theirs.path).status_code == 200
    assert patient_client.get(linked.path).status_code == 410


def test_the_portal_agrees_on_the_older_plan(app, portal, linked):
    plan_id = _new_plan(app, linked.version_id, linked.patient_id, allowed=False)
    with app.test_request_context():
        assert print_url(linked.version_id) is None
    # the older plan's page says its link has ended and gives none
    html = portal.get(f"/plans/{linked.plan_id}/versions/{linked.number}").get_data(as_text=True)
    assert "A newer plan was saved for this patient" in html and "Show the link and QR code" not in html
    assert portal.post(f"/plans/{linked.plan_id}/versions/{linked.number}/link").status_code == 400
    assert portal.get(f"/plans/{linked.plan_id}/versions/{linked.number}/link").status_code == 302
    # the refused plan cannot be given either: the patient follows no plan
    assert portal.post(f"/plans/{plan_id}/versions/1/link").status_code == 400
    with app.app_context():
        assert progress.followed_version(operations.patient_plans(linked.patient_id)) is None


def test_a_new_allowed_plan_is_followed_and_given(app, portal, linked, patient_client):
    plan_id = _new_plan(app, linked.version_id, linked.patient_id, allowed=True)
    with app.app_context():
        followed = progress.followed_version(operations.patient_plans(linked.patient_id))
        assert followed is not None and followed.plan_id == plan_id
    fresh = give_link(portal, plan_id, 1)
    assert patient_client.get(fresh.path).status_code == 200
    assert patient_client.get(linked.path).status_code == 410
