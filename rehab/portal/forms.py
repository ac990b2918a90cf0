"""Portal forms: patients, the four wizard steps, plan adjustments and downloads.

The wizard's findings fields are built from the intake model (labels, help, bounds and
choices from `Findings`' field metadata) and asked per diagnosis as `planner.reads`
says, so the forms cannot drift from the planner. Forms check shape and bounds in plain
words, every field at once; every safety rule is judged by the planner (`parse_intake`,
`apply_adjustments`), whose errors the views attach to these fields.
"""

from __future__ import annotations

import datetime as dt

import re
from collections import namedtuple
from functools import lru_cache
from types import UnionType
from typing import Annotated, Literal, Union, get_args, get_origin

from flask_wtf import FlaskForm
from pydantic import BaseModel
from wtforms import BooleanField, DateField, DecimalField, IntegerField, RadioField, SelectField, StringField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, StopValidation, ValidationError

from rehab.extensions import db
from rehab.fields import MultiCheckboxField, choices
from rehab.models import Patient
from rehab.planner.intake import Findings, Intake, Pregnancy
from rehab.planner.reads import findings_read
from rehab.planner.protocols import load_protocols
from rehab.vocab import (ACTIVITY_LEVELS, COMORBIDITIES, DIAGNOSES, MEDICATIONS, PHASE_CODES, PHASES, SEXES, SIDES,
                         WELLS_ITEMS)

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


# ------------------------------------------------------------------ patients


class PatientForm(FlaskForm):
    first_name = StringField("First name", validators=[DataRequired(), Length(max=80)])
    last_name = StringField("Last name", validators=[DataRequired(), Length(max=80)])
    reference = StringField("Reference number", validators=[DataRequired(), Length(max=40)],
                            description="The clinic's record number; unique within the clinic.")
    date_of_birth = DateField("Date of birth", validators=[Optional()],
                              description="Used to fill in the age on new plans.")
    sex = SelectField("Sex", choices=choices(SEXES), default="unspecified")

    def validate_date_of_birth(self, field):
        if field.data and not dt.date(1900, 1, 1) <= field.data <= dt.date.today():
            raise ValidationError("Enter a date of birth between 1 January 1900 and today.")

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


# ------------------------------------------------------------------ findings from the intake model

Spec = namedtuple("Spec", "kind label help low high choices")


def _parts(annotation):
    """(base type, [metadata]) of an optional, possibly Annotated, model annotation."""
    args = [a for a in get_args(annotation) if a is not type(None)] if get_origin(annotation) in (
        Union, UnionType) else [annotation]
    (inner,) = args
    if get_origin(inner) is Annotated:
        base, *extra = get_args(inner)
        return base, [m for e in extra for m in getattr(e, "metadata", [e])]
    return inner, []


def field_spec(name: str, model: type[BaseModel] = Findings) -> Spec:
    """How to ask for one model field: its kind, label, help, bounds and choices."""
    info = model.model_fields[name]
    base, metadata = _parts(info.annotation)
    metadata = list(info.metadata) + metadata  # a required field keeps its bounds here
    label, help_text = info.title or name.replace("_", " ").capitalize(), info.description or ""
    low = next((m.ge for m in metadata if hasattr(m, "ge")), None)
    high = next((m.le for m in metadata if hasattr(m, "le")), None)
    if get_origin(base) is Literal:
        labels = (info.json_schema_extra or {}).get("labels", {})
        return Spec("choice", label, help_text, None, None, choices(get_args(base), labels))
    if isinstance(base, type) and issubclass(base, BaseModel):
        return Spec("pair", label, help_text, None, None, None)
    kind = {bool: "bool", int: "int", float: "float", str: "text"}[base]
    return Spec(kind, label, help_text, low, high, None)


def pattern(name: str, model: type[BaseModel] = Findings) -> str:
    """The regular expression the model holds a text field to."""
    return next(m.pattern for m in _parts(model.model_fields[name].annotation)[1] if getattr(m, "pattern", None))


def bounds(name: str, model: type[BaseModel] = Findings) -> tuple:
    """(lowest, highest) the model accepts for a number field."""
    return field_spec(name, model)[3:5]


class _OneMessage:
    """A number box that could not be read says only that: its bounds and the other box of
    a pair are not checked (they would judge an empty value and contradict the message)."""

    def pre_validate(self, form):
        if self.process_errors and self.raw_data and str(self.raw_data[0]).strip():  # empty: Optional decides
            raise StopValidation()
        super().pre_validate(form)


class NumberField(_OneMessage, DecimalField):
    """A decimal box with one message per problem (see _OneMessage)."""


