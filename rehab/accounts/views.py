"""User management and the audit trail for the admins of a clinic. Every page is for
admins only, and shows only the admin's own clinic (another clinic's user is a 404)."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import and_, or_
from wtforms.fields.choices import SelectChoice

from rehab import bounds, users
from rehab.accounts import forms
from rehab.auth import admin_required
from rehab.extensions import db
from rehab.models import AuditEntry, Patient, User

bp = Blueprint("accounts", __name__, url_prefix="/admin")
AUDIT_PAGE = 100
# What the patient's own page records (rehab.mine.views._audit): no user, the patient's id.
# The trail shows "patient link" as who did it, not "command line".
PATIENT_LINK_ACTIONS = frozenset({"patient_page_view", "patient_log_write", "patient_psfs_write"})


@bp.before_request
@admin_required
def _admins_only():
    """Anonymous -> login, clinician -> 403."""


def _clinic_users() -> list[User]:
    return list(db.session.execute(db.select(User).where(User.clinic_id == current_user.clinic_id)
                                   .order_by(User.email)).scalars())


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.clinic_id != current_user.clinic_id:
        abort(404)
    return user


@bp.route("/users")
def user_list():
    return render_template("accounts/users.html", users=_clinic_users())


@bp.route("/users/new", methods=["GET", "POST"])
def user_new():
    form = forms.NewUserForm()
    if form.validate_on_submit():
        try:
            user = users.create(form.email.data, form.password.data, form.role.data, form.name.data or "",
                                current_user.clinic.name, actor_id=current_user.id, must_change_password=True)
        except users.UserError as exc:
            form[exc.field].errors = [*form[exc.field].errors, exc.message]
        else:
            flash(f"{user.email} can log in now, and must choose a new password first.", "success")
            return redirect(url_for("accounts.user", user_id=user.id))
    return render_template("accounts/user_new.html", form=form), 422 if form.is_submitted() else 200


def _user_page(user: User, status: int = 200, **form_overrides):
    entries = db.session.execute(db.select(AuditEntry).where(AuditEntry.user_id == user.id)
                                 .order_by(AuditEntry.id.desc()).limit(10)).scalars().all()
    page_forms = {"role_form": forms.RoleForm(role=user.role), "password_form": forms.ResetPasswordForm(),
                  "active_form": forms.ActiveForm(), **form_overrides}
    return render_template("accounts/user.html", user=user, entries=entries, **page_forms), status


@bp.route("/users/<int:user_id>")
def user(user_id: int):
    return _user_page(_user_or_404(user_id))


def _not_oneself(user: User, what: str) -> None:
    if user.id == current_user.id:
        flash(f"You cannot {what} your own account here: ask another admin.", "error")
        abort(redirect(url_for("accounts.user", user_id=user.id)))


@bp.route("/users/<int:user_id>/role", methods=["POST"])
def user_role(user_id: int):
    user = _user_or_404(user_id)
    form = forms.RoleForm()
    if not form.validate_on_submit():
        return _user_page(user, 422, role_form=form)
    _not_oneself(user, "change the role of")
    users.set_role(user, form.role.data, actor_id=current_user.id)
    flash(f"{user.email} is now {form.role.data}; their sessions are ended.", "success")
    return redirect(url_for("accounts.user", user_id=user.id))


@bp.route("/users/<int:user_id>/password", methods=["POST"])
def user_password(user_id: int):
    """Reset: a temporary password the user must replace at their next login."""
    user = _user_or_404(user_id)
    form = forms.ResetPasswordForm()
    if not form.validate_on_submit():
        return _user_page(user, 422, password_form=form)
    _not_oneself(user, "reset the password of")
    users.reset_password(user, form.password.data, actor_id=current_user.id, must_change_password=True)
    flash(f"{user.email} has a temporary password and must choose a new one at the next login; "
          "their sessions are ended.", "success")
    return redirect(url_for("accounts.user", user_id=user.id))


@bp.route("/users/<int:user_id>/active", methods=["POST"])
def user_active(user_id: int):
    user = _user_or_404(user_id)
    form = forms.ActiveForm()
    if not form.validate_on_submit():
        abort(400)
    _not_oneself(user, "deactivate")
    users.set_active(user, bool(form.active.data), actor_id=current_user.id)
    flash(f"{user.email} is {'active again' if user.active else 'deactivated; their sessions are ended'}.",
          "success")
    return redirect(url_for("accounts.user", user_id=user.id))


@bp.route("/audit")
def audit_trail():
    """The audit trail, newest first, filtered by user, patient and date; 100 a page."""
    people = _clinic_users()
    form = forms.AuditFilterForm(request.args)
    form.user.choices = [SelectChoice("", "Anyone")] + [SelectChoice(str(u.id), u.email) for u in people]
    valid = form.validate()
    clinic_patients = db.select(Patient.id).where(Patient.clinic_id == current_user.clinic_id)
    # An entry about a patient belongs to the patient's clinic (whoever acted, even a user who
    # has since moved clinic); an entry about no patient to the acting user's clinic. One with
    # neither a patient nor a user (the command line: user creation, role, password, clinic,
    # (de)activation) to the clinic of the user it is about; a failed or refused login that
    # names no account (no user, no object) to every clinic's admins (it holds no clinic's
    # data); any other to no clinic (docs/security.md).
    target = db.aliased(User)
    query = (db.select(AuditEntry, User.email).outerjoin(User, AuditEntry.user_id == User.id)
             .outerjoin(target, and_(AuditEntry.user_id.is_(None), AuditEntry.object_type == "user",
                                     AuditEntry.object_id == db.cast(target.id, db.String)))
             .where(or_(AuditEntry.patient_id.in_(clinic_patients),
                        and_(AuditEntry.patient_id.is_(None),
                             or_(User.clinic_id == current_user.clinic_id,
                                 and_(AuditEntry.user_id.is_(None),
                                      or_(target.clinic_id == current_user.clinic_id,
                                          and_(AuditEntry.action.startswith("login"),
                                               AuditEntry.object_id == ""))))))))
    if valid:
        if form.user.data:
            query = query.where(AuditEntry.user_id == int(form.user.data))
        if form.patient.data:
            query = query.where(AuditEntry.patient_id == form.patient.data)
        if form.start.data:
            query = query.where(AuditEntry.at >= dt.datetime.combine(form.start.data, dt.time(), dt.timezone.utc))
        if form.end.data:  # the whole end day (the form bounds the year, so no overflow)
            query = query.where(AuditEntry.at < dt.datetime.combine(form.end.data + dt.timedelta(days=1), dt.time(),
                                                                  dt.timezone.utc))
    before = bounds.int_arg("before")
    if before:
        query = query.where(AuditEntry.id < before)
    rows = db.session.execute(query.order_by(AuditEntry.id.desc()).limit(AUDIT_PAGE + 1)).all()
    args = {k: v for k, v in request.args.items() if k != "before" and v}
    return render_template("accounts/audit.html", form=form, rows=rows[:AUDIT_PAGE],
                           more=len(rows) > AUDIT_PAGE, args=args,
                           patient_link_actions=PATIENT_LINK_ACTIONS), 200 if valid else 422
