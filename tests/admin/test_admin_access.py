"""Every admin route: anonymous -> login, clinician -> 403, admin -> 200."""

from __future__ import annotations

import pytest

# (method, url, form data); POSTs are followed to the page they redirect to.
ROUTES = [
    ("GET", "/admin/", None),
    ("GET", "/admin/?q=bridge&category=strengthening_concentric&tag=supine_position"
            "&condition=hamstring_strain&phase=P2&status=all&page=1", None),
    ("GET", "/admin/exercises/test_bridge", None),
    ("GET", "/admin/exercises/new", None),
    ("GET", "/admin/exercises/new?copy=test_bridge", None),
    ("GET", "/admin/exercises/test_bridge/edit", None),
    ("GET", "/admin/exercises/test_bridge/history", None),
    ("POST", "/admin/exercises/test_bridge/retire", {}),
    ("POST", "/admin/exercises/test_bridge/restore", {}),
    ("POST", "/admin/exercises/test_bridge/revert", {"version": "1", "current": "1"}),
    ("POST", "/admin/exercises/new", {"preview": "1", "figure-start-body": "standing",
                                      "figure-end-body": "standing", "figure-move": "none"}),
    ("POST", "/admin/exercises/test_bridge/edit", {"preview": "1", "figure-start-body": "supine",
                                                   "figure-end-body": "supine", "figure-move": "hip"}),
    ("POST", "/admin/figure-preview", {"figure-start-body": "supine", "figure-end-body": "supine",
                                       "figure-move": "hip"}),
    ("GET", "/admin/clinic", None),
    ("POST", "/admin/clinic", {"name": "Renamed Clinic", "page_size": "A4"}),
]
# Routes whose URL the table above covers, by endpoint.
COVERED = {"admin.exercises", "admin.exercise", "admin.new", "admin.edit", "admin.history",
           "admin.retire", "admin.restore", "admin.revert", "admin.figure_preview", "admin.clinic_settings"}


def _call(client, method, url, data, **kwargs):
    if method == "GET":
        return client.get(url, **kwargs)
    return client.post(url, data=data, **kwargs)


def test_every_admin_route_is_in_the_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("admin.")}
    assert endpoints == COVERED


def test_the_blueprint_is_registered_under_admin(app):
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("admin.")]
    assert rules and all(r.rule.startswith("/admin/") for r in rules)


@pytest.mark.parametrize("method,url,data", ROUTES)
def test_anonymous_is_sent_to_login(client, small_library, method, url, data):
    response = _call(client, method, url, data)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("method,url,data", ROUTES)
def test_clinician_is_refused(clinician_client, small_library, method, url, data):
    response = _call(clinician_client, method, url, data)
    assert response.status_code == 403
    assert "does not have access" in response.get_data(as_text=True)


@pytest.mark.parametrize("method,url,data", ROUTES)
def test_admin_gets_the_page(admin_client, small_library, method, url, data):
    response = _call(admin_client, method, url, data, follow_redirects=True)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]


def test_clinician_cannot_change_anything(clinician_client, small_library, get_row):
    before = get_row("test_bridge")
    clinician_client.post("/admin/exercises/test_bridge/retire")
    clinician_client.post("/admin/exercises/test_bridge/edit", data={"name": "Hacked", "version": "1"})
    after = get_row("test_bridge")
    assert (after.version, after.retired, after.name) == (before.version, False, "Test bridge")


def test_unknown_exercise_is_404(admin_client, small_library):
    assert admin_client.get("/admin/exercises/no_such_thing").status_code == 404
    assert admin_client.get("/admin/exercises/no_such_thing/edit").status_code == 404
    assert admin_client.post("/admin/exercises/no_such_thing/retire").status_code == 404


def test_nav_shows_admin_link_to_admins_only(admin_client, clinician_client, small_library):
    assert "/admin/" in admin_client.get("/library").get_data(as_text=True)
    assert 'href="/admin/"' not in clinician_client.get("/library").get_data(as_text=True)


def test_posts_need_a_csrf_token(app, admin_client, small_library, get_row):
    app.config["WTF_CSRF_ENABLED"] = True
    response = admin_client.post("/admin/exercises/test_bridge/retire")
    assert response.status_code == 400
    assert get_row("test_bridge").retired is False
