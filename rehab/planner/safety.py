"""Patient states and exclusions: the one function that decides whether an exercise
may appear in a phase. Used for assembly, alternatives and clinician changes alike.

`exclusion_reason` reads a table of small rules, in the order of reference 0.1:
the 2.1 / 2.3 modifiers, the 2.2 condition x phase table, the sciatica direction
rules, then the exercise's own contraindications. The first rule that objects gives
the reason, in words a clinician reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from rehab.library.schema import Exercise
from rehab.planner.intake import Intake
from rehab.planner.protocols import Exclusion, Rules
from rehab.planner.triage import BLOOD_THINNERS, is_pregnant, severe_strain
from rehab.vocab import CODE_BY_PHASE

SPINE_DIAGNOSES = {"sciatica_lumbar_radiculopathy", "referred_pain_lumbar_facet", "lumbar_spinal_stenosis"}
FRAIL_AGE = 65
FRAIL_CONDITIONS = {"osteoporosis", "vertebral_fracture_history", "falls_risk"}
POST_PARTUM_EARLY_MONTHS = 3  # 2.3: fewer than 3 months after birth
ACUTE_DAYS = 3  # the first 72 hours after a muscle injury
SPORT_LEVELS = ("competitive_sport", "recreational_sport")  # recorded, not assumed
WALKING_RULE_DIAGNOSES = {"hamstring_strain", "ischial_bursitis"}  # 2.3 weight-bearing


def is_frail(intake: Intake) -> bool:
    """Reference 2.3: age 65 or over, osteoporosis, a vertebral fracture or falls risk."""
    return (intake.age is not None and intake.age >= FRAIL_AGE) or bool(
        FRAIL_CONDITIONS & set(intake.comorbidities))


def activity_goal(intake: Intake) -> tuple[str, str | None]:
    """(activity level planned for, the assumption made when it was not given)."""
    if intake.activity_level:
        return intake.activity_level, None
    if is_frail(intake):
        return "daily_living", ("Activity goal not recorded: planned for daily living (stairs, walking, "
                                "work and home tasks) because of age 65 or over, osteoporosis, a "
                                "vertebral fracture or falls risk. Record the goal if the patient "
                                "returns to sport.")
    return "recreational_sport", ("Activity goal not recorded: planned for recreational sport. Record "
                                  "competitive sport or daily living if that is the patient's goal.")


def walking_limited(intake: Intake) -> bool:
    f = intake.findings
    return intake.diagnosis in WALKING_RULE_DIAGNOSES and (
        f.weight_bearing == "partial" or f.walking in ("aided", "antalgic"))


def post_partum_early(intake: Intake) -> bool:
    months = intake.pregnancy.months_post_partum
    return months is not None and months < POST_PARTUM_EARLY_MONTHS and not is_pregnant(intake)


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
    if post_partum_early(intake):
        states.add("post_partum_early")
        if intake.diagnosis == "sacroiliac_joint_dysfunction":
            states.add("post_partum_pgp")
    if intake.age is not None and intake.age >= FRAIL_AGE:
        states.add("age_65_plus")
    if is_frail(intake):
        states.add("frail")
    if walking_limited(intake):
        states.add("walking_limited")
    if severe_strain(intake) and not f.orthopaedic_clearance:
        states.add("awaiting_orthopaedic_opinion")
    if intake.diagnosis == "hamstring_strain":  # 72-hour care (HARM, ice every 2-3 h) and after
        recorded = f.days_since_onset is not None and f.days_since_onset >= ACUTE_DAYS
        states.add("past_acute_window" if recorded else "acute_window")
    states.add("goal_" + activity_goal(intake)[0])
    if f.neuro_exam == "stable_deficit" or "stable_neuro_deficit" in states:
        states.add("neuro_deficit")
    if f.neuro_exam == "normal" and "neuro_deficit" not in states:
        states.add("neuro_exam_normal")
    if BLOOD_THINNERS & states:
        states.add("anticoagulated")
        if f.medical_clearance:
            states.add("medically_cleared")
    if "vertebral_fracture_history" in states:
        states.add("osteoporosis")  # a vertebral fragility fracture implies the osteoporosis rules
    preference = f.directional_preference
    if intake.diagnosis in SPINE_DIAGNOSES:
        if preference in ("extension", "flexion"):
            states.add(f"directional_preference_{preference}")
        else:
            states.add("directional_preference_unclear")
    return states


@dataclass(frozen=True)
class Patient:
    """What the exclusion rules read, derived once per plan."""

    intake: Intake
    states: frozenset[str]
    rules: Rules
    condition_keys: tuple[str, ...]  # the rows of rules.yaml `conditions` that apply


def patient_for(intake: Intake, states: set[str], rules: Rules, severe: bool = False,
                intratendinous: bool = False) -> Patient:
    dx = intake.diagnosis
    keys = [dx]
    if dx == "hamstring_strain" and (severe or intratendinous):
        keys.append("hamstring_strain_severe")
    if dx == "hamstring_strain" and intratendinous:
        keys.append("hamstring_strain_intratendinous")
    if dx == "hamstring_strain" and intake.findings.askling_h_test_insecurity is not False:
        keys.append("hamstring_strain_h_test_not_secure")
    if dx == "muscle_cramps" and intake.activity_level not in SPORT_LEVELS:
        keys.append("muscle_cramps_not_athlete")  # 1.9: the Nordic progression is for athletes
    if dx == "piriformis_syndrome" and "neuro_deficit" in states:
        keys.append("sciatica_lumbar_radiculopathy")  # 1.4: a deficit is managed as radiculopathy
    return Patient(intake, frozenset(states), rules, tuple(keys))


def _words(tags: list[str], rules: Rules) -> str:
    return ", ".join(rules.tag_meanings.get(t, t.replace("_", " ")) for t in tags)


def _matches(exercise: Exercise, rule: Exclusion, rules: Rules) -> str | None:
    """What part of an exclusion rule the exercise hits, in words; None if it passes."""
    if exercise.id in rule.ids:
        return exercise.name
    if exercise.category in rule.categories:
        return f"{exercise.category.replace('_', ' ')} exercises"
    hit = [t for t in exercise.tags if t in rule.tags]
    return _words(hit, rules) if hit else None


def direction_rules(intake: Intake) -> list[tuple[set[str], str]]:
    """Sciatica: the peripheralising direction is excluded in every phase (reference 2.2, 2.3)."""
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


# ---------------------------------------------------------------- the rules

ExclusionRule = Callable[[Exercise, str, Patient], "str | None"]


def retired(exercise: Exercise, code: str, patient: Patient) -> str | None:
    return "retired from the library" if exercise.retired else None


def allowed_despite(state: str, exercise: Exercise, code: str, patient: Patient) -> bool:
    """A modifier's allowance lifts its state for this exercise and phase (2.3: the Nordic
    from P4 on blood thinners with medical clearance), in rules.yaml and exercise files alike."""
    modifier = patient.rules.modifiers.get(state)
    return modifier is not None and any(
        a.when in patient.states and code in a.phases and exercise.id in a.ids for a in modifier.allow)


def modifiers(exercise: Exercise, code: str, patient: Patient) -> str | None:
    """Reference 2.1 and 2.3: pregnancy, osteoporosis, blood thinners, frailty, goal..."""
    for state in sorted(patient.states):
        modifier = patient.rules.modifiers.get(state)
        if modifier is None or allowed_despite(state, exercise, code, patient):
            continue
        if exercise.id in modifier.exclude_ids:
            return f"{modifier.label}: not suitable"
        hit = [t for t in exercise.tags if t in modifier.exclude_tags]
        if hit:
            return f"{modifier.label}: no {_words(hit, patient.rules)}"
        phase_rule = modifier.phases.get(code)
        hit_words = _matches(exercise, phase_rule, patient.rules) if phase_rule else None
        if hit_words:
            return f"{modifier.label}: no {hit_words} in {code}"
    return None


def condition_table(exercise: Exercise, code: str, patient: Patient) -> str | None:
    """Reference 2.2: condition x phase exclusions."""
    for key in patient.condition_keys:
        cond = patient.rules.conditions.get(key)
        if cond is None:
            continue
        for scope, rule in (("in any phase", cond.all), (f"in {code}", getattr(cond, code))):
            hit = _matches(exercise, rule, patient.rules)
            if hit:
                return f"{cond.label}: no {hit} {scope}"
    return None


def nerve_tensioners(exercise: Exercise, code: str, patient: Patient) -> str | None:
    """2.2: sciatica tensioners only when neurologically normal (an exam recorded as normal)."""
    if patient.intake.diagnosis == "sciatica_lumbar_radiculopathy" and "neural_tensioner" in exercise.tags \
            and "neuro_exam_normal" not in patient.states:
        return "Sciatica: nerve tensioners only with a normal neurological examination"
    return None


def peripheralising_direction(exercise: Exercise, code: str, patient: Patient) -> str | None:
    for tags, why in direction_rules(patient.intake):
        hit = [t for t in exercise.tags if t in tags]
        if hit:
            return f"Sciatica: {why}"
    return None


def own_contraindications(exercise: Exercise, code: str, patient: Patient) -> str | None:
    """The exercise file's avoid_with / only_with / avoid_in."""
    hit = [s for s in exercise.avoid_with
           if s in patient.states and not allowed_despite(s, exercise, code, patient)]
    if hit:
        return f"{exercise.name}: not with {', '.join(s.replace('_', ' ') for s in hit)}"
    missing = [s for s in exercise.only_with if s not in patient.states]
    if missing:
        return f"{exercise.name}: only with {', '.join(s.replace('_', ' ') for s in missing)}"
    dx = patient.intake.diagnosis
    for key in (dx, "all"):
        if code in exercise.avoid_in.get(key, []):
            return f"Exercise not used in {code} for {'any condition' if key == 'all' else dx.replace('_', ' ')}"
    return None


EXCLUSION_RULES: tuple[ExclusionRule, ...] = (retired, modifiers, condition_table, nerve_tensioners,
                                              peripheralising_direction, own_contraindications)


def exclusion_reason(exercise: Exercise, phase: str, patient: Patient) -> str | None:
    """Why `exercise` may not appear in `phase` for this patient, or None if it may."""
    code = CODE_BY_PHASE[phase]
    for rule in EXCLUSION_RULES:
        reason = rule(exercise, code, patient)
        if reason:
            return reason
    return None
