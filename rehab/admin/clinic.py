"""Clinic settings: the contact, logo and default page size printed on every plan and
letter. An admin edits their own clinic only."""

from __future__ import annotations

import base64
import io
import warnings

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from PIL import Image, UnidentifiedImageError
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from rehab.extensions import db
from rehab.models import AuditEntry, Clinic, User

MAX_LOGO_BYTES = 1024 * 1024  # an upload larger than this is refused
MAX_LOGO_PIXELS = 4000 * 4000  # and so is a picture with more pixels (a decompression bomb)
LOGO_BOX = (600, 300)  # stored at most this size: plenty for 16-22 mm of print at 300 dpi
TEXT_FIELDS = ("name", "address", "phone", "email", "hours", "out_of_hours", "page_size")


def _length(column: str) -> Length:
    """maxlength from the model's column, so the form and the table agree."""
    return Length(max=Clinic.__table__.c[column].type.length)


class ClinicForm(FlaskForm):
    name = StringField("Clinic name", validators=[DataRequired(), _length("name")])
    address = TextAreaField("Address", validators=[Optional(), _length("address")])
    phone = StringField("Phone", validators=[Optional(), _length("phone")])
    email = StringField("Email", validators=[Optional(), Email(), _length("email")])
    hours = StringField("Opening hours", validators=[Optional(), _length("hours")],
                        description='For example "Monday to Friday 8:00 to 18:00".')
    out_of_hours = StringField("When the clinic is closed", validators=[Optional(), _length("out_of_hours")],
                               description='Printed in "Get help now", e.g. "call NHS 111, or 999 in an emergency".')
    page_size = SelectField("Default page size", choices=[SelectChoice("A4"), SelectChoice("Letter", "US Letter")])
    logo = FileField("Logo (PNG or JPEG, at most 1 MB)")
    remove_logo = BooleanField("Remove the logo")

    def validate_logo(self, field):
        upload = field.data
        if not upload or not getattr(upload, "filename", ""):
            field.clean = None
            return
        try:
            field.clean = clean_logo(upload.read(MAX_LOGO_BYTES + 1))
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


def clean_logo(data: bytes) -> bytes:
    """The upload checked (PNG or JPEG, size and pixel count) and re-encoded as a fresh PNG,
    so nothing but pixels from the upload is stored or printed."""
    if len(data) > MAX_LOGO_BYTES:
        raise ValueError(f"The logo is larger than {MAX_LOGO_BYTES // 1024} KB.")
    if not data:
        raise ValueError("The logo file is empty.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format not in ("PNG", "JPEG"):
                    raise ValueError("The logo must be a PNG or JPEG picture.")
                if image.width * image.height > MAX_LOGO_PIXELS:
                    raise ValueError("The logo has too many pixels (at most 4000 x 4000).")
                image.load()
                picture = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValueError("The logo must be a PNG or JPEG picture.") from None
    picture.thumbnail(LOGO_BOX)
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)
    return out.getvalue()


def logo_data_uri(clinic: Clinic) -> str | None:
    return f"data:image/png;base64,{base64.b64encode(clinic.logo).decode()}" if clinic.logo else None


def save_settings(clinic: Clinic, form: ClinicForm, user: User) -> list[str]:
    """Store the form on the clinic and audit what changed; returns the changed fields."""
    changed = []
    for name in TEXT_FIELDS:
        value = (form[name].data or "").strip()
        if getattr(clinic, name) != value:
            setattr(clinic, name, value)
            changed.append(name)
    if form.remove_logo.data and clinic.logo:
        clinic.logo = None
        changed.append("logo")
    elif form.logo.clean:
        clinic.logo = form.logo.clean
        changed.append("logo")
    if changed:
        db.session.add(AuditEntry(user_id=user.id, action="clinic_settings_save", object_type="clinic",
                                  object_id=str(clinic.id), detail={"changed": changed}))
    db.session.commit()
    return changed
