"""The patient's own plan on a phone (390x844): the clinician gives the link and shows its QR
code, the patient opens it, logs three days, trips the safety advice and a bad note; axe
finds nothing on the patient's page."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from rehab import config

from tests.portal.conftest import HAMSTRING_2

from .test_layout_browser import AXE, log_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _saved_plan(app, clinician, password) -> tuple[int, int]:
    """A hamstring plan saved as version 1 through the portal (test client, CSRF off)."""
    from rehab.extensions import db
    from rehab.models import Clinic, Patient

    with app.app_context():
        clinic = db.session.get(Clinic, clinician.clinic_id)
        clinic.phone, clinic.out_of_hours = "01632 960123", "NHS 111"
        patient = Patient(clinic_id=clinician.clinic_id, reference="MRN-77", first_name="Priya",
                          last_name="Raman", date_of_birth=dt.date(1985, 4, 9), sex="female")
        db.session.add(patient)
        db.session.commit()
        patient_id = patient.id
    client = app.test_client()
    assert client.post("/login", data={"email": clinician.email, "password": password}).status_code == 302
    client.post(f"/patients/{patient_id}/plans/new")
    for step in ("diagnosis", "red_flags", "modifiers", "findings"):
        assert client.post(f"/patients/{patient_id}/plans/new/{step}", data=HAMSTRING_2[step]).status_code == 302
    saved = client.post(f"/patients/{patient_id}/plans/draft/save", data={"note": ""})
    plan_id, number = re.search(r"/plans/(\d+)/versions/(\d+)$", saved.headers["Location"]).groups()
    with app.app_context():  # saved a week ago: the log offers no day before the plan
        from rehab.models import PlanVersion

        version = db.session.execute(db.select(PlanVersion).filter_by(plan_id=int(plan_id))).scalar_one()
        version.created_at -= dt.timedelta(days=7)
        db.session.commit()
    return int(plan_id), int(number)


def _axe(page) -> list:
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate("async () => (await axe.run(document)).violations.map("
                         "v => [v.id, v.impact, v.nodes.map(n => n.target.join(' ')).slice(0, 3)])")


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), page.url


def _in_view(locator) -> bool:
    """The element's top is on the screen (not only somewhere on the page)."""
    box = locator.bounding_box()
    return box is not None and -2 <= box["y"] and box["y"] + 24 <= locator.page.viewport_size["height"]


def _log_day(page, label: str, pain: str, ticks: int = 1, symptom: str | None = None, note: str = ""):
    page.locator("ul.days a", has_text=label).click()
    form = page.locator("form.log-form")
    boxes = form.locator("input[name=done]")
    for n in range(min(ticks, boxes.count())):
        boxes.nth(n).check()
    form.locator(f"label.score:has(input[value='{pain}'])").click()
    if symptom:
        form.get_by_role("radiogroup", name=re.compile(symptom)).get_by_label("Yes").check()
    if note:
        form.get_by_label(re.compile("A note for your physio")).fill(note)
    form.get_by_role("button", name="Save this day").click()
    page.wait_for_load_state()


