"""Two admins editing the same exercise: the second save gets a 409 conflict page,
nothing is silently overwritten, and what was typed is kept."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from rehab.admin import operations
from rehab.catalog import to_schema
from rehab.extensions import db
from rehab.models import Exercise, ExerciseRevision

EDIT = "/admin/exercises/test_bridge/edit"


@pytest.fixture
def second_client(app, second_admin, login):
    client = app.test_client()
    login(client, second_admin)
    return client


def commit_elsewhere(app, slug: str, user_id: int | None, **changes) -> None:
    """Another admin's save, committed through its own database session and connection."""
    with app.app_context(), Session(db.engine) as other:
        row = other.query(Exercise).filter_by(slug=slug).one()
        data = {**row.data, **changes}
        row.data, row.name = data, data["name"]
        other.flush()  # version_id_col: UPDATE ... WHERE version = <old>, version + 1
        other.add(ExerciseRevision(exercise_id=row.id, version=row.version, action="edit", data=data,
                                   diff={k: [None, v] for k, v in changes.items()}, user_id=user_id))
        other.commit()


def test_second_save_gets_a_conflict_page(admin_client, second_client, small_library, form_of, get_row,
                                          second_admin):
    mine = form_of(admin_client.get(EDIT))
    theirs = form_of(second_client.get(EDIT))
    theirs["name"] = "Bridge, as the other admin wrote it"
    assert second_client.post(EDIT, data=theirs.data).status_code == 302

    mine["steps"] = "Lie down.\nLift the hips slowly.\nLower them slower."
    mine["dosage-reps"] = "15"
    response = admin_client.post(EDIT, data=mine.data)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "someone else changed this exercise" in html
    assert "Second Admin" in html and "version 2" in html
    # both versions, field by field
    assert "Bridge, as the other admin wrote it" in html and "they changed" in html
    assert "Lift the hips slowly." in html and "you changed" in html
    assert "Default dose · repetitions" in html  # nested fields compared one by one
    # nothing of theirs was overwritten, nothing of mine saved
    row = get_row("test_bridge")
    assert row.version == 2 and row.name == "Bridge, as the other admin wrote it"
    assert row.data["steps"][1] == "Lift your hips."
    assert [r.user_id for r in row.revisions][-1] == second_admin.id
    # what I typed is still in the form, now based on their version
    again = form_of(response)
    assert again["steps"] == mine["steps"] and again["dosage-reps"] == "15"
    assert again["name"] == "Test bridge" and again["version"] == "2"


def test_reapplying_from_the_conflict_page_saves_deliberately(admin, admin_client, second_client, small_library,
                                                              form_of, get_row):
    mine = form_of(admin_client.get(EDIT))
    theirs = form_of(second_client.get(EDIT))
    theirs["name"] = "Their bridge"
    second_client.post(EDIT, data=theirs.data)
    mine["dosage-reps"] = "15"
    conflict = form_of(admin_client.post(EDIT, data=mine.data))
    conflict["name"] = "Their bridge"  # keep their change, add mine
    assert admin_client.post(EDIT, data=conflict.data).status_code == 302
    row = get_row("test_bridge")
    assert (row.version, row.name, row.data["dosage"]["reps"]) == (3, "Their bridge", 15)
    assert row.revisions[-1].user_id == admin.id and set(row.revisions[-1].diff) == {"dosage"}


def test_conflict_page_when_typed_equals_saved(admin_client, second_client, small_library, form_of):
    mine = form_of(admin_client.get(EDIT))
    theirs = form_of(second_client.get(EDIT))
    theirs["name"] = mine["name"] = "Same idea"
    second_client.post(EDIT, data=theirs.data)
    response = admin_client.post(EDIT, data=mine.data)
    assert response.status_code == 409
    assert "Your version and theirs are the same" in response.get_data(as_text=True)


