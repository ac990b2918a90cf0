"""Clinic templates in the browser (issue #13): a template saved from one patient's plan and
applied to another patient's new plan, at desktop and phone size, with axe on every page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from .test_layout_browser import SIZES, check_page, log_in

pytestmark = pytest.mark.browser
expect.set_options(timeout=15_000)
P1 = "#phase-P1_acute_protection"


def _patient(app, user, first, last, reference) -> int:
    from rehab.portal.operations import create_patient

    with app.app_context():
        return create_patient(user.clinic_id, user, first_name=first, last_name=last, reference=reference,
                              date_of_birth=dt.date(1990, 5, 17), sex="female").id


def _wizard(page, patient_id: int, pregnant_weeks: str = ""):
    page.goto(f"/patients/{patient_id}")
    page.get_by_role("button", name="New plan").click()
    page.get_by_label("Hamstring strain (torn muscle").check()
    page.get_by_label("Hamstring strain grade").select_option("2")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Painful side").select_option("left")
    if pregnant_weeks:
        page.get_by_label("Pregnant", exact=True).check()
        page.get_by_label("Weeks of pregnancy").fill(pregnant_weeks)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Days since onset").fill("3")
    page.get_by_label("Active knee-extension deficit (degrees)").fill("25")
    page.get_by_label("Pain at rest (0-10)").fill("2")
    page.get_by_role("button", name="Check the answers").click()
    page.get_by_role("link", name="Build the plan").click()
    page.wait_for_url(re.compile(r"/plans/draft$"))


def _add(page, slug: str):
    page.locator(f"{P1} .add-form select").select_option(slug)
    page.locator(P1).get_by_role("button", name="Add", exact=True).click()
    expect(page.locator(f"#item-P1_acute_protection-{slug}")).to_be_visible()


def test_save_a_template_from_one_plan_and_apply_it_to_another_patient(app, browser, live_server, clinician,
                                                                       loaded_library, user_password, shots):
    context = browser.new_context(base_url=live_server, bypass_csp=True, viewport=SIZES["desktop"])
    page = context.new_page()
    problems: list[str] = []
    first = _patient(app, clinician, "Sam", "Okafor", "T-001")
    second = _patient(app, clinician, "Beth", "Ames", "T-002")
    try:
        log_in(page, clinician, user_password)
        _wizard(page, first)
        expect(page.get_by_text("The clinic has no templates for this diagnosis yet.")).to_be_visible()
        _add(page, "bridge_hold")
        _add(page, "lunge_walk_rotation")
        page.get_by_role("link", name="Save these changes as a template").click()
        page.wait_for_url(re.compile(r"/plans/draft/templates/new$"))
        page.get_by_label("Description (optional)").fill("Early loading for desk workers")
        page.get_by_role("button", name="Save as a template").click()  # no name yet
        expect(page.get_by_text("Give the template a name.")).to_be_visible()
        expect(page.get_by_label("Description (optional)")).to_have_value("Early loading for desk workers")
        problems += check_page(page, "save-template-error", shots)
        page.get_by_label("Template name").fill("Early loading")
        page.get_by_role("button", name="Save as a template").click()
        page.wait_for_url(re.compile(r"/plans/draft$"))
        expect(page.get_by_text("Saved as the template “Early loading”")).to_be_visible()
        problems += check_page(page, "review-template-saved", shots)

        _wizard(page, second, pregnant_weeks="20")
        page.get_by_label("Apply a template").select_option(label="Early loading (2 changes)")
        page.get_by_role("button", name="Apply", exact=True).click()
        page.wait_for_url(re.compile(r"/plans/draft/templates/applied/\d+$"))
        refused = page.locator("section", has=page.get_by_role("heading", name=re.compile("Not made")))
        expect(refused).to_contain_text(loaded_library["bridge_hold"].name)
        expect(refused).to_contain_text("Pregnancy from week 13: no lying flat on the back")
        expect(page.locator("main")).to_contain_text(f"Added {loaded_library['lunge_walk_rotation'].name}")
        problems += check_page(page, "template-applied", shots)
        page.get_by_role("link", name="Back to the review").click()
        expect(page.locator("#item-P1_acute_protection-lunge_walk_rotation")).to_be_visible()
        expect(page.locator("#item-P1_acute_protection-bridge_hold")).to_have_count(0)
        problems += check_page(page, "review-template-applied", shots)

        page.get_by_role("link", name="Templates", exact=True).click()
        problems += check_page(page, "templates", shots)
        page.get_by_role("link", name="Early loading").click()
        problems += check_page(page, "template", shots)
        page.get_by_role("link", name="Edit the template").click()
        problems += check_page(page, "template-edit", shots)
    finally:
        context.close()
    assert not problems, "\n".join(problems)
