"""The history page shows each revision's diff readably; revert makes an old version current."""

from __future__ import annotations

from rehab.admin import diffs

EDIT = "/admin/exercises/test_bridge/edit"
HISTORY = "/admin/exercises/test_bridge/history"


def _edit(client, form_of, **fields):
    form = form_of(client.get(EDIT))
    for name, value in fields.items():
        form[name] = value
    response = client.post(EDIT, data=form.data)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def test_history_lists_every_change_with_who_and_what(admin_client, small_library, form_of):
    _edit(admin_client, form_of, name="Bridge v2",
          steps="Lie on your back, knees bent.\nLift your hips high.\nLower slowly.", **{"dosage-reps": "12"})
    admin_client.post("/admin/exercises/test_bridge/retire")
    html = admin_client.get(HISTORY).get_data(as_text=True)
    assert html.index("Version 3") < html.index("Version 2") < html.index("Version 1")
    assert "retire" in html and "Test Admin" in html and "loaded from the data files" in html
    # scalar fields: before and after
    assert "<del>Test bridge</del>" in html and "<ins>Bridge v2</ins>" in html
    assert "Default dose · repetitions" in html and "<del>10</del>" in html and "<ins>12</ins>" in html
    # lists: line by line, unchanged lines shown plainly
    assert "<del>Lift your hips.</del>" in html and "<ins>Lift your hips high.</ins>" in html
    assert '<li class="same"><span class="op" aria-hidden="true"> </span>Lower slowly.</li>' in html
    # the +/- marks are hidden from screen readers, which hear the change in words instead
    assert '<span class="op" aria-hidden="true">+</span><span class="sr-only">added: </span>' in html
    assert "aria-label" not in html.split("<main", 1)[1].split("<table", 1)[1]
    assert "Retired" in html and "<ins>yes</ins>" in html


def test_revert_to_an_earlier_version(admin, admin_client, small_library, form_of, get_row):
    original = get_row("test_bridge").data
    _edit(admin_client, form_of, name="Bridge v2")
    _edit(admin_client, form_of, name="Bridge v3", **{"dosage-sets": "4"})
    response = admin_client.post("/admin/exercises/test_bridge/revert", data={"version": "1", "current": "3"},
                                 follow_redirects=True)
    assert "Reverted to version 1; saved as version 4." in response.get_data(as_text=True)
    row = get_row("test_bridge")
    assert row.version == 4 and row.data == original
    last = row.revisions[-1]
    assert (last.action, last.user_id) == ("revert", admin.id)
    assert last.diff["name"] == ["Bridge v3", "Test bridge"]
    assert [r.action for r in row.revisions] == ["create", "edit", "edit", "revert"]


def test_revert_keeps_the_retired_flag(admin_client, small_library, form_of, get_row):
    _edit(admin_client, form_of, name="Bridge v2")
    admin_client.post("/admin/exercises/test_bridge/retire")
    admin_client.post("/admin/exercises/test_bridge/revert", data={"version": "1", "current": "3"})
    row = get_row("test_bridge")
    assert row.retired and row.name == "Test bridge" and row.version == 4


def test_revert_to_the_current_content_changes_nothing(admin_client, small_library, get_row):
    response = admin_client.post("/admin/exercises/test_bridge/revert", data={"version": "1", "current": "1"},
                                 follow_redirects=True)
    assert "is the same as the current one" in response.get_data(as_text=True)
    assert get_row("test_bridge").version == 1


def test_revert_to_a_missing_version_is_refused(admin_client, small_library, get_row):
    response = admin_client.post("/admin/exercises/test_bridge/revert", data={"version": "9", "current": "1"},
                                 follow_redirects=True)
    assert "Not reverted: there is no version 9" in response.get_data(as_text=True)
    assert get_row("test_bridge").version == 1


def test_revert_refuses_a_version_naming_a_vanished_exercise(app, admin_client, small_library, form_of, get_row):
    from rehab.extensions import db
    from rehab.models import ExerciseRevision

    with app.app_context():  # an old revision naming an exercise that no longer exists
        revision = db.session.execute(db.select(ExerciseRevision).filter_by(version=1).join(
            ExerciseRevision.exercise).filter_by(slug="test_bridge")).scalar_one()
        revision.data = {**revision.data, "easier": "gone_exercise"}
        db.session.commit()
    _edit(admin_client, form_of, name="Bridge v2")
    response = admin_client.post("/admin/exercises/test_bridge/revert", data={"version": "1", "current": "2"},
                                 follow_redirects=True)
    assert "names &#39;gone_exercise&#39; as easier" in response.get_data(as_text=True)
    assert get_row("test_bridge").version == 2


def test_changes_spell_out_nested_fields():
    before = {"name": "A", "dosage": {"sets": 2, "effort": "easy"}, "tags": ["impact"],
              "suits": {"hamstring_strain": ["P1"]}, "figure": {"start": {"body": "supine", "hip": 45}}}
    after = {"name": "A", "dosage": {"sets": 3, "effort": "easy"}, "tags": ["impact", "running"],
             "suits": {"hamstring_strain": ["P1", "P2"]}, "figure": {"start": {"body": "supine"}},
             "notes": "new"}
    changes = {c.key: c for c in diffs.changes(before, after)}
    assert list(changes) == ["tags", "suits.hamstring_strain", "dosage.sets", "notes", "figure.start.hip"]
    assert (changes["dosage.sets"].label, changes["dosage.sets"].before, changes["dosage.sets"].after) == \
        ("Default dose · sets", "2", "3")
    assert [(line.op, line.text) for line in changes["tags"].lines] == [("same", "impact"), ("added", "running")]
    assert changes["notes"].before is None and changes["figure.start.hip"].after == "0 (default)"
    assert changes["suits.hamstring_strain"].label == "Suits · hamstring strain"
