"""Dosage: the reference doses, the effort guide by phase (0.3), the condition-specific
effort of tendinopathy and piriformis loading, and the lower start for older patients
and grade 3 / intratendinous injuries."""

from __future__ import annotations

import re

import pytest

from rehab.planner import parse_intake
from rehab.planner.assemble import EFFORT_RATED, Context, effort_words
from rehab.vocab import PHASES

P1, P2, P3, P4 = PHASES
LOADING = {"strengthening_concentric", "eccentric", "core_stabilisation", "balance_proprioception"}


def dose(real_library, exercise_id, phase, **raw):
    raw.setdefault("diagnosis", "hamstring_strain")
    if raw["diagnosis"] == "hamstring_strain":
        raw.setdefault("grade", 2)
    ctx = Context(parse_intake(raw), real_library)
    return ctx.dosage(real_library[exercise_id], phase)


def rpe(effort: str) -> str | None:
    found = re.search(r"RPE \d+-\d+/10", effort)
    return found.group(0) if found else None


@pytest.mark.parametrize("phase, expected", [(P2, "RPE 4-6/10"), (P3, "RPE 6-8/10"), (P4, "RPE 7-9/10")])
def test_effort_guide_by_phase_for_loading_items(plan_for, phase, expected):
    plan = plan_for("hamstring_strain", grade=1, findings={"days_since_onset": 1})
    items = [i for p in plan.phases if p.id == phase for i in p.items if i.category in EFFORT_RATED]
    assert items
    for item in items:  # the number for the clinician, plain words for the patient (issue #10)
        assert item.dosage.rpe == expected, item.exercise_id
        assert "RPE" not in item.dosage.effort
        assert effort_words(expected) in item.dosage.effort


def test_no_rpe_in_p1_or_on_education_and_ice(plan_for):
    plan = plan_for("hamstring_strain", grade=1, findings={"days_since_onset": 1})
    for p in plan.phases:
        for item in p.items:
            if p.id == P1 or item.category in ("ergonomics_education", "cryotherapy_rice"):
                assert "/10" not in item.dosage.effort or rpe(item.dosage.effort) is None


def test_tendinopathy_heavy_slow_resistance_keeps_its_own_effort(real_library):
    assert dose(real_library, "double_leg_bridge", P2, diagnosis="proximal_hamstring_tendinopathy").rpe == "RPE 6-8/10"
    assert dose(real_library, "romanian_deadlift", P3, diagnosis="proximal_hamstring_tendinopathy").rpe == "RPE 7-8/10"
    assert dose(real_library, "double_leg_bridge", P2, diagnosis="ischial_bursitis").rpe == "RPE 6-8/10"
    assert dose(real_library, "clamshell", P2, diagnosis="piriformis_syndrome").rpe == "RPE 5-7/10"
    assert dose(real_library, "double_leg_bridge", P2, diagnosis="sacroiliac_joint_dysfunction").rpe == "RPE 4-6/10"


@pytest.mark.parametrize("rpe, words", [
    ("RPE 2-3/10", "easy"), ("RPE 4-6/10", "moderate"), ("RPE 5-5/10", "moderate"), ("RPE 5-7/10", "hard"),
    ("RPE 6-8/10", "hard"), ("RPE 7-8/10", "very hard"), ("RPE 7-9/10", "very hard"),
])
def test_effort_words_by_rpe_boundaries(rpe, words):
    assert effort_words(rpe).startswith(words + " effort")


def test_tendinopathy_stage2_is_every_other_day(real_library):
    d = dose(real_library, "standing_hamstring_curl", P2, diagnosis="proximal_hamstring_tendinopathy")
    assert d.days_per_week == 3 and "3 s up, 3 s down" in d.effort


@pytest.mark.parametrize("exercise_id, sets, reps, per_day, days", [
    ("askling_extender", 3, 12, 2, 7),   # 3x12 twice daily
    ("askling_diver", 3, 6, None, 3),    # 3x6 every other day
    ("askling_glider", 3, 4, None, 2),   # 3x4 every third day
    ("bridge_walkouts", 3, 10, None, 5),
])
def test_askling_protocol_doses(real_library, exercise_id, sets, reps, per_day, days):
    d = dose(real_library, exercise_id, P2, age=25)
    assert (d.sets, d.reps, d.per_day, d.days_per_week) == (sets, reps, per_day, days)


