"""Rule families of reference section 2: every modifier of 2.1 and every condition x phase
exclusion of 2.2, checked against the hand-copied tables in reference_tables.py.

For each rule: no item of any phase breaks it, and every exercise of the diagnosis's list
that it removes is reported in `excluded` for that phase with a reason.
"""

from __future__ import annotations

import re

import pytest

from rehab.planner.assemble import Context
from rehab.planner import parse_intake
from rehab.vocab import CODE_BY_PHASE, DIAGNOSES, PHASES

from .reference_tables import CONDITIONS, MODIFIERS, peripheralising


def p1_intake(diagnosis: str, **extra) -> dict:
    """An intake that starts in P1, so the plan lists all four phases."""
    raw = {"diagnosis": diagnosis, "age": 40,
           "findings": {"nprs_rest": 6, "leg_nprs": 7, "days_since_onset": 1}}
    if diagnosis == "hamstring_strain":
        raw["grade"] = 2
    for key, value in extra.items():
        raw[key] = {**raw.get(key, {}), **value} if isinstance(value, dict) else value
    return raw


def hits(exercise, tags=(), categories=(), ids=()) -> bool:
    return bool(set(exercise.tags) & set(tags)) or exercise.category in categories or exercise.id in ids


def check_rule(plan, library, phase_codes, tags=(), categories=(), ids=(), intake=None):
    """No item breaks the rule; each removed exercise of this diagnosis is listed with a reason.
    With `intake`, also every library exercise the rule hits is refused by the safety check
    (even one the diagnosis does not list, e.g. a clinician's manual add). Returns the number
    of (exercise, phase) pairs the rule hits."""
    assert plan.allowed and [p.id for p in plan.phases] == list(PHASES)
    excluded = {(e.exercise_id, e.phase): e.reason for e in plan.excluded}
    ctx = Context(parse_intake(intake), library) if intake else None
    checked = 0
    for phase in plan.phases:
        code = CODE_BY_PHASE[phase.id]
        if code not in phase_codes:
            continue
        for item in phase.items:
            assert not hits(library[item.exercise_id], tags, categories, ids), (phase.id, item.exercise_id)
        for ex in library.values():
            if not hits(ex, tags, categories, ids):
                continue
            if code in ex.suits.get(plan.diagnosis, []):
                assert excluded.get((ex.id, phase.id)), (ex.id, phase.id, "not listed in excluded")
            if ctx:
                assert ctx.reason(ex.id, phase.id), (ex.id, phase.id, "not refused")
            checked += 1
    return checked


# ---- 2.1 modifiers -------------------------------------------------------------------------

MODIFIER_INTAKES = {
    "pregnant": {"sex": "female", "pregnancy": {"pregnant": True, "weeks": 8}},
    "pregnant_from_13_weeks": {"sex": "female", "pregnancy": {"pregnant": True, "weeks": 13}},
    "pregnancy_pgp": {"sex": "female", "pregnancy": {"pregnant": True, "weeks": 8}},  # SIJ only
    "osteoporosis": {"comorbidities": ["osteoporosis"]},
    "vertebral_fracture_history": {"comorbidities": ["vertebral_fracture_history"]},
    "anticoagulated": {"medications": ["antiplatelet"]},
    "age_65_plus": {"age": 65},
    "falls_risk": {"comorbidities": ["falls_risk"]},
    "cold_intolerance": {"comorbidities": ["cold_intolerance"]},
    "peripheral_artery_disease": {"comorbidities": ["peripheral_artery_disease"]},
    "stable_neuro_deficit": {"findings": {"neuro_exam": "stable_deficit"}},
    "lumbar_fusion_recent": {"comorbidities": ["lumbar_fusion_recent"]},
    # reference 2.3
    "frail": {"comorbidities": ["falls_risk"], "activity_level": "recreational_sport"},
    "walking_limited": {"findings": {"walking": "aided"}},  # strain and bursitis only
    "post_partum_early": {"sex": "female", "pregnancy": {"months_post_partum": 2}},
    "post_partum_pgp": {"sex": "female", "pregnancy": {"months_post_partum": 1}},  # SIJ only
    "daily_living": {"activity_level": "daily_living"},
}
ONLY_FOR = {"pregnancy_pgp": {"sacroiliac_joint_dysfunction"}, "post_partum_pgp": {"sacroiliac_joint_dysfunction"},
            "walking_limited": {"hamstring_strain", "ischial_bursitis"}}