def test_real_race_is_caught_by_version_id_col(app, admin_client, second_admin, small_library, form_of,
                                               get_row, monkeypatch):
    """The other save lands after the version check but before our UPDATE: the database refuses ours."""
    real_save = operations.save_exercise

    def save_after_someone_else(schema, action, user_id, row=None):
        commit_elsewhere(app, "test_bridge", second_admin.id, name="Raced bridge")
        return real_save(schema, action, user_id, row)

    monkeypatch.setattr(operations, "save_exercise", save_after_someone_else)
    mine = form_of(admin_client.get(EDIT))
    mine["dosage-reps"] = "15"
    response = admin_client.post(EDIT, data=mine.data)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Raced bridge" in html and "Second Admin" in html
    row = get_row("test_bridge")
    assert (row.version, row.name, row.data["dosage"]["reps"]) == (2, "Raced bridge", 10)
    assert form_of(response)["dosage-reps"] == "15"


def test_stale_data_error_becomes_a_conflict(app, admin, second_admin, small_library):
    """Operation level: our row object is still at version 1 when another session commits version 2."""
    with app.app_context():
        row = db.session.execute(db.select(Exercise).filter_by(slug="test_bridge")).scalar_one()
        mine = to_schema(row).model_copy(update={"notes": "mine"})
        commit_elsewhere(app, "test_bridge", second_admin.id, name="Theirs")
        assert row.version == 1  # our session has not seen their save
        with pytest.raises(operations.Conflict) as caught:
            operations.update_exercise(row, mine, 1, admin.id)
        conflict = caught.value
        assert (conflict.loaded_version, conflict.theirs_version) == (1, 2)
        assert conflict.theirs["name"] == "Theirs" and conflict.yours["notes"] == "mine"
        assert conflict.base["name"] == "Test bridge" and conflict.theirs_by == "Second Admin"
    with app.app_context():
        row = db.session.execute(db.select(Exercise).filter_by(slug="test_bridge")).scalar_one()
        assert (row.version, row.name, row.data.get("notes")) == (2, "Theirs", None)


def test_a_form_without_a_version_is_a_conflict(admin_client, small_library, form_of, get_row):
    mine = form_of(admin_client.get(EDIT))
    mine["version"] = ""
    mine["name"] = "No version"
    assert admin_client.post(EDIT, data=mine.data).status_code == 409
    assert get_row("test_bridge").name == "Test bridge"


def test_two_admins_creating_the_same_id_at_once(app, admin_client, second_admin, small_library, form_of,
                                                 errors_at, monkeypatch):
    real_save = operations.save_exercise

    def save_after_someone_else(schema, action, user_id, row=None):
        with app.app_context(), Session(db.engine) as other:
            other.add(Exercise(slug=schema.id, name="Theirs", category="mobility", data={"name": "Theirs"}))
            other.commit()
        return real_save(schema, action, user_id, row)

    monkeypatch.setattr(operations, "save_exercise", save_after_someone_else)
    form = form_of(admin_client.get("/admin/exercises/new?copy=test_walk"))
    form["id"] = "test_walk_two"
    response = admin_client.post("/admin/exercises/new", data=form.data)
    assert response.status_code == 422
    assert "already exists" in " ".join(errors_at(response)["id"])
    assert form_of(response)["name"] == "Test brisk walk (copy)"
    with app.app_context():
        assert db.session.execute(db.select(Exercise).filter_by(slug="test_walk_two")).scalar_one().name == "Theirs"


def test_revert_from_a_stale_history_page_is_refused(admin_client, second_client, small_library, form_of, get_row):
    theirs = form_of(second_client.get(EDIT))
    theirs["name"] = "Newer"
    second_client.post(EDIT, data=theirs.data)
    response = admin_client.post("/admin/exercises/test_bridge/revert", data={"version": "1", "current": "1"},
                                 follow_redirects=True)
    assert "Not reverted: the exercise was changed (now version 2)" in response.get_data(as_text=True)
    assert get_row("test_bridge").name == "Newer"
