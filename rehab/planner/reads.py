"""Which intake findings the planner reads for a diagnosis, so that the portal asks for
exactly those: the findings its protocol's criteria read (a derived value such as
`bridge_pct` stands for the findings it is computed from), the inputs of the
irritability rule, and the examination findings that its triage and safety rules read.

Forms are built from this and the `Findings` model; tests check it against
`phase.derived_findings`, so a new criterion or derived value cannot be left out.
"""

from __future__ import annotations

from functools import lru_cache

from rehab.planner.intake import Findings
from rehab.planner.protocols import load_protocols

# Derived values (phase.derived_findings) -> the findings each is computed from.
DERIVED_FROM = {
    "running_pct": ("running_pain_free_pct", "sprint_95pct_pain_free"),
    "walking_pain_free": ("walking", "slow_jog_pain_free", "running_pain_free_pct", "sprint_95pct_pain_free"),
    "slow_jog_ok": ("slow_jog_pain_free", "running_pain_free_pct", "sprint_95pct_pain_free"),
    "isometric_ok": ("isometric_50_70_pain_free", "knee_flexion_max_pain_free", "strength_pct_other_side"),
    "knee_flexion_strong": ("knee_flexion_max_pain_free", "strength_pct_other_side"),
    "bridge_reps": ("single_leg_bridge_reps",),
    "bridge_pct": ("single_leg_bridge_reps",),
    "h_test_secure": ("askling_h_test_insecurity",),
    "not_irritable": ("nprs_rest", "nprs_activity", "nprs_walking", "sitting_nprs", "back_nprs", "leg_nprs",
                      "response_24h"),
}
# phase.irritable also reads the straight-leg raise for radicular pain (reference 0.3).
RADICULAR_IRRITABILITY = ("slr_deg",)

# Asked for every diagnosis: the reassessment moves both on with the calendar, the acute
# muscle rule reads days_since_onset, and the referral letter reports them.
HISTORY = ("days_since_onset", "weeks_in_programme")

# Examination findings that triage.py and safety.py read beyond the phase criteria (the
# red-flag screen's follow-ups, such as temperature, are asked for every diagnosis there).
SCREENING = {
    "hamstring_strain": ("walking", "weight_bearing", "pop_at_injury", "palpable_gap", "bony_tenderness",
                         "orthopaedic_clearance", "medical_clearance", "askling_h_test_insecurity"),
    "proximal_hamstring_tendinopathy": ("medical_clearance",),  # the Nordic in P4 (2.3)
    "sciatica_lumbar_radiculopathy": ("leg_nprs", "back_nprs", "neuro_exam", "directional_preference"),
    "piriformis_syndrome": ("neuro_exam",),
    "sacroiliac_joint_dysfunction": ("walking",),
    "lumbar_spinal_stenosis": ("neuro_exam", "directional_preference"),
    "ischial_bursitis": ("walking", "weight_bearing", "local_redness_warmth_swelling"),  # 2.3 walking rule
    "referred_pain_lumbar_facet": ("leg_nprs", "back_nprs", "neuro_exam", "directional_preference"),
    "muscle_cramps": ("medical_clearance",),
}


def criteria_findings(diagnosis: str) -> list[str]:
    """The finding names the diagnosis's entry and exit criteria read, derived ones included."""
    protocol = load_protocols()[0][diagnosis]
    names = []
    for phase in protocol.phases.values():
        for criterion in list(phase.exit) + list(phase.start_if or []):
            if criterion.finding and criterion.finding not in names:
                names.append(criterion.finding)
    return names


def expand(name: str, kind: str) -> tuple[str, ...]:
    """The intake findings behind one criterion finding."""
    if name == "not_irritable" and kind == "radicular":
        return DERIVED_FROM[name] + RADICULAR_IRRITABILITY
    return DERIVED_FROM.get(name, (name,))


@lru_cache(maxsize=None)
def findings_read(diagnosis: str) -> tuple[str, ...]:
    """The findings to ask for this diagnosis, in the order of the `Findings` model."""
    kind = load_protocols()[0][diagnosis].kind
    wanted = set(HISTORY) | set(SCREENING.get(diagnosis, ()))
    for name in criteria_findings(diagnosis):
        wanted.update(expand(name, kind))
    return tuple(n for n in Findings.model_fields if n in wanted)
