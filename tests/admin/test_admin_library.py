"""List, view, create, edit, retire/restore: each change recorded as a revision."""

from __future__ import annotations

import re

import pytest

from rehab.extensions import db
from rehab.models import Clinic, ExerciseRevision, Patient, Plan, PlanVersion


def _names(response) -> list[str]:
    return re.findall(r'<td><a href="/admin/exercises/[a-z_0-9]+">([^<]+)</a>', response.get_data(as_text=True))


# ---------------------------------------------------------------- list


def test_list_shows_exercises_by_name(admin_client, small_library):
    assert _names(admin_client.get("/admin/")) == ["Test bridge", "Test brisk walk", "Test heel dig"]


@pytest.mark.parametrize("query,expected", [
    ("q=bridge", ["Test bridge"]),
    ("q=HEEL", ["Test heel dig"]),
    ("q=test_walk", ["Test brisk walk"]),
    ("category=mobility", ["Test brisk walk"]),
    ("tag=supine_position", ["Test bridge", "Test heel dig"]),
    ("condition=proximal_hamstring_tendinopathy", ["Test bridge"]),
    ("phase=P1", ["Test brisk walk", "Test heel dig"]),
    ("condition=hamstring_strain&phase=P3", ["Test bridge"]),
    ("condition=sciatica_lumbar_radiculopathy&phase=P3", []),
    ("q=test&category=isometric&tag=supine_position&condition=hamstring_strain&phase=P2", ["Test heel dig"]),
])
def test_list_search_and_filters(admin_client, small_library, query, expected):
    response = admin_client.get(f"/admin/?{query}")
    assert response.status_code == 200
    assert _names(response) == expected
    if not expected:
        assert "No exercise matches these filters" in response.get_data(as_text=True)


def test_list_hides_retired_unless_asked(admin_client, small_library):
    admin_client.post("/admin/exercises/test_walk/retire")
    assert "Test brisk walk" not in _names(admin_client.get("/admin/"))
    assert _names(admin_client.get("/admin/?status=retired")) == ["Test brisk walk"]
    assert len(_names(admin_client.get("/admin/?status=all"))) == 3


def test_list_pages(app, admin_client, small_library):
    app.config["PAGE_SIZE"] = 2
    first = admin_client.get("/admin/?q=test")
    assert _names(first) == ["Test bridge", "Test brisk walk"]
    html = first.get_data(as_text=True)
    assert "Page 1 of 2" in html
    next_link = re.search(r'href="(/admin/\?[^"]*page=2[^"]*)"', html).group(1)
    assert "q=test" in next_link  # the filters stay on the next page
    assert _names(admin_client.get("/admin/?q=test&page=2")) == ["Test heel dig"]
    assert _names(admin_client.get("/admin/?q=test&page=99")) == ["Test heel dig"]  # past the end: last page


# ---------------------------------------------------------------- view


def test_view_shows_the_exercise(admin_client, small_library):
    html = admin_client.get("/admin/exercises/test_bridge").get_data(as_text=True)
    assert "Test bridge" in html and "Lift your hips." in html
    assert "No saved plan uses it yet." in html
    assert "Test heel dig</a> (harder)" in html  # test_heel_dig names it as its harder exercise


def _save_plan(app, admin, slugs: list[str]) -> None:
    with app.app_context():
        clinic = db.session.get(Clinic, admin.clinic_id)
        patient = Patient(clinic_id=clinic.id, reference="P-1", first_name="Ada", last_name="Test")
        db.session.add(patient)
        db.session.flush()
        plan = Plan(patient_id=patient.id, diagnosis="hamstring_strain")
        db.session.add(plan)
        db.session.flush()
        db.session.add(PlanVersion(plan_id=plan.id, number=1, intake={}, figures={},
                                   plan={"phases": [{"items": [{"exercise_id": s} for s in slugs]}]}))
        db.session.commit()


def test_view_counts_saved_plans_that_use_it(app, admin, admin_client, small_library):
    _save_plan(app, admin, ["test_bridge", "test_walk"])
    html = admin_client.get("/admin/exercises/test_bridge").get_data(as_text=True)
    assert "Named in 1 saved plan;" in html
    # a slug that is only part of another one does not count
    html = admin_client.get("/admin/exercises/test_heel_dig").get_data(as_text=True)
    assert "No saved plan uses it yet." in html


# ---------------------------------------------------------------- edit


