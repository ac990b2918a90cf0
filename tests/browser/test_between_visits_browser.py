"""The clinician's side of the patient's own log in the browser, at desktop and phone size:
the alert flag on the list, the between-visits panel (chart, table alternative), "Mark as
seen", and axe with no violation."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.browser.test_layout_browser import SIZES, check_page, log_in

pytestmark = pytest.mark.browser

INTAKE = {"diagnosis": "hamstring_strain", "grade": 2, "age": 34, "sex": "female", "side": "left",
          "findings": {"days_since_onset": 3, "nprs_rest": 2, "nprs_activity": 4, "ake_deficit_deg": 25,
                       "walking": "antalgic"}}


def seed(app, clinician) -> int:
    """A patient with a plan saved 20 days ago, 12 logged days (one alert) and two PSFS."""
    from rehab.extensions import db
    from rehab.models import LogDay, Patient, PsfsScore
    from rehab.portal import operations
    from rehab.portal.wizard import Draft
    from rehab.trends import current_items

    today = dt.date.today()
    with app.app_context():
        patient = operations.create_patient(clinician.clinic_id, clinician, first_name="Maria",
                                            last_name="Okonkwo-Fitzgerald", reference="MRN-LOG-1",
                                            date_of_birth=dt.date(1985, 2, 3), sex="female")
        operations.create_patient(clinician.clinic_id, clinician, first_name="Ben", last_name="Able",
                                  reference="MRN-LOG-2", date_of_birth=None, sex="male")
        version = operations.save_draft(Draft(patient_id=patient.id, intake=INTAKE,
                                              done=["diagnosis", "red_flags", "modifiers", "findings"]),
                                        db.session.get(Patient, patient.id), clinician)
        version.created_at -= dt.timedelta(days=20)
        items = current_items(version.plan)
        pains = [6, 6, 5, 7, 5, 4, 4, 9, 5, 3, 3, 2]
        for n, pain in enumerate(pains):
            day = today - dt.timedelta(days=round((len(pains) - 1 - n) * 19 / (len(pains) - 1)))
            ticks = {item["exercise_id"]: (item["dosage"]["per_day"] or 1) - (n % 3 == 0) for item in items}
            db.session.add(LogDay(patient_id=patient.id, version_id=version.id, day=day, ticks=ticks, pain=pain,
                                  alert=pain >= 8, note="Felt a sharp twinge on the stairs" if pain >= 8 else
                                  ("Easier today" if n == len(pains) - 1 else "")))
        db.session.add_all([
            PsfsScore(patient_id=patient.id, version_id=version.id, taken_on=today - dt.timedelta(days=20),
                      source="clinic", items=[{"activity": "Running for the bus", "score": 2},
                                              {"activity": "Sitting through a film", "score": 5}]),
            PsfsScore(patient_id=patient.id, version_id=version.id, taken_on=today - dt.timedelta(days=6),
                      source="patient", items=[{"activity": "Running for the bus", "score": 4},
                                               {"activity": "Sitting through a film", "score": 7}])])
        db.session.commit()
        return patient.id


def test_clinician_sees_the_flag_the_panel_and_marks_the_alert_seen(app, browser, live_server, clinician,
                                                                    loaded_library, user_password, shots):
    patient_id = seed(app, clinician)
    context = browser.new_context(base_url=live_server, bypass_csp=True, viewport=SIZES["desktop"])
    page = context.new_page()
    try:
        log_in(page, clinician, user_password)
        row = page.get_by_role("row").filter(has_text="Okonkwo-Fitzgerald")
        expect(row.get_by_text("Alert not seen")).to_be_visible()
        expect(page.get_by_role("row").filter(has_text="Able").get_by_text("Alert not seen")).to_have_count(0)
        problems = check_page(page, "patients-flagged", shots)

        row.get_by_role("link").click()
        page.wait_for_url(f"**/patients/{patient_id}")
        panel = page.get_by_role("region", name="Between visits")
        expect(panel.get_by_role("img", name="Pain and PSFS")).to_be_visible()
        expect(panel.locator(".sr-only table caption")).to_have_text("Pain and PSFS mean by day, "
                                                                     f"{_label(dt.date.today() - dt.timedelta(days=27))} to "
                                                                     f"{_label(dt.date.today())}")
        expect(panel.get_by_text("pain 9/10 (8 or more)")).to_be_visible()
        expect(panel.get_by_role("row", name="All exercises")).to_be_visible()
        problems += check_page(page, "patient-between-visits", shots)

        panel.get_by_role("button", name="Mark as seen").click()
        page.wait_for_url(f"**/patients/{patient_id}#between-title")
        expect(page.get_by_text("Alert marked as seen.")).to_be_visible()
        expect(page.get_by_role("button", name="Mark as seen")).to_have_count(0)
        problems += check_page(page, "patient-alert-seen", shots)
        page.goto("/patients")
        expect(page.get_by_text("Alert not seen")).to_have_count(0)
        assert problems == []
    finally:
        context.close()


def _label(day: dt.date) -> str:
    return f"{day.day} {day.strftime('%b')}"


def test_reassessment_shows_the_log_asks_the_psfs_and_keeps_the_figures(app, browser, live_server, clinician,
                                                                        loaded_library, user_password, shots):
    from dataclasses import asdict

    from rehab.extensions import db
    from rehab.models import Draft as DraftRow, Plan
    from rehab.portal.wizard import STEPS, Draft

    patient_id = seed(app, clinician)
    with app.app_context():
        plan_id = db.session.execute(db.select(Plan.id).filter_by(patient_id=patient_id)).scalar_one()
        db.session.add(DraftRow(patient_id=patient_id, user_id=clinician.id, data=asdict(Draft(
            patient_id=patient_id, plan_id=plan_id, base_version=1, intake=INTAKE, done=list(STEPS)))))
        db.session.commit()
    context = browser.new_context(base_url=live_server, bypass_csp=True, viewport=SIZES["desktop"])
    page = context.new_page()
    try:
        log_in(page, clinician, user_password)
        page.goto(f"/patients/{patient_id}/plans/new/findings")
        expect(page.get_by_label("Activity 1", exact=True)).to_have_value("Running for the bus")
        page.get_by_label("Score for activity 1 (0 to 10)").fill("12")
        page.get_by_role("button", name="Check the answers").click()
        expect(page.get_by_text("Enter a score from 0 (unable to do it) to 10").first).to_be_visible()
        expect(page.get_by_label("Activity 1", exact=True)).to_have_value("Running for the bus")
        problems = check_page(page, "findings-psfs-error", shots)
        page.get_by_label("Score for activity 1 (0 to 10)").fill("6")
        page.get_by_label("Score for activity 2 (0 to 10)").fill("8")
        page.get_by_role("button", name="Check the answers").click()
        page.get_by_role("link", name="Build the plan").click()
        page.wait_for_url(f"**/patients/{patient_id}/plans/draft")
        expect(page.get_by_role("heading", name="Since version 1: the patient's own log")).to_be_visible()
        problems += check_page(page, "review-with-log", shots)
        page.get_by_role("button", name="Save as version 2").click()
        page.goto(f"/plans/{plan_id}?a=1&b=2")
        expect(page.get_by_role("heading", name="Between visits, when each was saved")).to_be_visible()
        expect(page.get_by_text("PSFS mean 7.0").first).to_be_visible()
        problems += check_page(page, "history-with-progress", shots)
        assert problems == []
    finally:
        context.close()
