"""Bad input is refused by the schema, with a clear message at the field, and
everything typed is kept; nothing is saved."""

from __future__ import annotations

import pytest

EDIT = "/admin/exercises/test_bridge/edit"


def _lines(form, name, index, value):
    lines = form[name].splitlines()
    lines[index] = value
    form[name] = "\n".join(lines)


CASES = [
    # id, change(form), field with the error, words in the message
    ("name too long", lambda f: f.__setitem__("name", "x" * 121), "name", "at most 120 characters (this has 121)"),
    ("name empty", lambda f: f.__setitem__("name", "   "), "name", "must not be empty"),
    ("html in name", lambda f: f.__setitem__("name", "<b>Bridge</b>"), "name", "must not contain '<' or '>'"),
    ("step too long", lambda f: _lines(f, "steps", 1, "y" * 401), "steps", "Step 2: is too long: at most 400"),
    ("html in a step", lambda f: _lines(f, "steps", 0, "<script>alert(1)</script>"), "steps",
     "must not contain '<' or '>'"),
    ("too few steps", lambda f: f.__setitem__("steps", "One.\n\nTwo."), "steps", "needs at least 3 (has 2)"),
    ("too many steps", lambda f: f.__setitem__("steps", "\n".join(f"Step {i}." for i in range(6))), "steps",
     "takes at most 5 (has 6)"),
    ("unknown tag", lambda f: f.add("tags", "not_a_tag"), "tags", "Tag 2: unknown value 'not_a_tag'"),
    ("unknown category", lambda f: f.__setitem__("category", "juggling"), "category", "unknown value 'juggling'"),
    ("sets above range", lambda f: f.__setitem__("dosage-sets", "11"), "dosage-sets", "must be at most 10"),
    ("reps below range", lambda f: f.__setitem__("dosage-reps", "0"), "dosage-reps", "must be at least 1"),
    ("hold not a number", lambda f: f.__setitem__("dosage-hold_s", "ten"), "dosage-hold_s", "Not a valid integer"),
    ("no dose at all", lambda f: [f.__setitem__(n, "") for n in ("dosage-sets", "dosage-reps", "dosage-hold_s")],
     "dosage-sets", "give at least one of sets, reps, hold_s or duration_min"),
    ("effort too long", lambda f: f.__setitem__("dosage-effort", "e" * 121), "dosage-effort", "at most 120"),
    ("pose out of range", lambda f: f.__setitem__("figure-start-hip", "999"), "figure-start-hip",
     "must be at most 150"),
    ("unknown body", lambda f: f.__setitem__("figure-end-body", "floating"), "figure-end-body",
     "unknown value 'floating'"),
    ("unknown phase", lambda f: f.add("suits", "hamstring_strain:P9"), "suits", "hamstring strain: unknown value 'P9'"),
    ("unknown condition", lambda f: f.add("suits", "broken_leg:P1"), "suits", "condition 'broken_leg': unknown value"),
    ("suits nothing", lambda f: f.remove("suits"), "suits", "needs at least 1"),
    ("bad evidence", lambda f: f.__setitem__("evidence", "S-01, X-1"), "evidence",
     "Evidence 2: 'X-1': use a source code such as S-01, TB or PH"),
    ("notes too long", lambda f: f.__setitem__("notes", "n" * 401), "notes", "at most 400"),
    ("unknown easier", lambda f: f.__setitem__("easier", "no_such_exercise"), "easier",
     "names no exercise in the library: 'no_such_exercise'"),
    ("easier is itself", lambda f: f.__setitem__("harder", "test_bridge"), "harder", "must name another exercise"),
    ("variant without effort", lambda f: [f.add("dosage_variants-0-conditions", "hamstring_strain"),
                                          f.__setitem__("dosage_variants-0-dosage-sets", "3")],
     "dosage_variants-0-dosage-effort", "must not be empty"),
]


@pytest.mark.parametrize("change,field,expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_refused_at_the_field(admin_client, small_library, form_of, errors_at, get_row,
                                           change, field, expected):
    form = form_of(admin_client.get(EDIT))
    change(form)
    typed = form.getlist(field)
    response = admin_client.post(EDIT, data=form.data)
    assert response.status_code == 422
    errors = errors_at(response)
    assert any(expected in e for e in errors.get(field, [])), errors
    html = response.get_data(as_text=True)
    assert "Nothing was saved" in html
    assert f'<a href="#{field}">' in html  # field ids equal their names in this form  # the summary at the top links to the field
    assert sorted(form_of(response).getlist(field)) == sorted(typed)  # what was typed is still there
    row = get_row("test_bridge")
    assert row.version == 1 and len(row.revisions) == 1


def test_every_typed_field_is_kept_when_one_is_wrong(admin_client, small_library, form_of):
    form = form_of(admin_client.get(EDIT))
    form["name"] = "New name, typed"
    form["dosage-sets"] = "11"
    form["steps"] = "First typed step.\nSecond typed step.\nThird typed step."
    form["figure-end-knee"] = "45"
    form.add("tags", "impact")
    response = admin_client.post(EDIT, data=form.data)
    assert response.status_code == 422
    again = form_of(response)
    assert sorted(again.fields) == sorted(form.fields)


def test_markup_is_shown_escaped(admin_client, small_library, form_of):
    form = form_of(admin_client.get(EDIT))
    form["name"] = '<img src=x onerror="alert(1)">'
    _lines(form, "steps", 0, "<script>alert(1)</script>")
    html = admin_client.post(EDIT, data=form.data).get_data(as_text=True)
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x" in html


def test_retired_exercise_cannot_be_newly_named_as_harder(admin_client, small_library, form_of, errors_at):
    admin_client.post("/admin/exercises/test_walk/retire")
    form = form_of(admin_client.get(EDIT))
    form["harder"] = "test_walk"
    response = admin_client.post(EDIT, data=form.data)
    assert response.status_code == 422
    assert "'test_walk' is retired" in " ".join(errors_at(response)["harder"])


def test_an_exercise_naming_a_retired_one_can_still_be_edited(admin_client, small_library, form_of, get_row):
    admin_client.post("/admin/exercises/test_heel_dig/retire")  # test_bridge names it as easier
    form = form_of(admin_client.get(EDIT))
    form["name"] = "Test bridge, renamed"
    assert admin_client.post(EDIT, data=form.data).status_code == 302
    assert get_row("test_bridge").name == "Test bridge, renamed"


def test_the_id_cannot_be_changed_by_editing(admin_client, small_library, form_of, get_row):
    form = form_of(admin_client.get(EDIT))
    form["id"] = "renamed_bridge"
    form["name"] = "Test bridge 2"
    assert admin_client.post(EDIT, data=form.data).status_code == 302
    assert get_row("test_bridge").data["id"] == "test_bridge"


def test_an_out_of_range_version_number_is_a_conflict_not_a_crash(admin_client, small_library, form_of):
    form = form_of(admin_client.get(EDIT))
    form["version"] = "99999999999999999999"
    response = admin_client.post(EDIT, data=form.data)
    assert response.status_code < 500
