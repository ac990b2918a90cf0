"""The clinician's changes to a plan (portal and API), checked for shape before the planner
applies them: a bad change is refused naming its place, e.g. `adjustments[2].exercise_id`.

Whether a well-formed change is safe is still the planner's decision (`apply_adjustments`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from rehab.vocab import PHASES

MAX_CHANGES = 100
# Dose fields a clinician may set: (lowest, highest) whole number.
DOSE_BOUNDS = {"sets": (1, 10), "reps": (1, 100), "hold_s": (1, 300), "per_day": (1, 12),
               "days_per_week": (1, 7), "duration_min": (1, 120)}
OPS = ("remove", "swap", "add", "dose")


class AdjustmentError(ValueError):
    """A clinician change that is malformed or that the safety rules or dose bounds refuse;
    `reason` says why, `field` where (the whole list when no one item is to blame)."""

    def __init__(self, reason: str, field: str = "adjustments"):
        self.reason, self.field = reason, field
        super().__init__(reason)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,63}$")]


def _dose(name: str):
    low, high = DOSE_BOUNDS[name]
    return Annotated[int, Field(ge=low, le=high)] | None


class Dosage(_Model):
    sets: _dose("sets") = None
    reps: _dose("reps") = None
    hold_s: _dose("hold_s") = None
    per_day: _dose("per_day") = None
    days_per_week: _dose("days_per_week") = None
    duration_min: _dose("duration_min") = None
    effort: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)] = None


class _Change(_Model):
    phase: Literal[PHASES]  # type: ignore[valid-type]
    exercise_id: Slug


class Remove(_Change):
    op: Literal["remove"]


class Add(_Change):
    op: Literal["add"]


class Swap(_Change):
    op: Literal["swap"]
    to: Slug


class Dose(_Change):
    op: Literal["dose"]
    dosage: Dosage


CHANGES = {"remove": Remove, "add": Add, "swap": Swap, "dose": Dose}


def _words(path: tuple, err: dict) -> str:
    """A pydantic error in plain words, for the field at `path`."""
    name = str(path[-1]).replace("_", " ")
    kind = err["type"]
    if kind == "missing":
        return f"{name} is required."
    if kind == "extra_forbidden":
        return f"{name} is not part of this change."
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"{name} must be an object of the dose fields to change."
    if path[-1] in DOSE_BOUNDS:
        low, high = DOSE_BOUNDS[path[-1]]
        return f"{name} must be a whole number from {low} to {high}, or empty."
    if path[-1] == "effort":
        return "effort must be a short text (1 to 120 characters)."
    if path[-1] == "phase":
        return f"{err.get('input')!r} is not part of a plan: use one of {', '.join(PHASES)}."
    if path[-1] in ("exercise_id", "to"):
        return f"{name} must be an exercise id (lower-case letters, digits and _)."
    return f"{name}: {err['msg']}."


def validated(adjustments: object) -> list[dict]:
    """The changes as plain dicts (only the keys given), or AdjustmentError at the first bad one."""
    if not isinstance(adjustments, list):
        raise AdjustmentError("must be a list of changes.")
    if len(adjustments) > MAX_CHANGES:
        raise AdjustmentError(f"at most {MAX_CHANGES} changes at once.")
    out = []
    for index, change in enumerate(adjustments):
        where = f"adjustments[{index}]"
        if not isinstance(change, dict):
            raise AdjustmentError("each change must be an object with op, phase and exercise_id.", where)
        model = CHANGES.get(change.get("op")) if isinstance(change.get("op"), str) else None
        if model is None:
            raise AdjustmentError(f"Unknown change {change.get('op')!r}: use one of {', '.join(OPS)}.",
                                  f"{where}.op")
        try:
            out.append(model.model_validate(change).model_dump(exclude_unset=True))
        except ValidationError as exc:
            err = exc.errors()[0]
            path = tuple(p for p in err["loc"] if isinstance(p, (str, int)))
            raise AdjustmentError(_words(path, err), ".".join((where,) + tuple(map(str, path)))) from None
    return out
