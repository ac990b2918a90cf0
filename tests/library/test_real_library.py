"""The real exercises/: a broken or non-canonical data file fails here."""

from __future__ import annotations

import re

import pytest

from rehab import config
from rehab.library import dump_exercise
from rehab.vocab import CATEGORIES

EXPECTED_COUNT = 70


def test_library_has_every_exercise(library):
    assert len(library) == EXPECTED_COUNT


def test_files_are_named_by_slug(library):
    files = sorted(p.stem for p in config.EXERCISES_DIR.glob("*.yaml"))
    assert files == sorted(library)


def test_every_category_used(library):
    assert {ex.category for ex in library.values()} == set(CATEGORIES)


def test_files_are_in_canonical_form(library):
    """Each file is exactly what dump_exercise writes, so an export changes nothing."""
    for slug, exercise in library.items():
        path = config.EXERCISES_DIR / f"{slug}.yaml"
        assert dump_exercise(exercise) == path.read_text(encoding="utf-8"), f"{path} is not canonical"


def test_progressions_are_consistent(library):
    """easier/harder point at real exercises (the loader checks) and never in a circle."""
    for slug in library:
        seen, current = set(), slug
        while current is not None:
            assert current not in seen, f"harder chain loops back at {current}"
            seen.add(current)
            current = library[current].harder


def test_slugs_match_the_clinical_reference(library):
    """Every `### EXnn · slug — Name` entry of ../shared/clinical/reference.md is a file here."""
    reference = config.ROOT.parent / "shared" / "clinical" / "reference.md"
    if not reference.exists():
        pytest.skip(f"{reference} is not beside the repository")
    slugs = re.findall(r"^### EX\d\d · ([a-z0-9_]+) — ", reference.read_text(encoding="utf-8"), re.M)
    assert len(slugs) == EXPECTED_COUNT
    assert sorted(library) == sorted(slugs)
