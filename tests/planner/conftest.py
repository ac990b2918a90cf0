"""Planner fixtures: the real library and protocols, and an intake builder."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from rehab.config import EXERCISES_DIR
from rehab.library.loader import load_library
from rehab.planner import make_plan, parse_intake

# The six public example cases, copied here as plain data (a bare clone runs them too).
EXAMPLES = sorted((Path(__file__).resolve().parent / "examples").glob("*.json"))


@pytest.fixture(scope="session")
def real_library():
    return load_library(EXERCISES_DIR)


@pytest.fixture
def plan_for(real_library):
    """plan_for(diagnosis, grade=None, **intake fields) -> Plan built from the real library."""

    def build(diagnosis: str, grade: int | None = None, **fields):
        raw = {"diagnosis": diagnosis, **copy.deepcopy(fields)}
        if grade is not None:
            raw["grade"] = grade
        return make_plan(parse_intake(raw), real_library)

    return build


def all_items(plan):
    return [(phase.id, item) for phase in plan.phases for item in phase.items]
