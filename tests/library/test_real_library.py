"""The real exercises/: a broken or non-canonical data file fails here."""

from __future__ import annotations

import re
from pathlib import Path

from rehab import config
from rehab.library import dump_exercise
from rehab.vocab import CATEGORIES

REFERENCE_COUNT = 70  # the exercises of reference.md section 4


def test_library_has_every_exercise(library):
    assert len(library) >= REFERENCE_COUNT


def _reference_slugs() -> list[str]:
    """The `EXnn slug` entries of the clinical reference's section 4, kept with the tests
    (reference_exercises.txt) so that a bare clone checks them too."""
    lines = (Path(__file__).parent / "reference_exercises.txt").read_text(encoding="utf-8").splitlines()
    return [re.fullmatch(r"EX\d\d ([a-z0-9_]+)", line).group(1) for line in lines]


def test_exercises_beyond_the_reference_say_so(library):
    """A file the reference does not list must explain itself in `notes` (conservative choices)."""
    for slug in sorted(set(library) - set(_reference_slugs())):
        notes = library[slug].notes or ""
        assert "beyond the reference" in notes.lower(), f"{slug}: say why in notes"


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
    """Every exercise of the clinical reference's section 4 is a file here."""
    slugs = _reference_slugs()
    assert len(slugs) == REFERENCE_COUNT
    assert set(slugs) <= set(library)
