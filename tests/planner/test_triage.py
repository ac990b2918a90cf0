"""Red flags: each one refuses the plan at the reference's level (section 3)."""

import pytest

from rehab.planner import parse_intake
from rehab.planner.triage import triage, wells_score


def level(diagnosis="sciatica_lumbar_radiculopathy", flags=None, findings=None, **extra):
    raw = {"diagnosis": diagnosis, "red_flags": flags or {}, "findings": findings or {}, **extra}
    if diagnosis == "hamstring_strain":
        raw.setdefault("grade", 2)
    return triage(parse_intake(raw))


@pytest.mark.parametrize("flag", ["bladder_bowel_change", "saddle_anaesthesia",
                                  "new_bilateral_leg_symptoms", "chest_pain_or_breathlessness",
                                  "expanding_haematoma_or_compartment_signs"])
def test_emergency_flags(flag):
    result = level(flags={flag: True})
    assert result.level == "emergency" and not result.allowed and result.reasons and result.refer_to


def test_no_flags_allows():
    assert level().allowed and level().level == "none"


def test_wells_two_or_more_is_emergency():
    result = level("hamstring_strain", flags={"dvt": {"symptoms_present": True, "wells_items": [
        "deep_vein_tenderness", "calf_swelling_3cm", "pitting_oedema"]}})
    assert result.wells_score == 3 and result.level == "emergency"


def test_wells_one_or_less_is_urgent():
    result = level("hamstring_strain", flags={"dvt": {"symptoms_present": True, "wells_items": [
        "calf_swelling_3cm", "previous_dvt", "alternative_dx_as_likely"]}})
    assert result.wells_score == 0 and result.level == "urgent"


def test_wells_items_without_symptoms_proceed_without_score():
    result = level(flags={"dvt": {"symptoms_present": False, "wells_items": ["previous_dvt"]}})
    assert result.allowed and result.wells_score is None


def test_wells_score_arithmetic():
    assert wells_score(["active_cancer", "alternative_dx_as_likely"]) == -1
    assert wells_score(["active_cancer", "active_cancer"]) == 1


def test_fever_unwell_emergency_local_swelling_urgent():
    assert level("ischial_bursitis", flags={"fever_chills_or_unwell": True},
                 findings={"systemically_unwell": True}).level == "emergency"
    assert level("ischial_bursitis", flags={"fever_chills_or_unwell": True}).level == "urgent"
    assert level("ischial_bursitis", findings={"local_redness_warmth_swelling": True}).level == "urgent"
    assert level("sciatica_lumbar_radiculopathy", flags={"fever_chills_or_unwell": True}).level == "emergency"
    assert level("ischial_bursitis", findings={"temperature_c": 38.6}).level == "urgent"


def test_trauma_levels():
    assert level(flags={"trauma_fracture_signs": True}, findings={"weight_bearing": "unable"}).level == "emergency"
    assert level(flags={"trauma_fracture_signs": True}, findings={"high_energy_trauma": True}).level == "emergency"
    assert level(flags={"trauma_fracture_signs": True}, findings={"weight_bearing": "full"}).level == "urgent"
    assert level(flags={"trauma_fracture_signs": True}).level == "emergency"  # not assessed: conservative


def test_avulsion_urgent_unless_cleared():
    assert level("hamstring_strain", flags={"suspected_tendon_or_apophyseal_avulsion": True}).level == "urgent"
    assert level("hamstring_strain", findings={"palpable_gap": True}).level == "urgent"
    assert level("hamstring_strain", grade=3, findings={"pop_at_injury": True}).level == "urgent"
    assert level("hamstring_strain", grade=3, findings={"pop_at_injury": True,
                                                        "orthopaedic_clearance": True}).allowed
    young = level("hamstring_strain", grade=1, age=15, findings={"pop_at_injury": True})
    assert young.level == "urgent" and "apophyseal" in " ".join(young.reasons)


def test_vascular_levels():
    assert level("lumbar_spinal_stenosis", flags={"vascular_claudication_pattern": True}).level == "urgent"
    assert level("lumbar_spinal_stenosis", flags={"vascular_claudication_pattern": True},
                 findings={"rest_pain_or_cold_pale_foot": True}).level == "emergency"


def test_progressive_deficit_levels():
    assert level(flags={"progressive_neuro_deficit": True}).level == "urgent"
    assert level(findings={"neuro_exam": "progressive_deficit"}).level == "urgent"
    assert level(flags={"progressive_neuro_deficit": True}, side="bilateral").level == "emergency"


def test_night_pain_levels():
    assert level(flags={"night_pain_or_cancer_history": True}).level == "urgent"
    assert level(flags={"night_pain_or_cancer_history": True},
                 findings={"neuro_exam": "stable_deficit"}).level == "emergency"


def test_obstetric_contraindication_refuses():
    result = level("sacroiliac_joint_dysfunction", pregnancy={"pregnant": True, "weeks": 30,
                                                                "obstetric_contraindication": True})
    assert result.level == "urgent" and any("Maternity" in r for r in result.refer_to)


def test_several_flags_take_the_highest_level_and_keep_every_reason():
    result = level(flags={"progressive_neuro_deficit": True, "saddle_anaesthesia": True})
    assert result.level == "emergency" and len(result.reasons) == 2
