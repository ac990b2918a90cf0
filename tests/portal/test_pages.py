"""Pages that work under the strict CSP, the library list, and the error pages."""

from __future__ import annotations

import re


def _inline_code(html: str) -> list[str]:
    """Inline scripts, inline styles and event-handler attributes: all blocked by the CSP."""
    return (re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) + re.findall(r"<style\b", html)
            + re.findall(r'\sstyle="', html) + re.findall(r"\son[a-z]+=\"", html))


def test_pages_need_no_inline_code(portal, wizard, cases):
    wizard.run(cases.hamstring_2)
    pages = [portal.get(url).get_data(as_text=True) for url in (
        "/patients", "/patients/new", f"/patients/{wizard.patient_id}", wizard.url("red_flags"),
        wizard.url("findings"), f"/patients/{wizard.patient_id}/plans/draft", "/library")]
    plan_id, number = wizard.save()
    pages += [portal.get(f"/plans/{plan_id}/versions/{number}").get_data(as_text=True),
              portal.get(f"/plans/{plan_id}").get_data(as_text=True)]
    for html in pages:
        assert not _inline_code(html), _inline_code(html)[:3]


def test_script_and_styles_are_served_locally(portal):
    html = portal.get("/patients").get_data(as_text=True)
    assert 'src="/static/portal.js"' in html and 'href="/static/rehab.css"' in html
    assert "http://" not in html.split("<body")[0] and "https://" not in html.split("<body")[0]
    js = portal.get("/static/portal.js")
    assert js.status_code == 200 and b"data-show-when" in js.data
    js.close()


def test_library_lists_exercises_with_tags(portal):
    html = portal.get("/library").get_data(as_text=True)
    assert "Nordic hamstring curl" in html and "nordic_hamstring_curl" in html
    assert "high load eccentric" in html


def test_not_found_page(portal):
    response = portal.get("/patients/123456")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)
