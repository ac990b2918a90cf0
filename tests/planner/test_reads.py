"""reads.py names the findings behind every criterion, so the portal can ask for them."""

from __future__ import annotations

import typing

import pytest

from rehab.planner import IntakeError, parse_intake
from rehab.planner.intake import Findings
from rehab.planner.phase import derived_findings
from rehab.planner.reads import DERIVED_FROM, RADICULAR_IRRITABILITY, SCREENING, criteria_findings, findings_read
from rehab.vocab import DIAGNOSES


def test_every_derived_value_is_listed():
    """A derived value phase.py adds must be in DERIVED_FROM, or the forms would miss its inputs."""
    intake = parse_intake({"diagnosis": "hamstring_strain", "grade": 1})
    assert set(derived_findings(intake, "acute_muscle")) - set(Findings.model_fields) == set(DERIVED_FROM)
    for dx in DIAGNOSES:
        for name in criteria_findings(dx):
            assert name in Findings.model_fields or name in DERIVED_FROM, (dx, name)


def _candidates(name: str) -> list:
    """A few values of a finding, extremes first."""
    annotation = Findings.model_fields[name].annotation
    inner = [a for a in typing.get_args(annotation) if a is not type(None)][0]
    base = typing.get_args(inner)[0] if typing.get_origin(inner) is typing.Annotated else inner
    if base is bool:
        return [True, False]
    if typing.get_origin(base) is typing.Literal:
        return list(typing.get_args(base))
    if base is int:
        return [0, 5, 10, 30, 45, 90]
    return [{"injured": 20, "uninjured": 20}]


@pytest.mark.parametrize("derived, kind, finding", [
    (d, "radicular" if f in RADICULAR_IRRITABILITY else "persistent", f)
    for d, inputs in DERIVED_FROM.items() for f in inputs + (RADICULAR_IRRITABILITY if d == "not_irritable" else ())])
def test_each_listed_finding_changes_its_derived_value(derived, kind, finding):
    """No listed input is dead: some value of it changes the derived value."""
    base = derived_findings(parse_intake({"diagnosis": "muscle_cramps", "findings": {"nprs_rest": 1}}), kind)
    changed = []
    for value in _candidates(finding):
        findings = {"nprs_rest": 1, finding: value} if finding != "nprs_rest" else {finding: value}
        try:
            intake = parse_intake({"diagnosis": "muscle_cramps", "findings": findings})
        except IntakeError:  # out of this finding's range
            continue
        values = derived_findings(intake, kind)
        changed.append(values[derived] != base[derived])
    assert any(changed), (derived, finding)


def test_screening_findings_are_model_fields_and_asked():
    for dx, names in SCREENING.items():
        assert dx in DIAGNOSES
        assert set(names) <= set(findings_read(dx))