def test_the_patient_flow_on_a_phone(app, browser, live_server, clinician, user_password, loaded_library,
                                     shots):
    import zxingcpp
    from PIL import Image

    plan_id, number = _saved_plan(app, clinician, user_password)
    clinic_ctx = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    page = clinic_ctx.new_page()
    log_in(page, clinician, user_password)
    page.goto(f"/plans/{plan_id}/versions/{number}")
    shots(page, "clinician-version-no-link")
    page.get_by_role("button", name="Give the patient a link").click()
    page.wait_for_url(re.compile(r"/link$"))
    url = page.get_by_label("Address").input_value()
    assert url.startswith(live_server + "/p/")
    qr = shots.directory / "qr.png"
    page.locator(".qr").screenshot(path=str(qr))
    assert [r.text for r in zxingcpp.read_barcodes(Image.open(qr))] == [url]
    shots(page, "clinician-link-and-qr")
    page.goto(f"/plans/{plan_id}/versions/{number}")
    assert page.get_by_role("button", name="Revoke the link").is_visible()
    shots(page, "clinician-version-with-link")

    phone_ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    phone = phone_ctx.new_page()
    errors = []
    phone.on("pageerror", lambda exc: errors.append(str(exc)))
    phone.on("console", lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    phone.goto(url)
    assert phone.get_by_role("heading", name="Hello Priya").is_visible()
    assert "Raman" not in phone.content() and "MRN-77" not in phone.content()
    _fits(phone)
    figures = phone.locator(".exercise .figure img")
    assert figures.count() > 0  # pictures at their own addresses, fetched without the link's token
    figures.first.scroll_into_view_if_needed()
    phone.wait_for_function("() => [...document.querySelectorAll('.exercise .figure img')].slice(0, 1)"
                            ".every(i => i.complete && i.naturalWidth > 0)")
    shots(phone, "patient-page")

    _log_day(phone, "Today", "3", ticks=2)
    assert phone.get_by_role("status").filter(has_text="Saved").is_visible()
    assert _in_view(phone.get_by_role("status").filter(has_text="Saved"))  # where the page lands
    _log_day(phone, "Yesterday", "4", ticks=1, note="Tight after the walk")
    two_ago = dt.date.today() - dt.timedelta(days=2)
    _log_day(phone, f"{two_ago.day} {two_ago.strftime('%b')}", "9", ticks=1,
             symptom="Numbness between your legs")
    alerts = phone.get_by_role("alert")
    assert alerts.filter(has_text="Go to the emergency department now, or call an ambulance").is_visible()
    assert alerts.filter(has_text="Pain of 8 out of 10 or more").is_visible()
    assert alerts.filter(has_text="01632 960123").is_visible()
    assert alerts.filter(has_text="When the clinic is closed: NHS 111").is_visible()  # with the pain advice
    # the page lands on the advice, with "Saved", not on the log 1,000 px below it
    assert _in_view(alerts.filter(has_text="Go to the emergency department now").get_by_role("heading"))
    assert _in_view(phone.get_by_role("status").filter(has_text="Saved"))
    shots(phone, "patient-warning")
    assert phone.locator("ul.days").get_by_text("logged").count() == 3
    _fits(phone)
    warning_url = phone.url.split("#")[0]

    phone.locator("ul.days a", has_text="Today").click()
    note = phone.get_by_label(re.compile("A note for your physio"))
    assert note.get_attribute("maxlength") == "500" and phone.get_by_text("Up to 500 characters.").is_visible()
    note.evaluate("el => el.removeAttribute('maxlength')")  # an older browser: the server still refuses
    note.fill("x" * 501)
    phone.get_by_role("button", name="Save this day").click()
    phone.wait_for_load_state()
    assert phone.get_by_text("Note: at most 500 characters").first.is_visible()
    assert _in_view(phone.locator("#log-errors"))  # the refusal is on the screen, not 1,600 px down
    assert phone.get_by_label(re.compile("A note for your physio")).input_value() == "x" * 501
    shots(phone, "patient-bad-note")

    for checked in (url, warning_url):
        found = _axe_clean(browser, checked)
        assert found == [], json.dumps(found)

    page.goto(f"/plans/{plan_id}/versions/{number}")
    page.get_by_role("button", name="Revoke the link").click()
    phone.goto(url)
    assert phone.get_by_role("heading", name="This link has been switched off").is_visible()
    assert "01632 960123" in phone.content()
    shots(phone, "patient-link-revoked")
    assert errors == []
    phone_ctx.close()
    clinic_ctx.close()


def _axe_clean(browser, url: str) -> list:
    """axe on the page (a context that lets the axe script in past the CSP)."""
    context = browser.new_context(viewport=PHONE, bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(url)
        return _axe(page)
    finally:
        context.close()
