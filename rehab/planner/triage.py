"""Red-flag triage (reference section 3) and the referrals that come with an allowed
plan (reference 2.3), as a table of small named rules.

Runs before everything else. Emergency = same day, emergency department or
ambulance; urgent = medical review the same day or within 24-48 h. An emergency or
urgent red flag refuses the plan; `routine` (and the one urgent case of 2.3, a grade 3
strain without orthopaedic clearance) comes with an allowed plan. Every rule that
fires adds its reason, so the clinician sees all of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterator

from rehab.planner.intake import Intake

LEVELS = ("none", "routine", "urgent", "emergency")

WELLS_POINTS = {
    "active_cancer": 1,
    "paralysis_or_recent_cast": 1,
    "bedridden_or_recent_surgery": 1,
    "deep_vein_tenderness": 1,
    "entire_leg_swollen": 1,
    "calf_swelling_3cm": 1,
    "pitting_oedema": 1,
    "collateral_superficial_veins": 1,
    "previous_dvt": 1,
    "alternative_dx_as_likely": -2,
}
WELLS_LIKELY = 2  # two-level Wells: 2 or more = DVT likely (3.1)

# Wells items that are signs of a DVT, not risk factors: listing one means a DVT symptom
# is present even if `symptoms_present` was left false (conservative).
WELLS_SIGNS = {"deep_vein_tenderness", "entire_leg_swollen", "calf_swelling_3cm", "pitting_oedema",
               "collateral_superficial_veins"}

# Diagnoses whose pain is spinal or deep in the buttock: fever with them is an emergency.
# Ischial bursitis is left out on purpose: the reference makes a red, hot bursa in someone
# otherwise well an urgent (not emergency) referral.
SPINAL_OR_DEEP_BUTTOCK = {
    "sciatica_lumbar_radiculopathy",
    "lumbar_spinal_stenosis",
    "referred_pain_lumbar_facet",
    "sacroiliac_joint_dysfunction",
    "piriformis_syndrome",
    "proximal_hamstring_tendinopathy",  # "deep pain in the lower buttock" (reference 1.2)
}
TRAUMATIC = {"hamstring_strain"}  # the one traumatic diagnosis (2.3, cancer history)

BLOOD_THINNERS = {"anticoagulant", "antiplatelet"}
FEVER_C = 38.0
ADOLESCENT_UNDER = 18  # apophyseal avulsion suspected below this age (section 3)
POST_PARTUM_MONTHS = 3  # the raised-VTE-risk window after birth (12 weeks) [PH]
ESCALATE_WEEKS = 6  # 2.3 routine referral: sciatica / referred pain still painful after 6 weeks
ESCALATE_PAIN = 5
SITTING_WEEKS = 12  # 2.3 routine referral: tendinopathy / bursitis still unable to sit 30 min
SITTING_MIN = 30

ED = "Emergency department now (call an ambulance if unwell)"
AMBULANCE = "Ambulance (999/112/911) now"
GP_TODAY = "GP or urgent care: medical review today or within 24-48 hours"
IMAGING = "GP or urgent care for imaging within 24-48 hours"
ORTHO = "Orthopaedic surgeon (urgent review and imaging within days)"


@dataclass(frozen=True)
class Hit:
    level: str
    reason: str
    refer_to: str


@dataclass
class Triage:
    level: str = "none"
    reasons: list[str] = field(default_factory=list)
    refer_to: list[str] = field(default_factory=list)
    wells_score: int | None = None
    refused: bool = False  # an emergency or urgent red flag: no plan (the 2.3 urgent keeps it)
    _levels: dict[str, int] = field(default_factory=dict, repr=False)

    def add(self, hit: Hit) -> None:
        if LEVELS.index(hit.level) > LEVELS.index(self.level):
            self.level = hit.level
        self.reasons.append(hit.reason)
        if hit.refer_to not in self.refer_to:
            self.refer_to.append(hit.refer_to)
            self._levels[hit.refer_to] = LEVELS.index(hit.level)
            # the most urgent destination first: "emergency department now" before "GP in 48 h"
            self.refer_to.sort(key=lambda where: -self._levels[where])

    @property
    def allowed(self) -> bool:
        return not self.refused


def wells_score(items: list[str]) -> int:
    return sum(WELLS_POINTS[i] for i in set(items))


def is_pregnant(intake: Intake) -> bool:
    """Pregnant, also when only the weeks or an obstetric contraindication were recorded."""
    preg = intake.pregnancy
    return preg.pregnant or preg.obstetric_contraindication or bool(preg.weeks)


def pregnant_or_post_partum(intake: Intake) -> bool:
    """Pregnant, or within the raised-risk months after birth (reference 3.1)."""
    preg = intake.pregnancy
    return is_pregnant(intake) or (preg.months_post_partum is not None
                                   and preg.months_post_partum <= POST_PARTUM_MONTHS)


def dvt_symptoms(intake: Intake) -> bool:
    dvt = intake.red_flags.dvt
    return dvt.symptoms_present or bool(WELLS_SIGNS & set(dvt.wells_items))


def neuro_signs(intake: Intake) -> bool:
    return (intake.findings.neuro_exam in ("stable_deficit", "progressive_deficit")
            or intake.red_flags.progressive_neuro_deficit
            or "stable_neuro_deficit" in intake.comorbidities)


def ces_signs(intake: Intake) -> bool:
    flags = intake.red_flags
    return flags.bladder_bowel_change or flags.saddle_anaesthesia or flags.new_bilateral_leg_symptoms


def has_fever(intake: Intake) -> bool:
    temp = intake.findings.temperature_c
    return intake.red_flags.fever_chills_or_unwell or (temp is not None and temp >= FEVER_C)


def cannot_bear_weight(intake: Intake) -> bool:
    f = intake.findings
    return f.weight_bearing == "unable" or f.walking == "unable"


def known_to_walk(intake: Intake) -> bool:
    f = intake.findings
    return not cannot_bear_weight(intake) and (
        f.weight_bearing in ("full", "partial") or f.walking in ("pain_free", "painful", "antalgic", "aided"))


def adolescent(intake: Intake) -> bool:
    return intake.age is not None and intake.age < ADOLESCENT_UNDER


def severe_strain(intake: Intake) -> bool:
    """Grade 3 clinically or BAMIC 3-4 (reference 2.3)."""
    bamic = intake.findings.bamic
    return intake.diagnosis == "hamstring_strain" and (
        intake.grade == 3 or (bamic is not None and bamic[0] in "34"))


# ---------------------------------------------------------------- the rules

Rule = Callable[[Intake], Iterator[Hit]]
RED_FLAG_RULES: list[tuple[str, Rule]] = []  # (reference row, rule), in the order they are read
ALLOWED_PLAN_RULES: list[tuple[str, Rule]] = []  # referrals that come with an allowed plan (2.3)


def red_flag(cite: str):
    def register(fn: Rule) -> Rule:
        RED_FLAG_RULES.append((cite, fn))
        return fn
    return register


def with_plan(cite: str):
    def register(fn: Rule) -> Rule:
        ALLOWED_PLAN_RULES.append((cite, fn))
        return fn
    return register


@red_flag("3 Cauda equina syndrome")
def cauda_equina(intake: Intake) -> Iterator[Hit]:
    # Always an emergency: the intake has no onset date for "recent (<14 d) or worsening".
    flags = intake.red_flags
    if flags.bladder_bowel_change:
        yield Hit("emergency", "Possible cauda equina syndrome: new bladder or bowel change. Needs "
                  "emergency assessment and MRI now; do not wait for retention.", ED)
    if flags.saddle_anaesthesia:
        yield Hit("emergency", "Possible cauda equina syndrome: numbness in the saddle area. Needs "
                  "emergency assessment and MRI now.", ED)
    if flags.new_bilateral_leg_symptoms:
        # 2.3: only this flag, never `side: bilateral` (where the symptoms are), is the CES warning.
        yield Hit("emergency", "New or worsening symptoms in both legs: a cauda equina warning even "
                  "before bladder changes. Emergency assessment now.", ED)


@red_flag("3 DVT, 3.1 Wells")
def deep_vein_thrombosis(intake: Intake) -> Iterator[Hit]:
    if not dvt_symptoms(intake):
        return  # risk factors alone: proceed and teach the warning signs (education)
    score = wells_score(list(intake.red_flags.dvt.wells_items))
    if score >= WELLS_LIKELY:
        yield Hit("emergency", f"Suspected deep vein thrombosis: Wells score {score} (2 or more: DVT "
                  "likely). Ultrasound now; no exercise, massage or compression until DVT is "
                  "excluded.", ED)
    elif pregnant_or_post_partum(intake):
        # Wells is poorly validated in pregnancy and after birth: treat any symptom as likely.
        yield Hit("emergency", f"DVT symptoms in pregnancy or the post-partum period (Wells score "
                  f"{score}, not validated here): ultrasound now; no exercise, massage or "
                  "compression until DVT is excluded.", ED)
    else:
        yield Hit("urgent", f"DVT symptoms with Wells score {score} (1 or less: DVT unlikely). D-dimer "
                  "and, if raised, a scan before any plan; no massage or compression until DVT is "
                  "excluded.", GP_TODAY)


@red_flag("3 Pulmonary embolism")
def pulmonary_embolism(intake: Intake) -> Iterator[Hit]:
    if intake.red_flags.chest_pain_or_breathlessness:
        yield Hit("emergency", "Chest pain or sudden breathlessness: possible pulmonary embolism. "
                  "Call an ambulance now.", AMBULANCE)


@red_flag("3 Expanding haematoma / compartment signs")
def expanding_haematoma(intake: Intake) -> Iterator[Hit]:
    if intake.red_flags.expanding_haematoma_or_compartment_signs:
        thinners = " (on blood thinners)" if BLOOD_THINNERS & set(intake.medications) else ""
        yield Hit("emergency", "Expanding bruise or tight, swollen thigh with pain out of proportion: "
                  f"possible haematoma or compartment syndrome{thinners}. Emergency assessment now.", ED)


@red_flag("3 Infection")
def infection(intake: Intake) -> Iterator[Hit]:
    f = intake.findings
    if has_fever(intake):
        if f.systemically_unwell or intake.diagnosis in SPINAL_OR_DEEP_BUTTOCK:
            yield Hit("emergency", "Fever or chills with spinal or deep buttock pain, or a systemically "
                      "unwell patient: possible spinal or deep infection. Emergency assessment now.", ED)
        else:
            yield Hit("urgent", "Fever, chills or feeling unwell: possible infection. Same-day medical "
                      "review before any exercise.", GP_TODAY)
    elif f.systemically_unwell:
        yield Hit("urgent", "Systemically unwell: medical review before any exercise.", GP_TODAY)
    if f.local_redness_warmth_swelling:
        if has_fever(intake):  # not "otherwise well": a septic bursa with fever
            yield Hit("emergency", "Red, hot, swollen area with a fever: possible septic bursitis or "
                      "deep infection. Emergency assessment now.", ED)
        else:
            yield Hit("urgent", "Red, hot, swollen area (for example septic bursitis) in someone "
                      "otherwise well: same-day medical review.", GP_TODAY)


@red_flag("3 Fracture / major trauma")
def fracture(intake: Intake) -> Iterator[Hit]:
    # Emergency if the person cannot bear weight or weight-bearing was not assessed
    # (conservative); urgent for a minor fall in someone known to walk.
    f = intake.findings
    unable = cannot_bear_weight(intake)
    if intake.red_flags.trauma_fracture_signs or f.high_energy_trauma:
        if f.high_energy_trauma or not known_to_walk(intake):
            detail = (" (high-energy injury)" if f.high_energy_trauma else "") + (
                " and unable to bear weight" if unable else
                " (weight-bearing not assessed)" if not known_to_walk(intake) else "")
            yield Hit("emergency", f"Possible fracture after trauma{detail}: emergency imaging now.", ED)
        else:
            yield Hit("urgent", "Fracture signs after a minor fall (for example with osteoporosis or "
                      "long-term steroids) while still able to walk: urgent imaging.", IMAGING)
    elif unable:
        yield Hit("emergency", "Unable to bear weight on the leg: a fracture or complete tear must be "
                  "excluded before any exercise. Emergency assessment and imaging now.", ED)
    elif f.bony_tenderness:
        # Beyond the section 3 table [PH]: bony tenderness is the contract's fracture-screen
        # finding; imaging before loading (docs/clinical-decisions.md).
        yield Hit("urgent", "Bony tenderness on the fracture screen: imaging before any loading.",
                  IMAGING)


@red_flag("3 Suspected complete tendon or apophyseal avulsion")
def avulsion(intake: Intake) -> Iterator[Hit]:
    f = intake.findings
    young = adolescent(intake)
    # A palpable gap, or a pop in an adolescent (apophysis), is the avulsion screen positive;
    # a pop with a grade 3 strain in an adult is the 2.3 rule (plan in P1 and urgent referral).
    suspected = bool(f.palpable_gap) or bool(f.pop_at_injury and young)
    if intake.red_flags.suspected_tendon_or_apophyseal_avulsion or (
            suspected and not f.orthopaedic_clearance):
        extra = (" or, in an adolescent, an ischial apophyseal avulsion fracture (urgent X-ray)"
                 if young else "")
        yield Hit("urgent", f"Suspected complete proximal hamstring tendon avulsion{extra}: urgent "
                  "orthopaedic review and imaging within days, because early repair does better. "
                  "The planner does not build a post-operative programme.", ORTHO)


@red_flag("3 Peripheral artery disease")
def vascular(intake: Intake) -> Iterator[Hit]:
    cold_foot = bool(intake.findings.rest_pain_or_cold_pale_foot)
    if cold_foot:  # with or without the claudication pattern
        yield Hit("emergency", "Pain at rest or a cold, pale foot: possible critical limb ischaemia. "
                  "Emergency assessment now.", ED)
    elif intake.red_flags.vascular_claudication_pattern:
        yield Hit("urgent", "Claudication at a fixed walking distance eased by standing still: possible "
                  "peripheral artery disease. GP or vascular review with ABI.",
                  "GP or vascular clinic (ankle-brachial index)")


@red_flag("3 Progressive neurological deficit")
def progressive_deficit(intake: Intake) -> Iterator[Hit]:
    if intake.red_flags.progressive_neuro_deficit or intake.findings.neuro_exam == "progressive_deficit":
        # "Both legs affected": the deficit with symptoms in both legs, or with CES features.
        if ces_signs(intake) or intake.side == "bilateral":
            yield Hit("emergency", "Progressive neurological deficit in both legs or with cauda equina "
                      "features. Emergency assessment now.", ED)
        else:
            yield Hit("urgent", "Progressive neurological deficit (spreading numbness or increasing "
                      "weakness): specialist review the same day.", "Spinal specialist (same day)")


@red_flag("3 Night pain / cancer")
def night_pain_or_cancer(intake: Intake) -> Iterator[Hit]:
    # The flag is the clinician's judgement that the screen is positive. A cancer history in
    # the comorbidities alone is a risk factor (2.3, see cancer_history_review below).
    if intake.red_flags.night_pain_or_cancer_history:
        if neuro_signs(intake) or ces_signs(intake):
            yield Hit("emergency", "Night pain or cancer history with neurological signs: possible "
                      "spinal cord or cauda equina compression. Emergency assessment now.", ED)
        else:
            yield Hit("urgent", "Night pain not eased by any position, or a history of cancer with a "
                      "positive screen: GP investigation within days before any plan.",
                      "GP (investigation within days)")


@red_flag("2.1 Pregnancy: obstetric contraindications")
def obstetric(intake: Intake) -> Iterator[Hit]:
    # The reference says "no plan" and gives no level: urgent maternity review [PH].
    if intake.pregnancy.obstetric_contraindication:
        yield Hit("urgent", "Obstetric contraindication to exercise (for example ruptured membranes, "
                  "preterm labour, placenta praevia after 26 weeks, pre-eclampsia or cervical "
                  "insufficiency): no exercise plan.", "Maternity team or obstetrician")


@with_plan("2.3 Grade 3 / BAMIC 3-4 without orthopaedic clearance")
def severe_strain_without_clearance(intake: Intake) -> Iterator[Hit]:
    if severe_strain(intake) and not intake.findings.orthopaedic_clearance:
        pop = " after a pop at injury" if intake.findings.pop_at_injury else ""
        yield Hit("urgent", f"Grade 3 hamstring strain (or MRI grade 3-4){pop} without an orthopaedic "
                  "opinion: orthopaedic review and imaging within days to rule out a proximal tendon "
                  "avulsion that needs early repair. Phase 1 only until cleared.", ORTHO)


@with_plan("2.3 Routine referral: sciatica or referred pain not improving")
def spinal_not_improving(intake: Intake) -> Iterator[Hit]:
    f = intake.findings
    if intake.diagnosis not in ("sciatica_lumbar_radiculopathy", "referred_pain_lumbar_facet") \
            or f.weeks_in_programme is None or f.weeks_in_programme < ESCALATE_WEEKS:
        return
    pain = [f"{name} pain {score}/10" for name, score in (("leg", f.leg_nprs), ("back", f.back_nprs))
            if score is not None and score >= ESCALATE_PAIN]
    if f.neuro_exam == "stable_deficit":
        pain.append("a neurological deficit")
    if pain:
        yield Hit("routine", f"Still {' and '.join(pain)} after {f.weeks_in_programme} weeks of rehab "
                  "(the trigger is 6 weeks or more with pain 5/10 or more, or a deficit): specialist "
                  "opinion (spinal or pain service) on further options.",
                  "Spinal specialist (routine referral)")


@with_plan("2.3 Routine referral: tendinopathy or bursitis sitting intolerance")
def sitting_not_improving(intake: Intake) -> Iterator[Hit]:
    f = intake.findings
    if intake.diagnosis in ("proximal_hamstring_tendinopathy", "ischial_bursitis") \
            and f.weeks_in_programme is not None and f.weeks_in_programme >= SITTING_WEEKS \
            and f.sitting_tolerance_min is not None and f.sitting_tolerance_min < SITTING_MIN:
        yield Hit("routine", f"Sitting still limited to {f.sitting_tolerance_min} min after "
                  f"{f.weeks_in_programme} weeks of rehab (the trigger is 12 weeks or more with "
                  "sitting under 30 min): sports-medicine opinion.",
                  "Sports medicine physician (routine referral)")


@with_plan("2.3 Cancer history as a comorbidity")
def cancer_history_review(intake: Intake) -> Iterator[Hit]:
    if "cancer_history" in intake.comorbidities and intake.diagnosis not in TRAUMATIC:
        yield Hit("routine", "History of cancer with non-traumatic pain: GP review to exclude a "
                  "serious cause (the plan goes ahead meanwhile).", "GP (routine review)")


def triage(intake: Intake) -> Triage:
    """Every red-flag rule, then (if the plan is allowed) the referrals of 2.3."""
    result = Triage()
    if dvt_symptoms(intake):
        result.wells_score = wells_score(list(intake.red_flags.dvt.wells_items))
    for _, rule in RED_FLAG_RULES:
        for hit in rule(intake):
            result.add(hit)
    result.refused = result.level in ("urgent", "emergency")
    if result.allowed:
        for _, rule in ALLOWED_PLAN_RULES:
            for hit in rule(intake):
                result.add(hit)
    return result
