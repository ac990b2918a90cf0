"""The new-plan wizard: a normal case, a red-flag refusal, and errors shown where they belong."""

from __future__ import annotations

import re



def test_wizard_builds_a_hamstring_plan(wizard, cases):
    wizard.run(cases.hamstring_2)
    response = wizard.review()
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Hamstring strain" in html and "grade 2" in html
    assert "P1_acute_protection" in html and "current phase" in html
    assert "Left out by the safety rules" in html  # exclusions are listed with reasons
    assert '<img src="/figures/' in html  # figures are shown (rehab.figure_images)
    assert "not saved yet" in html


def test_red_flag_case_shows_emergency_and_offers_the_letter(wizard, cases):
    wizard.run(cases.cauda_equina)
    html = wizard.review().get_data(as_text=True)
    assert "badge-emergency" in html
    assert "No exercise plan" in html
    assert "Download the referral letter" in html
    assert "phase-P1_acute_protection" not in html  # no exercises are offered
    letter = wizard.client.get(f"/patients/{wizard.patient_id}/plans/draft/referral.pdf")
    assert letter.status_code == 200 and letter.mimetype == "application/pdf"
    assert letter.data.startswith(b"%PDF")


def test_referral_letter_of_an_allowed_draft_is_404(wizard, cases):
    wizard.run(cases.hamstring_2)
    assert wizard.client.get(f"/patients/{wizard.patient_id}/plans/draft/referral.pdf").status_code == 404


def test_each_step_shows_the_next(wizard, cases):
    wizard.start()
    step1 = wizard.client.get(wizard.url("diagnosis")).get_data(as_text=True)
    assert "Sciatica" in step1 and 'data-show-when="diagnosis=hamstring_strain"' in step1
    response = wizard.post("diagnosis", cases.hamstring_2["diagnosis"])
    assert response.headers["Location"].endswith("/red_flags")
    step2 = wizard.client.get(wizard.url("red_flags")).get_data(as_text=True)
    # the reference's patient-friendly questions; follow-ups are always shown (each counts alone)
    assert "numbness between your legs" in step2
    assert "calf_swelling_3cm" in step2 and "data-show-when" not in step2
    assert re.search(r"<script src=\"/static/portal.js\"", step2)


def test_steps_cannot_be_skipped(wizard):
    wizard.start()
    response = wizard.client.get(wizard.url("findings"))
    assert response.status_code == 302 and response.headers["Location"].endswith("/diagnosis")
    assert wizard.review().status_code == 302


