"""Forms of the user and audit pages; the password rule is rehab.passwords'."""

from __future__ import annotations

import datetime as dt

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, EmailField, IntegerField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, ValidationError

from rehab.auth import check_new_password
from rehab.models import ROLES

ROLE_CHOICES = [SelectChoice(role, role) for role in ROLES]
TEMPORARY_HELP = ("A temporary password to give the user in person; they must choose their own at their "
                  "first login. At least 12 characters.")


class NewUserForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
    name = StringField("Name", validators=[Optional(), Length(max=120)])
    role = SelectField("Role", choices=ROLE_CHOICES, default="clinician")
    password = PasswordField("Temporary password", validators=[DataRequired(), check_new_password],
                             description=TEMPORARY_HELP)


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=ROLE_CHOICES)


class ResetPasswordForm(FlaskForm):
    password = PasswordField("New temporary password", validators=[DataRequired(), check_new_password],
                             description=TEMPORARY_HELP)


class ActiveForm(FlaskForm):
    active = BooleanField("Active")


YEARS = (dt.date(2000, 1, 1), dt.date(2100, 12, 31))  # bounded, so "the day after" never overflows


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    user = SelectField("User", choices=[], default="")
    patient = IntegerField("Patient record number", validators=[Optional(), NumberRange(1, 2**31 - 1)])
    start = DateField("From", validators=[Optional()])
    end = DateField("To", validators=[Optional()])

    def validate_start(self, field):
        if field.data and not YEARS[0] <= field.data <= YEARS[1]:
            raise ValidationError(f"Enter a date from {YEARS[0]:%d %B %Y} to {YEARS[1]:%d %B %Y}.")

    validate_end = validate_start
