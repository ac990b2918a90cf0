"""Plain words for codes and numbers."""

from __future__ import annotations

import pytest

from rehab.pdf import words
from rehab.vocab import DIAGNOSES


@pytest.mark.parametrize("kw, expected", [
    (dict(sets=3, reps=10, hold_s=5, per_day=2, days_per_week=7, effort="moderate"),
     "3 sets x 10 reps · hold 5 s · 2x a day · 7 days a week · Effort: moderate"),
    (dict(sets=1, reps=1, hold_s=None, per_day=1, days_per_week=1, effort=""),
     "1 set x 1 rep · once a day · 1 day a week"),
    (dict(sets=None, reps=None, hold_s=None, per_day=None, days_per_week=None, effort="easy", duration_min=20),
     "20 min · Effort: easy"),
    (dict(sets=2, reps=8, hold_s=None, per_day=1, days_per_week=5, effort="hard", per_side=True),
     "2 sets x 8 reps each side · once a day · 5 days a week · Effort: hard"),
    (dict(sets=3, reps=None, hold_s=30, per_day=None, days_per_week=3, effort=" ", per_side=True),
     "3 sets · hold 30 s each side · 3 days a week"),
    (dict(sets=None, reps=None, hold_s=120, per_day=3, days_per_week=None, effort="light"),
     "hold 2 min · 3x a day · Effort: light"),
    (dict(sets=None, reps=None, hold_s=None, per_day=None, days_per_week=None, effort="", per_side=True),
     "each side"),
    (dict(sets=1, reps=None, hold_s=None, per_day=1, days_per_week=7, effort="snug, never tight"),
     "once a day · 7 days a week · Effort: snug, never tight"),
    (dict(sets=1, reps=None, hold_s=None, per_day=None, days_per_week=None, effort="read once"),
     "Effort: read once"),
    (dict(sets=2, reps=None, hold_s=None, per_day=None, days_per_week=None, effort=""), "2 sets"),
])
def test_dosage_line(make_dose, kw, expected):
    line = words.dosage_line(make_dose(**kw))
    assert line == expected
    assert "None" not in line


def test_every_diagnosis_has_plain_words():
    for code in DIAGNOSES:
        plain = words.diagnosis_words(code)
        assert "_" not in plain and plain[0].isupper(), code
    assert words.diagnosis_words("sciatica_lumbar_radiculopathy") == "Sciatica (irritated nerve root in the lower back)"


def test_pain_rules_end_with_the_morning_check():
    for code in DIAGNOSES + ("unknown_code",):
        rules = words.pain_rules(code)
        assert rules[-1] == words.MORNING_CHECK
    assert words.PAIN_NERVE in words.pain_rules("sciatica_lumbar_radiculopathy")
    assert words.PAIN_MUSCLE in words.pain_rules("hamstring_strain")
    assert words.PAIN_TENDON in words.pain_rules("proximal_hamstring_tendinopathy")


def test_findings_in_words():
    assert words.finding_value(True) == "yes"
    assert words.finding_value(["a_b", 2]) == "a b, 2"
    assert words.finding_label("sitting_tolerance_min") == "Sitting tolerance min"
    assert words.wells_words(1).startswith("1 (DVT unlikely")
