"""The clinician's path through the portal in a real browser, with screenshots of each step."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery"


def log_in(page, user):
    page.goto("/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/patients$"))


def create_patient(page, first, last, reference, dob="1990-05-17", sex="female"):
    page.goto("/patients")
    page.get_by_role("link", name="New patient").click()
    page.get_by_label("First name").fill(first)
    page.get_by_label("Last name").fill(last)
    page.get_by_label("Reference number").fill(reference)
    page.get_by_label("Date of birth").fill(dob)
    page.get_by_label("Sex").select_option(sex)
    page.get_by_role("button", name="Add patient").click()
    page.wait_for_url(re.compile(r"/patients/\d+$"))


def test_hamstring_plan_from_wizard_to_pdf(page, clinician, loaded_library, shots):
    log_in(page, clinician)
    shots(page, "patients-empty")

    # a bad form keeps what was typed
    page.goto("/patients/new")
    page.get_by_label("First name").fill("Maria")
    page.get_by_role("button", name="Add patient").click()
    assert page.get_by_label("First name").input_value() == "Maria"
    assert page.locator(".field.has-error").count() >= 2
    shots(page, "patient-form-errors")

    create_patient(page, "Maria", "Lopez", "MRN-1001")
    shots(page, "patient")
    page.get_by_role("button", name="New plan").click()
    page.wait_for_url(re.compile(r"/plans/new/diagnosis$"))  # loaded, so portal.js has run

    # step 1: the grade appears only for a hamstring strain (JavaScript)
    grade = page.locator("fieldset.sub")
    assert grade.is_hidden()
    page.get_by_label("Hamstring strain (torn muscle").check()
    assert grade.is_visible()
    page.get_by_label("Hamstring strain grade").select_option("2")
    shots(page, "step1-diagnosis")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/plans/new/red_flags$"))

    # step 2: every follow-up question is shown and counts on its own (Wells risk factors too)
    wells = page.locator("#flag-dvt .followup")
    assert wells.is_visible()
    page.get_by_label("DVT symptoms").check()
    assert wells.is_visible()
    shots(page, "step2-red-flags")
    page.get_by_label("DVT symptoms").uncheck()
    assert wells.is_visible() and page.get_by_label("Systemically unwell").is_visible()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/plans/new/modifiers$"))

    # step 3: age comes from the date of birth
    assert page.get_by_label("Age (years)").input_value() != ""
    page.get_by_label("Painful side").select_option("left")
    shots(page, "step3-modifiers")
    page.get_by_role("button", name="Continue").click()

    # step 4: a value the planner refuses is shown at its field, input kept
    page.get_by_label("Days since onset").fill("3")
    page.get_by_label("Active knee-extension deficit (degrees)").fill("125")
    page.get_by_role("button", name="Check the answers").click()
    assert page.locator(".field.has-error input[name=ake_deficit_deg]").input_value() == "125"
    assert page.get_by_label("Days since onset").input_value() == "3"
    shots(page, "step4-findings-error")
    page.get_by_label("Active knee-extension deficit (degrees)").fill("25")
    page.get_by_label("Pain at rest (0-10)").fill("2")
    page.get_by_role("button", name="Check the answers").click()
    page.get_by_role("link", name="Build the plan").click()
    page.wait_for_url(re.compile(r"/plans/draft$"))
    assert page.locator("#phase-P1_acute_protection").is_visible()
    assert page.locator(".item-figure img").count() > 0
    page.locator(".item-figure img").first.scroll_into_view_if_needed()
    page.wait_for_function("() => { const i = document.querySelector('.item-figure img'); return i.complete && i.naturalWidth > 0; }")
    shots(page, "review")

    # adjust: change the dose of the first item
    first = page.locator("#phase-P1_acute_protection article.item").first
    first.locator("summary").click()
    first.get_by_label("Sets").fill("4")
    first.get_by_role("button", name="Change dose").click()
    assert page.get_by_text("Change applied.").is_visible()
    assert "4 sets" in page.locator("#phase-P1_acute_protection article.item").first.inner_text()

    # a change the safety rules refuse is explained
    page.locator("#add-P1_acute_protection").select_option("nordic_hamstring_curl")
    page.locator("#phase-P1_acute_protection").get_by_role("button", name="Add").click()
    assert page.get_by_text("That change was not made.").is_visible()
    assert page.locator("#phase-P1_acute_protection .add-form .error").is_visible()
    shots(page, "review-adjust-refused")

    page.get_by_label("Note for the record (optional)").fill("First visit")
    page.get_by_role("button", name=re.compile("Save as version 1")).click()
    page.wait_for_url(re.compile(r"/plans/\d+/versions/1$"))
    shots(page, "version-1")

    with page.expect_download() as info:
        page.get_by_role("button", name="Download the plan (PDF)").click()
    data = open(info.value.path(), "rb").read()
    assert data.startswith(b"%PDF")
    assert info.value.suggested_filename.endswith(".pdf")

    # reassessment: the wizard comes prefilled; new findings make version 2
    page.get_by_role("button", name="Reassess (next version)").click()
    assert page.get_by_label("Hamstring strain grade").input_value() == "2"
    for _ in range(3):
        page.get_by_role("button", name="Continue").click()
    assert page.get_by_label("Active knee-extension deficit (degrees)").input_value() == "25"
    page.get_by_label("Active knee-extension deficit (degrees)").fill("8")
    page.get_by_label("Pain at rest (0-10)").fill("0")
    page.get_by_label("Pain with daily activity (0-10)").fill("1")
    page.get_by_label("Walking today").select_option("pain_free")
    page.get_by_label("Very slow jog pain free").select_option("yes")
    page.get_by_label("Isometric knee flexion at 50-70% pain free").select_option("yes")
    page.get_by_role("button", name="Check the answers").click()
    page.get_by_role("link", name="Build the plan").click()
    page.wait_for_url(re.compile(r"/plans/draft$"))
    page.get_by_role("button", name=re.compile("Save as version 2")).click()
    page.wait_for_url(re.compile(r"/plans/\d+/versions/2$"))

    page.get_by_role("link", name="history and changes").click()
    assert page.locator(".diff").is_visible()
    assert "Current phase" in page.locator(".diff").inner_text()
    assert "Active knee-extension deficit (degrees): 25 → 8 (down)" in page.locator(".diff").inner_text()
    assert "First visit" in page.locator(".diff").inner_text()  # the notes compared
    shots(page, "history-diff")
    assert not page.js_errors, page.js_errors


def test_cauda_equina_is_refused_with_a_referral_letter(page, clinician, loaded_library, shots):
    log_in(page, clinician)
    create_patient(page, "Sam", "Okafor", "MRN-2002", dob="1972-03-09", sex="male")
    page.get_by_role("button", name="New plan").click()
    page.get_by_label("Sciatica").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Numbness in the saddle area").check()
    page.get_by_label("New bladder or bowel change").check()
    shots(page, "red-flags-ces")
    page.get_by_role("button", name="Continue").click()  # an emergency: straight to the refusal
    page.wait_for_url(re.compile(r"/plans/draft$"))
    box = page.locator("section.referral")
    assert box.is_visible() and "emergency" in box.inner_text().lower()
    assert page.locator("section.phase").count() == 0
    shots(page, "refusal")

    with page.expect_download() as info:
        page.get_by_role("button", name="Download the referral letter (PDF)").click()
    assert open(info.value.path(), "rb").read().startswith(b"%PDF")

    page.get_by_role("button", name="Save the refusal to the record").click()
    page.wait_for_url(re.compile(r"/versions/1$"))
    assert page.locator(".badge-emergency").first.is_visible()
    shots(page, "refusal-saved")
    assert not page.js_errors, page.js_errors
