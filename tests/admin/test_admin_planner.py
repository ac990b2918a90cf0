"""Retired exercises are never chosen by the planner (catalog.library_from_db leaves them out)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "planner" / "examples").glob("*.json"))


def _chosen(plan) -> set[str]:
    ids = set()
    for phase in plan.phases:
        for item in phase.items:
            ids.add(item.exercise_id)
            ids.update(alt.exercise_id for alt in item.alternatives)
    return ids


def test_make_plan_never_includes_a_retired_exercise(app, admin_client, loaded_library):
    assert len(EXAMPLES) >= 6, "the public examples are missing from tests/planner/examples"
    planner = pytest.importorskip("rehab.planner")
    from rehab.catalog import library_from_db

    intakes = [planner.parse_intake(json.loads(p.read_text())["intake"]) for p in EXAMPLES]
    with app.app_context():
        library = library_from_db()
    before = set().union(*(_chosen(planner.make_plan(i, library)) for i in intakes))
    assert before, "the sample intakes chose no exercise at all"
    retired = set(sorted(before)[::2])
    for slug in retired:
        assert admin_client.post(f"/admin/exercises/{slug}/retire").status_code == 302
    with app.app_context():
        library = library_from_db()
    assert not retired & set(library)
    for intake in intakes:
        assert not _chosen(planner.make_plan(intake, library)) & retired
