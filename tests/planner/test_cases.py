"""Our own clinical cases (tests/planner/cases/*.json), written from reference.md
sections 0-3 before running the planner, checked through the contract CLI by the same
generic checker as the public examples."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from rehab.vocab import CATEGORIES, PHASES, REFERRAL_LEVELS, TAGS

from .test_examples import violations

CASES = sorted((Path(__file__).parent / "cases").glob("*.json"))


def run_cli(intake: dict) -> subprocess.CompletedProcess:
    """One CLI process per intake, as an outside harness runs them."""
    return subprocess.run([sys.executable, "-m", "rehab", "plan", "--input", "-", "--json"],
                          input=json.dumps(intake), capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def cli_results():
    """All cases through the CLI, a few processes at a time."""
    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 2)) as pool:
        procs = pool.map(lambda p: run_cli(json.loads(p.read_text())["intake"]), CASES)
        return {path.stem: proc for path, proc in zip(CASES, procs)}


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case_through_cli(cli_results, path):
    case = json.loads(path.read_text())
    proc = cli_results[path.stem]
    assert proc.returncode == 0, proc.stderr
    assert violations(json.loads(proc.stdout), case["expected"]) == [], case["expected"].get("notes")


def test_cases_are_well_formed_and_cover_every_diagnosis_and_level():
    """The case files use the example conventions (reference section 5) correctly."""
    seen_dx, seen_levels, seen_phases = set(), set(), set()
    for path in CASES:
        case = json.loads(path.read_text())
        assert case["id"] == path.stem
        exp = case["expected"]
        seen_dx.add(case["intake"]["diagnosis"])
        seen_levels.add(exp["referral"])
        seen_phases.add(exp["first_phase"])
        assert exp["referral"] in REFERRAL_LEVELS
        assert exp["first_phase"] in (*PHASES, "none")
        assert (exp["first_phase"] == "none") == (not exp["plan_allowed"])
        assert all(c in CATEGORIES for c in exp["must_include_categories"])
        for rule in exp["must_exclude"]:
            target, _, phase = rule.partition("@")
            assert phase in ("", "P1", "P2", "P3", "P4"), rule
            kind, _, value = target.partition(":")
            if kind == "tag":
                assert value in TAGS, rule
            elif kind == "category":
                assert value in CATEGORIES, rule
    assert len(CASES) >= 40
    assert len(seen_dx) == 10
    assert {"none", "urgent", "emergency"} <= seen_levels
    assert set(PHASES) <= seen_phases


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case_in_process(real_library, path):
    """The same cases through make_plan in this process: quicker to debug than the CLI, and
    seen by coverage and mutation testing, which cannot follow a subprocess."""
    from rehab.planner import make_plan, parse_intake

    case = json.loads(path.read_text())
    plan = make_plan(parse_intake(case["intake"]), real_library).to_dict()
    assert violations(plan, case["expected"]) == [], case["expected"].get("notes")
