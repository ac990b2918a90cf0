"""The plan as plain dataclasses; `to_dict` gives the contract's plan JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


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
    library_version: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def plan_from_dict(data: dict) -> Plan:
    """Rebuild a Plan from its JSON (a saved snapshot), the inverse of Plan.to_dict()."""

    def item(d: dict) -> Item:
        return Item(**{**d, "dosage": Dosage(**d["dosage"]),
                       "alternatives": [Alternative(**a) for a in d.get("alternatives", [])]})

    def phase(d: dict) -> Phase:
        duration = d.get("duration_days")
        return Phase(**{**d, "duration_days": Duration(**duration) if duration else None,
                        "items": [item(i) for i in d["items"]]})

    return Plan(**{**data, "referral": Referral(**data["referral"]),
                   "phases": [phase(p) for p in data["phases"]],
                   "excluded": [Exclusion(**e) for e in data["excluded"]]})
