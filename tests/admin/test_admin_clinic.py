"""Clinic settings: an admin edits their own clinic's contact, logo and page size, which
every plan and letter then prints. Bad input is named and nothing typed is lost."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from rehab.admin.clinic import LOGO_BOX, MAX_LOGO_BYTES, clean_logo
from rehab.models import AuditEntry, Clinic

GOOD = {"name": "Riverside Physiotherapy", "address": "12 River Street\nNorthtown", "phone": "01632 960 123",
        "email": "physio@riverside.example", "hours": "Mon-Fri 8-18", "out_of_hours": "call NHS 111",
        "page_size": "Letter"}


def _picture(fmt: str, size=(40, 20), colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format=fmt)
    return out.getvalue()


def _clinic(app, user):
    from rehab.extensions import db

    with app.app_context():
        return db.session.get(Clinic, user.clinic_id)


@pytest.fixture
def admin_in(client, make_user, login):
    def make(clinic: str | None = None, email="admin@test.example"):
        user = make_user(email, "admin", clinic=clinic)
        login(client, user)
        return user

    return make


def test_admin_saves_the_settings(app, client, admin_in):
    admin = admin_in()
    response = client.post("/admin/clinic", data=GOOD)
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/clinic")
    row = _clinic(app, admin)
    assert (row.name, row.address, row.phone, row.email, row.hours, row.out_of_hours, row.page_size) == \
        tuple(GOOD[k] for k in ("name", "address", "phone", "email", "hours", "out_of_hours", "page_size"))
    page = client.get("/admin/clinic").get_data(as_text=True)
    assert "Clinic settings saved." in page and 'value="01632 960 123"' in page
    with app.app_context():
        from rehab.extensions import db

        entry = db.session.execute(db.select(AuditEntry).filter_by(action="clinic_settings_save")).scalar_one()
        assert entry.object_id == str(admin.clinic_id) and "phone" in entry.detail["changed"]


def test_bad_input_is_named_and_kept(app, client, admin_in):
    admin_in()
    bad = dict(GOOD, email="not an email", phone="9" * 41, name="")
    response = client.post("/admin/clinic", data=bad)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    for field in ("email", "phone", "name"):
        assert f'id="{field}-error"' in html, field
    assert "12 River Street" in html and "Mon-Fri 8-18" in html  # what was typed is shown again
    assert 'value="' + "9" * 41 + '"' in html


@pytest.mark.parametrize("length, ok", [(40, True), (41, False)])
def test_phone_length_boundary(app, client, admin_in, length, ok):
    admin_in()
    response = client.post("/admin/clinic", data=dict(GOOD, phone="1" * length))
    assert response.status_code == (302 if ok else 422)


def test_page_size_is_a_choice(client, admin_in):
    admin_in()
    assert client.post("/admin/clinic", data=dict(GOOD, page_size="A3")).status_code == 422


def test_admin_edits_only_their_own_clinic(app, client, admin_in, make_user):
    other = make_user("other@test.example", "admin", clinic="Other Clinic")
    admin = admin_in()
    client.post("/admin/clinic", data=dict(GOOD, name="Mine"))
    assert _clinic(app, admin).name == "Mine"
    assert _clinic(app, other).name == "Other Clinic" and _clinic(app, other).phone == ""


def test_a_name_taken_by_another_clinic_is_refused(app, client, admin_in, make_user):
    make_user("other@test.example", "admin", clinic="Other Clinic")
    admin = admin_in()
    response = client.post("/admin/clinic", data=dict(GOOD, name="Other Clinic"))
    assert response.status_code == 422
    assert "Another clinic already has this name." in response.get_data(as_text=True)
    assert _clinic(app, admin).name != "Other Clinic"


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_logo_upload_is_re_encoded(app, client, admin_in, fmt):
    admin = admin_in()
    data = _picture(fmt, (1200, 300))
    response = client.post("/admin/clinic", data=dict(GOOD, logo=(io.BytesIO(data), f"logo.{fmt.lower()}")),
                           content_type="multipart/form-data")
    assert response.status_code == 302
    stored = _clinic(app, admin).logo
    assert stored != data
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "PNG" and image.size == (LOGO_BOX[0], 150)
    assert "data:image/png;base64," in client.get("/admin/clinic").get_data(as_text=True)
    client.post("/admin/clinic", data=dict(GOOD, remove_logo="y"))
    assert _clinic(app, admin).logo is None


@pytest.mark.parametrize("data, message", [
    (b"GIF89a" + b"\0" * 100, "must be a PNG or JPEG"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "must be a PNG or JPEG"),
    (b"\x89PNG\r\n\x1a\n" + b"broken", "must be a PNG or JPEG"),
])
def test_logo_that_is_not_a_picture_is_refused(app, client, admin_in, data, message):
    admin = admin_in()
    response = client.post("/admin/clinic", data=dict(GOOD, logo=(io.BytesIO(data), "logo.png")),
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _clinic(app, admin).logo is None


def test_gif_is_refused_by_format_not_by_name():
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, format="GIF")
    with pytest.raises(ValueError, match="PNG or JPEG"):
        clean_logo(out.getvalue())


def test_logo_size_boundary():
    png = _picture("PNG")
    padded = png + b"\0" * (MAX_LOGO_BYTES - len(png))  # bytes after IEND are ignored by readers
    assert len(padded) == MAX_LOGO_BYTES
    assert clean_logo(padded).startswith(b"\x89PNG")
    with pytest.raises(ValueError, match="larger than 1024 KB"):
        clean_logo(padded + b"\0")
    with pytest.raises(ValueError, match="empty"):
        clean_logo(b"")


def test_too_many_pixels_is_refused():
    with pytest.raises(ValueError, match="too many pixels|PNG or JPEG"):
        clean_logo(_picture("PNG", (4001, 4000), (255, 255, 255)))
    assert clean_logo(_picture("PNG", (4000, 4000), (255, 255, 255))).startswith(b"\x89PNG")


def test_plans_and_letters_print_the_settings(app, client, admin_in, pdf_text_of):
    """What the admin saves is what a printed letter shows, logo included."""
    from rehab.pdf import render_referral_letter
    from rehab.pdf.sample import sample_details, sample_refusal
    from rehab.portal.printing import clinic_contact

    admin = admin_in()
    client.post("/admin/clinic", data=dict(GOOD, logo=(io.BytesIO(_picture("PNG")), "l.png")),
                content_type="multipart/form-data")
    contact = clinic_contact(_clinic(app, admin))
    assert contact.phone == "01632 960 123" and contact.logo and contact.out_of_hours == "call NHS 111"
    pdf = render_referral_letter(sample_refusal(), sample_details(clinic=contact, clinic_name=contact.name))
    text = pdf_text_of(pdf)
    assert "Riverside Physiotherapy" in text and "12 River Street, Northtown" in text
    assert "Phone 01632 960 123" in text
    assert b"/Subtype /Image" in pdf


@pytest.fixture
def pdf_text_of():
    from pypdf import PdfReader

    return lambda pdf: re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
