"""The password rule: at least 12 characters, not a common password (the list shipped in
rehab/data/common_passwords.txt), not a run of one character or a keyboard sequence.

One function used by every place that sets a password: the `users` commands, the admin's
user pages and the user's own password change.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

MIN_LENGTH = 12
MAX_LENGTH = 200
_LIST = Path(__file__).resolve().parent / "data" / "common_passwords.txt"
_LEET = str.maketrans("0134578@$!", "oieastbasi")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = _LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _smallest_period(text: str) -> str:
    """'abcabcabc' -> 'abc': a repeated word is as weak as the word."""
    for size in range(1, len(text) // 2 + 1):
        if len(text) % size == 0 and text[:size] * (len(text) // size) == text:
            return text[:size]
    return text


def _is_run(text: str) -> bool:
    """Each character one after the other ('abcdefghijkl', '123456789012', 'zyxw...')."""
    steps = {(ord(b) - ord(a)) % 10 if a.isdigit() and b.isdigit() else ord(b) - ord(a)
             for a, b in zip(text, text[1:])}
    return steps in ({1}, {-1}, {9})


def password_problem(password: str) -> str | None:
    """Why `password` is refused, in words for the user; None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters (this one has {len(password)})."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    low = password.lower()
    common = common_passwords()
    core = re.sub(r"^[\W\d_]+|[\W\d_]+$", "", low)
    candidates = {low, _smallest_period(low), core, _smallest_period(core),
                  low.translate(_LEET), core.translate(_LEET), re.sub(r"[\W_]+", "", low)}
    if candidates & common or any(len(word) >= 8 and word in low for word in common):
        return "This password is too common: choose a longer phrase of unrelated words."
    if len(set(password)) < 5 or _is_run(low):
        return "This password is too easy to guess: choose a longer phrase of unrelated words."
    return None
