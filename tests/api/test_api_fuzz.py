"""Hypothesis throws intakes and adjustments at /api/plan: the answer is 200 or 422 with a
field, never a 5xx. A fixed example budget and derandomize keep CI time bounded."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rehab.planner.intake import Findings
from rehab.vocab import COMORBIDITIES, DIAGNOSES, MEDICATIONS, PHASES, RED_FLAGS, WELLS_ITEMS

FUZZ = settings(max_examples=60, derandomize=True, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

scalars = st.none() | st.booleans() | st.integers(-5, 400) | st.floats(allow_nan=False, width=32) | \
    st.text(max_size=12) | st.sampled_from(["", "yes", "pain_free", "stable", "flare", "3b", "ice_pack"])
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) |
                           st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)
# Mostly right keys with values of any type, sometimes the right type: the edges of the schema.
findings = st.dictionaries(st.sampled_from(sorted(Findings.model_fields)), st.integers(0, 10) | scalars,
                           max_size=8)
red_flags = st.dictionaries(st.sampled_from(sorted(RED_FLAGS) + ["dvt"]),
                            st.booleans() | st.fixed_dictionaries({}, optional={
                                "symptoms_present": st.booleans() | scalars,
                                "wells_items": st.lists(st.sampled_from(WELLS_ITEMS) | st.text(max_size=5),
                                                        max_size=3)}) | scalars, max_size=3)
intakes = st.fixed_dictionaries({"diagnosis": st.sampled_from(DIAGNOSES) | scalars}, optional={
    "grade": st.integers(0, 4) | scalars, "age": st.integers(0, 120) | scalars,
    "sex": st.sampled_from(["male", "female", "other", "x"]), "side": scalars | st.just("left"),
    "pregnancy": st.fixed_dictionaries({}, optional={"pregnant": st.booleans() | scalars,
                                                     "weeks": st.integers(-1, 50) | scalars}) | scalars,
    "comorbidities": st.lists(st.sampled_from(COMORBIDITIES) | scalars, max_size=3) | scalars,
    "medications": st.lists(st.sampled_from(MEDICATIONS) | scalars, max_size=2),
    "red_flags": red_flags, "findings": findings | json_values,
})
slugs = st.sampled_from(["ice_pack", "heel_slides", "nordic_hamstring_curl", "supine_heel_dig", "no_such",
                         "glute_sets", "double_leg_bridge"])
change = st.fixed_dictionaries({}, optional={
    "op": st.sampled_from(["remove", "swap", "add", "dose", "zap"]) | scalars,
    "phase": st.sampled_from(PHASES) | scalars,
    "exercise_id": slugs | json_values, "to": slugs | scalars,
    "dosage": st.dictionaries(st.sampled_from(["sets", "reps", "hold_s", "per_day", "days_per_week",
                                               "duration_min", "effort", "per_side"]),
                              st.integers(-1, 400) | scalars, max_size=3) | scalars,
}) | json_values
VALID = {"diagnosis": "hamstring_strain", "grade": 2, "age": 30, "findings": {"days_since_onset": 5}}


def check(response):
    assert response.status_code in (200, 422), response.get_data(as_text=True)[:300]
    answer = response.get_json()
    if response.status_code == 422:
        assert isinstance(answer["field"], str) and answer["field"] and answer["message"]
    return answer


@FUZZ
@given(body=intakes | json_values)
def test_fuzzed_intakes_never_5xx(api, body):
    check(api.post("/api/plan", data=json.dumps(body), content_type="application/json"))


@FUZZ
@given(adjustments=st.lists(change, max_size=4) | json_values)
def test_fuzzed_adjustments_never_5xx(api, adjustments):
    answer = check(api.post("/api/plan", data=json.dumps({"intake": VALID, "adjustments": adjustments}),
                            content_type="application/json"))
    if "field" in answer:
        assert answer["field"].startswith("adjustments")
