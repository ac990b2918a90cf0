"""Reference sections 2.1 and 2.2 (and the sciatica rules of 1.3 and 2.2), copied by hand
from the clinical reference (reference.md) as the tests' oracle.

Deliberately independent of exercises/protocols/rules.yaml and of rehab/planner/safety.py:
a typo or a dropped line in the data, or a bug in the planner's state derivation, fails
the tests instead of being checked against itself. The planner may exclude *more*
(conservative choices), never less.
"""

from __future__ import annotations

# ---- 2.1 comorbidity and caution modifiers: state -> (tags, exercise ids)
_OSTEO = {"loaded_spinal_flexion", "end_range_spinal_flexion", "high_impact", "plyometric",
          "fall_forward_risk", "aggressive_end_range_stretch"}
_OLD = {"fall_forward_risk", "single_leg_unsupported"}  # "unsupported single-leg work only with a hand hold"
MODIFIERS: dict[str, tuple[set[str], set[str]]] = {
    "pregnant": ({"prone_position", "high_impact", "plyometric", "impact", "agility_cutting",
                  "max_velocity_sprint", "loaded_spinal_flexion", "fall_forward_risk",
                  "single_leg_unsupported"}, set()),
    "pregnant_from_13_weeks": ({"supine_position"}, set()),
    "pregnancy_pgp": ({"asymmetric_pelvic_load"}, set()),
    "osteoporosis": (_OSTEO, set()),
    "vertebral_fracture_history": (_OSTEO | {"impact", "max_velocity_sprint", "agility_cutting"}, set()),
    # high-load eccentric only from P4 *and* with medical clearance (2.3): see exempt().
    "anticoagulated": ({"soft_tissue_compression", "high_load_eccentric", "fall_forward_risk"}, set()),
    # ---- 2.3 (second edition)
    "frail": ({"single_leg_unsupported", "fall_forward_risk"}, {"lunge_walk_rotation"}),
    "walking_limited": ({"single_leg_unsupported"}, {"single_leg_stance", "single_leg_airplane"}),
    "post_partum_early": ({"running", "impact", "high_impact", "plyometric", "agility_cutting",
                           "max_velocity_sprint"}, set()),
    "post_partum_pgp": ({"asymmetric_pelvic_load"}, set()),
    "daily_living": ({"max_velocity_sprint", "agility_cutting", "plyometric", "high_impact",
                      "high_load_eccentric"}, set()),
    "age_65_plus": (_OLD, set()),
    "falls_risk": (_OLD, set()),
    "cold_intolerance": (set(), {"ice_pack"}),
    "peripheral_artery_disease": (set(), {"ice_pack", "compression_wrap"}),
    "stable_neuro_deficit": ({"neural_tensioner"}, set()),
    "lumbar_fusion_recent": ({"lumbar_extension", "end_range_spinal_flexion"}, set()),
}

# ---- 2.2 condition x phase: diagnosis -> scope -> (tags, categories, ids); scope "all" or P1..P4
CONDITIONS: dict[str, dict[str, tuple[set[str], set[str], set[str]]]] = {
    "hamstring_strain": {
        "P1": ({"hamstring_static_stretch", "aggressive_end_range_stretch", "soft_tissue_compression",
                "heat_application"}, {"eccentric", "plyometric_running"}, set()),
        "P2": ({"max_velocity_sprint", "high_impact", "aggressive_end_range_stretch"}, set(),
               {"nordic_hamstring_curl"}),
    },
    "proximal_hamstring_tendinopathy": {
        "all": ({"aggressive_end_range_stretch"}, set(), set()),
        "P1": ({"deep_hip_flexion_compression", "hamstring_static_stretch"}, {"plyometric_running"},
               {"nordic_hamstring_curl"}),
        "P2": ({"deep_hip_flexion_compression", "hamstring_static_stretch", "max_velocity_sprint",
                "high_impact"}, set(), set()),
    },
    "sciatica_lumbar_radiculopathy": {
        "all": ({"aggressive_end_range_stretch"}, set(), set()),
        "P1": ({"neural_tensioner", "hamstring_static_stretch", "loaded_spinal_flexion",
                "high_load_eccentric"}, {"plyometric_running"}, set()),
    },
    "lumbar_spinal_stenosis": {"all": ({"lumbar_extension", "prone_position"}, set(), set())},
    "ischial_bursitis": {
        "all": ({"soft_tissue_compression"}, set(), set()),
        "P1": ({"deep_hip_flexion_compression", "hamstring_static_stretch"}, set(), {"stationary_cycling"}),
        "P2": ({"deep_hip_flexion_compression"}, set(), set()),
    },
    "referred_pain_lumbar_facet": {
        "P1": ({"lumbar_extension"}, set(), set()),
        "P2": ({"lumbar_extension"}, set(), set()),
    },
    "sacroiliac_joint_dysfunction": {
        "all": ({"aggressive_end_range_stretch"}, set(), set()),
        "P1": ({"asymmetric_pelvic_load"}, {"plyometric_running"}, set()),
        "P2": ({"high_impact"}, set(), set()),
    },
}

