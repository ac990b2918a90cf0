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


class Findings(_Model):
    days_since_onset: Annotated[int, Field(ge=0, le=3650)] | None = None
    symptom_duration_weeks: Annotated[int, Field(ge=0, le=5200)] | None = None
    weeks_in_programme: Annotated[int, Field(ge=0, le=520)] | None = None
    nprs_rest: Pain | None = None
    nprs_activity: Pain | None = None
    nprs_walking: Pain | None = None
    sitting_nprs: Pain | None = None
    leg_nprs: Pain | None = None
    back_nprs: Pain | None = None
    walking: Literal["pain_free", "painful", "antalgic", "aided", "unable"] | None = None
    weight_bearing: Literal["full", "partial", "unable"] | None = None
    high_energy_trauma: bool | None = None
    bony_tenderness: bool | None = None
    systemically_unwell: bool | None = None
    temperature_c: Annotated[float, Field(ge=25, le=45)] | None = None
    rest_pain_or_cold_pale_foot: bool | None = None
    pop_at_injury: bool | None = None
    palpable_gap: bool | None = None
    # The site letter in either case ("3B" = "3b").
    bamic: Annotated[str, BeforeValidator(lambda v: v.lower() if isinstance(v, str) else v),
                     StringConstraints(pattern=r"^(0[ab]?|[1-4][abc]?)$")] | None = None
    orthopaedic_clearance: bool | None = None
    medical_clearance: bool | None = None  # high eccentric load cleared on blood thinners (2.3)
    ake_deficit_deg: Annotated[int, Field(ge=0, le=90)] | None = None
    isometric_50_70_pain_free: bool | None = None
    slow_jog_pain_free: bool | None = None
    knee_flexion_max_pain_free: bool | None = None
    single_leg_bridge_reps: BridgeReps | None = None
    strength_pct_other_side: Annotated[int, Field(ge=0, le=150)] | None = None
    running_pain_free_pct: Annotated[int, Field(ge=0, le=100)] | None = None
    sprint_95pct_pain_free: bool | None = None
    askling_h_test_insecurity: bool | None = None
    slr_deg: Annotated[int, Field(ge=0, le=90)] | None = None
    neuro_exam: Literal["normal", "stable_deficit", "progressive_deficit"] | None = None
    directional_preference: Literal["extension", "flexion", "none", "unknown"] | None = None
    walking_tolerance_min: Minutes | None = None
    sitting_tolerance_min: Minutes | None = None
    sitting_hours_per_day: Annotated[int, Field(ge=0, le=24)] | None = None
    isometrics_pain_free: bool | None = None
    response_24h: Literal["stable", "flare"] | None = None
    laslett_positive_tests: Annotated[int, Field(ge=0, le=5)] | None = None
    point_tenderness_ischial_tuberosity: bool | None = None
    local_redness_warmth_swelling: bool | None = None


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
