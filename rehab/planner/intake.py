"""The intake of the contract, validated strictly: a wrong type, an unknown code or an
out-of-range value is refused with the field's path; unknown fields are ignored."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, ValidationError,
                      model_validator)

from rehab.vocab import ACTIVITY_LEVELS, COMORBIDITIES, DIAGNOSES, MEDICATIONS, PHASES, SEXES, SIDES, WELLS_ITEMS

# An error message quotes at most this much of a bad value (a 10 MB string is not echoed).
QUOTE_LIMIT = 200


class IntakeError(ValueError):
    """Invalid intake; `field` is the contract path (e.g. findings.ake_deficit_deg)."""

    def __init__(self, field: str, message: str):
        self.field, self.message = field, message
        super().__init__(f"{field}: {message}")


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True, frozen=True)


Pain = Annotated[int, Field(ge=0, le=10)]
Minutes = Annotated[int, Field(ge=0, le=1440)]


class Pregnancy(_Model):
    pregnant: bool = False
    weeks: Annotated[int, Field(ge=0, le=45)] | None = None
    months_post_partum: Annotated[int, Field(ge=0, le=60)] | None = None
    obstetric_contraindication: bool = False


class Dvt(_Model):
    symptoms_present: bool = False
    wells_items: Annotated[list[Literal[WELLS_ITEMS]], Field(max_length=len(WELLS_ITEMS))] = []  # type: ignore[valid-type]


class RedFlags(_Model):
    bladder_bowel_change: bool = False
    saddle_anaesthesia: bool = False
    new_bilateral_leg_symptoms: bool = False
    fever_chills_or_unwell: bool = False
    trauma_fracture_signs: bool = False
    suspected_tendon_or_apophyseal_avulsion: bool = False
    vascular_claudication_pattern: bool = False
    progressive_neuro_deficit: bool = False
    night_pain_or_cancer_history: bool = False
    chest_pain_or_breathlessness: bool = False
    expanding_haematoma_or_compartment_signs: bool = False
    dvt: Dvt = Field(default_factory=Dvt)


class BridgeReps(_Model):
    injured: Annotated[int, Field(ge=0, le=300)]
    uninjured: Annotated[int, Field(ge=0, le=300)]


def _f(title: str, description: str = "", **extra):
    """A finding's form label (with its unit) and help text; `labels` name a code's choices."""
    return Field(None, title=title, description=description, json_schema_extra=extra or None)


class Findings(_Model):
    days_since_onset: Annotated[int, Field(ge=0, le=3650)] | None = _f(
        "Days since onset", "Days since the injury or since this episode began.")
    symptom_duration_weeks: Annotated[int, Field(ge=0, le=5200)] | None = _f(
        "Symptom duration (weeks)", "For non-traumatic pain: how long it has lasted.")
    weeks_in_programme: Annotated[int, Field(ge=0, le=520)] | None = _f(
        "Weeks already in rehab", "Weeks already spent on an exercise programme.")
    nprs_rest: Pain | None = _f("Pain at rest (0-10)", "Numeric pain rating at rest.")
    nprs_activity: Pain | None = _f("Pain with daily activity (0-10)",
                                    "Numeric pain rating with everyday activity.")
    nprs_walking: Pain | None = _f("Pain when walking (0-10)", "Numeric pain rating while walking.")
    sitting_nprs: Pain | None = _f("Pain when sitting (0-10)", "Numeric pain rating during usual sitting.")
    leg_nprs: Pain | None = _f("Leg pain (0-10)", "Leg pain rating; 6 or more means start in phase 1.")
    back_nprs: Pain | None = _f("Back pain (0-10)", "Low-back pain rating.")
    walking: Literal["pain_free", "painful", "antalgic", "aided", "unable"] | None = _f(
        "Walking today", "Gait today: pain free, painful, limping (antalgic), with an aid, or unable.",
        labels={"pain_free": "Pain free", "painful": "Painful", "antalgic": "Limping (antalgic)",
                "aided": "With a walking aid", "unable": "Unable to walk"})
    weight_bearing: Literal["full", "partial", "unable"] | None = _f(
        "Weight bearing", "Can the leg take the body's weight? Unable means emergency imaging.",
        labels={"full": "Full", "partial": "Partial", "unable": "Unable"})
    high_energy_trauma: bool | None = _f("High-energy trauma (crash, fall from height)")
    bony_tenderness: bool | None = _f("Bony tenderness", "Fracture screen: tenderness over bone.")
    systemically_unwell: bool | None = _f("Systemically unwell",
                                          "Unwell in themselves; with fever this makes it an emergency.")
    temperature_c: Annotated[float, Field(ge=25, le=45)] | None = _f("Temperature (°C)",
                                                                     "38.0 or more counts as fever.")
    rest_pain_or_cold_pale_foot: bool | None = _f(
        "Pain at rest, or a cold or pale foot", "Possible critical limb ischaemia, with or without claudication.")
    pop_at_injury: bool | None = _f("Pop felt or heard at the injury", "Avulsion screen, with a palpable gap.")
    palpable_gap: bool | None = _f("Palpable gap", "A dent in the muscle or below the sit bone.")
    # The site letter in either case ("3B" = "3b").
    bamic: Annotated[str, BeforeValidator(lambda v: v.lower() if isinstance(v, str) else v),
                     StringConstraints(pattern=r"^(0[ab]?|[1-4][abc]?)$")] | None = _f("BAMIC grade")
    orthopaedic_clearance: bool | None = _f(
        "Surgeon has ruled out repair", "For a grade 3 or suspected avulsion: an orthopaedic review has cleared rehab.")
    medical_clearance: bool | None = _f(
        "Doctor has cleared heavy lowering work", "On a blood thinner: a doctor has cleared high eccentric "
        "load (the Nordic curl from phase 4, partner-assisted).")
    ake_deficit_deg: Annotated[int, Field(ge=0, le=90)] | None = _f(
        "Active knee-extension deficit (degrees)",
        "AKE against the other side. Under 20 and improving is a phase 1 exit criterion.")
    isometric_50_70_pain_free: bool | None = _f("Isometric knee flexion at 50-70% pain free",
                                                "Prone, knee at 90 degrees, 50-70% effort, without pain.")
    slow_jog_pain_free: bool | None = _f("Very slow jog pain free", "A few steps of very slow jogging without pain.")
    knee_flexion_max_pain_free: bool | None = _f(
        "Maximal knee-flexion tests pain free", "Maximal manual tests at 90 and 15 degrees, 4 in a row, without pain.")
    single_leg_bridge_reps: BridgeReps | None = _f(
        "Single-leg bridge repetitions", "Heel on a box of about 60 cm, repetitions to fatigue on each side.")
    strength_pct_other_side: Annotated[int, Field(ge=0, le=150)] | None = _f(
        "Strength (% of the other side)", "Dynamometry or manual testing against the other side.")
    running_pain_free_pct: Annotated[int, Field(ge=0, le=100)] | None = _f(
        "Pain-free running speed (% of maximum)", "Highest running speed without pain, as a percentage of maximum.")
    sprint_95pct_pain_free: bool | None = _f("Sprinting at 95% pain free",
                                             "Pain-free running at 95% of maximal speed.")
    askling_h_test_insecurity: bool | None = _f(
        "Askling H-test: insecurity felt", "Any sense of insecurity on the H-test means staying in phase 3.")
    slr_deg: Annotated[int, Field(ge=0, le=90)] | None = _f(
        "Straight-leg raise (degrees)", "Angle at symptom onset. Under 45 means phase 1.")
    neuro_exam: Literal["normal", "stable_deficit", "progressive_deficit"] | None = _f(
        "Neurological examination", "Myotomes, reflexes and sensation. A progressive deficit needs urgent referral.",
        labels={"normal": "Normal", "stable_deficit": "Stable deficit",
                "progressive_deficit": "Progressive deficit"})
    directional_preference: Literal["extension", "flexion", "none", "unknown"] | None = _f(
        "Directional preference", "The repeated movement direction that centralises symptoms.",
        labels={"extension": "Extension", "flexion": "Flexion", "none": "None", "unknown": "Not clear yet"})
    walking_tolerance_min: Minutes | None = _f("Walking tolerance (minutes)", "Minutes of walking before symptoms.")
    sitting_tolerance_min: Minutes | None = _f("Sitting tolerance (minutes)", "Minutes of sitting before symptoms.")
    sitting_hours_per_day: Annotated[int, Field(ge=0, le=24)] | None = _f(
        "Hours sitting per day", "Usual total sitting time on a working day.")
    isometrics_pain_free: bool | None = _f("Isometrics pain free", "Isometric loading at 3/10 or less.")
    response_24h: Literal["stable", "flare"] | None = _f(
        "24-hour response to loading", "Next-day response to the last loading session.",
        labels={"stable": "Stable", "flare": "Flare-up"})
    laslett_positive_tests: Annotated[int, Field(ge=0, le=5)] | None = _f(
        "Laslett tests positive (0-5)", "Distraction, thigh thrust, compression, sacral thrust, Gaenslen.")
    point_tenderness_ischial_tuberosity: bool | None = _f("Point tenderness on the sit bone")
    local_redness_warmth_swelling: bool | None = _f(
        "Local redness, warmth or swelling", "A red, hot swelling needs a same-day medical review (septic bursitis).")


class Intake(_Model):
    diagnosis: Literal[DIAGNOSES]  # type: ignore[valid-type]
    grade: Annotated[int, Field(ge=1, le=3)] | None = None
    age: Annotated[int, Field(ge=5, le=110)] | None = None
    sex: Literal[SEXES] = "unspecified"  # type: ignore[valid-type]
    activity_level: Literal[ACTIVITY_LEVELS] | None = None  # type: ignore[valid-type]
    previous_phase: Literal[PHASES] | None = None  # type: ignore[valid-type]
    side: Literal[SIDES] = "unspecified"  # type: ignore[valid-type]
    pregnancy: Pregnancy = Field(default_factory=Pregnancy)
    comorbidities: Annotated[list[Literal[COMORBIDITIES]],  # type: ignore[valid-type]
                             Field(max_length=len(COMORBIDITIES))] = []
    medications: Annotated[list[Literal[MEDICATIONS]],  # type: ignore[valid-type]
                           Field(max_length=len(MEDICATIONS))] = []
    red_flags: RedFlags = Field(default_factory=RedFlags)
    findings: Findings = Field(default_factory=Findings)

    @model_validator(mode="after")
    def _grade_for_strain(self) -> "Intake":
        if self.diagnosis == "hamstring_strain" and self.grade is None:
            raise ValueError("grade is required for hamstring_strain (1, 2 or 3)")
        return self


def _path(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif str(part).startswith(("literal[", "constrained-", "function-", "int", "float", "bool")):
            continue
        else:
            out += ("." if out else "") + str(part)
    return out


def _drop_nulls(raw: dict) -> dict:
    """`null` means 'not given', the same as leaving a field out."""
    return {k: v for k, v in raw.items() if v is not None}


def _quote(value: object) -> str:
    text = repr(value)
    return text if len(text) <= QUOTE_LIMIT else text[:QUOTE_LIMIT] + f"... ({len(text)} characters)"


def parse_intake(raw: object) -> Intake:
    """Validate a decoded JSON intake. Accepts {"intake": {...}} wrappers as the examples use."""
    if isinstance(raw, dict) and "diagnosis" not in raw and isinstance(raw.get("intake"), dict):
        raw = raw["intake"]
    if not isinstance(raw, dict):
        raise IntakeError("(intake)", "must be a JSON object")
    data = _drop_nulls(raw)
    for key in ("pregnancy", "red_flags", "findings"):
        if isinstance(data.get(key), dict):
            data[key] = _drop_nulls(data[key])
    if isinstance(data.get("red_flags"), dict) and isinstance(data["red_flags"].get("dvt"), dict):
        data["red_flags"]["dvt"] = _drop_nulls(data["red_flags"]["dvt"])
    if data.get("diagnosis") != "hamstring_strain":
        data.pop("grade", None) if data.get("grade") is None else None
    try:
        intake = Intake.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = _path(err["loc"]) or ("grade" if "grade" in err["msg"] else "(intake)")
        message = err["msg"]
        if err["type"] == "missing":
            message = "is required"
        elif "input" in err and err["type"] != "value_error":
            message += f" (got {_quote(err['input'])})"
        raise IntakeError(field, message.removeprefix("Value error, ")) from None
    if intake.diagnosis != "hamstring_strain" and intake.grade is not None:
        intake = intake.model_copy(update={"grade": None})
    return intake
