"""Invariants over random valid intakes (hypothesis).

The safety checks use the hand-copied reference tables of `reference_tables.py`, not the
planner's rules.yaml or safety code, so they catch a wrong or missing line in either.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rehab.config import EXERCISES_DIR
from rehab.library.loader import load_library
from rehab.planner import apply_adjustments, make_plan, parse_intake
from rehab.vocab import ACTIVITY_LEVELS, CODE_BY_PHASE, COMORBIDITIES, DIAGNOSES, MEDICATIONS, PHASES, RED_FLAGS, WELLS_ITEMS

from .contract_check import contract_problems
from .reference_tables import forbidden

ALWAYS_REFUSE = {"bladder_bowel_change", "saddle_anaesthesia", "new_bilateral_leg_symptoms",
                 "chest_pain_or_breathlessness", "expanding_haematoma_or_compartment_signs",
                 "vascular_claudication_pattern", "progressive_neuro_deficit",
                 "night_pain_or_cancer_history", "trauma_fracture_signs", "fever_chills_or_unwell",
                 "suspected_tendon_or_apophyseal_avulsion"}
WELLS_SIGNS = {"deep_vein_tenderness", "entire_leg_swollen", "calf_swelling_3cm", "pitting_oedema",
               "collateral_superficial_veins"}
# Comorbidities that are red flags in their own right (reference 3, "Have you ever had cancer?").
FLAG_COMORBIDITIES = {"cancer_history"}
# A module-level library (not the fixture) keeps hypothesis' failure reports readable.
LIB = load_library(EXERCISES_DIR)

pain = st.none() | st.integers(0, 10)
findings = st.fixed_dictionaries({}, optional={
    "days_since_onset": st.integers(0, 400),
    "nprs_rest": pain, "nprs_activity": pain, "leg_nprs": pain, "sitting_nprs": pain, "nprs_walking": pain,
    "back_nprs": pain,
    "walking": st.sampled_from(["pain_free", "painful", "antalgic", "aided"]),
    "ake_deficit_deg": st.integers(0, 90),
    "slow_jog_pain_free": st.booleans(), "isometric_50_70_pain_free": st.booleans(),
    "knee_flexion_max_pain_free": st.booleans(),
    "single_leg_bridge_reps": st.fixed_dictionaries({"injured": st.integers(0, 40),
                                                     "uninjured": st.integers(0, 40)}),
    "strength_pct_other_side": st.integers(0, 150), "running_pain_free_pct": st.integers(0, 100),
    "sprint_95pct_pain_free": st.booleans(), "askling_h_test_insecurity": st.booleans(),
    "slr_deg": st.integers(0, 90), "neuro_exam": st.sampled_from(["normal", "stable_deficit"]),
    "directional_preference": st.sampled_from(["extension", "flexion", "none", "unknown"]),
    "walking_tolerance_min": st.integers(0, 120), "sitting_tolerance_min": st.integers(0, 120),
    "response_24h": st.sampled_from(["stable", "flare"]),
    "bamic": st.sampled_from(["1a", "2b", "3c", "0a", "3b", "4c"]),
    "weeks_in_programme": st.integers(0, 20),
    "laslett_positive_tests": st.integers(0, 5),
    "weight_bearing": st.sampled_from(["full", "partial"]),
    "orthopaedic_clearance": st.booleans(), "medical_clearance": st.booleans(),
})


@st.composite
def intakes(draw, red_flags=st.just({})):
    dx = draw(st.sampled_from(DIAGNOSES))
    pregnant = draw(st.booleans())
    raw = {
        "diagnosis": dx,
        "age": draw(st.integers(16, 95)),
        "sex": "female" if pregnant else draw(st.sampled_from(["male", "female", "other"])),
        "side": draw(st.sampled_from(["left", "right", "unspecified"])),
        "pregnancy": {"pregnant": pregnant, "weeks": draw(st.none() | st.integers(4, 40)) if pregnant else None},
        "comorbidities": draw(st.lists(st.sampled_from(sorted(set(COMORBIDITIES) - FLAG_COMORBIDITIES)),
                                       unique=True, max_size=4)),
        "medications": draw(st.lists(st.sampled_from(MEDICATIONS), unique=True, max_size=2)),
        "red_flags": draw(red_flags),
        "findings": draw(findings),
    }
    for key, values in (("activity_level", ACTIVITY_LEVELS), ("previous_phase", PHASES)):
        value = draw(st.none() | st.sampled_from(values))
        if value:
            raw[key] = value
    if not pregnant and draw(st.booleans()):
        raw["pregnancy"]["months_post_partum"] = draw(st.integers(0, 6))
    if dx == "hamstring_strain":
        raw["grade"] = draw(st.integers(1, 3))
    return raw


SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@settings(max_examples=200, **SETTINGS)
@given(intakes())
def test_no_item_or_alternative_breaks_a_reference_rule(raw):
    plan = make_plan(parse_intake(raw), LIB)
    data = plan.to_dict()
    assert contract_problems(data) == []
    assert plan.allowed, plan.referral.reasons  # no red flag in these intakes
    for phase in plan.phases:
        tags, cats, ids = forbidden(raw, CODE_BY_PHASE[phase.id])
        chosen = {i.exercise_id for i in phase.items}
        for item in phase.items:
            tags, cats, ids = forbidden(raw, CODE_BY_PHASE[phase.id], item.exercise_id)
            assert not set(item.tags) & tags, (phase.id, item.exercise_id)
            assert item.category not in cats, (phase.id, item.exercise_id)
            assert item.exercise_id not in ids, (phase.id, item.exercise_id)
            for alt in item.alternatives:
                ex = LIB[alt.exercise_id]
                assert not set(ex.tags) & tags and ex.category not in cats and ex.id not in ids, \
                    (phase.id, item.exercise_id, alt.exercise_id)
                assert alt.exercise_id not in chosen
    assert make_plan(parse_intake(raw), LIB).to_dict() == data  # deterministic


@settings(max_examples=100, **SETTINGS)
@given(intakes(red_flags=st.sampled_from(sorted(ALWAYS_REFUSE)).map(lambda f: {f: True})))
def test_any_red_flag_refuses(raw):
    plan = make_plan(parse_intake(raw), LIB)
    assert plan.allowed is False and plan.phases == [] and plan.referral.level in ("urgent", "emergency")
    assert plan.referral.reasons and plan.current_phase is None


@settings(max_examples=80, **SETTINGS)
@given(intakes(), st.booleans(), st.lists(st.sampled_from(WELLS_ITEMS), unique=True))
def test_dvt_scored_and_refused_at_the_reference_level(raw, symptoms, items):
    raw["red_flags"] = {"dvt": {"symptoms_present": symptoms, "wells_items": items}}
    plan = make_plan(parse_intake(raw), LIB)
    if not symptoms and not WELLS_SIGNS & set(items):
        # risk factors alone: proceed (the Wells item active cancer only scores Wells, 2.3)
        assert plan.wells_score is None
        assert plan.allowed
        return
    score = sum(-2 if i == "alternative_dx_as_likely" else 1 for i in items)
    assert plan.wells_score == score and not plan.allowed
    post_partum = raw["pregnancy"].get("months_post_partum")
    # Wells is not validated in pregnancy or up to 3 months after birth
    likely = score >= 2 or raw["pregnancy"]["pregnant"] or (post_partum is not None and post_partum <= 3)
    assert plan.referral.level == ("emergency" if likely else "urgent")


@settings(max_examples=100, **SETTINGS)
@given(intakes())
def test_each_phase_covers_required_categories_when_possible(raw):
    from rehab.planner.assemble import Context

    intake = parse_intake(raw)
    plan = make_plan(intake, LIB)
    ctx = Context(intake, LIB)
    for phase in plan.phases:
        present = {i.category for i in phase.items}
        assert 1 <= len(phase.items) <= 8
        assert len(present) >= min(2, len(phase.items))
        for category in ctx.required_categories(phase.id):
            possible = any(ex.category == category and ctx.reason(ex.id, phase.id) is None
                           and (ctx.suits(ex, phase.id) or not ex.tags)
                           and any(CODE_BY_PHASE[phase.id] in p for p in ex.suits.values())
                           for ex in LIB.values())
            assert category in present or not possible, (phase.id, category)


def _index(plan) -> int:
    return PHASES.index(plan.current_phase)


@settings(max_examples=100, **SETTINGS)
@given(intakes(), st.sampled_from(["nprs_rest", "nprs_activity", "leg_nprs", "sitting_nprs", "nprs_walking"]),
       st.integers(0, 9), st.integers(1, 10))
def test_more_pain_never_starts_later(raw, key, score, extra):
    raw["findings"][key] = score
    before = make_plan(parse_intake(raw), LIB)
    worse = {**raw, "findings": {**raw["findings"], key: min(10, score + extra)}}
    after = make_plan(parse_intake(worse), LIB)
    assert _index(after) <= _index(before)


@settings(max_examples=100, **SETTINGS)
@given(intakes())
def test_no_findings_starts_at_the_beginning(raw):
    """A first assessment with nothing assessed starts early; a reassessment with nothing
    assessed stays where it was (2.3: an unassessed exit criterion is not met)."""
    previous = raw.pop("previous_phase", None)
    plan = make_plan(parse_intake({**raw, "findings": {}}), LIB)
    kind_no_injury = raw["diagnosis"] in ("muscle_cramps", "sitting_related_posterior_thigh_soreness")
    assert plan.current_phase == PHASES[1 if kind_no_injury else 0]
    if previous:
        again = make_plan(parse_intake({**raw, "previous_phase": previous, "findings": {}}), LIB)
        from rehab.planner.protocols import load_protocols

        exits = load_protocols()[0][raw["diagnosis"]].phases[CODE_BY_PHASE[previous]].exit
        gated = any(c.finding and c.required for c in exits)
        if again.referral.level == "urgent":  # grade 3 without clearance: P1 only
            assert again.current_phase == PHASES[0]
        elif gated:
            assert again.current_phase == previous
        else:  # nothing assessable in that phase's exit: it never holds the patient back
            assert PHASES.index(again.current_phase) > PHASES.index(previous) or previous == PHASES[-1]


@settings(max_examples=60, **SETTINGS)
@given(intakes(), st.data())
def test_clinician_adds_are_checked_like_assembly(raw, data):
    from rehab.planner import AdjustmentError

    intake = parse_intake(raw)
    plan = make_plan(intake, LIB)
    phase = data.draw(st.sampled_from([p.id for p in plan.phases]))
    exercise_id = data.draw(st.sampled_from(sorted(LIB)))
    tags, cats, ids = forbidden(raw, CODE_BY_PHASE[phase], exercise_id)
    ex = LIB[exercise_id]
    unsafe = set(ex.tags) & tags or ex.category in cats or ex.id in ids
    try:
        adjusted = apply_adjustments(intake, LIB, [{"op": "add", "phase": phase, "exercise_id": exercise_id}])
    except AdjustmentError as exc:
        assert exc.reason
        return
    assert not unsafe, (phase, exercise_id)
    assert exercise_id in [i.exercise_id for p in adjusted.phases if p.id == phase for i in p.items]


def test_red_flag_list_matches_vocabulary():
    assert ALWAYS_REFUSE == set(RED_FLAGS)


@settings(max_examples=60, **SETTINGS)
@given(intakes(), intakes())
def test_the_profile_memo_never_changes_a_plan(first, second):
    """Plans built with a warm memo (another patient planned just before) equal plans built
    from scratch: the memo key holds everything the reasons, doses and phases read."""
    from rehab.planner.assemble import clear_memo

    make_plan(parse_intake(first), LIB)
    warm = make_plan(parse_intake(second), LIB).to_dict()
    clear_memo()
    assert make_plan(parse_intake(second), LIB).to_dict() == warm
