"""The public example cases (tests/planner/examples/, a copy of the clinical reference's
examples), run through the contract CLI.

The checker reads each example's `expected` block generically (reference section 5);
nothing here knows about any particular example.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .conftest import EXAMPLES


def violations(plan: dict, expected: dict) -> list[str]:
    out = []
    if plan["allowed"] != expected["plan_allowed"]:
        out.append(f"allowed {plan['allowed']} != {expected['plan_allowed']}")
    if plan["referral"]["level"] != expected["referral"]:
        out.append(f"referral {plan['referral']['level']} != {expected['referral']}")
    first = expected["first_phase"]
    if (plan["current_phase"] or "none") != first:
        out.append(f"current_phase {plan['current_phase']} != {first}")
    phases = {p["id"]: p for p in plan["phases"]}
    if plan["phases"]:
        first_items = plan["phases"][0]["items"]
        for category in expected["must_include_categories"]:
            if not any(i["category"] == category for i in first_items):
                out.append(f"first phase lacks category {category}")
    for rule in expected["must_exclude"]:
        items = [(pid, i) for pid, p in phases.items() for i in p["items"]]
        if rule == "*":
            if items:
                out.append("plan has exercises but must have none")
            continue
        target, _, phase_code = rule.partition("@")
        scoped = [(pid, i) for pid, i in items if not phase_code or pid.startswith(phase_code + "_")]
        for pid, item in scoped:
            kind, _, value = target.partition(":")
            hit = (item["exercise_id"] == target if not value else
                   value in item["tags"] if kind == "tag" else item["category"] == value)
            if hit:
                out.append(f"{rule}: {item['exercise_id']} in {pid}")
    return out


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_through_cli(path):
    example = json.loads(path.read_text())
    proc = subprocess.run([sys.executable, "-m", "rehab", "plan", "--input", "-", "--json"],
                          input=json.dumps(example["intake"]), capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    plan = json.loads(proc.stdout)
    assert violations(plan, example["expected"]) == []


def test_examples_exist():
    assert len(EXAMPLES) >= 6