def test_every_modifier_row_is_tested():
    assert set(MODIFIER_INTAKES) == set(MODIFIERS)


MODIFIER_CASES = [(state, dx) for state in sorted(MODIFIERS) for dx in DIAGNOSES
                  # pelvic girdle pain is the SIJ/PGP diagnosis; the walking rule is for two
                  if dx in ONLY_FOR.get(state, {dx})]


@pytest.mark.parametrize("state, diagnosis", MODIFIER_CASES, ids=[f"{s}-{d}" for s, d in MODIFIER_CASES])
def test_modifier_excludes_in_every_phase(plan_for, real_library, state, diagnosis):
    tags, ids = MODIFIERS[state]
    raw = p1_intake(diagnosis, **MODIFIER_INTAKES[state])
    assert check_rule(plan_for(**raw), real_library, ("P1", "P2", "P3", "P4"), tags=tags, ids=ids, intake=raw)


def test_supine_allowed_before_13_weeks_and_not_from_13(plan_for):
    def supine(weeks):
        plan = plan_for(**p1_intake("sacroiliac_joint_dysfunction", sex="female",
                                    pregnancy={"pregnant": True, "weeks": weeks}))
        return any("supine_position" in i.tags for p in plan.phases for i in p.items)

    assert supine(12) and not supine(13) and not supine(None)


def test_vertebral_fracture_removes_impact_that_osteoporosis_alone_allows(plan_for):
    def items(comorbidity):
        plan = plan_for(**p1_intake("hamstring_strain", comorbidities=[comorbidity],
                                    activity_level="recreational_sport"))
        return {i.exercise_id for p in plan.phases for i in p.items}

    assert "walk_jog_intervals" in items("osteoporosis")
    assert "walk_jog_intervals" not in items("vertebral_fracture_history")


@pytest.mark.parametrize("extra", [{"comorbidities": ["osteoporosis"]}, {"age": 70}, {"comorbidities": ["falls_risk"]}])
def test_bone_and_falls_modifiers_add_balance_work_to_every_phase(plan_for, extra):
    for diagnosis in DIAGNOSES:
        plan = plan_for(**p1_intake(diagnosis, **extra))
        for phase in plan.phases:
            assert "balance_proprioception" in {i.category for i in phase.items}, (diagnosis, phase.id)


@pytest.mark.parametrize("comorbidity", ["osteoporosis", "vertebral_fracture_history"])
def test_osteoporosis_balance_work_is_with_a_hand_hold(plan_for, real_library, comorbidity):
    """2.1: "balance work (with a hand hold)" - a fall means a fracture, so no unsupported
    single-leg work (airplane, Diver, single-leg RDL) in any phase."""
    raw = p1_intake("hamstring_strain", comorbidities=[comorbidity])
    assert check_rule(plan_for(**raw), real_library, ("P1", "P2", "P3", "P4"),
                      tags={"single_leg_unsupported"}, intake=raw)


def test_osteoporosis_adds_strength_work_to_every_phase(plan_for):
    for diagnosis in DIAGNOSES:
        plan = plan_for(**p1_intake(diagnosis, comorbidities=["osteoporosis"]))
        for phase in plan.phases:
            assert "strengthening_concentric" in {i.category for i in phase.items}, (diagnosis, phase.id)


def test_cold_intolerance_keeps_another_cryotherapy_option(plan_for):
    plan = plan_for(**p1_intake("hamstring_strain", comorbidities=["cold_intolerance"]))
    p1 = plan.phases[0]
    assert {"compression_wrap", "relative_rest_elevation"} & {i.exercise_id for i in p1.items}


