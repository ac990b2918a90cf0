"""Portal forms: patients, the four wizard steps, plan adjustments and downloads.

Forms check shape (a number is a number, a code is one of the contract's codes);
ranges and every safety rule are judged by the planner (`parse_intake`,
`apply_adjustments`), whose errors the views attach to these fields.
"""

from __future__ import annotations

from functools import lru_cache

from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, DecimalField, IntegerField, RadioField,
                     SelectField, SelectMultipleField, StringField)
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from rehab.extensions import db
from rehab.models import Patient
from rehab.vocab import COMORBIDITIES, DIAGNOSES, MEDICATIONS, PHASES, SEXES, SIDES, WELLS_ITEMS

SLUG = Regexp(r"^[a-z][a-z0-9_]{1,63}$", message="Not an exercise id.")

# ------------------------------------------------------------------ words

DIAGNOSIS_LABELS = {
    "hamstring_strain": "Hamstring strain (torn muscle at the back of the thigh)",
    "proximal_hamstring_tendinopathy": "Hamstring tendon pain at the sit bone (proximal tendinopathy)",
    "sciatica_lumbar_radiculopathy": "Sciatica (irritated nerve root in the low back)",
    "piriformis_syndrome": "Deep buttock pain (piriformis syndrome)",
    "sacroiliac_joint_dysfunction": "Pelvic joint pain (sacroiliac joint / pelvic girdle)",
    "lumbar_spinal_stenosis": "Leg pain on walking from a narrowed spinal canal (stenosis)",
    "ischial_bursitis": "Irritated cushion over the sit bone (ischial bursitis)",
    "referred_pain_lumbar_facet": "Thigh pain referred from the low back (facet / somatic)",
    "muscle_cramps": "Muscle cramps in the back of the thigh",
    "sitting_related_posterior_thigh_soreness": "Soreness from long sitting (ergonomic)",
}

COMORBIDITY_LABELS = {
    "osteoporosis": "Osteoporosis or osteopenia with fracture risk",
    "vertebral_fracture_history": "Previous vertebral fracture",
    "falls_risk": "Falls risk",
    "cold_intolerance": "Cold intolerance (cold urticaria, Raynaud's, poor skin sensation)",
    "peripheral_artery_disease": "Peripheral artery disease",
    "stable_neuro_deficit": "Stable, non-progressive neurological deficit",
    "lumbar_fusion_recent": "Lumbar fusion in the last 6 months",
    "diabetes": "Diabetes",
    "smoker": "Smoker",
    "atrial_fibrillation": "Atrial fibrillation",
    "cardiac_disease": "Heart disease",
    "cancer_history": "History of cancer",
    "immunosuppressed": "Immunosuppressed",
}

MEDICATION_LABELS = {
    "anticoagulant": "Anticoagulant (e.g. warfarin, apixaban)",
    "antiplatelet": "Antiplatelet (e.g. aspirin, clopidogrel)",
    "oral_contraceptive": "Oral contraceptive",
    "corticosteroid": "Long-term corticosteroid",
}

WELLS_LABELS = {
    "active_cancer": "Active cancer (treatment in the last 6 months or palliative)",
    "paralysis_or_recent_cast": "Paralysis, paresis or recent plaster cast of the leg",
    "bedridden_or_recent_surgery": "Bedridden more than 3 days, or major surgery in the last 12 weeks",
    "deep_vein_tenderness": "Tenderness along the deep veins",
    "entire_leg_swollen": "Entire leg swollen",
    "calf_swelling_3cm": "Calf 3 cm or more bigger than the other side (10 cm below the tibial tuberosity)",
    "pitting_oedema": "Pitting oedema in the symptomatic leg only",
    "collateral_superficial_veins": "Collateral superficial (non-varicose) veins",
    "previous_dvt": "DVT documented before",
    "alternative_dx_as_likely": "Another diagnosis at least as likely as DVT (minus 2)",
}

