"""The library admin in a real browser: an edited step reaches new plans' PDFs
while a plan saved earlier prints as it was; screenshots of the admin pages."""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery"
NEW_STEP = "Breathe out slowly as you press, edited by the library admin."


def log_in(page, user):
    page.goto("/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    text = " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"\s+", " ", text)


def save_hamstring_plan(page, patient_url: str) -> tuple[str, bytes]:
    """Through the portal: a new plan for the patient, saved; returns its URL and its PDF."""
    page.goto(patient_url)
    page.get_by_role("button", name="New plan").click()
    page.get_by_label("Hamstring strain (torn muscle").check()
    page.get_by_label("Hamstring strain grade").select_option("1")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Painful side").select_option("left")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Days since onset").fill("2")
    page.get_by_label("Active knee-extension deficit (degrees)").fill("25")
    page.get_by_label("Pain at rest (0-10)").fill("2")
    page.get_by_role("button", name="Check the answers").click()
    page.get_by_role("link", name="Build the plan").click()
    page.wait_for_url(re.compile(r"/plans/draft$"))
    page.get_by_role("button", name=re.compile("Save as version 1")).click()
    page.wait_for_url(re.compile(r"/plans/\d+/versions/1$"))
    url = page.url
    return url, download_pdf(page, url)


def download_pdf(page, version_url: str) -> bytes:
    page.goto(version_url)
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the plan (PDF)").click()
    return open(info.value.path(), "rb").read()


def first_item(app, plan_url: str) -> str:
    """The exercise id of the first item of the saved plan, read from its snapshot."""
    from rehab.extensions import db
    from rehab.models import PlanVersion

    plan_id = int(re.search(r"/plans/(\d+)/", plan_url).group(1))
    with app.app_context():
        version = db.session.execute(db.select(PlanVersion).filter_by(plan_id=plan_id, number=1)).scalar_one()
        return next(item["exercise_id"] for phase in version.plan["phases"] for item in phase["items"])


def test_admin_edit_reaches_new_plans_and_spares_saved_ones(app, browser, live_server, clinician, admin,
                                                           loaded_library, shots):
    contexts = [browser.new_context(base_url=live_server, accept_downloads=True,
                                    viewport={"width": 1280, "height": 900}) for _ in range(3)]
    portal, editor, rival = (c.new_page() for c in contexts)
    errors: list[str] = []
    for p in (portal, editor, rival):
        p.on("pageerror", lambda exc: errors.append(str(exc)))
        p.on("response", lambda r: errors.append(f"{r.status} {r.url}")
             if r.status == 404 else None)
    try:
        # a clinician saves a plan and prints it
        log_in(portal, clinician)
        portal.goto("/patients/new")
        portal.get_by_label("First name").fill("Ada")
        portal.get_by_label("Last name").fill("Admin-Test")
        portal.get_by_label("Reference number").fill("MRN-ADM-1")
        portal.get_by_label("Date of birth").fill("1985-02-03")
        portal.get_by_role("button", name="Add patient").click()
        portal.wait_for_url(re.compile(r"/patients/\d+$"))
        patient_url = portal.url
        old_url, old_pdf = save_hamstring_plan(portal, patient_url)
        slug = first_item(app, old_url)
        old_step = loaded_library[slug].steps[0]
        assert re.sub(r"\s+", " ", old_step) in pdf_text(old_pdf)

        # the admin finds the exercise and opens it
        log_in(editor, admin)
        editor.goto("/admin/")
        shots(editor, "admin-list")
        editor.get_by_label("Search").fill(slug)
        editor.get_by_role("button", name="Search").click()
        editor.get_by_role("link", name=loaded_library[slug].name, exact=True).click()
        editor.get_by_role("link", name="Edit", exact=True).click()
        editor.wait_for_url(re.compile(rf"/admin/exercises/{slug}/edit$"))

        # the figure preview follows the pose fields (JavaScript, /admin/figure-preview)
        preview = editor.locator("#figure-preview")
        before_svg = preview.inner_html()
        knee = editor.locator("#figure-end-knee")
        knee.fill(str(60 if int(knee.input_value() or 0) != 60 else 30))
        expect(editor.locator("#figure-status")).to_have_text("Preview updated.")
        assert preview.inner_html() != before_svg and "<svg" in preview.inner_html()
        knee.fill("999")
        expect(editor.locator("#figure-status")).to_contain_text("End position, knee: must be at most 160")
        knee.fill(str(loaded_library[slug].figure.end.knee))  # back as it was: only the step changes

        # a rival admin opens the same exercise before the first one saves
        log_in(rival, admin)
        rival.goto(f"/admin/exercises/{slug}/edit")

        steps = editor.get_by_label("Steps", exact=True)
        steps.fill(steps.input_value().replace(old_step, NEW_STEP, 1))
        editor.locator("#figure-end-knee").scroll_into_view_if_needed()
        shots(editor, "admin-edit-with-figure")
        editor.get_by_role("button", name="Save changes").click()
        editor.wait_for_url(re.compile(rf"/admin/exercises/{slug}$"))
        assert editor.get_by_text("as version 2").is_visible()

        # the rival's save is refused with both versions shown, their typing kept
        rival.get_by_label("Name").fill(loaded_library[slug].name + " (rival)")
        with rival.expect_response(lambda r: r.request.method == "POST") as answer:
            rival.get_by_role("button", name="Save changes").click()
        assert answer.value.status == 409
        assert rival.get_by_role("heading", name=re.compile("someone else changed")).is_visible()
        assert rival.get_by_label("Name").input_value().endswith("(rival)")
        assert NEW_STEP in rival.locator("table.conflict-table").inner_text()
        shots(rival, "admin-conflict")

        editor.get_by_role("link", name=re.compile(r"^History")).click()
        assert editor.locator("ins", has_text=NEW_STEP).is_visible()
        shots(editor, "admin-history")

        # a new plan prints the edited step; the plan saved before still prints the old one
        new_url, new_pdf = save_hamstring_plan(portal, patient_url)
        assert first_item(app, new_url) == slug
        assert NEW_STEP in pdf_text(new_pdf)
        again = pdf_text(download_pdf(portal, old_url))
        assert re.sub(r"\s+", " ", old_step) in again and NEW_STEP not in again
        assert again == pdf_text(old_pdf)
        assert not errors, errors
    finally:
        for context in contexts:
            context.close()
