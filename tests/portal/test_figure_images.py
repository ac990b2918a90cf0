"""Figures as images (rehab.figure_images): pages carry short signed addresses, any worker
draws them, browsers keep them, and the route answers only the app's own figures."""

from __future__ import annotations

import re

from rehab import create_app
from rehab.figures import render_svg
from rehab.library.schema import Figure

IMG = re.compile(r'<img src="(/figures/[A-Za-z0-9_.-]+\.svg)" alt="" width="240" height="120" loading="lazy">')


def test_a_plan_page_carries_figure_addresses_not_drawings(app, portal, saved_plan):
    plan_id, number = saved_plan
    page = portal.get(f"/plans/{plan_id}/versions/{number}").get_data(as_text=True)
    addresses = IMG.findall(page)
    assert addresses and "<svg" not in page.split('id="main"')[-1]
    assert all(len(a) < 400 for a in addresses)
    response = portal.get(addresses[0])
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert response.get_data(as_text=True).startswith("<svg")


def test_the_image_is_the_figure_as_drawn_and_kept_by_browsers(app, client, library):
    figure = next(ex.figure for ex in library.values() if ex.figure is not None)
    with app.test_request_context():
        from rehab.figure_images import figure_img

        address = IMG.search(str(figure_img(figure))).group(1)
    response = client.get(address)  # no login: an exercise drawing, never patient data
    assert response.status_code == 200
    assert response.get_data(as_text=True) == render_svg(Figure.model_validate(figure.model_dump(mode="json")))
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_cached_picture_never_carries_the_session(app, portal, saved_plan, sql):
    """A logged-in clinician's picture request neither reads the session nor refreshes its
    cookie: a shared cache may keep the answer."""
    plan_id, number = saved_plan
    address = IMG.findall(portal.get(f"/plans/{plan_id}/versions/{number}").get_data(as_text=True))[0]
    with sql() as seen:
        response = portal.get(address)
    statements = seen.statements
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers and "Cookie" not in response.headers.get("Vary", "")
    assert statements == []  # not even the user is loaded


def test_only_the_apps_own_figures_are_drawn(app, client, library):
    figure = next(ex.figure for ex in library.values() if ex.figure is not None)
    with app.test_request_context():
        from rehab.figure_images import figure_img

        address = IMG.search(str(figure_img(figure))).group(1)
    token = address.removeprefix("/figures/").removesuffix(".svg")
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for bad in (tampered, "x", "a" * 5000, token.split(".")[0]):
        response = client.get(f"/figures/{bad}.svg")
        assert response.status_code == 404, bad[:40]
        assert response.headers["Cache-Control"] == "no-store"
    # another installation's key signs nothing here
    other = create_app({"TESTING": True, "SECRET_KEY": "another-installation-key-of-32-bytes!!",
                        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    with other.test_request_context():
        from rehab.figure_images import figure_img

        foreign = IMG.search(str(figure_img(figure))).group(1)
    assert client.get(foreign).status_code == 404


def test_a_new_key_draws_kept_pages_again(app, portal, saved_plan, clinician, login):
    """Kept version pages hold signed figure addresses: a new SECRET_KEY draws them again."""
    plan_id, number = saved_plan
    url = f"/plans/{plan_id}/versions/{number}"
    before = IMG.findall(portal.get(url).get_data(as_text=True))
    from rehab.portal import rendering
    with rendering._LOCK:
        rendering._VERSIONS.clear()
    app.secret_key = app.config["SECRET_KEY"] = "a-new-secret-key-for-this-clinic-32b!"
    fresh = app.test_client()  # the old key's session cookie has ended too
    login(fresh, clinician)
    after = IMG.findall(fresh.get(url).get_data(as_text=True))
    assert after and after != before
    assert all(fresh.get(a).status_code == 200 for a in after[:3])
    assert fresh.get(before[0]).status_code == 404
