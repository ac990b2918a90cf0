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