def test_modifier_notes_reach_the_patient(plan_for):
    plan = plan_for(**p1_intake("hamstring_strain", medications=["anticoagulant"]))
    assert any("bruise" in line for line in plan.education)
    plan = plan_for(**p1_intake("sacroiliac_joint_dysfunction", sex="female", pregnancy={"pregnant": True, "weeks": 20}))
    assert "bleeding" in plan.seek_help_if[0] and any("on your back" in line for line in plan.education)
    plan = plan_for(**p1_intake("hamstring_strain", red_flags={"dvt": {"wells_items": ["previous_dvt"]}}))
    assert plan.allowed and any("clot" in line for line in plan.education)


# ---- 2.2 condition x phase -------------------------------------------------------------------

CONDITION_RULES = [(dx, scope) for dx, scopes in CONDITIONS.items() for scope in scopes]


@pytest.mark.parametrize("diagnosis, scope", CONDITION_RULES, ids=[f"{d}-{s}" for d, s in CONDITION_RULES])
def test_condition_phase_exclusion(plan_for, real_library, diagnosis, scope):
    tags, categories, ids = CONDITIONS[diagnosis][scope]
    raw = p1_intake(diagnosis, findings={"neuro_exam": "normal", "directional_preference": "extension"})
    phases = ("P1", "P2", "P3", "P4") if scope == "all" else (scope,)
    # > 0: the rule hits at least one library exercise, so the check is not vacuous
    assert check_rule(plan_for(**raw), real_library, phases, tags=tags, categories=categories, ids=ids, intake=raw)


@pytest.mark.parametrize("findings", [{"bamic": "2c"}, {"bamic": "4b"}, {}])
def test_grade3_and_intratendinous_keep_nordic_and_max_sprint_out_of_p3(plan_for, real_library, findings):
    grade = 2 if findings else 3
    findings = {**findings, "orthopaedic_clearance": True}  # uncleared: P1 only (reference 2.3)
    plan = plan_for("hamstring_strain", grade=grade, age=25, findings={"days_since_onset": 1, **findings})
    raw = {"diagnosis": "hamstring_strain", "grade": grade, "findings": {"days_since_onset": 1, **findings}}
    assert check_rule(plan, real_library, ("P3",), tags={"max_velocity_sprint"}, ids={"nordic_hamstring_curl"},
                      intake=raw)
    p4 = {i.exercise_id for i in plan.phases[-1].items}
    assert "nordic_hamstring_curl" in p4  # started in P4 instead


def test_intratendinous_delays_diver_and_glider_to_p3(plan_for, real_library):
    plan = plan_for("hamstring_strain", grade=2, age=25, findings={"days_since_onset": 1, "bamic": "2c"})
    raw = {"diagnosis": "hamstring_strain", "grade": 2, "findings": {"days_since_onset": 1, "bamic": "2c"}}
    assert check_rule(plan, real_library, ("P2",), ids={"askling_diver", "askling_glider"}, intake=raw)
    ordinary = plan_for("hamstring_strain", grade=2, age=25, findings={"days_since_onset": 1})
    assert "askling_diver" in {i.exercise_id for i in ordinary.phases[1].items}


HS_P3_INSECURE = {"days_since_onset": 30, "walking": "pain_free", "slow_jog_pain_free": True,
                  "isometric_50_70_pain_free": True, "nprs_rest": 0, "nprs_activity": 0,
                  "ake_deficit_deg": 3, "strength_pct_other_side": 95, "running_pain_free_pct": 95,
                  "knee_flexion_max_pain_free": True, "askling_h_test_insecurity": True,
                  "single_leg_bridge_reps": {"injured": 26, "uninjured": 27}}


