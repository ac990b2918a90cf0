"""Bad input is refused with the field's path; unknown fields are ignored."""

import pytest

from rehab.planner import IntakeError, parse_intake

OK = {"diagnosis": "sciatica_lumbar_radiculopathy"}


@pytest.mark.parametrize("patch, field", [
    ({"diagnosis": "knee_pain"}, "diagnosis"),
    ({"age": "34"}, "age"),
    ({"age": 4}, "age"),
    ({"age": 111}, "age"),
    ({"age": True}, "age"),
    ({"sex": "f"}, "sex"),
    ({"side": "both"}, "side"),
    ({"comorbidities": ["osteoporosis", "gout"]}, "comorbidities[1]"),
    ({"comorbidities": "osteoporosis"}, "comorbidities"),
    ({"medications": ["warfarin"]}, "medications[0]"),
    ({"pregnancy": {"pregnant": "yes"}}, "pregnancy.pregnant"),
    ({"pregnancy": {"pregnant": True, "weeks": 50}}, "pregnancy.weeks"),
    ({"red_flags": {"saddle_anaesthesia": 1}}, "red_flags.saddle_anaesthesia"),
    ({"red_flags": {"dvt": {"symptoms_present": True, "wells_items": ["swollen"]}}},
     "red_flags.dvt.wells_items[0]"),
    ({"findings": {"ake_deficit_deg": 91}}, "findings.ake_deficit_deg"),
    ({"findings": {"nprs_rest": 11}}, "findings.nprs_rest"),
    ({"findings": {"nprs_rest": -1}}, "findings.nprs_rest"),
    ({"findings": {"walking": "limping"}}, "findings.walking"),
    ({"findings": {"bamic": "5a"}}, "findings.bamic"),
    ({"findings": {"temperature_c": "hot"}}, "findings.temperature_c"),
    ({"findings": {"single_leg_bridge_reps": {"injured": 10}}}, "findings.single_leg_bridge_reps.uninjured"),
    ({"findings": {"slow_jog_pain_free": "true"}}, "findings.slow_jog_pain_free"),
    ({"findings": {"days_since_onset": 3651}}, "findings.days_since_onset"),
    ({"findings": {"laslett_positive_tests": 6}}, "findings.laslett_positive_tests"),
    ({"findings": []}, "findings"),
])
def test_bad_field_is_named(patch, field):
    with pytest.raises(IntakeError) as info:
        parse_intake({**OK, **patch})
    assert info.value.field == field
    assert info.value.message


def test_diagnosis_required():
    with pytest.raises(IntakeError) as info:
        parse_intake({"age": 30})
    assert info.value.field == "diagnosis"


def test_grade_required_for_hamstring_strain_only():
    with pytest.raises(IntakeError) as info:
        parse_intake({"diagnosis": "hamstring_strain"})
    assert info.value.field == "grade"
    with pytest.raises(IntakeError):
        parse_intake({"diagnosis": "hamstring_strain", "grade": 4})
    assert parse_intake({**OK}).grade is None


def test_not_an_object():
    with pytest.raises(IntakeError):
        parse_intake([1, 2])


def test_unknown_fields_ignored_and_null_means_absent():
    intake = parse_intake({**OK, "colour": "blue", "findings": {"leg_nprs": None, "mystery": 1},
                           "pregnancy": {"pregnant": False, "weeks": None}})
    assert intake.findings.leg_nprs is None


def test_example_wrapper_accepted():
    assert parse_intake({"intake": OK, "expected": {}}).diagnosis == OK["diagnosis"]


@pytest.mark.parametrize("given, stored", [("3B", "3b"), ("2C", "2c"), ("0A", "0a"), ("4", "4")])
def test_bamic_grade_letters_in_either_case(given, stored):
    """The BAMIC site letter is a code, not a word: "3B" is the same grade as "3b"."""
    intake = parse_intake({"diagnosis": "hamstring_strain", "grade": 2, "findings": {"bamic": given}})
    assert intake.findings.bamic == stored
