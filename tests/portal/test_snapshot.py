"""Snapshot helpers: plan dict <-> dataclasses, and the diff between two saved plans."""

from __future__ import annotations

import copy

from rehab.planner import make_plan, parse_intake
from rehab.portal.snapshot import diff_plans, dosage_text, plan_from_dict


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
    assert p1["dosage"][0]["changes"] == [("sets", 3, 4)]
    moved = diff_plans(old, _plan([("P2_progressive_strengthening", [])], current="P2_progressive_strengthening"))
    assert moved["current_phase"] == ("P1_acute_protection", "P2_progressive_strengthening")
    assert moved["phases"][0]["status"] == "gone"
    assert not diff_plans(old, copy.deepcopy(old))["changed"]


def test_dosage_text():
    assert dosage_text({"sets": 3, "reps": 10, "hold_s": None, "per_day": 2, "days_per_week": 7,
                        "effort": "easy"}) == "3 sets x 10 reps · 2x a day · 7 days a week · Effort: easy"
    assert dosage_text(None) == ""