@pytest.mark.parametrize("findings", [
    HS_P3_INSECURE,  # stays in P3 because the H-test is insecure
    {"days_since_onset": 1},  # P3 is still ahead: the H-test has not been done
])
def test_no_maximal_sprinting_in_p3_before_a_secure_h_test(plan_for, real_library, findings):
    """1.1 P3: maximal sprinting only at the end of P3 (EX68: after an H-test with no
    insecurity) or in P4; an insecure H-test means staying in P3."""
    raw = {"diagnosis": "hamstring_strain", "grade": 2, "age": 25, "findings": findings}
    plan = plan_for(**raw)
    p3 = next(p for p in plan.phases if p.id == PHASES[2])
    assert not any("max_velocity_sprint" in i.tags for i in p3.items)
    assert any(e.exercise_id == "max_speed_sprints" and e.phase == PHASES[2] for e in plan.excluded)
    ctx = Context(parse_intake(raw), real_library)
    for ex in real_library.values():
        if "max_velocity_sprint" in ex.tags:
            assert ctx.reason(ex.id, PHASES[2]), ex.id  # a clinician cannot add it either
    assert "max_speed_sprints" in {i.exercise_id for i in plan.phases[-1].items}  # P4 has them


def test_maximal_sprinting_allowed_late_in_p3_after_a_secure_h_test(plan_for, real_library):
    raw = {"diagnosis": "hamstring_strain", "grade": 2, "age": 25,
           "findings": {**HS_P3_INSECURE, "askling_h_test_insecurity": False, "strength_pct_other_side": 85}}
    plan = plan_for(**raw)
    assert plan.current_phase == PHASES[2]
    assert Context(parse_intake(raw), real_library).reason("max_speed_sprints", PHASES[2]) is None


def test_grade2_gets_nordic_in_p3(plan_for):
    plan = plan_for("hamstring_strain", grade=2, age=25, findings={"days_since_onset": 1})
    assert "nordic_hamstring_curl" in {i.exercise_id for i in plan.phases[2].items}


def test_every_exclusion_names_a_reason_a_clinician_reads(plan_for):
    for diagnosis in DIAGNOSES:
        plan = plan_for(**p1_intake(diagnosis, comorbidities=["osteoporosis"], medications=["anticoagulant"]))
        assert plan.excluded
        for entry in plan.excluded:
            assert len(entry.reason) > 10 and entry.phase in PHASES


# ---- sciatica: directional preference and neural tension ------------------------------------

@pytest.mark.parametrize("preference", ["extension", "flexion", "none", "unknown", None])
def test_peripheralising_direction_excluded_in_every_phase(plan_for, real_library, preference):
    findings = {"directional_preference": preference} if preference else {}
    plan = plan_for(**p1_intake("sciatica_lumbar_radiculopathy", findings=findings))
    raw = p1_intake("sciatica_lumbar_radiculopathy", findings=findings)
    assert check_rule(plan, real_library, ("P1", "P2", "P3", "P4"), tags=peripheralising(preference), intake=raw)
    reasons = [e.reason for e in plan.excluded if "peripheralising" in e.reason or "directional" in e.reason]
    assert reasons


def test_preferred_direction_is_prescribed(plan_for):
    ext = plan_for(**p1_intake("sciatica_lumbar_radiculopathy", findings={"directional_preference": "extension"}))
    assert "prone_press_up" in {i.exercise_id for i in ext.phases[0].items}
    flex = plan_for(**p1_intake("sciatica_lumbar_radiculopathy", findings={"directional_preference": "flexion"}))
    p1 = {i.exercise_id for i in flex.phases[0].items}
    assert {"double_knee_to_chest", "quadruped_rock_back"} & p1 and "prone_press_up" not in p1


@pytest.mark.parametrize("neuro, allowed", [("normal", True), ("stable_deficit", False), (None, False)])
def test_tensioners_only_with_a_normal_neurological_exam(real_library, neuro, allowed):
    findings = {"leg_nprs": 7, "directional_preference": "flexion", **({"neuro_exam": neuro} if neuro else {})}
    ctx = Context(parse_intake({"diagnosis": "sciatica_lumbar_radiculopathy", "findings": findings}), real_library)
    assert ctx.reason("seated_slump_tensioner", PHASES[0])  # never in P1
    assert (ctx.reason("seated_slump_tensioner", PHASES[1]) is None) == allowed


def test_stable_deficit_as_comorbidity_also_blocks_tensioners(real_library):
    ctx = Context(parse_intake({"diagnosis": "sciatica_lumbar_radiculopathy", "comorbidities": ["stable_neuro_deficit"],
                                "findings": {"neuro_exam": "normal"}}), real_library)
    assert ctx.reason("seated_slump_tensioner", PHASES[1])


