"""exercises/README.md documents the figure fields: its lists must be the schema's (one source of truth)."""

import re
from pathlib import Path

from rehab.library import schema

README = Path(__file__).resolve().parents[2] / "exercises" / "README.md"


def _row(field: str) -> str:
    return next(line for line in README.read_text(encoding="utf-8").splitlines()
                if line.startswith(f"| `{field}` |"))


def test_readme_lists_every_prop_and_no_other():
    listed = re.findall(r"`([a-z_]+)`", _row("props").split("|")[2])
    assert sorted(listed) == sorted(schema.PROPS)
