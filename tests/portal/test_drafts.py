"""Unsaved plans live in the database (issue #11 finding 3): one per patient and clinician,
several at once, listed on the clinician's home, expiring, never in the cookie."""

from __future__ import annotations

import datetime as dt

import pytest

from rehab.extensions import db
from rehab.models import Draft, PlanVersion


def test_second_user_on_the_same_browser_does_not_get_the_draft(app, wizard, cases, make_user, login):
    """Finding 3: after logout a second user opened the first user's draft and saved it."""
    wizard.run(cases.hamstring_2)
    wizard.client.post("/logout")
    colleague = make_user("colleague@test.example", name="Colleague")
    login(wizard.client, colleague)
    page = wizard.client.get(f"/patients/{wizard.patient_id}").get_data(as_text=True)
    assert "unsaved" not in page
    response = wizard.review()
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/patients/{wizard.patient_id}")
    response = wizard.client.post(f"/patients/{wizard.patient_id}/plans/draft/save")
    assert response.status_code == 302 and "/versions/" not in response.headers["Location"]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(PlanVersion)) == 0
        assert db.session.scalar(db.select(db.func.count()).select_from(Draft)) == 1  # still the first user's


def test_the_first_user_finds_the_draft_after_logging_in_again(wizard, cases, clinician, login):
    wizard.run(cases.hamstring_2)
    wizard.client.post("/logout")
    login(wizard.client, clinician)
    assert wizard.review().status_code == 200


def test_two_patients_drafts_at_once_are_listed(app, portal, make_patient, clinician):
    first = make_patient(clinician.clinic_id, "A-1", first_name="Ann", last_name="First")
    second = make_patient(clinician.clinic_id, "B-2", first_name="Ben", last_name="Second")
    for pid in (first, second):
        assert portal.post(f"/patients/{pid}/plans/new").status_code == 302
    portal.post(f"/patients/{first}/plans/new/diagnosis", data={"diagnosis": "hamstring_strain", "grade": "2"})
    home = portal.get("/patients").get_data(as_text=True)
    assert "Unsaved plans" in home
    assert "Ann First" in home.split("Unsaved plans")[1].split("</section>")[0]
    assert "Ben Second" in home.split("Unsaved plans")[1].split("</section>")[0]
    assert "1 of 4 steps" in home and "0 of 4 steps" in home
    for pid in (first, second):  # starting the second did not discard the first
        assert portal.get(f"/patients/{pid}/plans/new/diagnosis").status_code == 200


def test_unsaved_plans_are_only_the_users_own(app, portal, patient_id, make_user, login):
    portal.post(f"/patients/{patient_id}/plans/new")
    other = app.test_client()
    login(other, make_user("colleague@test.example"))
    assert "Unsaved plans" not in other.get("/patients").get_data(as_text=True)


def _age(app, days: float) -> None:
    with app.app_context():
        row = db.session.execute(db.select(Draft)).scalar_one()
        row.updated_at = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=days)
        db.session.commit()


@pytest.mark.parametrize("age_days, kept", [(13.99, True), (14.01, False), (30, False)])
def test_drafts_expire_after_the_configured_days(app, portal, patient_id, age_days, kept):
    assert app.config["DRAFT_EXPIRY_DAYS"] == 14
    portal.post(f"/patients/{patient_id}/plans/new")
    _age(app, age_days)
    assert ("Unsaved plans" in portal.get("/patients").get_data(as_text=True)) is kept
    assert (portal.get(f"/patients/{patient_id}/plans/new/diagnosis").status_code == 200) is kept


def test_expired_drafts_are_deleted_at_the_next_write(app, portal, patient_id, make_patient, clinician):
    portal.post(f"/patients/{patient_id}/plans/new")
    _age(app, 15)
    other = make_patient(clinician.clinic_id, "Z-1")
    portal.post(f"/patients/{other}/plans/new")
    with app.app_context():
        assert [r.patient_id for r in db.session.execute(db.select(Draft)).scalars()] == [other]


def test_expiry_days_from_the_environment(monkeypatch, tmp_path):
    from rehab import config

    monkeypatch.setenv("REHAB_DRAFT_EXPIRY_DAYS", "3")
    assert config.defaults(str(tmp_path))["DRAFT_EXPIRY_DAYS"] == 3


def test_discard_a_draft(app, wizard, cases):
    wizard.run(cases.hamstring_2)
    response = wizard.client.post(f"/patients/{wizard.patient_id}/plans/draft/discard")
    assert response.status_code == 302
    assert wizard.stored() is None


def test_discard_needs_the_patient_of_ones_clinic(portal, other_clinic_patient):
    assert portal.post(f"/patients/{other_clinic_patient}/plans/draft/discard").status_code == 404


def test_draft_changed_in_another_tab_is_a_conflict(app, wizard, cases, monkeypatch):
    """A change written from a copy of the draft older than the stored one is refused (409)."""
    from rehab.portal import wizard as wizard_module

    wizard.run(cases.hamstring_2)
    original = wizard_module.load_draft

    def stale(patient_id):
        draft = original(patient_id)
        if draft is not None:
            draft.row_version -= 1  # as if another tab wrote after this one read
        return draft

    monkeypatch.setattr(wizard_module, "load_draft", stale)
    response = wizard.client.post(f"/patients/{wizard.patient_id}/plans/draft/undo", data={"all": "1"})
    assert response.status_code == 302  # nothing to undo: nothing written
    response = wizard.post("modifiers", cases.hamstring_2["modifiers"])
    assert response.status_code == 409
    assert "changed in another tab" in response.get_data(as_text=True)
