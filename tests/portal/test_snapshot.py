"""Snapshot helpers: plan dict <-> dataclasses, and the diff between two saved plans."""

from __future__ import annotations

import copy

import pytest

from rehab.planner import make_plan, parse_intake
from rehab.portal.snapshot import diff_findings, diff_plans, dosage_text, plain, plan_from_dict


def test_plan_round_trips_through_its_dict(library):
    plan = make_plan(parse_intake({"diagnosis": "hamstring_strain", "grade": 2,
                                   "findings": {"days_since_onset": 3}}), library)
    data = plan.to_dict()
    assert plan_from_dict(data).to_dict() == data


def test_refusal_round_trips(library):
    plan = make_plan(parse_intake({"diagnosis": "sciatica_lumbar_radiculopathy",
                                   "red_flags": {"saddle_anaesthesia": True}}), library)
    assert plan_from_dict(plan.to_dict()).to_dict() == plan.to_dict()


def test_extra_keys_in_an_old_snapshot_are_ignored(library):
    data = make_plan(parse_intake({"diagnosis": "muscle_cramps"}), library).to_dict()
    data["something_new"] = 1
    for phase in data["phases"]:
        phase["x"] = 2
    assert plan_from_dict(data).diagnosis == "muscle_cramps"


def _plan(phases, current="P1_acute_protection", allowed=True):
    return {"allowed": allowed, "referral": {"level": "none", "reasons": []}, "current_phase": current,
            "phases": [{"id": pid, "name": pid, "items": [
                {"exercise_id": slug, "name": slug.title(), "dosage": dose} for slug, dose in items]}
                for pid, items in phases]}


def test_diff_lists_added_removed_dose_and_phase():
    dose = {"sets": 3, "reps": 10, "effort": "easy"}
    old = _plan([("P1_acute_protection", [("a", dose), ("b", dose)]), ("P2_progressive_strengthening", [])])
    new = copy.deepcopy(old)
    new["phases"][0]["items"] = [{"exercise_id": "a", "name": "A", "dosage": dict(dose, sets=4)},
                                 {"exercise_id": "c", "name": "C", "dosage": dose}]
    diff = diff_plans(old, new)
    assert diff["changed"]
    (p1,) = diff["phases"]
    assert p1["added"] == ["C"] and p1["removed"] == ["B"]
    assert p1["dosage"][0]["changes"] == [("sets", 3, 4)]  # only what changed, not the whole dose
    moved = diff_plans(old, _plan([("P2_progressive_strengthening", [])], current="P2_progressive_strengthening"))
    assert moved["current_phase"] == ("P1_acute_protection", "P2_progressive_strengthening")
    assert moved["phases"][0]["status"] == "gone"
    assert not diff_plans(old, copy.deepcopy(old))["changed"]


def test_dosage_text():
    assert dosage_text({"sets": 3, "reps": 10, "hold_s": None, "per_day": 2, "days_per_week": 7,
                        "effort": "easy"}) == "3 sets x 10 reps · 2x a day · 7 days a week · Effort: easy"
    assert dosage_text(None) == ""


def test_diff_findings_in_words_with_the_direction():
    labels = {"ake_deficit_deg": "Active knee-extension deficit (degrees)"}
    old = {"findings": {"ake_deficit_deg": 35, "nprs_rest": 3, "walking": "painful", "pop_at_injury": True}}
    new = {"findings": {"ake_deficit_deg": 15, "nprs_rest": 3, "walking": "pain_free", "slow_jog_pain_free": True}}
    found = {f["label"]: f for f in diff_findings(old, new, labels)}
    assert found["Active knee-extension deficit (degrees)"] == {
        "label": "Active knee-extension deficit (degrees)", "before": "35", "after": "15", "direction": "down"}
    assert "nprs rest" not in found  # unchanged
    assert (found["walking"]["before"], found["walking"]["after"], found["walking"]["direction"]) == \
        ("painful", "pain free", "")
    assert (found["pop at injury"]["after"], found["slow jog pain free"]["before"]) == ("not recorded", "not recorded")
    assert diff_findings({"findings": {"nprs_rest": 0}}, {"findings": {"nprs_rest": 1}}, {})[0]["direction"] == "up"
    assert diff_findings(old, old, labels) == []


@pytest.mark.parametrize("text, words", [
    ("Phase 'P1_acute_protection' is not part of this plan.", "Phase 1 is not part of this plan."),
    ("'supine_heel_dig' is not in P2_progressive_strengthening.", "Lying heel dig is not in phase 2."),
    ("Pregnancy: no lying on the back (soft_tissue_compression)", "Pregnancy: no lying on the back (soft tissue compression)"),
    ("Nothing to change: 3 sets.", "Nothing to change: 3 sets."),
    ("Hamstring strain: no eccentric exercises in P1", "Hamstring strain: no eccentric exercises in phase 1"),
])
def test_plain_puts_ids_into_words(text, words):
    assert plain(text, {"supine_heel_dig": "Lying heel dig"}) == words
