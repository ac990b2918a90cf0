"""The wizard's way through (issue #13): an emergency or urgent red flag goes straight to the
refusal, "Back" keeps what was typed, and a summary of every answer comes before the review."""

from __future__ import annotations

import html as htmllib
import re

import pytest

from rehab.planner import parse_intake
from rehab.planner.intake import Findings
from rehab.planner.triage import triage
from rehab.portal import wizard as wizard_module
from tests.portal.conftest import HAMSTRING_2, stored_draft

SCIATICA = {"diagnosis": "sciatica_lumbar_radiculopathy"}
AVULSION = {"diagnosis": "hamstring_strain", "grade": "3"}


def _text(response) -> str:
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


@pytest.mark.parametrize("diagnosis, flags, level", [
    (SCIATICA, {"saddle_anaesthesia": "y", "bladder_bowel_change": "y"}, "emergency"),
    (AVULSION, {"suspected_tendon_or_apophyseal_avulsion": "y"}, "urgent"),
])
def test_a_refusing_red_flag_goes_straight_to_the_refusal(wizard, diagnosis, flags, level):
    wizard.start()
    wizard.post("diagnosis", diagnosis)
    # the level is the planner's, on what is known so far (not a rule of the wizard's)
    assert triage(parse_intake(wizard.stored()["intake"] | {"red_flags": {k: True for k in flags}})).level == level
    response = wizard.post("red_flags", flags)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/patients/{wizard.patient_id}/plans/draft")
    review = wizard.review()
    assert review.status_code == 200
    page = review.get_data(as_text=True)
    assert f"badge-{level}" in page and "Download the referral letter" in page
    assert "Save the refusal to the record" in page
    anyway = re.search(r'<a href="([^"]+)">Record the remaining findings anyway</a>', page)
    assert anyway and anyway.group(1).endswith("/plans/new/modifiers")
    letter = wizard.client.get(f"/patients/{wizard.patient_id}/plans/draft/referral.pdf")
    assert letter.status_code == 200 and letter.data.startswith(b"%PDF")
    # the clinician may still record the rest; the refusal stands
    assert wizard.client.get(anyway.group(1)).status_code == 200
    assert wizard.post("modifiers", {"age": "40", "sex": "male"}).headers["Location"].endswith("/findings")
    assert wizard.post("findings", {}).headers["Location"].endswith("/plans/new/summary")
    review = wizard.review().get_data(as_text=True)
    assert f"badge-{level}" in review and "Record the remaining findings anyway" not in review


def test_a_flag_that_does_not_refuse_continues_the_wizard(wizard):
    wizard.start()
    wizard.post("diagnosis", HAMSTRING_2["diagnosis"])
    response = wizard.post("red_flags", {"wells_items": "previous_dvt"})  # a risk factor, no symptom
    assert response.headers["Location"].endswith("/plans/new/modifiers")
    assert wizard.review().status_code == 302  # no review before the remaining steps


