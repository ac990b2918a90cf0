"""Saved versions as data: plan dict -> dataclasses, pictures, and what changed between two.

Everything here works from the frozen snapshot alone (no library, no database),
so a saved version looks and prints the same whatever happens to the library later.
"""

from __future__ import annotations

import json
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


def adjustment_text(adjustment: dict, names: dict[str, str]) -> str:
    """A clinician change in words: 'Changed the dose of Heel dig in phase 1: 4 sets x 8 reps'."""
    def name(slug):
        return names.get(slug) or str(slug or "").replace("_", " ")

    phase = str(adjustment.get("phase") or "")
    where = f"phase {phase[1]}" if phase[:1] == "P" and phase[1:2].isdigit() else phase
    op, target = adjustment.get("op"), name(adjustment.get("exercise_id"))
    if op == "remove":
        return f"Removed {target} from {where}"
    if op == "add":
        return f"Added {target} to {where}"
    if op == "swap":
        return f"Swapped {target} for {name(adjustment.get('to'))} in {where}"
    if op == "dose":
        dose = {k: v for k, v in (adjustment.get("dosage") or {}).items() if v is not None}
        words = dosage_text(dict(dose, effort=dose.get("effort", ""))) if dose else "no amounts"
        return f"Changed the dose of {target} in {where}: {words}"
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


def diff_plans(old: dict, new: dict) -> dict:
    """What changed from one saved plan dict to another, phase by phase."""
    result = {"changed": False, "allowed": None, "referral": None, "current_phase": None, "phases": []}
    if old.get("allowed") != new.get("allowed"):
        result["allowed"] = (old.get("allowed"), new.get("allowed"))
    old_level = (old.get("referral") or {}).get("level")
    new_level = (new.get("referral") or {}).get("level")
    if old_level != new_level:
        result["referral"] = (old_level, new_level)
    if old.get("current_phase") != new.get("current_phase"):
        result["current_phase"] = (old.get("current_phase"), new.get("current_phase"))
    old_phases = {p["id"]: p for p in old.get("phases") or []}
    new_phases = {p["id"]: p for p in new.get("phases") or []}
    order = [p for p in PHASES if p in old_phases or p in new_phases]
    order += [p for p in list(old_phases) + list(new_phases) if p not in order]
    for phase_id in dict.fromkeys(order):
        before, after = old_phases.get(phase_id), new_phases.get(phase_id)
        entry = {"id": phase_id, "name": (after or before).get("name", phase_id), "status": "same",
                 "added": [], "removed": [], "dosage": []}
        if before is None:
            entry["status"] = "new"
        elif after is None:
            entry["status"] = "gone"
        else:
            old_items = {i["exercise_id"]: i for i in before.get("items") or []}
            new_items = {i["exercise_id"]: i for i in after.get("items") or []}
            entry["added"] = [i["name"] for k, i in new_items.items() if k not in old_items]
            entry["removed"] = [i["name"] for k, i in old_items.items() if k not in new_items]
            for key in new_items.keys() & old_items.keys():
                a, b = old_items[key].get("dosage") or {}, new_items[key].get("dosage") or {}
                changes = [(k, a.get(k), b.get(k)) for k in DOSE_KEYS if a.get(k) != b.get(k)]
                if changes:
                    entry["dosage"].append({"name": new_items[key]["name"], "exercise_id": key,
                                            "changes": changes, "before": dosage_text(a),
                                            "after": dosage_text(b)})
            entry["dosage"].sort(key=lambda d: d["name"])
            if not (entry["added"] or entry["removed"] or entry["dosage"]):
                continue
        result["phases"].append(entry)
    result["changed"] = bool(result["allowed"] or result["referral"] or result["current_phase"]
                             or result["phases"])
    return result
