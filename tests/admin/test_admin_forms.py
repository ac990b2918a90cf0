"""The form holds exactly what the schema holds: nothing a file has is lost by an edit."""

from __future__ import annotations

from rehab.admin import forms
from rehab.library.schema import Dosage, DosageVariant, Exercise, Figure, Pose


def _names(form_class) -> set[str]:
    return set(form_class()._fields)


def test_the_form_covers_every_schema_field(app):
    with app.test_request_context():
        assert set(forms.FORM_FIELDS) | {"retired"} == set(Exercise.model_fields)
        assert set(Exercise.model_fields) - {"retired"} <= _names(forms.ExerciseForm)
    assert _names(forms.DosageForm) == set(Dosage.model_fields)
    assert _names(forms.PoseForm) == set(Pose.model_fields)
    assert _names(forms.FigureForm) == set(Figure.model_fields)
    assert _names(forms.DosageVariantForm) - {"remove"} == set(DosageVariant.model_fields)


def test_number_inputs_carry_the_schema_bounds(app):
    with app.test_request_context():
        form = forms.ExerciseForm()
    html = str(form.dosage.form.sets()) + str(form.figure.form.start.form.hip())
    assert 'min="1"' in html and 'max="10"' in html and 'min="-60"' in html and 'max="150"' in html
    assert 'maxlength="120"' in str(form.name())


def test_messages_read_as_sentences():
    assert forms.message({"type": "less_than_equal", "ctx": {"le": 10}, "msg": ""}, "sets") == "must be at most 10"
    assert forms.message({"type": "string_too_long", "ctx": {"max_length": 5}, "input": "abcdefg", "msg": ""},
                         "name") == "is too long: at most 5 characters (this has 7)"
    assert forms.message({"type": "value_error", "msg": "Value error, must not contain '<' or '>'"}, "name") \
        == "must not contain '<' or '>'"
