"""The shape of clinician changes is checked before the planner applies them; a bad one is
refused naming its index and field (issue 15: a list as exercise_id used to crash)."""

from __future__ import annotations

import pytest

from rehab.planner import AdjustmentError, apply_adjustments, parse_intake
from rehab.planner.adjustments import DOSE_BOUNDS, MAX_CHANGES, validated
from rehab.vocab import PHASES

P1 = PHASES[0]
OK = {"op": "remove", "phase": P1, "exercise_id": "ice_pack"}


def refused(changes) -> AdjustmentError:
    with pytest.raises(AdjustmentError) as info:
        validated(changes)
    return info.value


@pytest.mark.parametrize("changes, field, words", [
    ({"op": "remove"}, "adjustments", "must be a list"),
    ("remove", "adjustments", "must be a list"),
    ([OK, "remove"], "adjustments[1]", "must be an object"),
    ([OK, OK, ["op"]], "adjustments[2]", "must be an object"),
    ([{"phase": P1, "exercise_id": "ice_pack"}], "adjustments[0].op", "unknown change"),
    ([{**OK, "op": ["remove"]}], "adjustments[0].op", "unknown change"),
    ([{**OK, "op": "explode"}], "adjustments[0].op", "unknown change"),
    ([OK, OK, {**OK, "exercise_id": ["ice_pack"]}], "adjustments[2].exercise_id", "exercise id"),
    ([{**OK, "exercise_id": "Ice Pack"}], "adjustments[0].exercise_id", "exercise id"),
    ([{"op": "add", "phase": P1}], "adjustments[0].exercise_id", "is required"),
    ([{**OK, "phase": "P9"}], "adjustments[0].phase", "not part of a plan"),
    ([{**OK, "phase": 1}], "adjustments[0].phase", "not part of a plan"),
    ([{**OK, "op": "swap"}], "adjustments[0].to", "is required"),
    ([{**OK, "op": "swap", "to": 7}], "adjustments[0].to", "exercise id"),
    ([{**OK, "colour": "red"}], "adjustments[0].colour", "not part of this change"),
    ([{**OK, "op": "dose"}], "adjustments[0].dosage", "is required"),
    ([{**OK, "op": "dose", "dosage": [3]}], "adjustments[0].dosage", "must be an object"),
    ([{**OK, "op": "dose", "dosage": {"sets": "3"}}], "adjustments[0].dosage.sets", "from 1 to 10"),
    ([{**OK, "op": "dose", "dosage": {"sets": True}}], "adjustments[0].dosage.sets", "from 1 to 10"),
    ([{**OK, "op": "dose", "dosage": {"effort": "  "}}], "adjustments[0].dosage.effort", "short text"),
    ([{**OK, "op": "dose", "dosage": {"effort": None}}], "adjustments[0].dosage.effort", "short text"),
    ([{**OK, "op": "dose", "dosage": {"per_side": True}}], "adjustments[0].dosage.per_side", "not part"),
])
def test_bad_changes_name_their_index_and_field(changes, field, words):
    error = refused(changes)
    assert error.field == field
    assert words in error.reason.lower()


@pytest.mark.parametrize("name", sorted(DOSE_BOUNDS))
def test_dose_bounds_at_and_around_each_limit(name):
    low, high = DOSE_BOUNDS[name]
    for value, ok in ((low, True), (high, True), (low - 1, False), (high + 1, False), (None, True)):
        changes = [{**OK, "op": "dose", "dosage": {name: value}}]
        if ok:
            assert validated(changes) == changes
        else:
            assert refused(changes).field == f"adjustments[0].dosage.{name}"


def test_good_changes_keep_only_what_was_given():
    changes = [OK, {"op": "add", "phase": P1, "exercise_id": "ice_pack"},
               {"op": "swap", "phase": P1, "exercise_id": "ice_pack", "to": "compression_wrap"},
               {"op": "dose", "phase": P1, "exercise_id": "ice_pack", "dosage": {"sets": 2, "effort": " easy "}}]
    out = validated(changes)
    assert out[:3] == changes[:3]
    assert out[3]["dosage"] == {"sets": 2, "effort": "easy"}


def test_the_number_of_changes_is_bounded():
    assert len(validated([OK] * MAX_CHANGES)) == MAX_CHANGES
    assert "at most" in refused([OK] * (MAX_CHANGES + 1)).reason


def test_apply_adjustments_refuses_before_building_the_plan(real_library):
    intake = parse_intake({"diagnosis": "muscle_cramps"})
    with pytest.raises(AdjustmentError) as info:
        apply_adjustments(intake, real_library, [OK, {**OK, "exercise_id": ["x"]}])
    assert info.value.field == "adjustments[1].exercise_id"