def test_back_keeps_what_was_typed_without_checking_it(wizard):
    wizard.start()
    wizard.post("diagnosis", HAMSTRING_2["diagnosis"])
    wizard.post("red_flags", {})
    before = stored_draft(wizard.client, wizard.patient_id)["intake"]
    response = wizard.post("modifiers", {"back": "1", "age": "41", "pregnancy_weeks": "abc", "side": "right",
                                         "comorbidities": ["diabetes", "smoker"], "not_a_field": "x"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/plans/new/red_flags")
    stored = stored_draft(wizard.client, wizard.patient_id)
    assert stored["intake"] == before  # nothing was checked or applied
    assert stored["typed"]["modifiers"] == {"age": ["41"], "pregnancy_weeks": ["abc"], "side": ["right"],
                                            "comorbidities": ["diabetes", "smoker"]}
    page = wizard.client.get(wizard.url("modifiers"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "error" not in re.sub(r"flash-error|\.error", "", html).split("<main")[-1]
    assert 'value="41"' in html and 'value="abc"' in html
    assert re.search(r'<option selected value="right">|<option value="right" selected>', html)
    assert re.search(r'value="diabetes"[^>]*checked|checked[^>]*value="diabetes"', html)
    # submitting the step checks it as always; once accepted, the typed copy goes
    response = wizard.post("modifiers", {"age": "41", "sex": "female", "side": "right"})
    assert response.headers["Location"].endswith("/plans/new/findings")
    stored = stored_draft(wizard.client, wizard.patient_id)
    assert stored["intake"]["age"] == 41 and "modifiers" not in stored["typed"]


def test_back_on_the_findings_step_keeps_the_findings(wizard):
    wizard.start()
    for step in ("diagnosis", "red_flags", "modifiers"):
        wizard.post(step, HAMSTRING_2[step])
    wizard.post("findings", {"back": "1", "ake_deficit_deg": "35", "nprs_rest": "15"})
    html = wizard.client.get(wizard.url("findings")).get_data(as_text=True)
    assert 'value="35"' in html and 'value="15"' in html


def test_what_back_keeps_is_bounded(wizard):
    wizard.start()
    wizard.post("diagnosis", HAMSTRING_2["diagnosis"])
    wizard.post("red_flags", {})
    wizard.post("modifiers", {"back": "1", "age": "9" * 5000, "comorbidities": ["diabetes"] * 500})
    typed = stored_draft(wizard.client, wizard.patient_id)["typed"]["modifiers"]
    assert typed["age"] == ["9" * wizard_module.MAX_TYPED_LENGTH]
    assert len(typed["comorbidities"]) == wizard_module.MAX_TYPED_VALUES


def test_back_from_the_first_step_is_cancel(wizard):
    wizard.start()
    html = wizard.client.get(wizard.url("diagnosis")).get_data(as_text=True)
    assert "Cancel" in html and 'name="back"' not in html


def test_the_summary_lists_every_answer_in_words(wizard):
    wizard.run({**HAMSTRING_2, "red_flags": {"wells_items": "previous_dvt"},
                "modifiers": {**HAMSTRING_2["modifiers"], "comorbidities": ["diabetes"],
                              "activity_level": "recreational_sport"}})
    response = wizard.client.get(wizard.url("summary"))
    assert response.status_code == 200
    text = " ".join(_text(response).split())
    assert "Hamstring strain (torn muscle at the back of the thigh)" in text
    assert "Grade 2: partial tear" in text
    assert "Wells items and clot risk factors DVT documented before" in text
    assert "Red flags None ticked" in text
    assert "Age (years) 34" in text and "Diabetes" in text and "Recreational sport, running or the gym" in text
    # findings under the intake model's titles (one source of truth), the rest listed as not assessed
    titles = {name: f.title for name, f in Findings.model_fields.items()}
    assert f"{titles['ake_deficit_deg']} 25" in text and f"{titles['nprs_activity']} 4" in text
    assert "Not assessed:" in text and titles["palpable_gap"] in text.split("Not assessed:")[1]
    assert "_" not in re.sub(r"https?://\S+|/[\w/]+", "", text.split("Check the answers")[-1])  # no ids
    html = response.get_data(as_text=True)
    for step in wizard_module.STEPS:  # a change link per step
        assert f'href="/patients/{wizard.patient_id}/plans/new/{step}">Change' in html
    assert re.search(rf'<a class="button primary" href="/patients/{wizard.patient_id}/plans/draft">Build the plan', html)
    assert wizard.review().status_code == 200


def test_the_summary_comes_only_after_every_step(wizard):
    wizard.start()
    wizard.post("diagnosis", HAMSTRING_2["diagnosis"])
    response = wizard.client.get(wizard.url("summary"))
    assert response.status_code == 302 and response.headers["Location"].endswith("/red_flags")
    wizard.run(HAMSTRING_2, start=False)
    assert wizard.client.post(wizard.url("summary")).status_code == 405


def test_changing_an_answer_from_the_summary_returns_to_it(wizard):
    wizard.run(HAMSTRING_2)
    response = wizard.post("modifiers", {**HAMSTRING_2["modifiers"], "age": "35"})
    assert response.headers["Location"].endswith("/plans/new/summary")
    assert "Age (years) 35" in " ".join(_text(wizard.client.get(wizard.url("summary"))).split())


def test_the_summary_is_scoped_to_the_clinic(portal, other_clinic_patient):
    assert portal.get(f"/patients/{other_clinic_patient}/plans/new/summary").status_code == 404


def test_every_field_error_at_once_with_input_kept(wizard):
    wizard.start()
    wizard.post("diagnosis", HAMSTRING_2["diagnosis"])
    wizard.post("red_flags", {})
    wizard.post("modifiers", HAMSTRING_2["modifiers"])
    response = wizard.post("findings", {"nprs_rest": "15", "ake_deficit_deg": "abc", "days_since_onset": "3"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    errors = re.findall(r'class="error"[^>]*>(.*?)</p>', html)
    assert len(errors) >= 2 and all("Input should" not in e for e in errors)
    assert 'value="15"' in html and 'value="abc"' in html and 'value="3"' in html
