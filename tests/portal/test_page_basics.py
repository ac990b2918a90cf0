"""The favicon and the page title (small defects of issue #13)."""

from __future__ import annotations


def test_favicon_is_a_real_icon_served_without_login(client):
    answer = client.get("/favicon.ico")
    assert answer.status_code == 200
    assert answer.data[:4] == b"\x00\x00\x01\x00"  # an ICO file's header
    assert len(answer.data) < 10_000


def test_title_names_the_page_and_the_clinic_once(client, app):
    html = client.get("/login").get_data(as_text=True)
    assert f"<title>Log in · {app.config['CLINIC_NAME']}</title>" in html
