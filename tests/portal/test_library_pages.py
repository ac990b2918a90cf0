"""The clinician's library: search, filters, figures, one page per exercise; login needed."""

from __future__ import annotations

import re

import pytest


def _found(html: str) -> list[str]:
    return re.findall(r'href="/library/([a-z0-9_]+)"', html)


def test_library_pages_need_login(client, loaded_library):
    for url in ("/library", "/library?q=bridge", "/library/nordic_hamstring_curl"):
        answer = client.get(url)
        assert answer.status_code == 302 and "/login" in answer.headers["Location"]


def test_search_filters_and_figures(portal, loaded_library):
    html = portal.get("/library?q=NORDIC").get_data(as_text=True)
    assert _found(html) == ["nordic_hamstring_curl"] and '<img src="/figures/' in html
    eccentric = _found(portal.get("/library?category=eccentric").get_data(as_text=True))
    assert eccentric and all(loaded_library[s].category == "eccentric" for s in eccentric)
    assert len(eccentric) == sum(ex.category == "eccentric" and not ex.retired for ex in loaded_library.values())
    tagged = _found(portal.get("/library?tag=high_load_eccentric").get_data(as_text=True))
    assert tagged and all("high_load_eccentric" in loaded_library[s].tags for s in tagged)
    answer = portal.get("/library?diagnosis=lumbar_spinal_stenosis&category=mobility")
    both = _found(answer.get_data(as_text=True))
    assert answer.status_code == 200 and both
    assert both == sorted((s for s, ex in loaded_library.items() if "lumbar_spinal_stenosis" in ex.suits
                           and ex.category == "mobility" and not ex.retired), key=lambda s: loaded_library[s].name.lower())
    assert "No exercise matches" in portal.get("/library?q=zzzz").get_data(as_text=True)


@pytest.mark.parametrize("query", ["category=nope", "tag=%3Cscript%3E", "diagnosis=flu", "q=" + "x" * 101])
def test_bad_filters_are_422_naming_the_field(portal, loaded_library, query):
    answer = portal.get(f"/library?{query}")
    assert answer.status_code == 422
    field = query.split("=")[0]
    assert {"q": "Search"}.get(field, field.capitalize()) + ":" in answer.get_data(as_text=True)


def test_exercise_page_steps_doses_alternatives(portal, loaded_library):
    slug = next(s for s, ex in loaded_library.items() if ex.easier and ex.precautions and not ex.retired)
    ex = loaded_library[slug]
    html = portal.get(f"/library/{slug}").get_data(as_text=True)
    assert ex.name in html and "<svg" in html
    assert all(step.replace("'", "&#39;") in html for step in ex.steps)
    assert ex.precautions[0].replace("'", "&#39;") in html
    assert html.count("<tr><td>") == sum(len(codes) for codes in ex.suits.values())
    assert f'href="/library/{ex.easier}"' in html
    assert portal.get("/library/no_such_exercise").status_code == 404
    assert portal.get("/library/%3Cx%3E").status_code == 404


def test_the_library_is_read_again_only_when_it_changes(app, loaded_library):
    """The portal keeps the validated library per process and reads it again when an exercise
    changes (a name, retiring): the same objects until then, so the planner's memo holds."""
    from rehab.catalog import save_exercise
    from rehab.extensions import db
    from rehab.portal.operations import current_library

    with app.app_context():
        first = current_library()
        assert current_library() is first and first["nordic_hamstring_curl"].name == \
            loaded_library["nordic_hamstring_curl"].name
        renamed = loaded_library["nordic_hamstring_curl"].model_copy(update={"name": "Nordic curl, renamed"})
        save_exercise(renamed, "edit", None)
        db.session.commit()
        assert current_library()["nordic_hamstring_curl"].name == "Nordic curl, renamed"
        retired = loaded_library["bridge_hold"].model_copy(update={"retired": True})
        save_exercise(retired, "retire", None)
        db.session.commit()
        assert "bridge_hold" not in current_library()
