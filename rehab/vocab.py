"""The contract's fixed vocabularies (documented in docs/contract.md), in one place.

Plain tuples so that the library schema, the planner, the forms and the tests
all check against the same words.
"""

DIAGNOSES = (
    "hamstring_strain",
    "proximal_hamstring_tendinopathy",
    "sciatica_lumbar_radiculopathy",
    "piriformis_syndrome",
    "sacroiliac_joint_dysfunction",
    "lumbar_spinal_stenosis",
    "ischial_bursitis",
    "referred_pain_lumbar_facet",
    "muscle_cramps",
    "sitting_related_posterior_thigh_soreness",
)

PHASES = (
    "P1_acute_protection",
    "P2_progressive_strengthening",
    "P3_stabilisation_functional",
    "P4_return_to_activity",
)
# Short phase codes used in data files: "P1" .. "P4".
PHASE_CODES = ("P1", "P2", "P3", "P4")
PHASE_BY_CODE = dict(zip(PHASE_CODES, PHASES))
CODE_BY_PHASE = dict(zip(PHASES, PHASE_CODES))

CATEGORIES = (
    "mobility",
    "isometric",
    "strengthening_concentric",
    "eccentric",
    "neural_mobilisation",
    "core_stabilisation",
    "balance_proprioception",
    "plyometric_running",
    "ergonomics_education",
    "cryotherapy_rice",
)

TAGS = (
    "supine_position",
    "prone_position",
    "lumbar_extension",
    "end_range_spinal_flexion",
    "loaded_spinal_flexion",
    "hamstring_static_stretch",
    "aggressive_end_range_stretch",
    "deep_hip_flexion_compression",
    "soft_tissue_compression",
    "hamstring_lengthened_eccentric",
    "high_load_eccentric",
    "fall_forward_risk",
    "single_leg_unsupported",
    "asymmetric_pelvic_load",
    "neural_slider",
    "neural_tensioner",
    "running",
    "impact",
    "high_impact",
    "plyometric",
    "agility_cutting",
    "max_velocity_sprint",
    "heat_application",
)

SEXES = ("female", "male", "other", "unspecified")
# What the patient returns to (contract second edition, reference 2.3).
ACTIVITY_LEVELS = ("competitive_sport", "recreational_sport", "daily_living")
SIDES = ("left", "right", "bilateral", "unspecified")

COMORBIDITIES = (
    "osteoporosis",
    "vertebral_fracture_history",
    "falls_risk",
    "cold_intolerance",
    "peripheral_artery_disease",
    "stable_neuro_deficit",
    "lumbar_fusion_recent",
    "diabetes",
    "smoker",
    "atrial_fibrillation",
    "cardiac_disease",
    "cancer_history",
    "immunosuppressed",
)

MEDICATIONS = ("anticoagulant", "antiplatelet", "oral_contraceptive", "corticosteroid")

RED_FLAGS = (
    "bladder_bowel_change",
    "saddle_anaesthesia",
    "new_bilateral_leg_symptoms",
    "fever_chills_or_unwell",
    "trauma_fracture_signs",
    "suspected_tendon_or_apophyseal_avulsion",
    "vascular_claudication_pattern",
    "progressive_neuro_deficit",
    "night_pain_or_cancer_history",
    "chest_pain_or_breathlessness",
    "expanding_haematoma_or_compartment_signs",
)

WELLS_ITEMS = (
    "active_cancer",
    "paralysis_or_recent_cast",
    "bedridden_or_recent_surgery",
    "deep_vein_tenderness",
    "entire_leg_swollen",
    "calf_swelling_3cm",
    "pitting_oedema",
    "collateral_superficial_veins",
    "previous_dvt",
    "alternative_dx_as_likely",
)

REFERRAL_LEVELS = ("none", "routine", "urgent", "emergency")

# Patient states an exercise file can name in `avoid_with` / `only_with`.
# They are derived by the planner from the intake (see planner/states.py).
STATES = (
    COMORBIDITIES
    + MEDICATIONS
    + (
        "pregnant",  # any week of pregnancy
        "pregnant_after_12_weeks",  # from week 13: no lying flat on the back
        "pregnancy_pgp",  # pregnant with pelvic girdle (SIJ) pain
        "age_65_plus",
        "neuro_deficit",  # stable deficit on exam or in the comorbidities
        "neuro_exam_normal",  # neuro exam assessed and normal
        "directional_preference_extension",
        "directional_preference_flexion",
        "directional_preference_unclear",  # none / unknown / not assessed
        "anticoagulated",  # anticoagulant or antiplatelet
        "medically_cleared",  # anticoagulated, and a doctor cleared high eccentric load (2.3)
        "frail",  # 65+, osteoporosis, vertebral fracture or falls risk (2.3)
        "post_partum_early",  # under 3 months after giving birth (2.3)
        "post_partum_pgp",  # pelvic girdle (SIJ) pain under 3 months after birth (2.3)
        "walking_limited",  # partial weight-bearing, or aided or antalgic gait (2.3)
        "awaiting_orthopaedic_opinion",  # grade 3 / BAMIC 3-4 strain without clearance (2.3)
        "acute_window",  # hamstring strain in its first 72 hours (or days not recorded)
        "past_acute_window",  # hamstring strain 3 or more days after the injury
        "goal_daily_living",  # activity_level daily_living, given or assumed (2.3)
        "goal_recreational_sport",
        "goal_competitive_sport",
    )
)