class WholeNumberField(_OneMessage, IntegerField):
    """An integer box with a plain-words error, the validator's bounds as min/max for the
    browser (the form is novalidate: the server's message is the one shown), and a numeric
    keypad on phones; one message when it is not a whole number."""

    def __init__(self, label=None, validators=None, **kwargs):
        bounds = next(({"min": v.min, "max": v.max} for v in validators or () if isinstance(v, NumberRange)), {})
        super().__init__(label, validators, invalid_value_message="Enter a whole number, for example 12.",
                         render_kw={"inputmode": "numeric", **bounds}, **kwargs)


def _range(low, high, unit: str = "a whole number") -> list:
    """Optional, then the model's bounds in plain words."""
    return [Optional(), NumberRange(low, high, message=f"Enter {unit} from {low:g} to {high:g}.")]


def model_fields(name: str, model: type[BaseModel] = Findings) -> dict:
    """The form field(s) that ask for one model field ({form name: unbound field})."""
    spec, key = field_spec(name, model), name
    if spec.kind == "int":
        return {key: WholeNumberField(spec.label, _range(spec.low, spec.high), description=spec.help)}
    if spec.kind == "float":
        return {key: NumberField(spec.label, places=1, description=spec.help,
                                  validators=_range(spec.low, spec.high, "a number"),
                                  invalid_value_message="Enter a number, for example 37.5.")}
    if spec.kind == "bool":
        return {key: SelectField(spec.label, choices=YES_NO, default="", description=spec.help)}
    if spec.kind == "choice":
        return {key: SelectField(spec.label, choices=[NOT_ASSESSED] + spec.choices, default="",
                                 description=spec.help)}
    if spec.kind != "pair":  # text (BAMIC) is asked with the diagnosis, by DiagnosisForm
        raise ValueError(f"no findings field for {name} ({spec.kind})")
    sub = get_args(model.model_fields[name].annotation)[0]  # the pair's model (BridgeReps)
    sides = (("injured", "injured side", "uninjured"), ("uninjured", "other side", "injured"))
    return {f"{key}_{side}": WholeNumberField(f"{spec.label}: {words}",
                                              _range(*bounds(side, sub)) + [_with(f"{key}_{other}")],
                                              description=spec.help if side == "injured" else "")
            for side, words, other in sides}


def _with(other: str):
    """A pair's two boxes are answered together (the planner compares them); runs only
    for a box that was filled in (Optional stops the chain of an empty one)."""
    def check(form, field):
        if not (form[other].raw_data and form[other].raw_data[0].strip()):
            raise ValidationError("Enter the other side too, or leave both empty.")
    return check


def findings_asked(diagnosis: str) -> tuple[str, ...]:
    """The findings the planner reads for this diagnosis, less those other steps ask."""
    if diagnosis not in DIAGNOSES:
        return ()
    return tuple(n for n in findings_read(diagnosis) if n not in RED_FLAG_FINDINGS and n != "bamic")


@lru_cache(maxsize=None)
def findings_form(diagnosis: str) -> type[FlaskForm]:
    """A form class with only the findings that matter for this diagnosis, in model order."""
    fields = {"asked": findings_asked(diagnosis)}
    for name in fields["asked"]:
        fields.update(model_fields(name))
    return type(f"FindingsForm_{diagnosis}", (FlaskForm,), fields)


# ------------------------------------------------------------------ wizard step 1