def test_grade_is_required_for_hamstring_strain(wizard):
    wizard.start()
    response = wizard.post("diagnosis", {"diagnosis": "hamstring_strain", "bamic": "3b"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Choose the grade" in html
    assert 'value="3b"' in html and 'checked id="diagnosis-0"' in html


def test_intake_error_is_shown_at_its_field_with_input_kept(wizard, cases):
    wizard.start()
    for step in ("diagnosis", "red_flags", "modifiers"):
        wizard.post(step, cases.hamstring_2[step])
    data = dict(cases.hamstring_2["findings"], ake_deficit_deg="120", nprs_rest="2")
    response = wizard.post("findings", data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    field = re.search(r'<div class="field[^"]*has-error">.*?</div>', html, re.S).group(0)
    assert 'name="ake_deficit_deg"' in field and 'value="120"' in field
    assert 'value="25"' not in html and 'value="3"' in html  # what was typed, not the old value
    assert '<option selected value="antalgic">' in html


def test_bad_bamic_is_refused_by_the_planner_at_the_field(wizard):
    wizard.start()
    response = wizard.post("diagnosis", {"diagnosis": "hamstring_strain", "grade": "2", "bamic": "9z"})
    assert response.status_code == 422
    field = re.search(r'<div class="field[^"]*has-error">.*?</div>', response.get_data(as_text=True), re.S)
    assert field and 'name="bamic"' in field.group(0) and 'value="9z"' in field.group(0)
    assert "Enter a BAMIC grade such as 3b" in field.group(0)


def test_modifiers_are_prefilled_from_the_patient(wizard, cases):
    wizard.start()
    wizard.post("diagnosis", cases.hamstring_2["diagnosis"])
    wizard.post("red_flags", {})
    html = wizard.client.get(wizard.url("modifiers")).get_data(as_text=True)
    assert re.search(r'name="age"[^>]*value="\d+"', html)
    assert '<option selected value="female">' in html


def test_findings_step_asks_only_what_matters(wizard):
    wizard.start()
    wizard.post("diagnosis", {"diagnosis": "lumbar_spinal_stenosis"})
    wizard.post("red_flags", {})
    wizard.post("modifiers", {"age": "70", "sex": "male", "side": "bilateral"})
    html = wizard.client.get(wizard.url("findings")).get_data(as_text=True)
    assert 'name="walking_tolerance_min"' in html
    assert 'name="ake_deficit_deg"' not in html
    assert "Minutes of walking before symptoms." in html  # help text


def test_going_back_shows_what_was_answered(wizard, cases):
    wizard.run(cases.hamstring_2)
    html = wizard.client.get(wizard.url("findings")).get_data(as_text=True)
    assert re.search(r'name="ake_deficit_deg"[^>]*value="25"', html)
    step1 = wizard.client.get(wizard.url("diagnosis")).get_data(as_text=True)
    assert '<option selected value="2">' in step1


def test_changing_the_diagnosis_asks_the_findings_again(wizard, cases):
    wizard.run(cases.hamstring_2)
    response = wizard.post("diagnosis", {"diagnosis": "ischial_bursitis"})
    assert response.headers["Location"].endswith("/findings")
    intake = wizard.stored()["intake"]
    assert "grade" not in intake and "ake_deficit_deg" not in intake["findings"]


def test_wizard_state_lives_in_the_database_not_the_cookie(wizard, app, cases):
    """Finding 3: the draft (diagnosis, medicines, pregnancy) was in the session cookie."""
    wizard.start()
    wizard.post("diagnosis", cases.hamstring_2["diagnosis"])
    assert wizard.stored()["intake"]["diagnosis"] == "hamstring_strain"
    assert wizard.stored()["done"] == ["diagnosis"]
    with wizard.client.session_transaction() as s:
        assert "draft" not in s and "hamstring" not in repr(dict(s))


def test_activity_goal_is_asked_and_reaches_the_planner(wizard, cases):
    answers = {**cases.hamstring_2, "modifiers": {**cases.hamstring_2["modifiers"], "activity_level": "daily_living"}}
    wizard.run(answers)
    html = wizard.review().get_data(as_text=True)
    assert "Assumed, because it was not recorded" not in html
    page = wizard.client.get(wizard.url("modifiers")).get_data(as_text=True)
    assert "What does the patient want to get back to?" in page
    assert re.search(r'<option selected value="daily_living"|<option value="daily_living" selected', page)


def test_unknown_activity_goal_is_refused_with_the_field(wizard, cases):
    wizard.start()
    wizard.post("diagnosis", cases.hamstring_2["diagnosis"])
    wizard.post("red_flags", {})
    response = wizard.post("modifiers", {**cases.hamstring_2["modifiers"], "activity_level": "space_travel"})
    assert response.status_code == 422 and "Not a valid choice" in response.get_data(as_text=True)


def test_reassessment_fills_in_the_previous_phase(app, wizard, saved_plan):
    plan_id, _ = saved_plan
    from .test_versions import _form_values

    wizard.client.post(f"/plans/{plan_id}/reassess")
    for step in ("diagnosis", "red_flags"):
        wizard.post(step, _form_values(wizard.client.get(wizard.url(step)).get_data(as_text=True)))
    page = wizard.client.get(wizard.url("modifiers")).get_data(as_text=True)
    assert re.search(r'<option selected value="P1_acute_protection"|<option value="P1_acute_protection" selected', page)
