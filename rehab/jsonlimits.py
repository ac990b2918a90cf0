"""Limits on JSON input shared by the API and the CLI (no Flask): how deep it may nest,
checked before parsing, and how much of a bad value an error message quotes."""

from __future__ import annotations

import re

MAX_JSON_DEPTH = 32  # an intake nests 4 levels; a deeper document is not an intake
MAX_QUOTE = 200  # characters of a bad value an error message repeats

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_BRACKET = re.compile(r"[\[\]{}]")


def too_deep(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether the JSON text nests arrays and objects deeper than `limit`, found without
    parsing it (a parser recurses once per level: 100,000 levels exhaust the stack)."""
    depth = 0
    for match in _BRACKET.finditer(_STRING.sub("", text)):
        if match.group() in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def clip(text: str, limit: int = MAX_QUOTE) -> str:
    """At most `limit` characters of `text`, saying how much was left out."""
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text) - limit} more characters)"