class DiagnosisForm(FlaskForm):
    diagnosis = RadioField("Working diagnosis", choices=choices(DIAGNOSES, DIAGNOSIS_LABELS),
                           validators=[DataRequired(message="Choose a diagnosis.")])
    grade = SelectField("Hamstring strain grade", choices=[
        SelectChoice("", "Choose a grade"), SelectChoice("1", "Grade 1: mild strain, walks almost normally"),
        SelectChoice("2", "Grade 2: partial tear, limp, painful weak knee flexion"),
        SelectChoice("3", "Grade 3: complete tear, cannot walk normally, palpable gap")],
        default="", description="Only for a hamstring strain.")
    bamic = StringField("BAMIC grade (optional)", validators=[
        Optional(), Length(max=4), Regexp(pattern("bamic"), re.IGNORECASE,
                                          message="Enter a BAMIC grade such as 3b: 0 to 4, then a, b or c.")],
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
# The follow-up questions: findings of the intake model, asked for every diagnosis.
RED_FLAG_FINDINGS = tuple(k for g in RED_FLAG_GROUPS for k in g[4] if k != "wells_items")


class RedFlagForm(FlaskForm):
    wells_items = MultiCheckboxField("Wells items and clot risk factors",
                                     choices=choices(WELLS_ITEMS, WELLS_LABELS),
                                     description="Risk factors without a DVT symptom do not stop the plan: "
                                                 "the patient is taught the warning signs.")


for _group in RED_FLAG_GROUPS:
    for _name, _label in _group[3]:
        setattr(RedFlagForm, _name, BooleanField(_label))
for _name in RED_FLAG_FINDINGS:
    for _key, _field in model_fields(_name).items():
        setattr(RedFlagForm, _key, _field)
# Every other finding but BAMIC (asked with the diagnosis) belongs to the findings step.
FINDINGS_STEP = frozenset(Findings.model_fields) - set(RED_FLAG_FINDINGS) - {"bamic"}


# ------------------------------------------------------------------ wizard step 3


# Reference 2.3 activity goals, in the words the clinician asks the patient (a KeyError
# here means the vocabulary grew a level the form cannot ask about yet).
ACTIVITY_GOAL_LABELS = {
    "competitive_sport": "Competitive sport: training and matches",
    "recreational_sport": "Recreational sport, running or the gym",
    "daily_living": "Daily life: walking, stairs, work and home tasks",
}
ACTIVITY_GOAL_CHOICES = [SelectChoice(level, ACTIVITY_GOAL_LABELS[level]) for level in ACTIVITY_LEVELS]
PHASE_CHOICES = [SelectChoice(phase, f"{phase[:2]} {phase[3:].replace('_', ' ')}") for phase in PHASES]


class ModifiersForm(FlaskForm):
    age = WholeNumberField("Age (years)", validators=_range(*bounds("age", Intake)),
                           description="Filled in from the date of birth when it is known.")
    sex = SelectField("Sex", choices=choices(SEXES), default="unspecified")
    side = SelectField("Painful side", choices=choices(SIDES), default="unspecified")
    activity_level = SelectField(
        "What does the patient want to get back to?", default="",
        choices=[SelectChoice("", "Not asked yet"), *ACTIVITY_GOAL_CHOICES],
        description="Sets the later phases: sprints and sport drills only for sport. Not asked: "
                    "daily life from 65 or with osteoporosis or falls risk, otherwise recreational sport.")
    previous_phase = SelectField(
        "Phase at the last visit", default="",
        choices=[SelectChoice("", "None: first assessment"), *PHASE_CHOICES],
        description="Filled in from the last saved plan on a reassessment. The plan moves on from it "
                    "only when its exit criteria are met, and steps back for a flare.")
    pregnancy_pregnant = BooleanField("Pregnant")
    pregnancy_weeks = WholeNumberField("Weeks of pregnancy", validators=_range(*bounds("weeks", Pregnancy)),
                                       description="From week 13, no exercises lying flat on the back.")
    pregnancy_months_post_partum = WholeNumberField("Months since giving birth",
                                                    validators=_range(*bounds("months_post_partum", Pregnancy)),
                                                    description="Leave empty if not post-partum.")
    pregnancy_obstetric_contraindication = BooleanField(
        "Obstetric contraindication to exercise (no plan is given)")
    comorbidities = MultiCheckboxField("Other conditions", choices=choices(COMORBIDITIES, COMORBIDITY_LABELS))
    medications = MultiCheckboxField("Medicines", choices=choices(MEDICATIONS, MEDICATION_LABELS))


@lru_cache(maxsize=None)
def modifiers_form(diagnosis: str | None) -> type[FlaskForm]:
    """ModifiersForm with the phases of the last visit named by their titles in this
    diagnosis' protocol ("Phase 1 · Protect and settle"), not by their ids."""
    protocol = load_protocols()[0].get(diagnosis or "")
    if protocol is None:
        return ModifiersForm
    titles = [SelectChoice(phase, f"Phase {code[1:]} · {protocol.phases[code].name}")
              for code, phase in zip(PHASE_CODES, PHASES)]
    field = SelectField(ModifiersForm.previous_phase.args[0], default="",
                        choices=[SelectChoice("", "None: first assessment"), *titles],
                        description=ModifiersForm.previous_phase.kwargs["description"])
    field.creation_counter = ModifiersForm.previous_phase.creation_counter  # in the same place
    return type(f"ModifiersForm_{diagnosis}", (ModifiersForm,), {"previous_phase": field})


# ------------------------------------------------------------------ review, adjust, download


class AdjustmentForm(FlaskForm):
    """One clinician change; which changes are allowed is the planner's decision."""

    op = SelectField("Change", choices=choices(("remove", "swap", "add", "dose")))
    phase = SelectField("Phase", choices=choices(PHASES))
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
    next_appointment = StringField("Next appointment, printed on the plan (optional)",
                                   validators=[Optional(), Length(max=120)])


class DownloadForm(FlaskForm):
    class Meta:
        csrf = False

    page_size = SelectField("Page size", choices=[SelectChoice("", "Clinic default"), SelectChoice("A4"),
                                                  SelectChoice("Letter", "US Letter")], default="")
    large_print = BooleanField("Large print")
    all_phases = BooleanField("Print all phases in full")


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

