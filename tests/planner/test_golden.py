"""Approval test: what every worked case's plan says (phase and why, referral, assumptions,
exclusions and their reasons, each phase's items and doses, the patient's warnings) is
pinned in golden/plans.json, so a change to any rule or wording shows up as a reviewed diff.

After an intended change: `.venv/bin/python -m pytest tests/planner/test_golden.py --update-golden`
(or REHAB_UPDATE_GOLDEN=1), then read `git diff tests/planner/golden/` like code.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from rehab.planner import make_plan, parse_intake

from .conftest import EXAMPLES
from .test_cases import CASES

GOLDEN = Path(__file__).parent / "golden" / "plans.json"


def summary(plan) -> dict:
    """The parts of a plan a clinician or patient reads, compactly."""
    return {
        "allowed": plan.allowed, "referral": [plan.referral.level, plan.referral.reasons, plan.referral.refer_to],
        "wells": plan.wells_score, "current": plan.current_phase, "why": plan.phase_reasons,
        "assumed": plan.assumptions, "goal": plan.activity_level,
        "phases": [{"id": p.id, "goals": p.goals, "exit": p.exit_criteria, "precautions": p.precautions,
                    "items": [[i.exercise_id, i.dosage.sets, i.dosage.reps, i.dosage.hold_s, i.dosage.per_day,
                               i.dosage.days_per_week, i.dosage.duration_min, i.dosage.effort, i.dosage.rpe,
                               i.instructions[:1], [a.exercise_id for a in i.alternatives]] for i in p.items]}
                   for p in plan.phases],
        "excluded": [[e.exercise_id, e.phase[:2], e.reason] for e in plan.excluded],
        "education": plan.education, "seek_help": plan.seek_help_if,
    }


def test_every_case_says_what_was_approved(real_library, request):
    current = {path.stem: summary(make_plan(parse_intake(json.loads(path.read_text())["intake"]), real_library))
               for path in [*CASES, *EXAMPLES]}
    if request.config.getoption("--update-golden") or os.environ.get("REHAB_UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(current, indent=0, ensure_ascii=False, sort_keys=True) + "\n")
    approved = json.loads(GOLDEN.read_text())
    assert sorted(current) == sorted(approved), "cases added or removed: update the golden file"
    for name in sorted(current):
        assert current[name] == approved[name], name