def test_nordic_build_up_then_maintenance(real_library):
    start = dose(real_library, "nordic_hamstring_curl", P3, age=25)
    assert (start.sets, start.reps, start.days_per_week) == (2, 5, 1)
    upkeep = dose(real_library, "nordic_hamstring_curl", P4, age=25)
    assert upkeep.days_per_week == 1


@pytest.mark.parametrize("age, minus", [(30, 0), (64, 0), (65, 1), (90, 1)])
def test_older_patients_start_one_set_lower(real_library, age, minus):
    d = dose(real_library, "double_leg_bridge", P2, diagnosis="lumbar_spinal_stenosis", age=age)
    assert d.sets == 3 - minus


def test_age_does_not_cut_single_set_or_non_loading_items(real_library):
    assert dose(real_library, "glute_sets", P1, diagnosis="sacroiliac_joint_dysfunction", age=80).sets == 1
    assert dose(real_library, "graded_walking_programme", P2, diagnosis="lumbar_spinal_stenosis", age=80).duration_min == 5


@pytest.mark.parametrize("grade, findings, phase, expected", [
    (3, {}, P1, 4), (3, {}, P2, 2), (3, {}, P3, 3), (2, {}, P2, 3),
    (2, {"bamic": "2c"}, P2, 2), (2, {"bamic": "3b"}, P2, 2), (2, {"bamic": "2b"}, P2, 3),
])
def test_grade3_and_intratendinous_start_lower_in_p1_p2(real_library, grade, findings, phase, expected):
    exercise_id = {P1: "front_plank", P2: "askling_extender", P3: "romanian_deadlift"}[phase]
    d = dose(real_library, exercise_id, phase, grade=grade, age=25, findings=findings)
    assert d.sets == expected


@pytest.mark.parametrize("diagnosis, words", [
    ("hamstring_strain", "2/10"), ("proximal_hamstring_tendinopathy", "3/10"),
    ("sciatica_lumbar_radiculopathy", "spread"), ("sitting_related_posterior_thigh_soreness", "pain"),
])
def test_every_exercise_dose_carries_the_pain_rule(plan_for, diagnosis, words):
    plan = plan_for(diagnosis, grade=2 if diagnosis == "hamstring_strain" else None,
                    findings={"nprs_rest": 6, "leg_nprs": 7, "days_since_onset": 1})
    for p in plan.phases:
        for item in p.items:
            if item.category not in ("ergonomics_education", "cryotherapy_rice"):
                assert "pain" in item.dosage.effort.lower() or "spread" in item.dosage.effort, item.exercise_id
    first = [i for i in plan.phases[0].items if i.category not in ("ergonomics_education", "cryotherapy_rice")]
    assert any(words in i.dosage.effort for i in first)


def test_doses_stay_inside_the_schema_bounds(plan_for):
    for diagnosis in ("hamstring_strain", "lumbar_spinal_stenosis", "proximal_hamstring_tendinopathy"):
        plan = plan_for(diagnosis, grade=3 if diagnosis == "hamstring_strain" else None, age=90,
                        findings={"nprs_rest": 6, "days_since_onset": 1, "bamic": "4c"} if diagnosis == "hamstring_strain"
                        else {"nprs_rest": 6})
        for p in plan.phases:
            for item in p.items:
                d = item.dosage
                assert d.sets is None or 1 <= d.sets <= 10
                assert any(v is not None for v in (d.sets, d.reps, d.hold_s, d.duration_min))
                assert 0 < len(d.effort) <= 240


@pytest.mark.parametrize("exercise_id", ["seated_figure4_stretch", "supine_piriformis_stretch"])
def test_piriformis_phase_1_stretches_twice_a_day(real_library, exercise_id):
    """Reference 1.5, piriformis P1: gentle stretches 3x30 s twice daily; later phases keep the default."""
    d = dose(real_library, exercise_id, P1, diagnosis="piriformis_syndrome")
    assert (d.sets, d.hold_s, d.per_day) == (3, 30, 2)
    assert dose(real_library, "seated_figure4_stretch", P2, diagnosis="piriformis_syndrome").per_day == 1
