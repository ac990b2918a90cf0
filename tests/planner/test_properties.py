"""Invariants over random valid intakes (hypothesis). The checks re-derive the rules
from the reference tables directly rather than calling the planner's safety code."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rehab.planner import make_plan, parse_intake
from rehab.planner.protocols import load_protocols
from rehab.vocab import CODE_BY_PHASE, COMORBIDITIES, DIAGNOSES, MEDICATIONS, RED_FLAGS, WELLS_ITEMS

from .contract_check import contract_problems

ALWAYS_REFUSE = {"bladder_bowel_change", "saddle_anaesthesia", "new_bilateral_leg_symptoms",
                 "chest_pain_or_breathlessness", "expanding_haematoma_or_compartment_signs",
                 "vascular_claudication_pattern", "progressive_neuro_deficit",
                 "night_pain_or_cancer_history", "trauma_fracture_signs", "fever_chills_or_unwell",
                 "suspected_tendon_or_apophyseal_avulsion"}

pain = st.none() | st.integers(0, 10)
findings = st.fixed_dictionaries({}, optional={
    "days_since_onset": st.integers(0, 400),
    "nprs_rest": pain, "nprs_activity": pain, "leg_nprs": pain, "sitting_nprs": pain, "nprs_walking": pain,
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
    "bamic": st.sampled_from(["1a", "2b", "3c", "0a"]),
    "weeks_in_programme": st.integers(0, 20),
})


@st.composite
def intakes(draw, red_flags=st.just({})):
    dx = draw(st.sampled_from(DIAGNOSES))
    pregnant = draw(st.booleans())
    raw = {
        "diagnosis": dx,
        "age": draw(st.integers(16, 95)),
        "sex": "female" if pregnant else draw(st.sampled_from(["male", "female", "other"])),
        "pregnancy": {"pregnant": pregnant, "weeks": draw(st.none() | st.integers(4, 40))},
        "comorbidities": draw(st.lists(st.sampled_from(COMORBIDITIES), unique=True, max_size=4)),
        "medications": draw(st.lists(st.sampled_from(MEDICATIONS), unique=True, max_size=2)),
        "red_flags": draw(red_flags),
        "findings": draw(findings),
    }
    if dx == "hamstring_strain":
        raw["grade"] = draw(st.integers(1, 3))
    return raw


def forbidden(raw: dict, phase: str, rules) -> tuple[set[str], set[str], set[str]]:
    """(tags, categories, ids) the reference's tables forbid for this intake and phase."""
    code = CODE_BY_PHASE[phase]
    states = set(raw["comorbidities"]) | set(raw["medications"])
    if raw["pregnancy"]["pregnant"]:
        states.add("pregnant")
        weeks = raw["pregnancy"]["weeks"]
        if weeks is None or weeks >= 13:
            states.add("pregnant_after_12_weeks")
        if raw["diagnosis"] == "sacroiliac_joint_dysfunction":
            states.add("pregnancy_pgp")
    if raw["age"] >= 65:
        states.add("age_65_plus")
    if {"anticoagulant", "antiplatelet"} & states:
        states.add("anticoagulated")
    if raw["findings"].get("neuro_exam") == "stable_deficit" or "stable_neuro_deficit" in states:
        states.add("neuro_deficit")
    tags, cats, ids = set(), set(), set()
    for state in states:
        mod = rules.modifiers.get(state)
        if mod:
            tags |= set(mod.exclude_tags)
            ids |= set(mod.exclude_ids)
    cond = rules.conditions.get(raw["diagnosis"])
    if cond:
        for rule in (cond.all, getattr(cond, code)):
            tags |= set(rule.tags)
            cats |= set(rule.categories)
            ids |= set(rule.ids)
    return tags, cats, ids


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(intakes())
def test_no_item_breaks_a_rule_and_output_keeps_the_contract(real_library, raw):
    plan = make_plan(parse_intake(raw), real_library)
    data = plan.to_dict()
    assert contract_problems(data) == []
    _, rules = load_protocols()
    for phase in plan.phases:
        tags, cats, ids = forbidden(raw, phase.id, rules)
        for item in phase.items:
            assert not set(item.tags) & tags, (phase.id, item.exercise_id)
            assert item.category not in cats, (phase.id, item.exercise_id)
            assert item.exercise_id not in ids, (phase.id, item.exercise_id)
    assert make_plan(parse_intake(raw), real_library).to_dict() == data  # deterministic


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(intakes(red_flags=st.sampled_from(sorted(ALWAYS_REFUSE)).map(lambda f: {f: True})))
def test_any_red_flag_refuses(real_library, raw):
    plan = make_plan(parse_intake(raw), real_library)
    assert plan.allowed is False and plan.phases == [] and plan.referral.level in ("urgent", "emergency")
    assert plan.referral.reasons


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(intakes(), st.lists(st.sampled_from(WELLS_ITEMS), unique=True))
def test_dvt_symptoms_always_scored_and_refused(real_library, raw, items):
    raw["red_flags"] = {"dvt": {"symptoms_present": True, "wells_items": items}}
    plan = make_plan(parse_intake(raw), real_library)
    assert plan.wells_score is not None and not plan.allowed
    assert plan.referral.level == ("emergency" if plan.wells_score >= 2 else "urgent")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(intakes())
def test_each_phase_covers_required_categories_when_possible(real_library, raw):
    from rehab.planner.assemble import Context

    intake = parse_intake(raw)
    plan = make_plan(intake, real_library)
    ctx = Context(intake, real_library)
    for phase in plan.phases:
        present = {i.category for i in phase.items}
        assert 1 <= len(phase.items) <= 8
        for category in ctx.required_categories(phase.id):
            possible = any(ex.category == category and ctx.reason(ex.id, phase.id) is None
                           and any(CODE_BY_PHASE[phase.id] in p for p in ex.suits.values())
                           for ex in real_library.values())
            assert category in present or not possible, (phase.id, category)


def test_red_flag_list_matches_vocabulary():
    assert ALWAYS_REFUSE == set(RED_FLAGS)
