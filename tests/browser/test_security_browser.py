"""The security and patient-rights pages in a real browser (CSRF on), at desktop width and
on a 390x844 phone: unsaved plans, edit / export / erase, the admin's users and audit trail,
and a reset user's forced password change."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery"
PHONE = {"width": 390, "height": 844}


def log_in(page, email, password=PASSWORD, landing=r"/patients$"):
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(landing))


def _patient(app, clinic_id, reference, first_name, last_name) -> int:
    import datetime as dt

    from rehab.extensions import db
    from rehab.models import Patient

    with app.app_context():
        patient = Patient(clinic_id=clinic_id, reference=reference, first_name=first_name, last_name=last_name,
                          date_of_birth=dt.date(1980, 2, 3), sex="female")
        db.session.add(patient)
        db.session.commit()
        return patient.id


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), page.url


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_security_pages(app, page, admin, clinician, loaded_library, shots, viewport):
    if viewport == "phone":
        page.set_viewport_size(PHONE)
    first = _patient(app, clinician.clinic_id, "MRN-1", "Maria", "Lopez")
    second = _patient(app, clinician.clinic_id, "MRN-2", "Tom", "Berg")

    log_in(page, clinician.email)
    for pid in (first, second):
        page.goto(f"/patients/{pid}")
        page.get_by_role("button", name="New plan").click()
    page.goto("/patients")
    unsaved = page.locator("section.unsaved")
    assert unsaved.get_by_role("link", name="Maria Lopez").is_visible()
    assert unsaved.get_by_role("link", name="Tom Berg").is_visible()
    shots(page, f"{viewport}-unsaved-plans")
    _no_sideways_scroll(page)

    page.goto(f"/patients/{first}")
    assert page.get_by_role("link", name="Export the whole record (zip)").is_visible()
    assert page.get_by_role("link", name="Erase the patient…").count() == 0  # clinicians cannot
    shots(page, f"{viewport}-patient")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export the whole record (zip)").click()
    assert download.value.suggested_filename == "record-MRN-1.zip"
    page.get_by_role("link", name="Edit details").click()
    page.get_by_label("First name").fill("Mariana")
    page.get_by_role("button", name="Save details").click()
    page.wait_for_url(re.compile(rf"/patients/{first}$"))
    assert page.get_by_role("heading", name="Mariana Lopez").is_visible()
    page.goto("/account/password")
    _no_sideways_scroll(page)
    shots(page, f"{viewport}-account")
    page.get_by_role("button", name="Log out").first.click()

    log_in(page, admin.email)
    page.goto("/admin/users/new")
    page.get_by_label("Email").fill("new.physio@test.example")
    page.get_by_label("Role").select_option("clinician")
    page.get_by_label("Temporary password").fill("short")
    page.get_by_role("button", name="Create the user").click()
    assert page.get_by_text("Use at least 12 characters").is_visible()
    assert page.get_by_label("Email").input_value() == "new.physio@test.example"
    shots(page, f"{viewport}-new-user-error")
    page.get_by_label("Temporary password").fill("temporary passphrase one")
    page.get_by_role("button", name="Create the user").click()
    page.wait_for_url(re.compile(r"/admin/users/\d+$"))
    _no_sideways_scroll(page)
    shots(page, f"{viewport}-user")
    page.goto("/admin/users")
    _no_sideways_scroll(page)
    shots(page, f"{viewport}-users")
    page.goto("/admin/audit")
    assert page.get_by_text("patient export").first.is_visible()
    shots(page, f"{viewport}-audit")
    page.goto(f"/patients/{second}")
    page.get_by_role("link", name="Erase the patient…").click()
    _no_sideways_scroll(page)
    shots(page, f"{viewport}-erase")
    page.get_by_label("Type the patient's reference number to confirm").fill("MRN-2")
    page.get_by_role("button", name="Erase for good").click()
    page.wait_for_url(re.compile(r"/patients$"))
    assert page.get_by_text("are erased").is_visible()
    page.get_by_role("button", name="Log out").first.click()

    # the new user must choose a password before anything else
    log_in(page, "new.physio@test.example", "temporary passphrase one", landing=r"/account/password$")
    shots(page, f"{viewport}-forced-password")
    page.get_by_label("Current password").fill("temporary passphrase one")
    page.get_by_label("New password", exact=True).fill("my own long passphrase")
    page.get_by_label("New password again").fill("my own long passphrase")
    page.get_by_role("button", name="Change password").click()
    page.wait_for_url(re.compile(r"/patients$"))
    assert not page.js_errors, page.js_errors
