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


# ---- conservative readings of section 3 (see the notes in each test)

def test_wells_signs_count_as_symptoms_even_if_the_box_was_not_ticked():
    """A swollen, pitting calf is a DVT symptom; only risk factors alone may proceed."""
    result = level("hamstring_strain", flags={"dvt": {"symptoms_present": False, "wells_items": [
        "calf_swelling_3cm", "pitting_oedema"]}})
    assert result.wells_score == 2 and result.level == "emergency"
    result = level("hamstring_strain", flags={"dvt": {"wells_items": ["previous_dvt", "bedridden_or_recent_surgery"]}})
    assert result.allowed and result.wells_score is None


@pytest.mark.parametrize("pregnancy", [{"pregnant": True, "weeks": 30}, {"months_post_partum": 2}])
def test_dvt_symptoms_in_pregnancy_or_post_partum_are_emergency_whatever_the_score(pregnancy):
    result = level("sacroiliac_joint_dysfunction", pregnancy=pregnancy, flags={"dvt": {
        "symptoms_present": True, "wells_items": ["calf_swelling_3cm"]}})
    assert result.wells_score == 1 and result.level == "emergency"


def test_dvt_long_after_birth_follows_the_wells_rule():
    result = level("sacroiliac_joint_dysfunction", pregnancy={"months_post_partum": 8}, flags={"dvt": {
        "symptoms_present": True, "wells_items": ["calf_swelling_3cm"]}})
    assert result.level == "urgent"


@pytest.mark.parametrize("diagnosis, expected", [
    ("proximal_hamstring_tendinopathy", "emergency"),  # deep lower-buttock pain
    ("piriformis_syndrome", "emergency"),
    ("sacroiliac_joint_dysfunction", "emergency"),
    ("referred_pain_lumbar_facet", "emergency"),
    ("lumbar_spinal_stenosis", "emergency"),
    ("hamstring_strain", "urgent"),
    ("muscle_cramps", "urgent"),
    ("sitting_related_posterior_thigh_soreness", "urgent"),
    ("ischial_bursitis", "urgent"),  # septic bursitis in someone otherwise well
])
def test_fever_level_depends_on_spinal_or_deep_buttock_pain(diagnosis, expected):
    assert level(diagnosis, findings={"temperature_c": 38.4}).level == expected
    assert level(diagnosis, findings={"temperature_c": 38.4, "systemically_unwell": True}).level == "emergency"


def test_temperature_below_38_is_not_fever():
    assert level("hamstring_strain", findings={"temperature_c": 37.6}).allowed


@pytest.mark.parametrize("findings", [{"weight_bearing": "unable"}, {"walking": "unable"}])
def test_unable_to_bear_weight_is_emergency_even_without_the_trauma_flag(findings):
    assert level("hamstring_strain", findings=findings).level == "emergency"


@pytest.mark.parametrize("findings, expected", [
    ({"weight_bearing": "full"}, "urgent"),
    ({"walking": "painful"}, "urgent"),
    ({"weight_bearing": "partial"}, "urgent"),  # "who can still walk", if only with a limp
    ({"walking": "aided"}, "urgent"),
    ({"weight_bearing": "unable", "walking": "aided"}, "emergency"),
    ({}, "emergency"),  # weight-bearing not assessed: conservative
    ({"weight_bearing": "full", "high_energy_trauma": True}, "emergency"),
])
def test_minor_fall_levels(findings, expected):
    assert level("hamstring_strain", flags={"trauma_fracture_signs": True}, findings=findings,
                 comorbidities=["osteoporosis"]).level == expected


def test_high_energy_trauma_alone_is_emergency():
    assert level("hamstring_strain", findings={"high_energy_trauma": True, "weight_bearing": "full"}).level == "emergency"


def test_cold_pale_foot_is_emergency_even_without_the_claudication_flag():
    assert level("muscle_cramps", findings={"rest_pain_or_cold_pale_foot": True}).level == "emergency"


def test_cancer_history_comorbidity_is_a_risk_factor_not_a_red_flag():
    """Reference 2.3: routine GP review with a non-traumatic diagnosis, none with a strain."""
    facet = level("referred_pain_lumbar_facet", comorbidities=["cancer_history"])
    assert facet.allowed and facet.level == "routine" and "GP" in " ".join(facet.refer_to)
    strain = level("hamstring_strain", grade=1, comorbidities=["cancer_history"])
    assert strain.allowed and strain.level == "none"
    # with neurological signs it is still no red flag by itself (only the flag is)
    assert level("referred_pain_lumbar_facet", comorbidities=["cancer_history"],
                 findings={"neuro_exam": "stable_deficit"}).allowed


def test_active_cancer_wells_item_only_scores_wells():
    result = level("referred_pain_lumbar_facet", red_flags={"dvt": {"wells_items": ["active_cancer"]}})
    assert result.allowed and result.level == "none" and result.wells_score is None


def test_the_night_pain_or_cancer_flag_refuses():
    assert level("referred_pain_lumbar_facet", flags={"night_pain_or_cancer_history": True}).level == "urgent"
    assert level("referred_pain_lumbar_facet", flags={"night_pain_or_cancer_history": True},
                 findings={"neuro_exam": "stable_deficit"}).level == "emergency"


def test_side_bilateral_is_where_the_symptoms_are_not_a_red_flag():
    """Reference 2.3: only red_flags.new_bilateral_leg_symptoms is the cauda equina warning."""
    for dx in ("sciatica_lumbar_radiculopathy", "lumbar_spinal_stenosis", "sacroiliac_joint_dysfunction",
               "referred_pain_lumbar_facet"):
        assert level(dx, side="bilateral").allowed
    assert level("sciatica_lumbar_radiculopathy", side="bilateral",
                 flags={"new_bilateral_leg_symptoms": True}).level == "emergency"


def test_adolescent_avulsion_wording_and_adult_pop_alone():
    assert level("hamstring_strain", grade=2, age=25, findings={"pop_at_injury": True}).allowed
    young = level("proximal_hamstring_tendinopathy", age=14, flags={"suspected_tendon_or_apophyseal_avulsion": True})
    assert young.level == "urgent" and "X-ray" in " ".join(young.reasons)


def test_avulsion_flag_refuses_even_with_orthopaedic_clearance():
    assert level("hamstring_strain", grade=3, flags={"suspected_tendon_or_apophyseal_avulsion": True},
                 findings={"orthopaedic_clearance": True}).level == "urgent"


def test_grade_3_without_avulsion_signs_gets_a_plan():
    assert level("hamstring_strain", grade=3, findings={"walking": "aided"}).allowed


def test_obstetric_contraindication_refuses_even_if_pregnant_was_not_ticked():
    assert level("sacroiliac_joint_dysfunction", pregnancy={"obstetric_contraindication": True}).level == "urgent"


def test_every_refusal_names_where_to_refer():
    for flags in ({"bladder_bowel_change": True}, {"vascular_claudication_pattern": True},
                  {"night_pain_or_cancer_history": True}, {"progressive_neuro_deficit": True}):
        result = level(flags=flags)
        assert result.refer_to and all(r.strip() for r in result.reasons)


@pytest.mark.parametrize("medications, says", [(["anticoagulant"], True), (["antiplatelet"], True),
                                               (["oral_contraceptive"], False), (["corticosteroid"], False)])
def test_haematoma_reason_mentions_blood_thinners_only_when_taken(medications, says):
    result = level("hamstring_strain", flags={"expanding_haematoma_or_compartment_signs": True},
                   medications=medications)
    assert result.level == "emergency"
    assert ("blood thinners" in result.reasons[0]) == says
