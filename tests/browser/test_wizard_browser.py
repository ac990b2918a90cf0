"""The wizard's way through in Chromium, at desktop and phone size with axe (issue #13): an
emergency flag goes straight to the refusal, "Back" keeps what was typed, and the summary of
the answers comes before the review."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_layout_browser import SIZES, add_patients, check_page, log_in

expect.set_options(timeout=15_000)

pytestmark = pytest.mark.browser


def test_wizard_back_summary_and_refusal(app, browser, live_server, clinician, loaded_library, user_password,
                                         shots):
    context = browser.new_context(base_url=live_server, bypass_csp=True, viewport=SIZES["desktop"])
    page = context.new_page()
    problems: list[str] = []
    try:
        log_in(page, clinician, user_password)
        patient_url = f"/patients/{add_patients(app, clinician, 1)}"
        page.goto(patient_url)
        page.get_by_role("button", name="New plan").click()
        page.get_by_label("Hamstring strain (torn muscle").check()
        page.get_by_label("Hamstring strain grade").select_option("2")
        page.get_by_role("button", name="Continue").click()
        page.get_by_role("button", name="Continue").click()  # no red flag
        # Back from the patient factors keeps what was typed, even a wrong value
        page.get_by_label("Age (years)").fill("41")
        page.get_by_label("Painful side").select_option("right")
        page.get_by_label("Weeks of pregnancy").fill("99")  # out of range: kept all the same
        page.get_by_role("button", name="Back").click()
        page.wait_for_url(re.compile(r"/plans/new/red_flags$"))
        page.get_by_role("button", name="Continue").click()
        page.wait_for_url(re.compile(r"/plans/new/modifiers$"))
        expect(page.get_by_label("Age (years)")).to_have_value("41")
        expect(page.get_by_label("Painful side")).to_have_value("right")
        expect(page.get_by_label("Weeks of pregnancy")).to_have_value("99")
        problems += check_page(page, "modifiers-after-back", shots)
        page.get_by_label("Weeks of pregnancy").fill("")
        page.keyboard.press("Enter")  # Enter continues (the main button comes first)
        page.wait_for_url(re.compile(r"/plans/new/findings$"))
        page.get_by_label("Days since onset").fill("3")
        page.get_by_label("Active knee-extension deficit (degrees)").fill("25")
        page.get_by_role("button", name="Check the answers").click()
        page.wait_for_url(re.compile(r"/plans/new/summary$"))
        summary = page.locator("main").inner_text()
        assert "Grade 2: partial tear" in summary and "41" in summary and "None ticked" in summary
        problems += check_page(page, "summary", shots)
        # change one answer from the summary, and come back to it
        page.get_by_role("link", name="Change patient factors").click()
        page.get_by_label("Age (years)").fill("42")
        page.get_by_role("button", name="Check the answers").click()
        page.wait_for_url(re.compile(r"/plans/new/summary$"))
        assert "42" in page.locator("dl.answers").nth(2).inner_text()
        page.get_by_role("link", name="Build the plan").click()
        page.wait_for_url(re.compile(r"/plans/draft$"))
        expect(page.locator("#phase-P1_acute_protection")).to_be_visible()

        # an emergency flag: straight to the refusal and the letter, the rest may follow
        page.goto(patient_url)
        page.get_by_role("button", name="New plan").click()
        page.get_by_label("Sciatica").check()
        page.get_by_role("button", name="Continue").click()
        page.get_by_label("Numbness in the saddle area").check()
        page.get_by_role("button", name="Continue").click()
        page.wait_for_url(re.compile(r"/plans/draft$"))
        expect(page.get_by_role("button", name="Download the referral letter (PDF)")).to_be_visible()
        problems += check_page(page, "refusal-at-red-flags", shots)
        page.get_by_role("link", name="Record the remaining findings anyway").click()
        page.wait_for_url(re.compile(r"/plans/new/modifiers$"))
        page.get_by_role("button", name="Continue").click()
        page.get_by_role("button", name="Check the answers").click()
        page.wait_for_url(re.compile(r"/plans/new/summary$"))
        problems += check_page(page, "summary-refused", shots)
        page.get_by_role("link", name="Build the plan").click()
        expect(page.get_by_role("button", name="Save the refusal to the record")).to_be_visible()
    finally:
        context.close()
    assert not problems, "\n".join(problems)
