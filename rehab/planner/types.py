"""The plan as plain dataclasses; `to_dict` gives the contract's plan JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields


@dataclass(frozen=True)
class Dosage:
    sets: int | None
    reps: int | None
    hold_s: int | None
    per_day: int | None
    days_per_week: int | None
    effort: str
    duration_min: int | None = None
    per_side: bool = False
    # The effort as a clinician's number ("RPE 4-6/10"); `effort` is in the patient's words.
    rpe: str = ""


@dataclass(frozen=True)
class Alternative:
    exercise_id: str
    name: str
    kind: str  # "easier", "harder" or "similar"


@dataclass(frozen=True)
class Item:
    exercise_id: str
    name: str
    category: str
    tags: list[str]
    dosage: Dosage
    instructions: list[str]
    precautions: list[str]
    alternatives: list[Alternative] = field(default_factory=list)


@dataclass(frozen=True)
class Duration:
    min: int
    max: int


@dataclass(frozen=True)
class Phase:
    id: str
    name: str
    goals: list[str]
    entry_criteria: list[str]
    exit_criteria: list[str]
    duration_days: Duration | None
    items: list[Item]
    precautions: list[str]
    # Patient words for "move on when"; the contract's criteria are for clinicians.
    patient_exit_criteria: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Referral:
    level: str  # none, routine, urgent, emergency
    reasons: list[str]
    refer_to: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Exclusion:
    exercise_id: str
    phase: str
    reason: str
    name: str = ""  # the exercise's name, so a saved snapshot reads without the library


@dataclass(frozen=True)
class Plan:
    allowed: bool
    referral: Referral
    wells_score: int | None
    diagnosis: str
    grade: int | None
    current_phase: str | None
    phases: list[Phase]
    excluded: list[Exclusion]
    education: list[str]
    seek_help_if: list[str]
    phase_reasons: list[str] = field(default_factory=list)  # why this phase was chosen
    assumptions: list[str] = field(default_factory=list)  # what was assumed for missing input
    activity_level: str | None = None  # the goal planned for, given or assumed
    library_version: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def _build(cls, data: dict | None, **nested):
    """cls(**data) keeping only the dataclass's fields (snapshots may carry extra keys)."""
    if data is None:
        return None
    names = {f.name for f in fields(cls)}
    values = {k: v for k, v in data.items() if k in names}
    values.update(nested)
    return cls(**values)


def dosage_from_dict(data: dict | None) -> Dosage:
    data = data or {}
    required = {k: data.get(k) for k in ("sets", "reps", "hold_s", "per_day", "days_per_week")}
    return _build(Dosage, data, effort=data.get("effort") or "", **required)


def _item(data: dict) -> Item:
    return _build(Item, data, dosage=dosage_from_dict(data.get("dosage")),
                  alternatives=[_build(Alternative, a) for a in data.get("alternatives") or []])


def _phase(data: dict) -> Phase:
    return _build(Phase, data, duration_days=_build(Duration, data.get("duration_days")),
                  items=[_item(i) for i in data.get("items") or []])


def plan_from_dict(data: dict) -> Plan:
    """Rebuild a Plan from its JSON (a saved snapshot), the inverse of Plan.to_dict().

    Tolerant of snapshots written by older or newer versions: unknown keys are
    dropped and fields added since take their defaults.
    """
    return _build(Plan, data, referral=_build(Referral, data.get("referral") or {"level": "none", "reasons": []}),
                  phases=[_phase(p) for p in data.get("phases") or []],
                  excluded=[_build(Exclusion, e) for e in data.get("excluded") or []])
