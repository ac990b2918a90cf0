"""One schema for an exercise, used by the file loader, the database sync and
the admin forms, so the browser can never store what a file could not hold."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from rehab.vocab import CATEGORIES, DIAGNOSES, PHASE_CODES, STATES, TAGS

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,63}$")]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=400)]
PhaseCode = Literal[PHASE_CODES]  # type: ignore[valid-type]
Category = Literal[CATEGORIES]  # type: ignore[valid-type]
Tag = Literal[TAGS]  # type: ignore[valid-type]
Diagnosis = Literal[DIAGNOSES]  # type: ignore[valid-type]
State = Literal[STATES]  # type: ignore[valid-type]

_MARKUP = re.compile(r"[<>]")

BODIES = (
    "standing",
    "sitting",
    "supine",
    "prone",
    "side_lying",
    "quadruped",
    "kneeling",
    "half_kneeling",
    "long_sitting",
)
Body = Literal[BODIES]  # type: ignore[valid-type]
MOVING_POINTS = ("hand", "foot", "knee", "hip", "head", "trunk", "none")
PROPS = ("mat", "chair", "box", "bench", "wall", "band", "strap", "weight", "step",
         "rail", "roller", "bike", "cushion", "ice", "pillow", "cone", "slider", "wrap", "crutches", "broom_handle")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Pose(Strict):
    """A body position for the line figure. Angles in degrees.

    hip/knee are the working leg (near side, coloured as the affected leg when the
    plan has a side), other_hip/other_knee the other one (far side, pale); left out (None), the other leg takes the body's default place
    (standing straight, sitting 90/90, kneeling on its knee...), not a copy of the
    working leg: give both for two-legged moves such as a bridge or a squat.
    hip: flexion of the thigh against the trunk line (0 = in line, 90 = thigh at
    a right angle to the trunk, negative = extension); so a trunk lean that keeps the
    thigh still changes hip too (sitting leaning 30 forward: hip 120; a hip hinge with
    hips pushed back: hip a little more than trunk). knee: flexion (0 = straight).
    trunk: extra lean forward (+) or back (-) from the body's base orientation.
    arm: shoulder flexion (0 = by the side, 90 = forward, 180 = overhead, negative =
    behind the body: -40 with the elbow bent puts the hands behind the back).
    elbow: elbow flexion (0 = straight); left out, the body's usual bend.
    head: neck flexion (+ = chin towards the chest, - = looking up).
    hold: this position is held still; its panel is labelled "Hold" instead of
    "Finish" (isometrics, stretches held, education items).
    lift: hips raised off the floor (bridge, plank), lying or kneeling bodies only.
    abduct: the working leg lifted sideways (hip abduction; with the knee bent, the
    knee opening of a clamshell). Drawn only for side_lying, which is seen from the
    front with the working leg on top.
    rehab.figures.body documents how each body is drawn.
    """

    body: Body
    hip: int = Field(0, ge=-60, le=150)
    knee: int = Field(0, ge=0, le=160)
    other_hip: int | None = Field(None, ge=-60, le=150)
    other_knee: int | None = Field(None, ge=0, le=160)
    trunk: int = Field(0, ge=-60, le=120)
    arm: int = Field(0, ge=-60, le=180)
    elbow: int | None = Field(None, ge=0, le=150)
    head: int = Field(0, ge=-45, le=60)
    lift: bool = False
    abduct: int = Field(0, ge=0, le=60)
    hold: bool = False


class Figure(Strict):
    """Start and end positions; the arrow follows `move` from start to end."""

    start: Pose
    end: Pose
    move: Literal[MOVING_POINTS] = "none"  # type: ignore[valid-type]
    props: list[Literal[PROPS]] = []  # type: ignore[valid-type]


class Dosage(Strict):
    """Default dose as numbers. `reps` or `hold_s` may be absent for time-based items."""

    sets: int | None = Field(None, ge=1, le=10)
    reps: int | None = Field(None, ge=1, le=100)
    hold_s: int | None = Field(None, ge=1, le=300)
    duration_min: int | None = Field(None, ge=1, le=120)
    per_day: int | None = Field(None, ge=1, le=12)
    days_per_week: int | None = Field(None, ge=1, le=7)
    per_side: bool = False
    effort: ShortText

    @field_validator("effort")
    @classmethod
    def _no_markup(cls, value: str) -> str:
        if _MARKUP.search(value):
            raise ValueError("must not contain '<' or '>'")
        return value

    @model_validator(mode="after")
    def _something_to_do(self) -> "Dosage":
        if self.reps is None and self.hold_s is None and self.duration_min is None and self.sets is None:
            raise ValueError("give at least one of sets, reps, hold_s or duration_min")
        return self


class DosageVariant(Strict):
    """A dose that replaces fields of the default when the plan matches `when`."""

    conditions: list[Diagnosis] = []
    phases: list[PhaseCode] = []
    # Only for patients in any of these states (e.g. acute_window: the first 72 hours).
    when: list[State] = []
    dosage: Dosage


class Exercise(Strict):
    id: Slug
    name: ShortText
    category: Category
    tags: list[Tag] = []
    targets: list[ShortText] = Field(min_length=1)
    equipment: list[ShortText] = []
    suits: dict[Diagnosis, list[PhaseCode]] = Field(min_length=1)
    avoid_with: list[State] = []
    only_with: list[State] = []
    avoid_in: dict[Diagnosis | Literal["all"], list[PhaseCode]] = {}
    dosage: Dosage
    dosage_variants: list[DosageVariant] = []
    steps: list[LongText] = Field(min_length=3, max_length=5)
    precautions: list[LongText] = []
    # The supported form for frail patients (reference 2.3): a first step such as "Keep one
    # hand on a rail or counter throughout". Only standing single-leg and split-stance items.
    supported: LongText | None = None
    # In the supported form these steps are printed after `supported` instead of `steps`, so
    # the patient reads one consistent set (no open floor, no crossing steps, no "touch the
    # support when you need to" under "keep one hand on it all the time"). Left out, the
    # supported form is `supported` followed by `steps` unchanged.
    supported_steps: list[LongText] | None = Field(None, min_length=2, max_length=4)
    evidence: list[Annotated[str, StringConstraints(pattern=r"^(S-\d\d[a-z]?|TB|PH)$")]] = Field(min_length=1)
    easier: Slug | None = None
    harder: Slug | None = None
    notes: LongText | None = None
    figure: Figure
    retired: bool = False

    @field_validator("name", "steps", "precautions", "targets", "equipment", "notes", "supported",
                     "supported_steps")
    @classmethod
    def _no_markup(cls, value):
        for text in value if isinstance(value, list) else (value,) if value else ():
            if _MARKUP.search(text):
                raise ValueError("must not contain '<' or '>'")
        return value

    @field_validator("supported_steps")
    @classmethod
    def _with_a_supported_step(cls, value, info):
        if value and not info.data.get("supported"):
            raise ValueError("needs `supported` (the hand-hold step printed before these)")
        return value

    @field_validator("tags", "avoid_with", "only_with")
    @classmethod
    def _unique(cls, value):
        if len(set(value)) != len(value):
            raise ValueError("lists each entry once")
        return value

    @field_validator("suits", "avoid_in")
    @classmethod
    def _phases_listed(cls, value):
        for key, phases in value.items():
            if not phases:
                raise ValueError(f"{key}: name at least one phase")
            if list(phases) != sorted(set(phases)):
                raise ValueError(f"{key}: list phases once each, in order P1..P4")
        return value