def test_no_odd_borrowed_items(plan_for, real_library):
    """When the rules empty a category, only a tag-free item from another list may stand in."""
    for diagnosis in DIAGNOSES:
        for extra in ({}, {"comorbidities": ["lumbar_fusion_recent"]}, {"age": 80, "comorbidities": ["osteoporosis"]},
                      {"sex": "female", "pregnancy": {"pregnant": True, "weeks": 30}}):
            plan = plan_for(**p1_intake(diagnosis, **extra))
            for phase in plan.phases:
                code = CODE_BY_PHASE[phase.id]
                for item in phase.items:
                    ex = real_library[item.exercise_id]
                    assert code in ex.suits.get(diagnosis, []) or not ex.tags, (diagnosis, phase.id, ex.id)


@pytest.mark.parametrize("diagnosis, extra, words", [
    ("sciatica_lumbar_radiculopathy", {"comorbidities": ["stable_neuro_deficit"]}, "every visit"),
    ("sciatica_lumbar_radiculopathy", {"findings": {"neuro_exam": "stable_deficit"}}, "every visit"),
    ("referred_pain_lumbar_facet", {"comorbidities": ["lumbar_fusion_recent"]}, "surgeon"),
    ("hamstring_strain", {"comorbidities": ["cold_intolerance"]}, "raising the leg"),
    ("hamstring_strain", {"comorbidities": ["peripheral_artery_disease"]}, "raising the leg"),
    ("lumbar_spinal_stenosis", {"comorbidities": ["vertebral_fracture_history"]}, "hinge"),
    ("lumbar_spinal_stenosis", {"comorbidities": ["falls_risk"]}, "counter"),
])
def test_every_modifier_note_of_2_1_reaches_the_patient(plan_for, diagnosis, extra, words):
    """The "Add or notes" column of 2.1: re-check myotomes (stable deficit), follow the
    surgeon's protocol (recent fusion), relative rest and elevation instead of ice."""
    plan = plan_for(**p1_intake(diagnosis, **extra))
    assert plan.allowed
    assert sum(words in line for line in plan.education) == 1, plan.education


def test_piriformis_with_a_deficit_is_managed_as_radiculopathy(plan_for, real_library):
    raw = p1_intake("piriformis_syndrome", findings={"neuro_exam": "stable_deficit"})
    plan = plan_for(**raw)
    tags, categories, ids = CONDITIONS["sciatica_lumbar_radiculopathy"]["P1"]
    assert check_rule(plan, real_library, ("P1",), tags=tags, categories=categories, ids=ids, intake=raw)
    assert any("lower back" in line for line in plan.education)


def test_grade_specific_precautions_only_for_that_grade(plan_for):
    """The grade 3 protected weight-bearing line holds only until the surgeon has decided."""
    for grade, cleared, shown in ((2, False, False), (3, False, True), (3, True, False)):
        plan = plan_for("hamstring_strain", grade, findings={"days_since_onset": 5, "orthopaedic_clearance": cleared})
        lines = plan.phases[0].precautions
        assert any(line.startswith("Protected weight-bearing") for line in lines) is shown


def test_lines_about_an_excluded_exercise_are_left_out(plan_for):
    """No "keep the weekly Nordic curl" for a patient on blood thinners without clearance."""
    done = {"days_since_onset": 60, "orthopaedic_clearance": True}
    for meds, clearance, shown in (([], None, True), (["anticoagulant"], False, False), (["anticoagulant"], True, True)):
        plan = plan_for("hamstring_strain", 1, age=30, activity_level="competitive_sport", medications=meds,
                        previous_phase="P4_return_to_activity", findings={**done, "medical_clearance": clearance})
        assert any("Nordic" in line for line in plan.phases[-1].precautions) is shown


def test_pregnancy_habits_only_for_pregnant_or_post_partum(plan_for):
    habit = "sit down to dress"
    assert not any(habit in e for e in plan_for("sacroiliac_joint_dysfunction", sex="male").education)
    assert any(habit in e for e in plan_for("sacroiliac_joint_dysfunction", sex="female",
                                             pregnancy={"pregnant": True, "weeks": 20}).education)


