"""Red-flag triage (reference section 3): decides whether any plan may be given.

Runs before everything else. Emergency = same day, emergency department or
ambulance; urgent = medical review the same day or within 24-48 h, no plan until
cleared. Every rule that fires adds a reason, so the clinician sees all of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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

BLOOD_THINNERS = {"anticoagulant", "antiplatelet"}
POST_PARTUM_MONTHS = 3  # the raised-VTE-risk window after birth (12 weeks) [PH]

ED = "Emergency department today (call an ambulance if unwell)"
GP_TODAY = "GP or urgent care: medical review today or within 24-48 hours"


@dataclass
class Triage:
    level: str = "none"
    reasons: list[str] = field(default_factory=list)
    refer_to: list[str] = field(default_factory=list)
    wells_score: int | None = None

    def add(self, level: str, reason: str, refer_to: str) -> None:
        if LEVELS.index(level) > LEVELS.index(self.level):
            self.level = level
        self.reasons.append(reason)
        if refer_to not in self.refer_to:
            self.refer_to.append(refer_to)

    @property
    def allowed(self) -> bool:
        return self.level in ("none", "routine")


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


def triage(intake: Intake) -> Triage:
    flags, f, result = intake.red_flags, intake.findings, Triage()
    dx = intake.diagnosis
    bilateral = flags.new_bilateral_leg_symptoms
    ces = flags.bladder_bowel_change or flags.saddle_anaesthesia
    neuro_signs = f.neuro_exam in ("stable_deficit", "progressive_deficit") or \
        flags.progressive_neuro_deficit or "stable_neuro_deficit" in intake.comorbidities

    # Cauda equina syndrome
    if flags.bladder_bowel_change:
        result.add("emergency", "Possible cauda equina syndrome: new bladder or bowel change. "
                   "Needs same-day emergency assessment and MRI; do not wait for retention.", ED)
    if flags.saddle_anaesthesia:
        result.add("emergency", "Possible cauda equina syndrome: numbness in the saddle area. "
                   "Needs same-day emergency assessment and MRI.", ED)
    if bilateral:
        result.add("emergency", "New or worsening symptoms in both legs: a cauda equina warning "
                   "even before bladder changes. Same-day emergency assessment.", ED)
    elif dx == "sciatica_lumbar_radiculopathy" and intake.side == "bilateral":
        # Radicular pain in both legs is a cauda equina warning (a central disc), unlike the
        # chronic, posture-dependent bilateral symptoms of stenosis.
        result.add("emergency", "Radicular (nerve-root) symptoms in both legs: a cauda equina "
                   "warning even before bladder changes. Same-day emergency assessment.", ED)

    # Deep vein thrombosis: Wells score only when a DVT symptom is present.
    dvt = flags.dvt
    if dvt.symptoms_present or WELLS_SIGNS & set(dvt.wells_items):
        score = wells_score(list(dvt.wells_items))
        result.wells_score = score
        if score >= 2:
            result.add("emergency", f"Suspected deep vein thrombosis: Wells score {score} "
                       "(2 or more: DVT likely). Same-day ultrasound; no exercise, massage or "
                       "compression until DVT is excluded.", ED)
        elif pregnant_or_post_partum(intake):
            # Wells is poorly validated in pregnancy and after birth: treat any symptom as likely.
            result.add("emergency", f"DVT symptoms in pregnancy or the post-partum period (Wells "
                       f"score {score}, not validated here): same-day ultrasound; no exercise, "
                       "massage or compression until DVT is excluded.", ED)
        else:
            result.add("urgent", f"DVT symptoms with Wells score {score} (1 or less: DVT unlikely). "
                       "D-dimer and, if raised, a scan before any plan; no massage or compression "
                       "until DVT is excluded.", GP_TODAY)

    if flags.chest_pain_or_breathlessness:
        result.add("emergency", "Chest pain or sudden breathlessness: possible pulmonary embolism. "
                   "Call an ambulance.", "Ambulance (999/112/911) now")

    if flags.expanding_haematoma_or_compartment_signs:
        result.add("emergency", "Expanding bruise or tight, swollen thigh with pain out of proportion: "
                   "possible haematoma or compartment syndrome"
                   + (" (on blood thinners)" if BLOOD_THINNERS & set(intake.medications)
                      else "") + ".", ED)

    # Infection
    fever = flags.fever_chills_or_unwell or (f.temperature_c is not None and f.temperature_c >= 38.0)
    if fever:
        if f.systemically_unwell or dx in SPINAL_OR_DEEP_BUTTOCK:
            result.add("emergency", "Fever or chills with spinal or deep buttock pain, or a "
                       "systemically unwell patient: possible spinal or deep infection.", ED)
        else:
            result.add("urgent", "Fever, chills or feeling unwell: possible infection. "
                       "Same-day medical review before any exercise.", GP_TODAY)
    elif f.systemically_unwell:
        result.add("urgent", "Systemically unwell: medical review before any exercise.", GP_TODAY)
    if f.local_redness_warmth_swelling:
        result.add("urgent", "Red, hot, swollen area (for example septic bursitis): same-day "
                   "medical review.", GP_TODAY)

    # Fracture / major trauma: emergency if the person cannot bear weight (or weight-bearing
    # was not assessed: conservative); urgent for a minor fall in someone who can still walk,
    # even with a limp or a stick.
    cannot_bear_weight = f.weight_bearing == "unable" or f.walking == "unable"
    can_walk = not cannot_bear_weight and (
        f.weight_bearing in ("full", "partial") or f.walking in ("pain_free", "painful", "antalgic", "aided"))
    if flags.trauma_fracture_signs or f.high_energy_trauma:
        if f.high_energy_trauma or not can_walk:
            result.add("emergency", "Possible fracture after trauma"
                       + (" (high-energy injury)" if f.high_energy_trauma else "")
                       + (" and unable to bear weight" if cannot_bear_weight else
                          " (weight-bearing not assessed)" if not can_walk else "")
                       + ": emergency imaging.", ED)
        else:
            result.add("urgent", "Fracture signs after a minor fall (for example with osteoporosis "
                       "or long-term steroids) while still able to walk: urgent imaging.",
                       "GP or urgent care for imaging within 24-48 hours")
    elif cannot_bear_weight:
        result.add("emergency", "Unable to bear weight on the leg: a fracture or complete tear must "
                   "be excluded before any exercise. Emergency assessment and imaging.", ED)
    elif f.bony_tenderness:
        result.add("urgent", "Bony tenderness on the fracture screen: imaging before any loading.",
                   "GP or urgent care for imaging within 24-48 hours")

    # Tendon or apophyseal avulsion
    cleared = bool(f.orthopaedic_clearance)
    suspected_by_findings = bool(f.palpable_gap) or bool(
        f.pop_at_injury and (intake.grade == 3 or (intake.age is not None and intake.age < 18)))
    if flags.suspected_tendon_or_apophyseal_avulsion or (suspected_by_findings and not cleared):
        young = intake.age is not None and intake.age < 18
        result.add("urgent", "Suspected complete proximal hamstring tendon avulsion"
                   + (" or, in an adolescent, an ischial apophyseal avulsion fracture (urgent X-ray)"
                      if young else "")
                   + ": urgent orthopaedic review and imaging within days, because early repair "
                   "does better. The planner does not build a post-operative programme.",
                   "Orthopaedic surgeon (urgent review and imaging within days)")

    # Vascular claudication
    if f.rest_pain_or_cold_pale_foot and not flags.vascular_claudication_pattern:
        result.add("emergency", "Pain at rest or a cold, pale foot: possible critical limb "
                   "ischaemia.", ED)
    if flags.vascular_claudication_pattern:
        if f.rest_pain_or_cold_pale_foot:
            result.add("emergency", "Vascular pattern with rest pain or a cold, pale foot: "
                       "possible critical limb ischaemia.", ED)
        else:
            result.add("urgent", "Claudication at a fixed walking distance eased by standing still: "
                       "possible peripheral artery disease. GP or vascular review with ABI.",
                       "GP or vascular clinic (ankle-brachial index)")

    # Progressive neurological deficit
    if flags.progressive_neuro_deficit or f.neuro_exam == "progressive_deficit":
        if bilateral or ces or intake.side == "bilateral":
            result.add("emergency", "Progressive neurological deficit in both legs or with cauda "
                       "equina features.", ED)
        else:
            result.add("urgent", "Progressive neurological deficit (spreading numbness or increasing "
                       "weakness): specialist review the same day.", "Spinal specialist (same day)")

    # Night pain / cancer ("Have you ever had cancer?" is part of the screen, so a cancer
    # history recorded elsewhere in the intake counts too).
    cancer = "cancer_history" in intake.comorbidities or "active_cancer" in flags.dvt.wells_items
    if flags.night_pain_or_cancer_history or cancer:
        if neuro_signs or bilateral or ces:
            result.add("emergency", "Night pain or cancer history with neurological signs: possible "
                       "spinal cord or cauda equina compression.", ED)
        else:
            result.add("urgent", "Night pain not eased by any position, or a history of cancer: "
                       "GP investigation within days before any plan.", "GP (investigation within days)")

    # Obstetric contraindications to exercise
    if intake.pregnancy.obstetric_contraindication:
        result.add("urgent", "Obstetric contraindication to exercise (for example ruptured membranes, "
                   "preterm labour, placenta praevia after 26 weeks, pre-eclampsia or cervical "
                   "insufficiency): no exercise plan.", "Maternity team or obstetrician")

    return result
