"""Patient states and exclusions: the one function that decides whether an exercise
may appear in a phase. Used for assembly, alternatives and clinician changes alike."""

from __future__ import annotations

from rehab.library.schema import Exercise
from rehab.planner.intake import Intake
from rehab.planner.protocols import Exclusion, Rules
from rehab.planner.triage import BLOOD_THINNERS, is_pregnant
from rehab.vocab import CODE_BY_PHASE

SPINE_DIAGNOSES = {"sciatica_lumbar_radiculopathy", "referred_pain_lumbar_facet", "lumbar_spinal_stenosis"}


def patient_states(intake: Intake) -> set[str]:
    """The states exercise files and rules.yaml speak of (vocab.STATES), from the intake."""
    f, preg = intake.findings, intake.pregnancy
    states = set(intake.comorbidities) | set(intake.medications)
    if is_pregnant(intake):
        states.add("pregnant")
        # Weeks not given: assume past the first trimester (conservative).
        if preg.weeks is None or preg.weeks >= 13:
            states.add("pregnant_after_12_weeks")
        if intake.diagnosis == "sacroiliac_joint_dysfunction":
            states.add("pregnancy_pgp")
    if intake.age is not None and intake.age >= 65:
        states.add("age_65_plus")
    if f.neuro_exam == "stable_deficit" or "stable_neuro_deficit" in states:
        states.add("neuro_deficit")
    if f.neuro_exam == "normal" and "neuro_deficit" not in states:
        states.add("neuro_exam_normal")
    if BLOOD_THINNERS & states:
        states.add("anticoagulated")
    if "vertebral_fracture_history" in states:
        states.add("osteoporosis")  # a vertebral fragility fracture implies the osteoporosis rules
    preference = f.directional_preference
    if intake.diagnosis in SPINE_DIAGNOSES:
        if preference in ("extension", "flexion"):
            states.add(f"directional_preference_{preference}")
        else:
            states.add("directional_preference_unclear")
    return states


def _matches(exercise: Exercise, rule: Exclusion, meanings: dict[str, str]) -> str | None:
    """What part of an exclusion rule the exercise hits, in words; None if it passes."""
    if exercise.id in rule.ids:
        return exercise.name
    if exercise.category in rule.categories:
        return f"{exercise.category.replace('_', ' ')} exercises"
    hit = [t for t in exercise.tags if t in rule.tags]
    return ", ".join(f"{meanings.get(t, t)} ({t})" for t in hit) if hit else None


def direction_rules(intake: Intake) -> list[tuple[set[str], str]]:
    """Sciatica: the peripheralising direction is excluded in every phase (reference 2.2)."""
    if intake.diagnosis != "sciatica_lumbar_radiculopathy":
        return []
    pref = intake.findings.directional_preference
    if pref == "extension":
        return [({"end_range_spinal_flexion", "loaded_spinal_flexion"},
                 "flexion is the peripheralising direction (extension preference)")]
    if pref == "flexion":
        return [({"lumbar_extension"}, "extension is the peripheralising direction (flexion preference)")]
    return [({"lumbar_extension", "end_range_spinal_flexion"},
             "no directional preference established: no end-range spinal movement until it is")]


def exclusion_reason(exercise: Exercise, phase: str, intake: Intake, states: set[str],
                     rules: Rules, severe: bool = False, intratendinous: bool = False) -> str | None:
    """Why `exercise` may not appear in `phase` for this patient, or None if it may."""
    code = CODE_BY_PHASE[phase]
    dx = intake.diagnosis
    if exercise.retired:
        return "retired from the library"
    # Section 2.1 modifiers
    for state in sorted(states):
        modifier = rules.modifiers.get(state)
        if modifier is None:
            continue
        if exercise.id in modifier.exclude_ids:
            return f"{modifier.label}: not suitable"
        hit = [t for t in exercise.tags if t in modifier.exclude_tags]
        if hit:
            return f"{modifier.label}: excludes {', '.join(rules.tag_meanings.get(t, t) for t in hit)} ({', '.join(hit)})"
    # Section 2.2 condition x phase
    keys = [dx]
    if dx == "hamstring_strain" and (severe or intratendinous):
        keys.append("hamstring_strain_severe")
    if dx == "hamstring_strain" and intratendinous:
        keys.append("hamstring_strain_intratendinous")
    if dx == "hamstring_strain" and intake.findings.askling_h_test_insecurity is not False:
        keys.append("hamstring_strain_h_test_not_secure")
    if dx == "piriformis_syndrome" and "neuro_deficit" in states:
        keys.append("sciatica_lumbar_radiculopathy")  # 1.4: a deficit is managed as radiculopathy
    for key in keys:
        cond = rules.conditions.get(key)
        if cond is None:
            continue
        for scope, rule in (("in every phase", cond.all), (f"in {code}", getattr(cond, code))):
            hit = _matches(exercise, rule, rules.tag_meanings)
            if hit:
                return f"{cond.label}: no {hit} {scope}"
    if dx == "sciatica_lumbar_radiculopathy" and "neural_tensioner" in exercise.tags \
            and "neuro_exam_normal" not in states:
        return "Sciatica: nerve tensioners only with a normal neurological examination"
    for tags, why in direction_rules(intake):
        hit = [t for t in exercise.tags if t in tags]
        if hit:
            return f"Sciatica: {why} ({', '.join(hit)})"
    # The exercise's own contraindications
    hit = [s for s in exercise.avoid_with if s in states]
    if hit:
        return f"Exercise contraindicated with {', '.join(s.replace('_', ' ') for s in hit)}"
    missing = [s for s in exercise.only_with if s not in states]
    if missing:
        return f"Exercise only given with {', '.join(s.replace('_', ' ') for s in missing)}"
    for key in (dx, "all"):
        if code in exercise.avoid_in.get(key, []):
            return f"Exercise not used in {code} for {'any condition' if key == 'all' else dx.replace('_', ' ')}"
    return None
