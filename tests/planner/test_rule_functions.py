"""Each exclusion rule on its own, with a bare exercise that carries none of the library's own
contraindications: the library files repeat several rules (belt and braces), so a plan-level
test would still pass if a rule in code were lost. Also the derived findings' thresholds."""

from __future__ import annotations

import pytest

from rehab.library.schema import Exercise
from rehab.planner import parse_intake
from rehab.planner.phase import derived_findings
from rehab.planner.protocols import load_protocols
from rehab.planner.safety import (direction_rules, nerve_tensioners, own_contraindications,
                                  patient_for, patient_states, peripheralising_direction)

FIGURE = {"start": {"body": "standing"}, "end": {"body": "standing"}}


def exercise(tags=(), **fields) -> Exercise:
    data = {"id": "bare_test", "name": "Bare test", "category": "mobility", "tags": list(tags),
            "targets": ["x"], "suits": {"sciatica_lumbar_radiculopathy": ["P1"]},
            "dosage": {"sets": 1, "effort": "easy"}, "steps": ["One.", "Two.", "Three."],
            "evidence": ["PH"], "figure": FIGURE, **fields}
    return Exercise.model_validate(data)


def patient(diagnosis="sciatica_lumbar_radiculopathy", **raw):
    intake = parse_intake({"diagnosis": diagnosis, **raw})
    return patient_for(intake, patient_states(intake), load_protocols()[1])


@pytest.mark.parametrize("preference, tags, reason", [
    ("extension", {"end_range_spinal_flexion", "loaded_spinal_flexion"},
     "flexion is the peripheralising direction (extension preference)"),
    ("flexion", {"lumbar_extension"}, "extension is the peripheralising direction (flexion preference)"),
    ("none", {"lumbar_extension", "end_range_spinal_flexion"},
     "no directional preference established: no end-range spinal movement until it is"),
    (None, {"lumbar_extension", "end_range_spinal_flexion"},
     "no directional preference established: no end-range spinal movement until it is"),
])
def test_direction_rules(preference, tags, reason):
    findings = {"directional_preference": preference} if preference else {}
    intake = parse_intake({"diagnosis": "sciatica_lumbar_radiculopathy", "findings": findings})
    assert direction_rules(intake) == [(tags, reason)]
    p = patient(findings=findings)
    for tag in tags:
        assert peripheralising_direction(exercise([tag]), "P2", p) == f"Sciatica: {reason}"
    assert peripheralising_direction(exercise(["supine_position"]), "P2", p) is None
    assert direction_rules(parse_intake({"diagnosis": "piriformis_syndrome", "findings": findings})) == []


def test_nerve_tensioner_rule_on_its_own():
    tensioner = exercise(["neural_tensioner"])
    words = "Sciatica: nerve tensioners only with a normal neurological examination"
    assert nerve_tensioners(tensioner, "P2", patient()) == words
    assert nerve_tensioners(tensioner, "P2", patient(findings={"neuro_exam": "stable_deficit"})) == words
    assert nerve_tensioners(tensioner, "P2", patient(findings={"neuro_exam": "normal"})) is None
    assert nerve_tensioners(exercise(["neural_slider"]), "P2", patient()) is None
    assert nerve_tensioners(tensioner, "P2", patient("piriformis_syndrome")) is None


def test_the_exercise_files_own_contraindications_in_words():
    p = patient(comorbidities=["osteoporosis", "falls_risk"])
    assert own_contraindications(exercise(avoid_with=["falls_risk", "osteoporosis"]), "P1", p) == \
        "Bare test: not with falls risk, osteoporosis"
    assert own_contraindications(exercise(only_with=["pregnant", "neuro_exam_normal"]), "P1", p) == \
        "Bare test: only with pregnant, neuro exam normal"
    assert own_contraindications(exercise(only_with=["osteoporosis"]), "P1", p) is None
    assert own_contraindications(exercise(avoid_in={"all": ["P1"]}), "P1", p) == \
        "Exercise not used in P1 for any condition"
    assert own_contraindications(exercise(avoid_in={"sciatica_lumbar_radiculopathy": ["P2"]}), "P2", p) == \
        "Exercise not used in P2 for sciatica lumbar radiculopathy"
    assert own_contraindications(exercise(avoid_in={"sciatica_lumbar_radiculopathy": ["P2"]}), "P1", p) is None


def test_medical_clearance_lifts_the_files_blood_thinner_contraindication_only_in_p4():
    nordic = exercise(id="nordic_hamstring_curl", avoid_with=["anticoagulated"])
    cleared = patient("hamstring_strain", grade=1, medications=["anticoagulant"],
                      findings={"medical_clearance": True})
    assert own_contraindications(nordic, "P4", cleared) is None
    assert own_contraindications(nordic, "P3", cleared) == "Bare test: not with anticoagulated"
    assert own_contraindications(exercise(avoid_with=["anticoagulated"]), "P4", cleared)  # another exercise


