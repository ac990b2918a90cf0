"""Saved versions as data: plan dict -> dataclasses, pictures, and what changed between two.

Everything here works from the frozen snapshot alone (no library, no database),
so a saved version looks and prints the same whatever happens to the library later.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache

from markupsafe import Markup

from rehab.planner.types import dosage_from_dict, plan_from_dict  # noqa: F401 (re-exported)
from rehab.vocab import PHASES

DOSE_KEYS = ("sets", "reps", "hold_s", "duration_min", "per_day", "days_per_week", "per_side", "effort")


def dosage_text(dosage: dict | None) -> str:
    """One line for a dosage dict, in the printed plan's words."""
    from rehab.pdf.words import dosage_line

    return dosage_line(dosage_from_dict(dosage)) if dosage else ""


def names_in(plan: dict) -> dict[str, str]:
    """Exercise id -> name for every exercise a saved plan mentions (items and alternatives)."""
    names: dict[str, str] = {}
    for phase in plan.get("phases") or []:
        for item in phase.get("items") or []:
            for alt in item.get("alternatives") or []:
                names.setdefault(alt["exercise_id"], alt.get("name") or alt["exercise_id"])
            names[item["exercise_id"]] = item.get("name") or item["exercise_id"]
    for excluded in plan.get("excluded") or []:
        if excluded.get("name"):
            names.setdefault(excluded["exercise_id"], excluded["name"])
    return names


def adjustment_text(adjustment: dict, names: dict[str, str], *, asked: bool = False) -> str:
    """A clinician change in words: 'Changed the dose of Heel dig in phase 1: 4 sets x 8 reps';
    `asked` words it as an instruction not yet carried out ('Change the dose of ...'), as a
    clinic template lists it."""
    def name(slug):
        return names.get(slug) or str(slug or "").replace("_", " ")

    phase = str(adjustment.get("phase") or "")
    where = f"phase {phase[1]}" if phase[:1] == "P" and phase[1:2].isdigit() else phase
    op, target = adjustment.get("op"), name(adjustment.get("exercise_id"))
    verb = {"remove": "Remove", "add": "Add", "swap": "Swap", "dose": "Change"}.get(op, "") if asked else \
        {"remove": "Removed", "add": "Added", "swap": "Swapped", "dose": "Changed"}.get(op, "")
    if op == "remove":
        return f"{verb} {target} from {where}"
    if op == "add":
        return f"{verb} {target} to {where}"
    if op == "swap":
        return f"{verb} {target} for {name(adjustment.get('to'))} in {where}"
    if op == "dose":
        dose = {k: v for k, v in (adjustment.get("dosage") or {}).items() if v is not None}
        words = dosage_text(dict(dose, effort=dose.get("effort", ""))) if dose else "no amounts"
        return f"{verb} the dose of {target} in {where}: {words}"
    return f"{op} {target} in {where}"


@lru_cache(maxsize=1024)
def _svg(key: str) -> str:
    from rehab.figures import render_svg
    from rehab.library.schema import Figure

    return render_svg(Figure.model_validate(json.loads(key)))


def figure_svg(figure) -> Markup:
    """Safe SVG for a figure (dict or schema object); identical figures are drawn once per process.

    Only rehab.figures.render_svg output is marked safe; it builds the SVG from numbers and codes.
    """
    if figure is None:
        return Markup("")
    if hasattr(figure, "model_dump"):
        figure = figure.model_dump(mode="json")
    return Markup(_svg(json.dumps(figure, sort_keys=True)))


DOSE_WORDS = {"sets": "sets", "reps": "reps", "hold_s": "hold (s)", "duration_min": "minutes",
              "per_day": "times a day", "days_per_week": "days a week", "per_side": "each side",
              "effort": "effort"}


def _changed(old, new) -> tuple | None:
    return (old, new) if old != new else None


def _dose_changes(a: dict, b: dict) -> list[tuple]:
    """Only the dose fields that changed: (words, before, after)."""
    return [(DOSE_WORDS[k], a.get(k), b.get(k)) for k in DOSE_KEYS if a.get(k) != b.get(k)]


