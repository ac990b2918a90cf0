"""Every main page at desktop and phone size: no horizontal scroll, the navigation on screen,
and axe-core (tests/browser/vendor/axe.min.js, injected here only) finds no violation."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

expect.set_options(timeout=15_000)  # a shared 2-core machine can be slow


pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def check_page(page, name: str, shots) -> list[str]:
    """Problems on the page as it is now, for both sizes; screenshots of each."""
    problems = []
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        page.wait_for_timeout(50)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > viewport["width"]:
            problems.append(f"{name} at {size}: document {width}px wide in a {viewport['width']}px viewport")
        logout = page.get_by_role("button", name="Log out")
        if logout.count():
            box = logout.bounding_box()
            if box is None or box["x"] + box["width"] > viewport["width"]:
                problems.append(f"{name} at {size}: 'Log out' is off screen")
        if not page.evaluate("typeof axe !== 'undefined'"):
            page.add_script_tag(path=str(AXE))
        found = page.evaluate("async () => (await axe.run(document)).violations.map("
                              "v => [v.id, v.impact, v.nodes.map(n => n.target.join(' ')).slice(0, 3)])")
        problems += [f"{name} at {size}: axe {json.dumps(v)}" for v in found]
        shots(page, f"{name}-{size}")
    page.set_viewport_size(SIZES["desktop"])
    return problems


def log_in(page, user, password):
    page.goto("/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/(patients|admin/)$"))


def add_patients(app, user, count: int, start: int = 0) -> int:
    """count patients with long names (the widest a list row gets); returns the last one's id."""
    from rehab.portal.operations import create_patient

    with app.app_context():
        for n in range(start, start + count):
            patient = create_patient(user.clinic_id, user, first_name=f"Zoë-Maximiliane{n}",
                                     last_name="Núñez-O'Brien-Wolfeschlegelsteinhausen",
                                     reference=f"MRN-LAYOUT-{n:04}", date_of_birth=dt.date(1990, 5, 17),
                                     sex="female")
        return patient.id