@pytest.mark.parametrize("strength, strong", [(79, False), (80, True), (81, True)])
def test_strength_80_percent_counts_as_strong(strength, strong):
    values = derived_findings(parse_intake({"diagnosis": "hamstring_strain", "grade": 1,
                                            "findings": {"strength_pct_other_side": strength}}), "acute_muscle")
    assert values["knee_flexion_strong"] is strong and values["isometric_ok"] is (True if strong else None)


def test_knee_flexion_not_strong_when_tested_and_unknown_when_not():
    def strong(**findings):
        intake = parse_intake({"diagnosis": "hamstring_strain", "grade": 1, "findings": findings})
        return derived_findings(intake, "acute_muscle")["knee_flexion_strong"]

    assert strong() is None
    assert strong(knee_flexion_max_pain_free=False) is False
    assert strong(knee_flexion_max_pain_free=True) is True


@pytest.mark.parametrize("pct, jog_ok", [(49, None), (50, True), (51, True)])
def test_pain_free_running_from_50_percent_implies_jogging(pct, jog_ok):
    values = derived_findings(parse_intake({"diagnosis": "hamstring_strain", "grade": 1,
                                            "findings": {"running_pain_free_pct": pct}}), "acute_muscle")
    assert values["slow_jog_ok"] is jog_ok and values["walking_pain_free"] is jog_ok


def test_a_pain_free_sprint_counts_as_95_percent_running():
    values = derived_findings(parse_intake({"diagnosis": "hamstring_strain", "grade": 1,
                                            "findings": {"sprint_95pct_pain_free": True}}), "acute_muscle")
    assert values["running_pct"] == 95
    higher = derived_findings(parse_intake({"diagnosis": "hamstring_strain", "grade": 1, "findings": {
        "sprint_95pct_pain_free": True, "running_pain_free_pct": 100}}), "acute_muscle")
    assert higher["running_pct"] == 100


def test_not_irritable_needs_a_pain_score():
    def value(**findings):
        return derived_findings(parse_intake({"diagnosis": "muscle_cramps", "findings": findings}),
                                "no_tissue_injury")["not_irritable"]

    assert value() is None
    assert value(nprs_rest=1) is True
    assert value(nprs_rest=4) is False
    assert value(response_24h="flare") is False


# ---- the remaining rules and states, each on its own -------------------------------------------

from rehab.planner.phase import choose_phase, irritable  # noqa: E402
from rehab.planner.safety import condition_table, modifiers, retired  # noqa: E402
from rehab.planner.triage import is_pregnant, triage  # noqa: E402


def test_retired_rule():
    assert retired(exercise(retired=True), "P1", patient()) == "retired from the library"
    assert retired(exercise(), "P1", patient()) is None


def test_condition_table_words_and_every_row_read():
    assert condition_table(exercise(["aggressive_end_range_stretch"]), "P2", patient()) == \
        "Sciatica: no forced end-range stretching in any phase"
    cramps = patient("muscle_cramps")  # no table row of its own, then the not-an-athlete row
    assert condition_table(exercise(id="nordic_hamstring_curl"), "P3", cramps) == \
        "Muscle cramps without a recorded sport goal: no Bare test in any phase"
    athlete = patient("muscle_cramps", activity_level="competitive_sport")
    assert condition_table(exercise(id="nordic_hamstring_curl"), "P3", athlete) is None


def test_modifier_phase_rows_and_allowances():
    daily = patient("hamstring_strain", grade=1, activity_level="daily_living")
    assert modifiers(exercise(["running"]), "P3", daily) == "Activity goal daily living: no running in P3"
    assert modifiers(exercise(["running"]), "P2", daily) is None
    cleared = patient("hamstring_strain", grade=1, age=30, medications=["anticoagulant"],
                      findings={"medical_clearance": True})
    nordic = exercise(["high_load_eccentric", "fall_forward_risk"], id="nordic_hamstring_curl")
    assert modifiers(nordic, "P4", cleared) is None
    assert modifiers(nordic, "P3", cleared).startswith("Anticoagulant or antiplatelet therapy: no ")
    assert modifiers(exercise(["high_load_eccentric"]), "P4", cleared)  # only the Nordic is allowed


def test_pregnancy_is_recognised_from_any_of_its_fields():
    for pregnancy, pregnant in (({"weeks": 20}, True), ({"obstetric_contraindication": True}, True),
                                ({"pregnant": True}, True), ({"months_post_partum": 1}, False), ({}, False)):
        assert is_pregnant(parse_intake({"diagnosis": "muscle_cramps", "pregnancy": pregnancy})) is pregnant


def level(**raw):
    raw.setdefault("diagnosis", "referred_pain_lumbar_facet")
    return triage(parse_intake(raw))


@pytest.mark.parametrize("extra", [{"findings": {"neuro_exam": "stable_deficit"}},
                                   {"findings": {"neuro_exam": "progressive_deficit"}},
                                   {"comorbidities": ["stable_neuro_deficit"]},
                                   {"red_flags": {"night_pain_or_cancer_history": True, "progressive_neuro_deficit": True}}])