def test_edit_saves_and_records_who_and_what(admin, admin_client, small_library, form_of, get_row):
    form = form_of(admin_client.get("/admin/exercises/test_bridge/edit"))
    assert form["version"] == "1"
    form["name"] = "Test bridge, both legs"
    form["steps"] = form["steps"].replace("Lift your hips.", "Lift your hips until your body is straight.")
    form["dosage-reps"] = "12"
    response = admin_client.post("/admin/exercises/test_bridge/edit", data=form.data)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/exercises/test_bridge")
    row = get_row("test_bridge")
    assert (row.version, row.name) == (2, "Test bridge, both legs")
    assert row.data["steps"][1] == "Lift your hips until your body is straight."
    revision = row.revisions[-1]
    assert (revision.version, revision.action, revision.user_id) == (2, "edit", admin.id)
    assert set(revision.diff) == {"name", "steps", "dosage"}
    assert revision.diff["name"] == ["Test bridge", "Test bridge, both legs"]
    assert revision.diff["dosage"][1]["reps"] == 12
    page = admin_client.get("/admin/exercises/test_bridge").get_data(as_text=True)
    assert "Saved Test bridge, both legs as version 2." in page


def test_saving_an_unchanged_form_changes_nothing(admin_client, small_library, form_of, get_row):
    for slug in small_library:
        form = form_of(admin_client.get(f"/admin/exercises/{slug}/edit"))
        response = admin_client.post(f"/admin/exercises/{slug}/edit", data=form.data, follow_redirects=True)
        assert "Nothing changed, so nothing was saved." in response.get_data(as_text=True)
        assert get_row(slug).version == 1


def test_every_real_library_exercise_survives_the_form_unchanged(admin_client, loaded_library, form_of, get_row):
    """The form can hold everything a data file holds: a save without edits changes nothing."""
    for slug in loaded_library:
        form = form_of(admin_client.get(f"/admin/exercises/{slug}/edit"))
        response = admin_client.post(f"/admin/exercises/{slug}/edit", data=form.data)
        assert response.status_code == 302, (slug, response.status_code)
        assert get_row(slug).version == 1, slug


def test_dose_variants_can_be_added_and_removed(admin_client, small_library, form_of, get_row):
    url = "/admin/exercises/test_bridge/edit"
    form = form_of(admin_client.get(url))
    form["dosage_variants-0-conditions"] = ["proximal_hamstring_tendinopathy"]
    form["dosage_variants-0-phases"] = ["P2"]
    form["dosage_variants-0-dosage-sets"] = "3"
    form["dosage_variants-0-dosage-hold_s"] = "30"
    form["dosage_variants-0-dosage-effort"] = "heavy, pain at most 3/10"
    assert admin_client.post(url, data=form.data).status_code == 302
    assert get_row("test_bridge").data["dosage_variants"] == [{
        "conditions": ["proximal_hamstring_tendinopathy"], "phases": ["P2"],
        "dosage": {"sets": 3, "hold_s": 30, "effort": "heavy, pain at most 3/10"}}]
    form = form_of(admin_client.get(url))
    assert "dosage_variants-1-dosage-effort" in form.data  # a blank row to add another
    form["dosage_variants-0-remove"] = "y"
    assert admin_client.post(url, data=form.data).status_code == 302
    assert "dosage_variants" not in get_row("test_bridge").data


def test_tag_order_of_the_stored_data_is_kept(app, admin_client, small_library, form_of, get_row):
    """Ticking one more tag adds it; the others stay where the file had them."""
    url = "/admin/exercises/test_heel_dig/edit"
    form = form_of(admin_client.get(url))
    form["tags"] = ["supine_position", "impact", "asymmetric_pelvic_load"]
    admin_client.post(url, data=form.data)
    assert get_row("test_heel_dig").data["tags"] == ["supine_position", "asymmetric_pelvic_load", "impact"]
    form = form_of(admin_client.get(url))
    form.add("tags", "prone_position")
    admin_client.post(url, data=form.data)
    assert get_row("test_heel_dig").data["tags"] == ["supine_position", "asymmetric_pelvic_load", "impact",
                                                     "prone_position"]


# ---------------------------------------------------------------- create


def _new_form(admin_client, form_of):
    form = form_of(admin_client.get("/admin/exercises/new"))
    form["id"] = "test_step_up"
    form["name"] = "Test step up"
    form["category"] = "strengthening_concentric"
    form["targets"] = "gluteals\nhamstrings"
    form["equipment"] = "step"
    form["suits"] = ["hamstring_strain:P3", "hamstring_strain:P4"]
    form["dosage-sets"] = "3"
    form["dosage-reps"] = "10"
    form["dosage-effort"] = "moderate"
    form["dosage-per_side"] = "y"
    form["steps"] = "Stand facing a low step.\nStep up with the sore leg.\nStep down slowly."
    form["evidence"] = "S-03, TB"
    form["easier"] = "test_bridge"
    form["figure-start-body"] = "standing"
    form["figure-end-body"] = "standing"
    form["figure-end-hip"] = "60"
    form["figure-end-knee"] = "60"
    form["figure-move"] = "foot"
    form["figure-props"] = ["step"]
    return form


