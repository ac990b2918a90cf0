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
    out += _second_edition(plan, expected)
    return out


def _second_edition(plan: dict, expected: dict) -> list[str]:
    """Optional checks our own cases add (the public examples use none of them):
    `must_include` ids (with @Pn for one phase, else the first phase), `listed_phases`,
    `assumption_mentions` and `reason_mentions` (words in the assumptions / referral
    reasons), `education_mentions` and `education_not_mentions`."""
    out = []
    phases = {p["id"][:2]: p for p in plan.get("phases", [])}
    for rule in expected.get("must_include", []):
        target, _, code = rule.partition("@")
        phase = phases.get(code) if code else (plan["phases"][0] if plan["phases"] else None)
        if phase is None or not any(i["exercise_id"] == target for i in phase["items"]):
            out.append(f"{rule}: missing")
    if "listed_phases" in expected and [p["id"] for p in plan["phases"]] != expected["listed_phases"]:
        out.append(f"listed phases {[p['id'] for p in plan['phases']]} != {expected['listed_phases']}")
    for key, text in (("assumption_mentions", " ".join(plan.get("assumptions", []))),
                      ("reason_mentions", " ".join(plan["referral"]["reasons"])),
                      ("education_mentions", " ".join(plan["education"]))):
        for words in expected.get(key, []):
            if words.lower() not in text.lower():
                out.append(f"{key}: {words!r} not found")
    for words in expected.get("education_not_mentions", []):
        if words.lower() in " ".join(plan["education"]).lower():
            out.append(f"education_not_mentions: {words!r} found")
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


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_in_process(real_library, path):
    from rehab.planner import make_plan, parse_intake

    example = json.loads(path.read_text())
    plan = make_plan(parse_intake(example["intake"]), real_library).to_dict()
    assert violations(plan, example["expected"]) == []
