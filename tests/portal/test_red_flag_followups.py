"""Every red-flag follow-up question counts on its own, without its parent flag ticked
(issue 15: three triage rules could never fire from the portal)."""

from __future__ import annotations

import copy
import re

import pytest

from rehab.portal import forms

from .conftest import HAMSTRING_2
from .test_findings_forms import saved_intake

# follow-up -> (form answer with no flag ticked, what the review then shows, plan still allowed)
ALONE = {
    "systemically_unwell": ({"systemically_unwell": "yes"}, "Systemically unwell: medical review", False),
    "temperature_c": ({"temperature_c": "38.0"}, "possible infection", False),
    "high_energy_trauma": ({"high_energy_trauma": "yes"}, "Possible fracture after trauma (high-energy injury)",
                           False),
    "weight_bearing": ({"weight_bearing": "unable"}, "Unable to bear weight on the leg", False),
    "rest_pain_or_cold_pale_foot": ({"rest_pain_or_cold_pale_foot": "yes"}, "possible critical limb ischaemia",
                                    False),
    "wells_items": ({"wells_items": ["previous_dvt"]}, "learn the warning signs of a clot", True),
}


def test_the_table_covers_every_follow_up():
    asked = {name for group in forms.RED_FLAG_GROUPS for name in group[4]}
    assert set(ALONE) == asked


@pytest.mark.parametrize("name", sorted(ALONE))
def test_each_follow_up_works_on_its_own(wizard, app, name):
    answer, words, allowed = ALONE[name]
    assert not set(answer) & set(forms.RED_FLAG_FIELDS)  # no parent flag ticked
    answers = copy.deepcopy(HAMSTRING_2)
    answers["red_flags"] = answer
    wizard.run(answers)
    html = wizard.review().get_data(as_text=True)
    assert words in html, name
    assert ("No exercise plan" not in html) is allowed, name
    intake = saved_intake(wizard, app)
    if name == "wells_items":
        assert intake["red_flags"]["dvt"] == {"symptoms_present": False, "wells_items": ["previous_dvt"]}
    else:
        assert intake["findings"][name] is not None
        assert not any(v for k, v in intake["red_flags"].items() if k != "dvt")


def test_just_below_fever_is_not_a_fever(wizard):
    answers = copy.deepcopy(HAMSTRING_2)
    answers["red_flags"] = {"temperature_c": "37.9"}
    wizard.run(answers)
    html = wizard.review().get_data(as_text=True)
    assert "possible infection" not in html and "No exercise plan" not in html


def test_follow_ups_are_shown_without_script_conditions(wizard):
    wizard.start()
    wizard.post("diagnosis", HAMSTRING_2["diagnosis"])
    html = wizard.client.get(wizard.url("red_flags")).get_data(as_text=True)
    for name in forms.RED_FLAG_FINDINGS:
        assert f'name="{name}"' in html
    assert "data-show-when" not in html


def test_follow_up_answers_come_back_when_going_back(wizard):
    answers = copy.deepcopy(HAMSTRING_2)
    answers["red_flags"] = {"temperature_c": "37.2", "weight_bearing": "partial", "wells_items": ["previous_dvt"]}
    wizard.run(answers)
    html = wizard.client.get(wizard.url("red_flags")).get_data(as_text=True)
    assert 'value="37.2"' in html and '<option selected value="partial">' in html
    ticked = [tag for tag in re.findall(r"<input[^>]*>", html) if 'value="previous_dvt"' in tag]
    assert len(ticked) == 1 and "checked" in ticked[0]