def test_create_an_exercise(admin, admin_client, small_library, form_of, get_row):
    response = admin_client.post("/admin/exercises/new", data=_new_form(admin_client, form_of).data)
    assert response.status_code == 302, response.get_data(as_text=True)
    row = get_row("test_step_up")
    assert row.data == {
        "id": "test_step_up", "name": "Test step up", "category": "strengthening_concentric",
        "targets": ["gluteals", "hamstrings"], "equipment": ["step"], "suits": {"hamstring_strain": ["P3", "P4"]},
        "dosage": {"sets": 3, "reps": 10, "per_side": True, "effort": "moderate"},
        "steps": ["Stand facing a low step.", "Step up with the sore leg.", "Step down slowly."],
        "evidence": ["S-03", "TB"], "easier": "test_bridge",
        "figure": {"start": {"body": "standing"}, "end": {"body": "standing", "hip": 60, "knee": 60},
                   "move": "foot", "props": ["step"]}}
    assert [(r.version, r.action, r.user_id) for r in row.revisions] == [(1, "create", admin.id)]
    assert set(row.revisions[0].diff) == set(row.data)


def test_create_refuses_an_id_in_use(admin_client, small_library, form_of, errors_at, get_row):
    form = _new_form(admin_client, form_of)
    form["id"] = "test_bridge"
    response = admin_client.post("/admin/exercises/new", data=form.data)
    assert response.status_code == 422
    assert "an exercise with this id already exists" in " ".join(errors_at(response)["id"])
    assert get_row("test_bridge").name == "Test bridge"


def test_create_refuses_a_bad_id(admin_client, small_library, form_of, errors_at):
    form = _new_form(admin_client, form_of)
    form["id"] = "Step Up!"
    response = admin_client.post("/admin/exercises/new", data=form.data)
    assert response.status_code == 422
    assert "lower-case letters" in " ".join(errors_at(response)["id"])


def test_copy_as_new_starts_from_another_exercise(admin_client, small_library, form_of):
    form = form_of(admin_client.get("/admin/exercises/new?copy=test_bridge"))
    assert form["id"] == "" and form["name"] == "Test bridge (copy)"
    assert form["steps"].startswith("Lie on your back, knees bent.")


# ---------------------------------------------------------------- retire and restore


def test_retire_and_restore_are_recorded_and_nothing_is_deleted(app, admin, admin_client, small_library, get_row):
    from rehab.catalog import library_from_db

    response = admin_client.post("/admin/exercises/test_walk/retire", follow_redirects=True)
    assert "is retired: new plans will not use it" in response.get_data(as_text=True)
    row = get_row("test_walk")
    assert row.retired and row.data["retired"] is True
    assert [(r.action, r.diff, r.user_id) for r in row.revisions[1:]] == [
        ("retire", {"retired": [None, True]}, admin.id)]
    with app.app_context():
        assert "test_walk" not in library_from_db()
        assert "test_walk" in library_from_db(include_retired=True)
    # retiring again records nothing
    admin_client.post("/admin/exercises/test_walk/retire")
    assert get_row("test_walk").version == 2
    response = admin_client.post("/admin/exercises/test_walk/restore", follow_redirects=True)
    assert "is back in the library" in response.get_data(as_text=True)
    row = get_row("test_walk")
    assert not row.retired and "retired" not in row.data
    assert [r.action for r in row.revisions] == ["create", "retire", "restore"]


def test_retiring_keeps_saved_plans_as_they_were(app, admin, admin_client, small_library):
    _save_plan(app, admin, ["test_walk"])
    with app.app_context():
        before = db.session.execute(db.select(PlanVersion)).scalar_one().plan
    admin_client.post("/admin/exercises/test_walk/retire")
    with app.app_context():
        assert db.session.execute(db.select(PlanVersion)).scalar_one().plan == before
        assert db.session.execute(db.select(db.func.count(ExerciseRevision.id))).scalar() == 4


def test_editing_a_retired_exercise_keeps_it_retired(admin_client, small_library, form_of, get_row):
    admin_client.post("/admin/exercises/test_walk/retire")
    form = form_of(admin_client.get("/admin/exercises/test_walk/edit"))
    form["name"] = "Test walk, retired"
    assert admin_client.post("/admin/exercises/test_walk/edit", data=form.data).status_code == 302
    row = get_row("test_walk")
    assert row.retired and row.name == "Test walk, retired"


@pytest.mark.parametrize("query", ['condition=x%22%27)&phase=P2', "phase=P9", 'phase=%22P1%22', "condition=all"])
def test_unknown_filter_words_match_nothing_and_never_fail(admin_client, small_library, query):
    response = admin_client.get(f"/admin/?{query}")
    assert response.status_code == 200 and _names(response) == []


def test_list_reads_one_page_through_db_paginate(app, small_library):
    from flask_sqlalchemy.pagination import Pagination

    from rehab.admin import queries

    with app.test_request_context():
        page = queries.search(queries.Filters(q="test"), 2, 2)
        assert isinstance(page, Pagination)
        assert (page.page, page.pages, page.total, [e.name for e in page.items]) == (2, 2, 3, ["Test heel dig"])
        assert queries.search(queries.Filters(q="nothing matches"), 5, 2).items == []