def test_septic_bursitis_with_fever_is_an_emergency_and_the_ed_comes_first(plan_for):
    plan = plan_for("ischial_bursitis", age=60, red_flags={"fever_chills_or_unwell": True},
                    findings={"local_redness_warmth_swelling": True, "systemically_unwell": True})
    assert plan.referral.level == "emergency" and plan.referral.refer_to[0].startswith("Emergency")
    local = plan_for("ischial_bursitis", age=60, findings={"local_redness_warmth_swelling": True})
    assert local.referral.level == "urgent"


def test_excluded_entries_name_the_exercise_and_read_as_words(plan_for):
    plan = plan_for("hamstring_strain", 2, findings={"days_since_onset": 5})
    for entry in plan.excluded:
        assert entry.name and "no this" not in entry.reason


# Words a patient with modest reading skills does not know. Exercise names (Nordic curl,
# Askling glider) stay; the printed plan explains them in its "Words used" box.
# The patient's review added words that reached printed plans: "nerve tensioners", "end
# range", "exit tests", "maximal strength tests", "T-drill".
JARGON = re.compile(r"\b(RPE|eccentric|isometrics?|H-test|plyometrics?|propriocepti\w*|SLR|AKE|NPRS"
                    r"|tensioners?|end[- ]range|exit tests?|maximal|T-drill|nerve examination)\b", re.I)


def test_protocol_text_a_patient_reads_has_no_jargon():
    from rehab.planner.protocols import Line, load_protocols

    protocols, rules = load_protocols()
    texts = []
    for protocol in protocols.values():
        texts += [e.text if isinstance(e, Line) else e for e in protocol.education] + protocol.seek_help_if
        for phase in protocol.phases.values():
            texts += [phase.name] + [c.patient for c in phase.exit]
            texts += [g.text if isinstance(g, Line) else g for g in phase.goals + phase.precautions]
    for modifier in rules.modifiers.values():
        texts += modifier.education + modifier.seek_help + [a.precaution for a in modifier.allow]
    assert [t for t in texts if JARGON.search(t)] == []


def test_plan_effort_is_in_plain_words(plan_for):
    for dx in ("hamstring_strain", "proximal_hamstring_tendinopathy", "piriformis_syndrome"):
        plan = plan_for(dx, grade=1 if dx == "hamstring_strain" else None, findings={"days_since_onset": 1})
        for phase in plan.phases:
            for item in phase.items:
                assert not JARGON.search(item.dosage.effort), (item.exercise_id, item.dosage.effort)


def test_supported_form_prints_one_consistent_set_of_steps(plan_for, real_library):
    """Patient review: an 80-year-old with falls risk got the grapevine's supported step ("one
    hand on the counter all the time, leave out the crossing steps") above the open-floor steps
    and the crossing steps. In the supported form an item prints its hand-hold step and then its
    `supported_steps` (or, without them, its steps), never both sets."""
    plan = plan_for("hamstring_strain", 2, age=80, comorbidities=["falls_risk"])
    seen = set()
    for phase in plan.phases:
        for item in phase.items:
            ex = real_library[item.exercise_id]
            if not ex.supported:
                continue
            seen.add(ex.id)
            assert item.instructions == [ex.supported, *(ex.supported_steps or ex.steps)], ex.id
            assert "holding a rail or counter" in item.dosage.effort
    assert "side_step_grapevine" in seen
    grapevine = next(i for p in plan.phases for i in p.items if i.exercise_id == "side_step_grapevine")
    printed = " ".join(grapevine.instructions + grapevine.precautions)
    assert "clear floor" not in printed and "grapevine" not in printed.lower()
    assert not re.search(r"foot crosses|crossover", printed)

    # The same item for a patient who needs no hand hold keeps the full steps.
    fit = plan_for("piriformis_syndrome", age=40)
    full = [i for p in fit.phases for i in p.items if i.exercise_id == "side_step_grapevine"]
    assert full and all(i.instructions == real_library["side_step_grapevine"].steps for i in full)
