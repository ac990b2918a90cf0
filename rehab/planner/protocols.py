"""Load the protocol data in exercises/protocols/ (phases per diagnosis, exclusion tables).

Validated on load like the exercise files, so a typo in a rule fails loudly
instead of silently dropping a safety exclusion.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from rehab.config import EXERCISES_DIR
from rehab.library.loader import LibraryError, Problem
from rehab.vocab import ACTIVITY_LEVELS, CATEGORIES, DIAGNOSES, PHASE_CODES, STATES, TAGS

PROTOCOLS_DIR = EXERCISES_DIR / "protocols"

Op = Literal["is_true", "<=", ">=", "<", "==", "in"]  # what the protocols use, no more
PhaseCode = Literal[PHASE_CODES]  # type: ignore[valid-type]
Activity = Literal[ACTIVITY_LEVELS]  # type: ignore[valid-type]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Criterion(_Model):
    """One entry or exit criterion; without `finding` it is shown but never evaluated."""

    text: str
    patient: str
    finding: str | None = None
    op: Op | None = None
    value: int | str | list[str] | None = None
    required: bool = True  # False: only checked when the finding was assessed
    # Only for these activity goals (reference 2.3); None: for every goal.
    activity: list[Activity] | None = None


class Line(_Model):
    """A goal, precaution or education line that holds only for some patients: some activity
    goals (2.3), some states (e.g. pregnancy habits only when pregnant), or only while one of
    the exercises it speaks of may be given in that phase (no "keep the weekly Nordic curl"
    for a patient the Nordic is excluded for)."""

    text: str
    activity: list[Activity] | None = None
    when: list[Literal[STATES]] | None = None  # type: ignore[valid-type]  # any of these states
    needs: list[str] | None = None  # any of these exercises allowed in the phase


def for_goal(entries: list, goal: str, states=frozenset(), allowed=lambda slug: True) -> list:
    """The criteria or lines (plain strings hold for everyone) that apply to this patient."""
    out = []
    for entry in entries:
        if isinstance(entry, str):
            out.append(entry)
            continue
        if entry.activity is not None and goal not in entry.activity:
            continue
        if isinstance(entry, Line):
            if (entry.when is None or set(entry.when) & set(states)) and (
                    entry.needs is None or any(allowed(slug) for slug in entry.needs)):
                out.append(entry.text)
        else:
            out.append(entry)
    return out


class PhaseProtocol(_Model):
    name: str
    goals: list[str | Line]
    entry: list[str]
    exit: list[Criterion]
    # P1 of a non-traumatic condition: the patient starts here if irritable (reference 0.3)
    # or if any of these is met (or, when required, not assessed); otherwise in P2, whatever
    # P1's exit criteria say. None: P1 is left by its exit criteria (injuries, stenosis...).
    start_if: list[Criterion] | None = None
    duration_days: dict[str, tuple[int, int]] | None
    required_categories: list[Literal[CATEGORIES]]  # type: ignore[valid-type]
    # Items the reference names for this phase, never dropped by the item cap (2.3): a slug,
    # or a list of slugs of which the first one the safety rules allow is pinned.
    pinned: list[str | list[str]] = []
    preferred: list[str]
    precautions: list[str | Line]
    # Effort for loading exercises in this phase when the condition's protocol sets its own
    # (e.g. tendinopathy heavy slow resistance at RPE 6-8 in P2); else the reference 0.3 guide.
    rpe: str | None = None


class Protocol(_Model):
    diagnosis: Literal[DIAGNOSES]  # type: ignore[valid-type]
    name: str
    plain_name: str
    kind: Literal["acute_muscle", "tendinopathy", "radicular", "persistent", "no_tissue_injury"]
    education: list[str | Line]
    seek_help_if: list[str]
    phases: dict[Literal[PHASE_CODES], PhaseProtocol]  # type: ignore[valid-type]


class Exclusion(_Model):
    tags: list[Literal[TAGS]] = []  # type: ignore[valid-type]
    categories: list[Literal[CATEGORIES]] = []  # type: ignore[valid-type]
    ids: list[str] = []


class Allowance(_Model):
    """Exercises a modifier lets through in some phases when the patient also has `when`
    (2.3: the Nordic curl from P4 on blood thinners with medical clearance)."""

    when: Literal[STATES]  # type: ignore[valid-type]
    phases: list[PhaseCode]
    ids: list[str]
    precaution: str  # how it is done safely, added to the item


class Modifier(_Model):
    label: str
    exclude_tags: list[Literal[TAGS]] = []  # type: ignore[valid-type]
    exclude_ids: list[str] = []
    phases: dict[PhaseCode, Exclusion] = {}  # extra exclusions in one phase only
    allow: list[Allowance] = []
    add_categories: list[Literal[CATEGORIES]] = []  # type: ignore[valid-type]
    drop_categories: list[Literal[CATEGORIES]] = []  # type: ignore[valid-type]
    # Prescribed whatever the selection: in the patient's current phase, or in named phases.
    pin_current: list[str] = []
    pin: dict[PhaseCode, list[str]] = {}
    # Standing single-leg and split-stance items only in their supported form (2.3 frailty).
    supported_form: bool = False
    education: list[str] = []  # the "Add or notes" column, in the patient's words
    seek_help: list[str] = []


class ConditionRules(_Model):
    label: str
    all: Exclusion = Exclusion()
    P1: Exclusion = Exclusion()
    P2: Exclusion = Exclusion()
    P3: Exclusion = Exclusion()
    P4: Exclusion = Exclusion()


class Rules(_Model):
    tag_meanings: dict[Literal[TAGS], str]  # type: ignore[valid-type]
    modifiers: dict[Literal[STATES], Modifier]  # type: ignore[valid-type]
    conditions: dict[str, ConditionRules]


def _load(path: Path, model):
    try:
        return model.model_validate(yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
    except (yaml.YAMLError, OSError) as exc:
        raise LibraryError([Problem(str(path), None, "(file)", str(exc))]) from None
    except ValidationError as exc:
        raise LibraryError([Problem(str(path), None, ".".join(map(str, e["loc"])), e["msg"])
                            for e in exc.errors()]) from None


@lru_cache(maxsize=4)
def load_protocols(directory: Path = PROTOCOLS_DIR) -> tuple[dict[str, Protocol], Rules]:
    """All ten protocols and the exclusion rules; cached (the files are read-only data)."""
    protocols = {}
    for dx in DIAGNOSES:
        protocol = _load(directory / f"{dx}.yaml", Protocol)
        if protocol.diagnosis != dx or set(protocol.phases) != set(PHASE_CODES):
            raise LibraryError([Problem(str(directory / f"{dx}.yaml"), None, "phases",
                                        "must be for this diagnosis and define P1..P4")])
        protocols[dx] = protocol
    rules = _load(directory / "rules.yaml", Rules)
    for key in rules.conditions:
        if not any(key.startswith(dx) for dx in DIAGNOSES):
            raise LibraryError([Problem(str(directory / "rules.yaml"), None, f"conditions.{key}",
                                        "unknown diagnosis")])
    return protocols, rules