def test_every_main_page_fits_a_phone_and_passes_axe(app, browser, live_server, clinician, admin,
                                                       loaded_library, user_password, shots):
    context = browser.new_context(base_url=live_server, bypass_csp=True, viewport=SIZES["desktop"])
    page = context.new_page()
    problems: list[str] = []
    try:
        page.goto("/login")
        assert page.title() == "Log in · Rehab Clinic"
        problems += check_page(page, "login", shots)
        assert page.request.get("/favicon.ico").status == 200

        log_in(page, clinician, user_password)
        patient_url = f"/patients/{add_patients(app, clinician, 1)}"
        page.goto(patient_url)
        problems += check_page(page, "patient-empty", shots)
        page.get_by_role("button", name="New plan").click()
        problems += check_page(page, "wizard-diagnosis", shots)
        page.get_by_label("Hamstring strain (torn muscle").check()
        page.get_by_label("Hamstring strain grade").select_option("2")
        page.get_by_role("button", name="Continue").click()
        problems += check_page(page, "wizard-red-flags", shots)
        page.get_by_role("button", name="Continue").click()
        page.get_by_label("Painful side").select_option("left")
        problems += check_page(page, "wizard-modifiers", shots)
        page.get_by_role("button", name="Continue").click()
        page.get_by_label("Days since onset").fill("3")
        page.get_by_label("Active knee-extension deficit (degrees)").fill("25")
        page.get_by_label("Pain at rest (0-10)").fill("2")
        problems += check_page(page, "wizard-findings", shots)
        page.get_by_role("button", name="Check the answers").click()
        page.wait_for_url(re.compile(r"/plans/new/summary$"))
        problems += check_page(page, "wizard-summary", shots)
        page.get_by_role("link", name="Build the plan").click()
        page.wait_for_url(re.compile(r"/plans/draft$"))
        problems += check_page(page, "review", shots)
        first = page.locator("article.item").first
        first.locator("summary").click()
        problems += check_page(page, "review-change-form-open", shots)
        # the picker: a modal <dialog> with JavaScript (search reloads it, Escape closes it) ...
        link = page.locator("#phase-P1_acute_protection").get_by_role("link", name="Choose with pictures…")
        link.click()
        dialog = page.get_by_role("dialog")
        expect(dialog.get_by_role("heading", name="Add to phase 1")).to_be_visible()
        page.keyboard.type("bridge")  # focus starts in the search field
        page.keyboard.press("Enter")
        expect(dialog.get_by_role("heading", name=re.compile("Not allowed here"))).to_be_visible()
        expect(dialog.get_by_role("heading", name="Add to phase 1")).to_be_visible()
        # wait for the search to come back (the unfiltered dialog has the same headings)
        expect(dialog.get_by_role("button", name=re.compile("^Add "))).to_have_count(3)  # the search narrowed it
        expect(dialog.get_by_label("Search")).to_have_value("bridge")
        expect(dialog.get_by_role("button", name="Add Bridge hold", exact=True)).to_be_visible()
        problems += check_page(page, "picker-dialog", shots)
        page.set_viewport_size(SIZES["phone"])
        page.screenshot(path=str(shots.directory / "picker-dialog-phone-viewport.png"))  # a modal: the screen
        page.set_viewport_size(SIZES["desktop"])
        page.keyboard.press("Escape")
        expect(dialog).to_be_hidden()
        assert page.evaluate("document.activeElement.textContent") == "Choose with pictures…"
        # ... and a plain page without it
        page.goto(link.get_attribute("href") + "&q=bridge")
        problems += check_page(page, "picker-page", shots)
        page.get_by_role("button", name="Add Bridge hold", exact=True).click()
        page.wait_for_url(re.compile(r"/plans/draft#phase-P1_acute_protection$"))
        expect(page.locator("#item-P1_acute_protection-bridge_hold")).to_be_visible()
        page.get_by_role("button", name=re.compile("Save as version 1")).click()
        page.wait_for_url(re.compile(r"/plans/\d+/versions/1$"))
        problems += check_page(page, "version", shots)

        page.get_by_role("button", name="Reassess (next version)").click()
        for _ in range(3):
            page.get_by_role("button", name="Continue").click()
        page.get_by_label("Active knee-extension deficit (degrees)").fill("15")
        page.get_by_role("button", name="Check the answers").click()
        page.get_by_role("link", name="Build the plan").click()
        page.wait_for_url(re.compile(r"/plans/draft$"))
        page.get_by_role("button", name=re.compile("Save as version 2")).click()
        page.wait_for_url(re.compile(r"/plans/\d+/versions/2$"))
        page.get_by_role("link", name="history and changes").click()
        problems += check_page(page, "history", shots)
        page.goto(patient_url)
        problems += check_page(page, "patient", shots)
        add_patients(app, clinician, 30, start=1)
        page.goto("/patients")
        problems += check_page(page, "patients", shots)
        page.goto("/library")
        problems += check_page(page, "library", shots)
        page.goto("/library?q=bridge&category=strengthening_concentric")
        problems += check_page(page, "library-search", shots)
        page.goto(f"/library/{next(iter(loaded_library))}")
        problems += check_page(page, "library-exercise", shots)

        page.get_by_role("button", name="Log out").click()
        log_in(page, admin, user_password)
        page.goto("/admin/")
        problems += check_page(page, "admin-list", shots)
        slug = next(iter(loaded_library))
        page.goto(f"/admin/exercises/{slug}")
        problems += check_page(page, "admin-view", shots)
        page.goto(f"/admin/exercises/{slug}/edit")
        problems += check_page(page, "admin-edit", shots)
        page.get_by_label("Name").fill(loaded_library[slug].name + " (edited)")
        steps = page.get_by_label("Steps", exact=True)
        steps.fill(steps.input_value() + "\nBreathe out slowly as you press.")
        page.get_by_role("button", name="Save changes").click()
        page.wait_for_url(re.compile(rf"/admin/exercises/{slug}$"))
        page.goto(f"/admin/exercises/{slug}/history")
        problems += check_page(page, "admin-history", shots)
    finally:
        context.close()
    assert not problems, "\n".join(problems)