PHASE_CODES = ("P1", "P2", "P3", "P4")


def states(raw: dict) -> set[str]:
    """The modifier rows of 2.1 that apply to a raw intake (the contract's JSON)."""
    out = set(raw.get("comorbidities", [])) | set(raw.get("medications", []))
    preg = raw.get("pregnancy") or {}
    if preg.get("pregnant"):
        out.add("pregnant")
        weeks = preg.get("weeks")
        if weeks is None or weeks >= 13:  # weeks not known: conservative
            out.add("pregnant_from_13_weeks")
        if raw["diagnosis"] == "sacroiliac_joint_dysfunction":
            out.add("pregnancy_pgp")
    months = preg.get("months_post_partum")
    if months is not None and months < 3 and not preg.get("pregnant"):
        out.add("post_partum_early")
        if raw["diagnosis"] == "sacroiliac_joint_dysfunction":
            out.add("post_partum_pgp")
    if (raw.get("age") or 0) >= 65:
        out.add("age_65_plus")
    frail = "age_65_plus" in out or {"osteoporosis", "vertebral_fracture_history", "falls_risk"} & out
    if frail:
        out.add("frail")
    if raw.get("activity_level", "daily_living" if frail else "recreational_sport") == "daily_living":
        out.add("daily_living")
    findings = raw.get("findings") or {}
    if raw["diagnosis"] in ("hamstring_strain", "ischial_bursitis") and (
            findings.get("weight_bearing") == "partial" or findings.get("walking") in ("aided", "antalgic")):
        out.add("walking_limited")
    if {"anticoagulant", "antiplatelet"} & out:
        out.add("anticoagulated")
    if (raw.get("findings") or {}).get("neuro_exam") == "stable_deficit":
        out.add("stable_neuro_deficit")
    if "vertebral_fracture_history" in out:
        out.add("osteoporosis")
    return out


def exempt(raw: dict, code: str, exercise_id: str) -> set[str]:
    """2.3: with medical clearance the Nordic is allowed from P4 despite blood thinners."""
    cleared = (raw.get("findings") or {}).get("medical_clearance")
    return {"anticoagulated"} if cleared and code == "P4" and exercise_id == "nordic_hamstring_curl" else set()


def forbidden(raw: dict, code: str, exercise_id: str = "") -> tuple[set[str], set[str], set[str]]:
    """(tags, categories, ids) the reference forbids for this intake in phase `code`
    (for `exercise_id`, when an exemption of 2.3 may apply to it)."""
    tags, cats, ids = set(), set(), set()
    for state in states(raw) - exempt(raw, code, exercise_id):
        t, i = MODIFIERS.get(state, (set(), set()))
        tags |= t
        ids |= i
    dx = raw["diagnosis"]
    for scope in ("all", code):
        t, c, i = CONDITIONS.get(dx, {}).get(scope, (set(), set(), set()))
        tags |= t
        cats |= c
        ids |= i
    findings = raw.get("findings") or {}
    if dx == "hamstring_strain":
        bamic = findings.get("bamic") or ""
        if (raw.get("grade") == 3 or bamic.endswith("c") or bamic[:1] in ("3", "4")) and code == "P3":
            tags.add("max_velocity_sprint")  # grade 3 / BAMIC c: out of P3 as well
            ids.add("nordic_hamstring_curl")
        if bamic.endswith("c") and code == "P2":  # Diver and Glider delayed by one phase
            ids |= {"askling_diver", "askling_glider"}
    if dx == "sciatica_lumbar_radiculopathy":
        tags |= peripheralising(findings.get("directional_preference"))
        if findings.get("neuro_exam") != "normal":  # tensioners only when neurologically normal
            tags.add("neural_tensioner")
    return tags, cats, ids


def peripheralising(preference: str | None) -> set[str]:
    """Sciatica: the direction to avoid (1.3). Unknown: neither end-range direction."""
    if preference == "extension":
        return {"end_range_spinal_flexion", "loaded_spinal_flexion"}
    if preference == "flexion":
        return {"lumbar_extension"}
    return {"lumbar_extension", "end_range_spinal_flexion"}