NOT_ASSESSED = SelectChoice("", "Not assessed")
YES_NO = [NOT_ASSESSED, SelectChoice("yes", "Yes"), SelectChoice("no", "No")]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _choices(codes, labels=None) -> list[SelectChoice]:
    return [SelectChoice(c, (labels or {}).get(c, c.replace("_", " ").capitalize())) for c in codes]


# ------------------------------------------------------------------ patients


class PatientForm(FlaskForm):
    first_name = StringField("First name", validators=[DataRequired(), Length(max=80)])
    last_name = StringField("Last name", validators=[DataRequired(), Length(max=80)])
    reference = StringField("Reference number", validators=[DataRequired(), Length(max=40)],
                            description="The clinic's record number; unique within the clinic.")
    date_of_birth = DateField("Date of birth", validators=[Optional()],
                              description="Used to fill in the age on new plans.")
    sex = SelectField("Sex", choices=_choices(SEXES), default="unspecified")

    def __init__(self, *args, clinic_id: int, patient_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.clinic_id, self.patient_id = clinic_id, patient_id  # patient_id: the one being edited

    def validate_reference(self, field):
        field.data = field.data.strip()
        taken = db.session.execute(db.select(Patient.id).filter_by(
            clinic_id=self.clinic_id, reference=field.data).where(Patient.id != (self.patient_id or 0))).first()
        if taken:
            raise ValidationError("A patient with this reference number already exists.")


class EraseForm(FlaskForm):
    confirm = StringField("Type the patient's reference number to confirm", validators=[
        DataRequired(message="Type the reference number to confirm."), Length(max=40)])


class SearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("Search", validators=[Optional(), Length(max=80)],
                    description="Name, reference number or date of birth (YYYY-MM-DD or DD/MM/YYYY).")


# ------------------------------------------------------------------ wizard step 1


class DiagnosisForm(FlaskForm):
    diagnosis = RadioField("Working diagnosis", choices=_choices(DIAGNOSES, DIAGNOSIS_LABELS),
                           validators=[DataRequired(message="Choose a diagnosis.")])
    grade = SelectField("Hamstring strain grade", choices=[
        SelectChoice("", "Choose a grade"), SelectChoice("1", "Grade 1: mild strain, walks almost normally"),
        SelectChoice("2", "Grade 2: partial tear, limp, painful weak knee flexion"),
        SelectChoice("3", "Grade 3: complete tear, cannot walk normally, palpable gap")],
        default="", description="Only for a hamstring strain.")
    bamic = StringField("BAMIC grade (optional)", validators=[Optional(), Length(max=4)],
                        description='MRI grade if known, for example "3b" (a myofascial, b musculotendinous, '
                                    'c intratendinous).')

    def validate_grade(self, field):
        if self.diagnosis.data == "hamstring_strain" and not field.data:
            raise ValidationError("Choose the grade of the hamstring strain.")


# ------------------------------------------------------------------ wizard step 2

# (key, title, patient-friendly question from reference.md section 3,
#  [(contract flag, clinician label)], [follow-up findings asked when a flag is ticked])
RED_FLAG_GROUPS = (
    ("dvt", "Deep vein thrombosis",
     "Is one calf or leg swollen, warm, red or tender to squeeze compared with the other? Have you had "
     "surgery, been in bed for 3+ days, had a leg in plaster, had a blood clot before, or do you have cancer?",
     [("dvt_symptoms_present", "DVT symptoms: a swollen, warm, red or tender calf or leg")],
     ["wells_items"]),
    ("pe", "Pulmonary embolism",
     "Have you suddenly become short of breath, had sharp chest pain when breathing in, coughed up blood, "
     "felt faint, or noticed a racing heart?",
     [("chest_pain_or_breathlessness", "Chest pain or breathlessness")], []),
    ("ces", "Cauda equina syndrome",
     "Since the pain began: any numbness between your legs or around your back passage or genitals, for "
     "example when wiping? Any new trouble starting or controlling your urine or bowels, or not feeling when "
     "your bladder is full? Any change in sexual sensation? Pain, numbness or weakness in both legs?",
     [("saddle_anaesthesia", "Numbness in the saddle area or change in sexual sensation"),
      ("bladder_bowel_change", "New bladder or bowel change"),
      ("new_bilateral_leg_symptoms", "New pain, numbness or weakness in both legs")], []),
    ("infection", "Infection",
     "Have you had a fever, chills, night sweats or felt generally unwell? Any recent infection, injecting "
     "drug use, diabetes, steroids or other immune problems? Is the sore area red, hot and swollen?",
     [("fever_chills_or_unwell", "Fever, chills or feeling unwell")],
     ["systemically_unwell", "temperature_c"]),
    ("fracture", "Fracture or major trauma",
     "Did this start with a fall, a crash or a big impact? Can you put full weight on the leg? Do you have "
     "osteoporosis or take long-term steroids?",
     [("trauma_fracture_signs", "Trauma with signs of a fracture")],
     ["high_energy_trauma", "weight_bearing"]),
    ("avulsion", "Complete tendon or apophyseal avulsion",
     "Did you feel or hear a pop at the sitting bone? Is there a dent below the buttock or large bruising "
     "running down the thigh? Is it hard to bend the knee or walk normally?",
     [("suspected_tendon_or_apophyseal_avulsion", "Suspected complete tendon or apophyseal avulsion")], []),
    ("vascular", "Peripheral artery disease (vascular claudication)",
     "Does calf or thigh cramping come on after about the same walking distance each time and go away within "
     "a few minutes of standing still? Do you smoke or have diabetes? Are your feet cold or pale?",
     [("vascular_claudication_pattern", "Vascular claudication pattern")],
     ["rest_pain_or_cold_pale_foot"]),
    ("neuro", "Progressive neurological deficit",
     "Is your leg or foot getting weaker, or is the numbness spreading? Is your foot catching or slapping "
     "when you walk?",
     [("progressive_neuro_deficit", "Progressive neurological deficit")], []),
    ("cancer", "Night pain or cancer",
     "Have you ever had cancer? Have you lost weight without trying? Is the pain there at night and not eased "
     "by any position? Did this start after age 50 for the first time?",
     [("night_pain_or_cancer_history", "Night pain not eased by position, or cancer history")], []),
    ("haematoma", "Expanding haematoma or compartment signs",
     "Is the bruise getting bigger by the hour? Is the thigh tight and swollen, with pain far worse than "
     "expected or pain on gently straightening the knee?",
     [("expanding_haematoma_or_compartment_signs", "Expanding bruise or compartment signs")], []),
)
RED_FLAG_FIELDS = tuple(name for g in RED_FLAG_GROUPS for name, _ in g[3])
RED_FLAG_FINDINGS = ("systemically_unwell", "temperature_c", "high_energy_trauma", "weight_bearing",
                     "rest_pain_or_cold_pale_foot")


class RedFlagForm(FlaskForm):
    wells_items = MultiCheckboxField("Wells items (score them only when a DVT symptom is present)",
                                     choices=_choices(WELLS_ITEMS, WELLS_LABELS))
    systemically_unwell = SelectField("Systemically unwell", choices=YES_NO, default="",
                                      description="With fever, this makes it an emergency.")
    temperature_c = DecimalField("Temperature (°C)", places=1, validators=[Optional()])
    high_energy_trauma = SelectField("High-energy trauma (crash, fall from height)", choices=YES_NO, default="")
    weight_bearing = SelectField("Weight bearing", default="", choices=[
        NOT_ASSESSED, SelectChoice("full", "Full"), SelectChoice("partial", "Partial"),
        SelectChoice("unable", "Unable")])
    rest_pain_or_cold_pale_foot = SelectField("Pain at rest, or a cold or pale foot", choices=YES_NO, default="")


for _group in RED_FLAG_GROUPS:
    for _name, _label in _group[3]:
        setattr(RedFlagForm, _name, BooleanField(_label))


# ------------------------------------------------------------------ wizard step 3


class ModifiersForm(FlaskForm):
    age = IntegerField("Age (years)", validators=[Optional()],
                       description="Filled in from the date of birth when it is known.")
    sex = SelectField("Sex", choices=_choices(SEXES), default="unspecified")
    side = SelectField("Painful side", choices=_choices(SIDES), default="unspecified")
    pregnancy_pregnant = BooleanField("Pregnant")
    pregnancy_weeks = IntegerField("Weeks of pregnancy", validators=[Optional()],
                                   description="From week 13, no exercises lying flat on the back.")
    pregnancy_months_post_partum = IntegerField("Months since giving birth", validators=[Optional()],
                                                description="Leave empty if not post-partum.")
    pregnancy_obstetric_contraindication = BooleanField(
        "Obstetric contraindication to exercise (no plan is given)")
    comorbidities = MultiCheckboxField("Other conditions", choices=_choices(COMORBIDITIES, COMORBIDITY_LABELS))
    medications = MultiCheckboxField("Medicines", choices=_choices(MEDICATIONS, MEDICATION_LABELS))


# ------------------------------------------------------------------ wizard step 4

# key -> (kind, label, help). kind: int, bool (yes/no/not assessed), or a tuple of choices.
FINDINGS = {
    "days_since_onset": ("int", "Days since onset", "Days since the injury or since this episode began."),
    "symptom_duration_weeks": ("int", "Symptom duration (weeks)", "For non-traumatic pain: how long it has lasted."),
    "weeks_in_programme": ("int", "Weeks already in rehab", "Weeks already spent on an exercise programme."),
    "nprs_rest": ("int", "Pain at rest (0-10)", "Numeric pain rating at rest."),
    "nprs_activity": ("int", "Pain with daily activity (0-10)", "Numeric pain rating with everyday activity."),
    "nprs_walking": ("int", "Pain when walking (0-10)", "Numeric pain rating while walking."),
    "sitting_nprs": ("int", "Pain when sitting (0-10)", "Numeric pain rating during usual sitting."),
    "leg_nprs": ("int", "Leg pain (0-10)", "Leg pain rating; 6 or more means start in phase 1."),
    "back_nprs": ("int", "Back pain (0-10)", "Low-back pain rating."),
    "walking": (("pain_free", "painful", "antalgic", "aided", "unable"), "Walking today",
                "Gait today: pain free, painful, limping (antalgic), with an aid, or unable."),
    "pop_at_injury": ("bool", "Pop felt or heard at the injury", "Avulsion screen, with a palpable gap."),
    "palpable_gap": ("bool", "Palpable gap", "A dent in the muscle or below the sit bone."),
    "bony_tenderness": ("bool", "Bony tenderness", "Fracture screen: tenderness over bone."),
    "orthopaedic_clearance": ("bool", "Surgeon has ruled out repair",
                              "For a grade 3 or suspected avulsion: an orthopaedic review has cleared rehab."),
    "ake_deficit_deg": ("int", "Active knee-extension deficit (degrees)",
                        "AKE against the other side, 0-90. Under 20 and improving is a phase 1 exit criterion."),
    "isometric_50_70_pain_free": ("bool", "Isometric knee flexion at 50-70% pain free",
                                  "Prone, knee at 90 degrees, 50-70% effort, without pain."),
    "slow_jog_pain_free": ("bool", "Very slow jog pain free", "A few steps of very slow jogging without pain."),
    "knee_flexion_max_pain_free": ("bool", "Maximal knee-flexion tests pain free",
                                   "Maximal manual tests at 90 and 15 degrees, 4 in a row, without pain."),
    "single_leg_bridge_reps": ("pair", "Single-leg bridge repetitions",
                               "Heel on a box of about 60 cm, repetitions to fatigue on each side."),
    "strength_pct_other_side": ("int", "Strength (% of the other side)", "Dynamometry, 0-150."),
    "running_pain_free_pct": ("int", "Pain-free running speed (% of maximum)",
                              "Highest running speed without pain, as a percentage of maximum."),
    "sprint_95pct_pain_free": ("bool", "Sprinting at 95% pain free", "Pain-free running at 95% of maximal speed."),
    "askling_h_test_insecurity": ("bool", "Askling H-test: insecurity felt",
                                  "Any sense of insecurity on the H-test means staying in phase 3."),
    "slr_deg": ("int", "Straight-leg raise (degrees)", "Angle at symptom onset, 0-90. Under 45 means phase 1."),
    "neuro_exam": (("normal", "stable_deficit", "progressive_deficit"), "Neurological examination",
                   "Myotomes, reflexes and sensation. A progressive deficit needs urgent referral."),
    "directional_preference": (("extension", "flexion", "none", "unknown"), "Directional preference",
                               "The repeated movement direction that centralises symptoms."),
    "walking_tolerance_min": ("int", "Walking tolerance (minutes)", "Minutes of walking before symptoms."),
    "sitting_tolerance_min": ("int", "Sitting tolerance (minutes)", "Minutes of sitting before symptoms."),
    "sitting_hours_per_day": ("int", "Hours sitting per day", "Usual total sitting time on a working day."),
    "isometrics_pain_free": ("bool", "Isometrics pain free", "Isometric loading at 3/10 or less."),
    "response_24h": (("stable", "flare"), "24-hour response to loading",
                     "Next-day response to the last loading session."),
    "laslett_positive_tests": ("int", "Laslett tests positive (0-5)",
                               "Distraction, thigh thrust, compression, sacral thrust, Gaenslen."),
    "point_tenderness_ischial_tuberosity": ("bool", "Point tenderness on the sit bone", ""),
    "local_redness_warmth_swelling": ("bool", "Local redness, warmth or swelling",
                                      "A red, hot swelling needs a same-day medical review (septic bursitis)."),
}

_COMMON = ("days_since_onset", "weeks_in_programme", "nprs_rest", "nprs_activity")
_CHRONIC = ("days_since_onset", "symptom_duration_weeks") + _COMMON[1:]
FINDINGS_BY_DIAGNOSIS = {
    "hamstring_strain": _COMMON + (
        "walking", "pop_at_injury", "palpable_gap", "bony_tenderness", "orthopaedic_clearance",
        "ake_deficit_deg", "isometric_50_70_pain_free", "slow_jog_pain_free", "knee_flexion_max_pain_free",
        "single_leg_bridge_reps", "strength_pct_other_side", "running_pain_free_pct",
        "sprint_95pct_pain_free", "askling_h_test_insecurity"),
    "proximal_hamstring_tendinopathy": _CHRONIC + (
        "sitting_nprs", "sitting_tolerance_min", "single_leg_bridge_reps", "strength_pct_other_side",
        "isometrics_pain_free", "response_24h"),
    "sciatica_lumbar_radiculopathy": _CHRONIC + (
        "leg_nprs", "back_nprs", "slr_deg", "neuro_exam", "directional_preference",
        "walking_tolerance_min", "sitting_tolerance_min"),
    "piriformis_syndrome": _CHRONIC + (
        "sitting_nprs", "sitting_tolerance_min", "slr_deg", "neuro_exam", "response_24h"),
    "sacroiliac_joint_dysfunction": _CHRONIC + ("walking", "laslett_positive_tests", "response_24h"),
    "lumbar_spinal_stenosis": _CHRONIC + (
        "nprs_walking", "leg_nprs", "back_nprs", "walking_tolerance_min", "neuro_exam"),
    "ischial_bursitis": _CHRONIC + (
        "sitting_nprs", "sitting_tolerance_min", "point_tenderness_ischial_tuberosity",
        "local_redness_warmth_swelling"),
    "referred_pain_lumbar_facet": _CHRONIC + (
        "back_nprs", "slr_deg", "neuro_exam", "directional_preference"),
    "muscle_cramps": _CHRONIC,
    "sitting_related_posterior_thigh_soreness": _CHRONIC + (
        "sitting_nprs", "sitting_tolerance_min", "sitting_hours_per_day"),
}


def finding_field_names(key: str) -> tuple[str, ...]:
    """The form field(s) that hold one finding."""
    if FINDINGS[key][0] == "pair":
        return (f"{key}_injured", f"{key}_uninjured")
    return (key,)


@lru_cache(maxsize=None)
def findings_form(diagnosis: str) -> type[FlaskForm]:
    """A form class with only the findings that matter for this diagnosis, in a sensible order."""
    fields = {}
    for key in FINDINGS_BY_DIAGNOSIS.get(diagnosis, _COMMON):
        kind, label, help_text = FINDINGS[key]
        if kind == "int":
            fields[key] = IntegerField(label, validators=[Optional()], description=help_text)
        elif kind == "bool":
            fields[key] = SelectField(label, choices=YES_NO, default="", description=help_text)
        elif kind == "pair":
            fields[f"{key}_injured"] = IntegerField(f"{label}: injured side", validators=[Optional()],
                                                    description=help_text)
            fields[f"{key}_uninjured"] = IntegerField(f"{label}: other side", validators=[Optional()])
        else:
            fields[key] = SelectField(label, choices=[NOT_ASSESSED] + _choices(kind), default="",
                                      description=help_text)
    return type(f"FindingsForm_{diagnosis}", (FlaskForm,), fields)


# ------------------------------------------------------------------ review, adjust, download


class AdjustmentForm(FlaskForm):
    """One clinician change; which changes are allowed is the planner's decision."""

    op = SelectField("Change", choices=_choices(("remove", "swap", "add", "dose")))
    phase = SelectField("Phase", choices=_choices(PHASES))
    exercise_id = StringField(validators=[DataRequired(message="Choose an exercise."), SLUG])
    to = StringField("Swap for", validators=[Optional(), SLUG])
    sets = IntegerField("Sets", validators=[Optional()])
    reps = IntegerField("Reps", validators=[Optional()])
    hold_s = IntegerField("Hold (s)", validators=[Optional()])
    per_day = IntegerField("Per day", validators=[Optional()])
    days_per_week = IntegerField("Days/week", validators=[Optional()])

    DOSE_FIELDS = ("sets", "reps", "hold_s", "per_day", "days_per_week")

    def validate_to(self, field):
        if self.op.data == "swap" and not field.data:
            raise ValidationError("Choose the exercise to swap to.")

    def adjustment(self) -> dict:
        """The planner's adjustment dict for this change."""
        adj = {"op": self.op.data, "phase": self.phase.data, "exercise_id": self.exercise_id.data}
        if self.op.data == "swap":
            adj["to"] = self.to.data
        elif self.op.data == "dose":
            # The form shows the whole current dose, so an emptied box means "none".
            adj["dosage"] = {name: getattr(self, name).data for name in self.DOSE_FIELDS}
        return adj


class PlanActionForm(FlaskForm):
    """A bare POST (start, reassess, save, undo): only the CSRF token."""

    note = StringField("Note for the record (optional)", validators=[Optional(), Length(max=500)])


class DownloadForm(FlaskForm):
    class Meta:
        csrf = False

    page_size = SelectField("Page size", choices=[SelectChoice("A4"), SelectChoice("Letter", "US Letter")],
                            default="A4")
    large_print = BooleanField("Large print")


class CompareForm(FlaskForm):
    class Meta:
        csrf = False

    a = SelectField("Compare version")
    b = SelectField("with version")

    def set_versions(self, numbers: list[int]) -> None:
        """Offer these version numbers; default to the last two."""
        self.a.choices = self.b.choices = [SelectChoice(str(n), f"version {n}") for n in numbers]
        if not self.a.data or not self.validate():
            self.a.data = str(numbers[-2] if len(numbers) > 1 else numbers[-1])
            self.b.data = str(numbers[-1])