def test_night_pain_with_any_neurological_sign_is_an_emergency(extra):
    rest = {k: v for k, v in extra.items() if k != "red_flags"}
    flags = {"night_pain_or_cancer_history": True, **extra.get("red_flags", {})}
    assert level(red_flags=flags, **rest).level == "emergency"
    assert level(red_flags={"night_pain_or_cancer_history": True}).level == "urgent"


@pytest.mark.parametrize("flag", ["bladder_bowel_change", "saddle_anaesthesia", "new_bilateral_leg_symptoms"])
def test_a_progressive_deficit_with_any_cauda_equina_sign_is_the_both_legs_emergency(flag):
    reasons = level(red_flags={"progressive_neuro_deficit": True, flag: True}).reasons
    assert any(r.startswith("Progressive neurological deficit in both legs or with cauda equina") for r in reasons)


@pytest.mark.parametrize("walking", ["pain_free", "painful", "antalgic", "aided"])
def test_fracture_signs_in_someone_who_walks_are_urgent(walking):
    out = level(diagnosis="hamstring_strain", grade=1, red_flags={"trauma_fracture_signs": True},
                findings={"walking": walking})
    assert out.level == "urgent"


def test_the_most_urgent_destination_comes_first():
    """A Wells-1 DVT (GP, urgent) is read before chest pain (ambulance, emergency)."""
    out = level(red_flags={"chest_pain_or_breathlessness": True,
                           "dvt": {"symptoms_present": True, "wells_items": ["previous_dvt"]}})
    assert out.refer_to[0].startswith("Ambulance") and out.refer_to[1].startswith("GP")


def test_irritability_words():
    intake = parse_intake({"diagnosis": "piriformis_syndrome", "findings": {
        "nprs_walking": 6, "back_nprs": 6, "leg_nprs": 6, "sitting_nprs": 6}})
    assert irritable(intake, "persistent")[1] == [
        "pain when walking 6/10 (6 or more)", "pain when sitting 6/10 (6 or more)", "back pain 6/10 (6 or more)",
        "leg pain 6/10 (6 or more)"]
    unknown = parse_intake({"diagnosis": "piriformis_syndrome"})
    assert irritable(unknown, "persistent")[1] == ["pain scores not assessed (irritability unknown)"]
    only_activity = parse_intake({"diagnosis": "sciatica_lumbar_radiculopathy", "findings": {"nprs_activity": 2}})
    assert irritable(only_activity, "radicular") == (False, [])


def phase_of(real_library_unused=None, **raw):
    intake = parse_intake(raw)
    return choose_phase(intake, load_protocols()[0][intake.diagnosis], intake.activity_level or "recreational_sport")


def test_a_strain_steps_back_for_a_flare_but_not_for_pain_alone():
    base = {"diagnosis": "hamstring_strain", "grade": 1, "previous_phase": "P3_stabilisation_functional"}
    assert phase_of(**base, findings={"days_since_onset": 30, "response_24h": "flare"})[0] == "P2_progressive_strengthening"
    assert phase_of(**base, findings={"days_since_onset": 30, "nprs_rest": 5})[0] == "P3_stabilisation_functional"


def test_a_radicular_reassessment_steps_back_for_a_tight_straight_leg_raise():
    out = phase_of(diagnosis="sciatica_lumbar_radiculopathy", previous_phase="P3_stabilisation_functional",
                   findings={"slr_deg": 40, "leg_nprs": 2, "nprs_rest": 1})
    assert out[0] == "P2_progressive_strengthening"
    assert out[1] == ["Reassessment from P3: straight-leg raise 40 deg (under 45) - back to P2, no progression "
                      "at this visit (reference 2.3)."]


def test_phase_reasons_read_as_written():
    assert phase_of(diagnosis="proximal_hamstring_tendinopathy", findings={"nprs_rest": 1, "nprs_activity": 2})[1] == [
        "Starts in phase 1: Sitting tolerance under 30 min (not assessed)."]
    irritable_p1 = phase_of(diagnosis="lumbar_spinal_stenosis", findings={"nprs_rest": 5, "walking_tolerance_min": 30})
    assert "exit criteria not met - irritable - pain at rest 5/10 (4 or more)" in irritable_p1[1][0]
    assert phase_of(diagnosis="sciatica_lumbar_radiculopathy", findings={"leg_nprs": 7, "nprs_rest": 2})[1] == [
        "Starts in phase 1: leg pain 7/10 (6 or more)."]


def test_states_from_the_neurological_exam_and_the_direction():
    assert "neuro_exam_normal" not in patient(findings={"neuro_exam": "normal"},
                                              comorbidities=["stable_neuro_deficit"]).states
    assert "neuro_exam_normal" in patient(findings={"neuro_exam": "normal"}).states
    assert "directional_preference_unclear" in patient(findings={"directional_preference": "none"}).states
    assert "directional_preference_unclear" in patient().states
    assert "directional_preference_flexion" in patient(findings={"directional_preference": "flexion"}).states
