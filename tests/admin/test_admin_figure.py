"""The figure preview: shown on the edit page, refreshed by /admin/figure-preview (JS)
or by the Preview button (no JS); pose fields checked by the schema's Figure."""

from __future__ import annotations

import builtins

import pytest

EDIT = "/admin/exercises/test_bridge/edit"
POSE = {"figure-start-body": "supine", "figure-start-hip": "60", "figure-start-knee": "90",
        "figure-end-body": "supine", "figure-end-hip": "0", "figure-end-knee": "90", "figure-end-lift": "y",
        "figure-move": "hip", "figure-props": "mat"}


@pytest.fixture
def no_figures(monkeypatch):
    """As before rehab.figures existed."""
    real_import = builtins.__import__

    def fake_import(name, globals=None, locals=None, fromlist=(), level=0):
        if name == "rehab.figures":
            raise ModuleNotFoundError("No module named 'rehab.figures'", name="rehab.figures")
        return real_import(name, globals, locals, fromlist, level)

    monkeypatch.setattr(builtins, "__import__", fake_import)


def test_edit_page_shows_the_figure(admin_client, small_library):
    from rehab.figures import render_svg

    html = admin_client.get(EDIT).get_data(as_text=True)
    assert 'id="figure-preview"' in html and "<svg" in html
    assert render_svg(small_library["test_bridge"].figure) in html


def test_preview_endpoint_answers_the_svg(admin_client, small_library):
    from rehab.figures import render_svg
    from rehab.library.schema import Figure

    response = admin_client.post("/admin/figure-preview", data=POSE)
    assert response.status_code == 200
    body = response.get_json()
    expected = Figure.model_validate({"start": {"body": "supine", "hip": 60, "knee": 90},
                                      "end": {"body": "supine", "knee": 90, "lift": True},
                                      "move": "hip", "props": ["mat"]})
    assert body == {"ok": True, "svg": render_svg(expected)}


def test_preview_endpoint_refuses_bad_poses_by_field(admin_client, small_library):
    response = admin_client.post("/admin/figure-preview", data={
        **POSE, "figure-start-hip": "200", "figure-end-knee": "bent", "figure-end-body": "flying"})
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert errors["figure-start-hip"] == ["must be at most 150"]
    assert errors["figure-end-knee"] == ["Not a valid integer value."]
    assert errors["figure-end-body"] == ["unknown value 'flying'"]
    assert response.get_json()["ok"] is False


def test_preview_button_rerenders_without_saving(admin_client, small_library, form_of, get_row):
    from rehab.figures import render_svg
    from rehab.library.schema import Figure

    form = form_of(admin_client.get(EDIT))
    form["figure-end-hip"] = "30"
    form["name"] = "Typed, not saved"
    form.add("preview", "1")
    response = admin_client.post(EDIT, data=form.data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    figure = small_library["test_bridge"].figure.model_dump()
    figure["end"]["hip"] = 30
    assert render_svg(Figure.model_validate(figure)) in html
    assert form_of(response)["name"] == "Typed, not saved"
    assert get_row("test_bridge").version == 1


def test_preview_button_shows_pose_errors_only(admin_client, small_library, form_of, errors_at):
    form = form_of(admin_client.get(EDIT))
    form["figure-start-knee"] = "170"
    form["name"] = ""  # not checked by a preview
    form.add("preview", "1")
    response = admin_client.post(EDIT, data=form.data)
    errors = errors_at(response)
    assert errors == {"figure-start-knee": ["must be at most 160"]}
    assert "No figure: fix the figure fields marked in red" in response.get_data(as_text=True)


def test_new_exercise_page_shows_the_starting_figure(admin_client, small_library):
    assert "<svg" in admin_client.get("/admin/exercises/new").get_data(as_text=True)


def test_placeholder_until_figures_exist(admin_client, small_library, no_figures):
    html = admin_client.get(EDIT).get_data(as_text=True)
    assert "The figure will show here once figure drawing is installed." in html
    response = admin_client.post("/admin/figure-preview", data=POSE)
    assert response.get_json() == {"ok": True, "svg": None}
    assert "The figure will show here" in admin_client.get("/admin/exercises/test_bridge").get_data(as_text=True)


def test_edit_page_loads_the_preview_script_and_no_inline_script(admin_client, small_library):
    response = admin_client.get(EDIT)
    html = response.get_data(as_text=True)
    assert '<script src="/static/admin.js" defer></script>' in html
    assert "<script>" not in html and " style=" not in html and "onclick" not in html
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert 'data-preview-url="/admin/figure-preview"' in html
