"""Field-by-field differences between two versions of an exercise, as people read them.

Works on the plain dicts stored in ExerciseRevision.data / .diff; no Flask.
"""

from __future__ import annotations

import difflib
import typing
from dataclasses import dataclass, field

from pydantic import BaseModel

from rehab.library.schema import Exercise

LABELS = {
    "id": "Id", "name": "Name", "category": "Category", "tags": "Risk tags", "targets": "Targets",
    "equipment": "Equipment", "suits": "Suits", "avoid_with": "Avoid with", "only_with": "Only with",
    "avoid_in": "Avoid in", "dosage": "Default dose", "dosage_variants": "Dose variants",
    "steps": "Steps", "precautions": "Precautions", "evidence": "Evidence", "easier": "Easier exercise",
    "harder": "Harder exercise", "notes": "Notes", "figure": "Figure", "retired": "Retired",
    "sets": "sets", "reps": "repetitions", "hold_s": "hold (s)", "duration_min": "duration (min)",
    "per_day": "times per day", "days_per_week": "days per week", "per_side": "each side",
    "effort": "effort", "start": "start", "end": "end", "move": "arrow", "props": "props",
    "body": "body", "hip": "hip", "knee": "knee", "other_hip": "other hip", "other_knee": "other knee",
    "trunk": "trunk", "arm": "arm", "lift": "hips lifted",
}
# Order fields appear in, as in the data files.
ORDER = ("id", "name", "category", "tags", "targets", "equipment", "suits", "avoid_with", "only_with",
         "avoid_in", "dosage", "dosage_variants", "steps", "precautions", "evidence", "easier",
         "harder", "notes", "figure", "retired")


@dataclass(frozen=True)
class Line:
    op: str  # "same", "removed" or "added"
    text: str


@dataclass
class Change:
    """One field (or sub-field, e.g. dosage.reps) that differs."""

    key: str  # dotted path: "dosage.reps"
    label: str  # "Default dose · repetitions"
    before: str | None = None  # for single values; None: not set
    after: str | None = None
    lines: list[Line] = field(default_factory=list)  # for lists: a line diff

    @property
    def is_list(self) -> bool:
        return bool(self.lines)


def label(path: tuple) -> str:
    parts = [LABELS.get(p, str(p).replace("_", " ")) if isinstance(p, str) else f"#{p + 1}" for p in path]
    return " \u00b7 ".join(parts)


def _model_of(annotation) -> type[BaseModel] | None:
    for candidate in (annotation, *typing.get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def schema_default(path: tuple):
    """The schema's default for a nested field left out of the data (figure.end.hip -> 0), else None."""
    model: type[BaseModel] | None = Exercise
    info = None
    for part in path:
        if model is None or not isinstance(part, str) or part not in model.model_fields:
            return None
        info = model.model_fields[part]
        model = _model_of(info.annotation)
    if info is None or info.is_required():
        return None
    default = info.get_default(call_default_factory=True)
    return None if default is None or default == [] or default == {} else default


def show_at(path: tuple, value) -> str | None:
    """A value as text; a left-out field shows the schema's default it stands for."""
    if value is None:
        default = schema_default(path)
        return None if default is None else f"{show(default)} (default)"
    return show(value)


def show(value) -> str | None:
    """One value as text; None stays None ("not set")."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return "; ".join(f"{LABELS.get(k, str(k).replace('_', ' '))}: {show(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(show(v) or "" for v in value)
    return str(value)


def _sort_key(key: str) -> tuple:
    return (ORDER.index(key) if key in ORDER else len(ORDER), key)


def _line_diff(before: list, after: list) -> list[Line]:
    a = [show(x) or "" for x in before]
    b = [show(x) or "" for x in after]
    lines: list[Line] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            lines += [Line("same", t) for t in a[i1:i2]]
            continue
        lines += [Line("removed", t) for t in a[i1:i2]]
        lines += [Line("added", t) for t in b[j1:j2]]
    return lines


def _compare(path: tuple, before, after, out: list[Change]) -> None:
    if before == after:
        return
    if isinstance(before, dict) or isinstance(after, dict):
        before, after = before or {}, after or {}
        if isinstance(before, dict) and isinstance(after, dict):
            for key in sorted(set(before) | set(after), key=lambda k: (list(before) + list(after)).index(k)):
                _compare(path + (key,), before.get(key), after.get(key), out)
            return
    key = ".".join(str(p) for p in path)
    if isinstance(before, list) or isinstance(after, list):
        out.append(Change(key, label(path), lines=_line_diff(before or [], after or [])))
    else:
        out.append(Change(key, label(path), show_at(path, before), show_at(path, after)))


def changes(before: dict, after: dict) -> list[Change]:
    """Every difference between two exercise dicts, in file order, nested fields spelled out."""
    out: list[Change] = []
    for key in sorted(set(before) | set(after), key=_sort_key):
        _compare((key,), before.get(key), after.get(key), out)
    return out


def changes_from_diff(diff: dict) -> list[Change]:
    """A stored revision diff (field -> [before, after]) as changes."""
    return changes({k: v[0] for k, v in diff.items()}, {k: v[1] for k, v in diff.items()})


@dataclass(frozen=True)
class Cell:
    """A value in the conflict table: its lines (one per list entry), each marked if it is
    not in the version both admins started from."""

    lines: tuple[tuple[str, bool], ...]


@dataclass
class ConflictRow:
    """One field as it was loaded, as saved by the other admin, and as typed."""

    key: str
    label: str
    base: Cell | None  # None: not set
    theirs: Cell | None
    yours: Cell | None
    they_changed: bool
    you_changed: bool


def _flatten(data: dict, path: tuple = ()) -> dict[tuple, object]:
    """Nested dicts spelled out to their leaves: {("dosage", "reps"): 10, ("steps",): [...]}."""
    out: dict[tuple, object] = {}
    for key, value in data.items():
        if isinstance(value, dict) and value:
            out.update(_flatten(value, path + (key,)))
        else:
            out[path + (key,)] = value
    return out


def _lines(path: tuple, value) -> list[str] | None:
    if isinstance(value, list):
        return [show(v) or "" for v in value] or None
    text = show_at(path, value)
    return None if text is None else [text]


def _cell(path: tuple, value, base) -> Cell | None:
    lines = _lines(path, value)
    if lines is None:
        return None
    before = set(_lines(path, base) or []) if base is not None else set()
    return Cell(tuple((line, base is not None and value != base and line not in before) for line in lines))


def conflict_rows(base: dict, theirs: dict, yours: dict) -> list[ConflictRow]:
    """Every (nested) field where the saved version and the typed one differ, with the
    version both started from, in file order."""
    flat = {name: _flatten(d) for name, d in (("base", base), ("theirs", theirs), ("yours", yours))}
    paths = list(dict.fromkeys([*flat["base"], *flat["theirs"], *flat["yours"]]))
    paths.sort(key=lambda p: _sort_key(p[0]))
    rows = []
    for path in paths:
        b, t, y = (flat[name].get(path) for name in ("base", "theirs", "yours"))
        if t == y:
            continue
        known = b if base else None  # without the starting version nothing can be marked as new
        rows.append(ConflictRow(".".join(map(str, path)), label(path), _cell(path, b, None),
                                _cell(path, t, known), _cell(path, y, known), b != t, b != y))
    return rows
