"""Clinic templates in the portal (routes on the portal blueprint): list, view, edit and retire
a template; from the draft review, save its changes as a template and apply one.

The rules (who may edit, what applying does) are in rehab.portal.plan_templates; the
planner judges every change. Login is required by the blueprint; every query is scoped to
the user's clinic (another clinic's template or patient is a 404).
"""

from __future__ import annotations

from typing import NamedTuple

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import HiddenInput

from rehab.catalog import library_from_db
from rehab.fields import MultiCheckboxField
from rehab.portal import operations, wizard
from rehab.portal import plan_templates as templates
from rehab.portal.snapshot import adjustment_text, plain
from rehab.portal.views import _draft_or_redirect, bp

# ------------------------------------------------------------------ forms


class TemplateForm(FlaskForm):
    """Save a draft's changes as a template, or edit one: every field checked at once."""

    name = StringField("Template name", validators=[
        DataRequired(message="Give the template a name."),
        Length(max=templates.NAME_MAX, message=f"At most {templates.NAME_MAX} characters.")],
        description="What the other clinicians will choose it by, e.g. “Desk worker, early loading”.")
    description = TextAreaField("Description (optional)", validators=[
        Optional(), Length(max=templates.DESCRIPTION_MAX,
                           message=f"At most {templates.DESCRIPTION_MAX} characters.")],
        description="When to use it, and when not to.")
    changes = MultiCheckboxField("Changes in the template", coerce=int)

    def validate_changes(self, field):
        if not field.data:
            raise ValidationError("Tick at least one change.")


class EditTemplateForm(TemplateForm):
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])  # as the form was opened


class VersionForm(FlaskForm):
    """Retire: the CSRF token and the version the page showed."""

    version = IntegerField(validators=[InputRequired()])


class ApplyForm(FlaskForm):
    template_id = SelectField("Template", coerce=int, validate_choice=True)


def _clinic_id() -> int:
    return current_user.clinic_id


def _names(library: dict) -> dict[str, str]:
    return {slug: ex.name for slug, ex in library.items()}


@bp.app_template_global("plan_templates_for")
def _plan_templates_for(diagnosis: str) -> list:
    """The clinic's live templates for a diagnosis, for the draft review's "Apply" control."""
    return [t for t, _ in templates.clinic_templates(_clinic_id(), diagnosis)]


# ------------------------------------------------------------------ the clinic's templates


@bp.route("/templates")
def plan_templates():
    """The clinic's live templates by diagnosis, and the retired ones below."""
    return render_template("portal/plan_templates.html",
                           live=templates.clinic_templates(_clinic_id()),
                           retired=templates.clinic_templates(_clinic_id(), retired=True))


@bp.route("/templates/<int:template_id>")
def plan_template(template_id: int):
    template = templates.get_template(_clinic_id(), template_id)
    names = _names(library_from_db())
    return render_template("portal/plan_template.html", template=template,
                           changes=[adjustment_text(c, names, asked=True) for c in template.changes],
                           may_edit=templates.may_edit(template, current_user))


def _must_edit(template_id: int):
    template = templates.get_template(_clinic_id(), template_id)
    if not templates.may_edit(template, current_user):
        abort(403)
    return template


@bp.route("/templates/<int:template_id>/edit", methods=["GET", "POST"])
def plan_template_edit(template_id: int):
    """Rename, describe, or remove changes from a template (its author or an admin)."""
    template = _must_edit(template_id)
    if template.retired_at is not None:
        flash("A retired template cannot be changed.", "error")
        return redirect(url_for("portal.plan_template", template_id=template.id))
    names = _names(library_from_db())
    form = EditTemplateForm() if request.method == "POST" else EditTemplateForm(data={
        "name": template.name, "description": template.description, "version": template.version,
        "changes": list(range(len(template.changes)))})
    form.changes.choices = [(i, adjustment_text(c, names, asked=True)) for i, c in enumerate(template.changes)]
    form.changes.label.text = "Changes kept (untick one to remove it)"
    status = 422 if form.is_submitted() else 200
    if form.validate_on_submit():
        if templates.name_taken(_clinic_id(), template.diagnosis, form.name.data, except_id=template.id):
            form.name.errors.append("Another template for this diagnosis has this name: choose another.")
        else:
            try:
                changed = templates.update_template(
                    template, current_user, version=form.version.data, name=form.name.data,
                    description=form.description.data, keep=form.changes.data)
            except templates.NameTaken:
                form.name.errors.append("Another template for this diagnosis was given this name a moment "
                                        "ago: choose another.")
                status = 409
            except templates.TemplateConflict:
                form.form_errors.append("Someone else changed or retired this template after you opened "
                                        "it. Nothing was saved: reload the page to see their version.")
                status = 409
            else:
                flash("Template saved." if changed else "Nothing was changed.", "success" if changed else "info")
                return redirect(url_for("portal.plan_template", template_id=template.id))
    return render_template("portal/plan_template_form.html", form=form, template=template), status


@bp.route("/templates/<int:template_id>/retire", methods=["POST"])
def plan_template_retire(template_id: int):
    """No longer offered, kept for the audit (its author or an admin)."""
    template = _must_edit(template_id)
    form = VersionForm()
    if not form.validate_on_submit():
        abort(400)
    if request.form.get("confirm") != "yes":  # a second, deliberate step (there is no restore)
        flash("Nothing was retired: tick \u201cYes, retire it\u201d to confirm.", "error")
        return redirect(url_for("portal.plan_template", template_id=template.id))
    try:
        templates.retire_template(template, current_user, version=form.version.data)
    except templates.TemplateConflict:
        flash("This template was changed or retired by someone else meanwhile: nothing was done.", "error")
        return redirect(url_for("portal.plan_template", template_id=template.id))
    flash(f"The template “{template.name}” is retired: it is no longer offered.", "success")
    return redirect(url_for("portal.plan_templates"))