def _phase_diff(phase_id: str, before: dict | None, after: dict | None) -> dict | None:
    """A phase's changes, or None when it is the same in both."""
    entry = {"id": phase_id, "name": (after or before).get("name", phase_id), "status": "same",
             "added": [], "removed": [], "dosage": []}
    if before is None or after is None:
        return entry | {"status": "new" if before is None else "gone"}
    old_items = {i["exercise_id"]: i for i in before.get("items") or []}
    new_items = {i["exercise_id"]: i for i in after.get("items") or []}
    entry["added"] = [i["name"] for k, i in new_items.items() if k not in old_items]
    entry["removed"] = [i["name"] for k, i in old_items.items() if k not in new_items]
    for key in sorted(new_items.keys() & old_items.keys(), key=lambda k: new_items[k]["name"]):
        changes = _dose_changes(old_items[key].get("dosage") or {}, new_items[key].get("dosage") or {})
        if changes:
            entry["dosage"].append({"name": new_items[key]["name"], "exercise_id": key, "changes": changes})
    return entry if entry["added"] or entry["removed"] or entry["dosage"] else None


def diff_plans(old: dict, new: dict) -> dict:
    """What changed from one saved plan dict to another, phase by phase."""
    result = {"allowed": _changed(old.get("allowed"), new.get("allowed")),
              "referral": _changed((old.get("referral") or {}).get("level"), (new.get("referral") or {}).get("level")),
              "current_phase": _changed(old.get("current_phase"), new.get("current_phase"))}
    old_phases = {p["id"]: p for p in old.get("phases") or []}
    new_phases = {p["id"]: p for p in new.get("phases") or []}
    order = dict.fromkeys([p for p in PHASES if p in old_phases or p in new_phases] + list(old_phases)
                          + list(new_phases))
    result["phases"] = [d for d in (_phase_diff(p, old_phases.get(p), new_phases.get(p)) for p in order) if d]
    result["changed"] = any(result.values())
    return result


def diff_findings(old: dict, new: dict, labels: dict[str, str]) -> list[dict]:
    """The intake findings that differ between two versions' intakes, in words, with the
    direction of a number's change ("down" for a knee-extension deficit of 35 -> 15)."""
    a, b = old.get("findings") or {}, new.get("findings") or {}
    out = []
    for key in dict.fromkeys([*a, *b]):
        if a.get(key) == b.get(key):
            continue
        numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (a.get(key), b.get(key)))
        direction = ("up" if b[key] > a[key] else "down") if numbers else ""
        out.append({"label": labels.get(key) or key.replace("_", " "), "before": _finding_words(a.get(key)),
                    "after": _finding_words(b.get(key)), "direction": direction})
    return out


def _finding_words(value) -> str:
    if value is None:
        return "not recorded"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value).replace("_", " ")


_PHASE_ID = re.compile(r"(?:\b([Pp])hase\s+)?'?\bP([1-9])(?:_[a-z0-9_]+)?\b'?")
_SLUG = re.compile(r"'?\b([a-z][a-z0-9]*(?:_[a-z0-9]+)+)\b'?")


# Patient states (rehab.vocab.STATES) whose id does not read as words once its underscores
# are spaces ("not with pregnant after 12 weeks").
STATE_WORDS = {
    "pregnant_after_12_weeks": "pregnancy after week 12",
    "pregnancy_pgp": "pregnancy with pelvic girdle pain",
    "age_65_plus": "age 65 or over",
    "post_partum_early": "under 3 months after giving birth",
    "neuro_deficit": "a neurological deficit",
    "neuro_exam_normal": "a normal neurological examination",
    "medically_cleared": "a doctor's clearance for heavy eccentric load",
}


def plain(text: str, names: dict[str, str]) -> str:
    """A message with its ids in words: a phase id as "phase 1", an exercise id as its name,
    a patient state in words (STATE_WORDS), any other code (a tag, a rule) with spaces for
    its underscores."""
    text = _PHASE_ID.sub(lambda m: f"{m.group(1) or 'p'}hase {m.group(2)}", str(text or ""))
    return _SLUG.sub(lambda m: names.get(m.group(1)) or STATE_WORDS.get(m.group(1))
                     or m.group(1).replace("_", " "), text)
