"""Clinician changes (apply_adjustments) and the alternatives the plan offers: both go
through the same safety check as assembly, so no path can add an excluded exercise."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rehab.planner import AdjustmentError, apply_adjustments, make_plan, parse_intake
from rehab.planner.assemble import Context
from rehab.vocab import CODE_BY_PHASE, PHASES

from .reference_tables import forbidden

P1, P2, P3, P4 = PHASES
CASES = sorted((Path(__file__).parent / "cases").glob("*.json"))
HS = {"diagnosis": "hamstring_strain", "grade": 2, "age": 30, "findings": {"days_since_onset": 1}}
PREGNANT_SIJ = {"diagnosis": "sacroiliac_joint_dysfunction", "sex": "female",
                "pregnancy": {"pregnant": True, "weeks": 24}, "findings": {"nprs_rest": 5}}


def adjust(library, raw, *changes):
    return apply_adjustments(parse_intake(raw), library, list(changes))


def items(plan, phase):
    return [i.exercise_id for p in plan.phases if p.id == phase for i in p.items]


@pytest.mark.parametrize("raw, phase, exercise_id, words", [
    (HS, P1, "askling_extender", "eccentric"),             # 2.2 HS P1
    (HS, P2, "nordic_hamstring_curl", "P2"),               # 2.2 HS P2
    (HS, P1, "foam_roll_posterior_thigh", "P1"),           # no massage in the first 72 h
    (PREGNANT_SIJ, P2, "double_leg_bridge", "lying flat"),     # 2.1 pregnancy from 13 weeks
    (PREGNANT_SIJ, P3, "split_squat", "split stance"),       # 2.1 pregnancy with PGP
    ({**HS, "medications": ["anticoagulant"]}, P4, "nordic_hamstring_curl", "Anticoagulant"),
    ({"diagnosis": "lumbar_spinal_stenosis", "findings": {"nprs_rest": 5}}, P2, "prone_press_up", "lumbar"),
])
def test_unsafe_add_is_refused_with_a_reason(real_library, raw, phase, exercise_id, words):
    with pytest.raises(AdjustmentError) as info:
        adjust(real_library, raw, {"op": "add", "phase": phase, "exercise_id": exercise_id})
    assert words.lower() in info.value.reason.lower()
    assert real_library[exercise_id].name in info.value.reason


def test_unsafe_swap_is_refused(real_library):
    plan = make_plan(parse_intake(PREGNANT_SIJ), real_library)
    first = plan.phases[0].items[0].exercise_id
    with pytest.raises(AdjustmentError) as info:
        adjust(real_library, PREGNANT_SIJ, {"op": "swap", "phase": P1, "exercise_id": first, "to": "bridge_hold"})
    assert "lying flat" in info.value.reason


def test_safe_add_swap_remove_and_dose(real_library):
    plan = adjust(real_library, HS,
                  {"op": "add", "phase": P1, "exercise_id": "relative_rest_elevation"},
                  {"op": "swap", "phase": P1, "exercise_id": "supine_heel_dig", "to": "seated_heel_dig"},
                  {"op": "remove", "phase": P1, "exercise_id": "heel_slides"},
                  {"op": "dose", "phase": P1, "exercise_id": "seated_heel_dig",
                   "dosage": {"sets": 2, "reps": 8, "effort": "easy, pain at most 2/10"}})
    p1 = items(plan, P1)
    assert "relative_rest_elevation" in p1 and "seated_heel_dig" in p1
    assert "supine_heel_dig" not in p1 and "heel_slides" not in p1
    item = next(i for i in plan.phases[0].items if i.exercise_id == "seated_heel_dig")
    assert (item.dosage.sets, item.dosage.reps, item.dosage.effort) == (2, 8, "easy, pain at most 2/10")


@pytest.mark.parametrize("dosage, words", [
    ({"sets": 11}, "sets"), ({"sets": 0}, "sets"), ({"reps": 101}, "reps"), ({"hold_s": 301}, "hold"),
    ({"per_day": 13}, "per day"), ({"days_per_week": 8}, "days per week"), ({"duration_min": 0}, "duration"),
    ({"sets": True}, "sets"), ({"sets": "3"}, "sets"), ({"sets": 2.5}, "sets"),
    ({"effort": ""}, "effort"), ({"effort": "x" * 121}, "effort"), ({"colour": 1}, "colour"),
])
def test_dose_out_of_bounds_is_refused(real_library, dosage, words):
    with pytest.raises(AdjustmentError) as info:
        adjust(real_library, HS, {"op": "dose", "phase": P1, "exercise_id": "ice_pack", "dosage": dosage})
    assert words in info.value.reason.lower()


@pytest.mark.parametrize("change, words", [
    ({"op": "add", "phase": "P9", "exercise_id": "ice_pack"}, "not part of a plan"),
    ({"op": "remove", "phase": P1, "exercise_id": "nordic_hamstring_curl"}, "not in"),
    ({"op": "add", "phase": P1, "exercise_id": "no_such_exercise"}, "not an exercise"),
    ({"op": "add", "phase": P1, "exercise_id": "ice_pack"}, "already"),
    ({"op": "explode", "phase": P1, "exercise_id": "ice_pack"}, "unknown change"),
])
def test_malformed_changes_are_refused(real_library, change, words):
    with pytest.raises(AdjustmentError) as info:
        adjust(real_library, HS, change)
    assert words in info.value.reason.lower()


def test_refused_plan_cannot_be_adjusted(real_library):
    raw = {**HS, "red_flags": {"saddle_anaesthesia": True}}
    with pytest.raises(AdjustmentError):
        adjust(real_library, raw, {"op": "add", "phase": P1, "exercise_id": "ice_pack"})


def test_phase_size_is_capped(real_library):
    ctx = Context(parse_intake(HS), real_library)
    plan = make_plan(parse_intake(HS), real_library)
    spare = [e for e in sorted(real_library) if ctx.reason(e, P4) is None and e not in items(plan, P4)]
    changes = [{"op": "add", "phase": P4, "exercise_id": e} for e in spare[:10]]
    with pytest.raises(AdjustmentError) as info:
        adjust(real_library, HS, *changes)
    assert "at most" in info.value.reason


def test_no_adjustments_is_the_plain_plan(real_library):
    raw = parse_intake(HS)
    assert apply_adjustments(raw, real_library, []).to_dict() == make_plan(raw, real_library).to_dict()


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_alternatives_are_always_safe(real_library, path):
    raw = json.loads(path.read_text())["intake"]
    intake = parse_intake(raw)
    plan = make_plan(intake, real_library)
    ctx = Context(intake, real_library)
    for phase in plan.phases:
        tags, cats, ids = forbidden(raw, CODE_BY_PHASE[phase.id])
        chosen = {i.exercise_id for i in phase.items}
        for item in phase.items:
            for alt in item.alternatives:
                ex = real_library[alt.exercise_id]
                assert ctx.reason(ex.id, phase.id) is None and ctx.suits(ex, phase.id)
                assert not set(ex.tags) & tags and ex.category not in cats and ex.id not in ids
                assert alt.exercise_id not in chosen and alt.kind in ("easier", "harder", "similar")
            # and taking the alternative is accepted
            for alt in item.alternatives[:1]:
                swapped = apply_adjustments(intake, real_library, [
                    {"op": "swap", "phase": phase.id, "exercise_id": item.exercise_id, "to": alt.exercise_id}])
                assert alt.exercise_id in items(swapped, phase.id)


def test_a_refused_change_names_its_place_in_the_list(real_library):
    raw = {"diagnosis": "hamstring_strain", "grade": 1, "findings": {"days_since_onset": 1}}
    plan = make_plan(parse_intake(raw), real_library)
    first = plan.phases[0]
    keep = {"op": "remove", "phase": first.id, "exercise_id": first.items[0].exercise_id}
    unsafe = {"op": "add", "phase": first.id, "exercise_id": "nordic_hamstring_curl"}
    with pytest.raises(AdjustmentError) as info:
        apply_adjustments(parse_intake(raw), real_library, [keep, unsafe])
    assert info.value.field == "adjustments[1]" and "Nordic" in info.value.reason


def _dose_of(plan, phase, exercise_id):
    return next(i.dosage for p in plan.phases if p.id == phase for i in p.items if i.exercise_id == exercise_id)


def test_a_swap_keeps_the_clinicians_dose_in_the_measures_the_new_exercise_uses(real_library):
    dose = {"op": "dose", "phase": P1, "exercise_id": "supine_heel_dig",
            "dosage": {"sets": 3, "reps": 12, "hold_s": 8, "effort": "gentle"}}
    swap = {"op": "swap", "phase": P1, "exercise_id": "supine_heel_dig", "to": "seated_heel_dig"}
    kept = _dose_of(adjust(real_library, HS, dose, swap), P1, "seated_heel_dig")
    assert (kept.sets, kept.reps, kept.hold_s, kept.effort) == (3, 12, 8, "gentle")
    default = real_library["seated_heel_dig"].dosage
    assert (kept.per_day, kept.days_per_week) == (default.per_day, default.days_per_week)  # not changed: default
    # without a dose change the swap gives the new exercise's own dose
    plain = _dose_of(adjust(real_library, HS, swap), P1, "seated_heel_dig")
    assert (plain.sets, plain.reps, plain.hold_s) == (default.sets, default.reps, default.hold_s)


def test_a_swap_drops_the_measures_the_new_exercise_does_not_use(real_library):
    """Reps and a hold do not fit a timed item (relative rest: minutes only)."""
    plan = adjust(real_library, HS,
                  {"op": "dose", "phase": P1, "exercise_id": "supine_heel_dig", "dosage": {"reps": 12, "hold_s": 8,
                                                                                           "per_day": 4}},
                  {"op": "swap", "phase": P1, "exercise_id": "supine_heel_dig", "to": "relative_rest_elevation"})
    kept = _dose_of(plan, P1, "relative_rest_elevation")
    assert (kept.reps, kept.hold_s, kept.per_day) == (None, None, 4)
    assert kept.duration_min == real_library["relative_rest_elevation"].dosage.duration_min


@pytest.mark.parametrize("op", ["remove", "swap", "dose"])
def test_a_change_to_an_item_the_safety_rules_left_out_says_why(real_library, op):
    """A template made for another patient may name an exercise this patient cannot have:
    the refusal gives the rule, not only "not in phase 1"."""
    change = {"op": op, "phase": P2, "exercise_id": "double_leg_bridge",
              **({"to": "bird_dog"} if op == "swap" else {}), **({"dosage": {"reps": 8}} if op == "dose" else {})}
    assert "double_leg_bridge" not in items(make_plan(parse_intake(PREGNANT_SIJ), real_library), P2)
    with pytest.raises(AdjustmentError) as info:
        adjust(real_library, PREGNANT_SIJ, change)
    assert real_library["double_leg_bridge"].name in info.value.reason
    assert "for this patient" in info.value.reason and "lying flat" in info.value.reason


def test_a_change_to_an_item_simply_not_in_the_phase_says_so(real_library):
    intake = parse_intake(HS)
    chosen, ctx = items(make_plan(intake, real_library), P1), Context(intake, real_library)
    allowed_but_not_chosen = next(e for e in sorted(real_library) if e not in chosen and not ctx.reason(e, P1))
    with pytest.raises(AdjustmentError) as info:
        adjust(real_library, HS, {"op": "remove", "phase": P1, "exercise_id": allowed_but_not_chosen})
    assert "is not in" in info.value.reason and "for this patient" not in info.value.reason