# ------------------------------------------------------------------ from the draft review


class Reviewed(NamedTuple):
    patient: object
    draft: object
    library: dict
    plan: object
    kept: list  # the draft's changes that still apply, as the review page shows them


def _reviewed(patient_id: int):
    """The patient's complete draft with its plan, or the redirect the review page would give."""
    patient, draft, response = _draft_or_redirect(patient_id)
    if response:
        return response
    library = library_from_db()
    plan, kept, _ = operations.build_plan(draft, library)
    return Reviewed(patient, draft, library, plan, kept)


@bp.route("/patients/<int:patient_id>/plans/draft/templates/new", methods=["GET", "POST"])
def draft_template_new(patient_id: int):
    """Save the reviewed draft's changes (all, or those ticked) as a template for its diagnosis."""
    reviewed = _reviewed(patient_id)
    if not isinstance(reviewed, Reviewed):
        return reviewed
    patient, draft, library, plan, kept = reviewed
    if not plan.allowed or not kept:
        flash("There are no changes to save as a template: make them on this page first.", "info")
        return redirect(url_for("portal.draft", patient_id=patient.id))
    names = _names(library)
    form = TemplateForm() if request.method == "POST" else TemplateForm(data={"changes": list(range(len(kept)))})
    form.changes.choices = [(i, adjustment_text(c, names, asked=True)) for i, c in enumerate(kept)]
    status = 422 if form.is_submitted() else 200
    if form.validate_on_submit():
        if templates.name_taken(_clinic_id(), plan.diagnosis, form.name.data):
            form.name.errors.append("The clinic already has a template with this name for this diagnosis: "
                                    "choose another.")
        else:
            try:
                template = templates.create_template(
                    _clinic_id(), current_user, diagnosis=plan.diagnosis, name=form.name.data,
                    description=form.description.data, changes=[kept[i] for i in sorted(set(form.changes.data))])
            except templates.NameTaken:
                form.name.errors.append("Another template was given this name a moment ago: choose another.")
                status = 409
            else:
                flash(f"Saved as the template “{template.name}”: every clinician of the clinic can apply it "
                      "to a new plan for this diagnosis.", "success")
                return redirect(url_for("portal.draft", patient_id=patient.id))
    return render_template("portal/plan_template_form.html", form=form, template=None, patient=patient,
                           diagnosis=plan.diagnosis), status


@bp.route("/patients/<int:patient_id>/plans/draft/templates/apply", methods=["POST"])
def draft_template_apply(patient_id: int):
    """Apply a template: each change re-checked by the planner for this patient; then the result."""
    reviewed = _reviewed(patient_id)
    if not isinstance(reviewed, Reviewed):
        return reviewed
    patient, draft, library, plan, kept = reviewed
    form = ApplyForm()
    form.template_id.choices = [(t.id, t.name) for t, _ in templates.clinic_templates(_clinic_id(), plan.diagnosis)]
    if not form.validate_on_submit():
        flash("Template: choose one of the clinic's templates for this diagnosis.", "error")
        return redirect(url_for("portal.draft", patient_id=patient.id))
    template = templates.get_template(_clinic_id(), form.template_id.data)
    draft.adjustments = kept  # as the review shows them
    before = len(kept)
    outcome = templates.apply_to_draft(template, draft, library)
    entry_id = templates.record_apply(template, patient.id, current_user, before, outcome)
    wizard.store_draft(draft)  # commits the draft and the audit entry together
    return redirect(url_for("portal.draft_template_applied", patient_id=patient.id, entry_id=entry_id))


@bp.route("/patients/<int:patient_id>/plans/draft/templates/applied/<int:entry_id>")
def draft_template_applied(patient_id: int, entry_id: int):
    """What an apply did: the changes made and those refused, with the planner's reasons."""
    patient = operations.get_patient(_clinic_id(), patient_id)
    entry = templates.get_apply(entry_id, patient.id, current_user)
    template = templates.get_template(_clinic_id(), int(entry.object_id))
    draft = wizard.load_draft(patient.id)
    names = _names(library_from_db())
    return render_template(
        "portal/plan_template_applied.html", patient=patient, template=template, entry=entry,
        applied=[adjustment_text(c, names) for c in entry.detail["applied"]],
        refused=[(adjustment_text(c, names, asked=True), plain(reason, names))
                 for c, reason in entry.detail["refused"]],
        can_undo=templates.can_undo(entry, draft), has_draft=draft is not None and draft.complete)


@bp.route("/patients/<int:patient_id>/plans/draft/templates/applied/<int:entry_id>/undo", methods=["POST"])
def draft_template_undo(patient_id: int, entry_id: int):
    """Take back every change the apply made, if they are still the draft's last ones."""
    patient, draft, response = _draft_or_redirect(patient_id)
    if response:
        return response
    entry = templates.get_apply(entry_id, patient.id, current_user)
    if not FlaskForm().validate_on_submit():
        abort(400)
    if templates.can_undo(entry, draft):
        count = templates.undo_apply(entry, draft, current_user)
        wizard.store_draft(draft)
        flash(f"The template's {count} change{' is' if count == 1 else 's are'} taken back.", "info")
    else:
        flash("The template's changes cannot be taken back together: the plan was changed after it was "
              "applied. Use “Undo the last change” instead.", "error")
    return redirect(url_for("portal.draft", patient_id=patient.id))
