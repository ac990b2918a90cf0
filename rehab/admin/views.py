"""Admin views: edit the exercise library. Each view translates a request into a
call of forms/queries/operations and the result into a page."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from rehab import bounds
from rehab.admin import diffs, forms, operations, queries
from rehab.auth import admin_required
from rehab.catalog import to_schema
from rehab.vocab import PHASE_CODES

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@admin_required
def _admins_only():
    """Every admin page: anonymous -> login, clinician -> 403."""


@bp.context_processor
def _helpers():
    return {"figures_ready": _render_svg() is not None, "words": forms.words, "show": diffs.show,
            "phase_codes": PHASE_CODES, "form_has_errors": forms.has_errors,
            "error_summary": forms.error_summary, "pose_help": forms.POSE_HELP}


def _render_svg():
    """rehab.figures.render_svg, or None while it is not there yet (it is imported lazily)."""
    try:
        from rehab.figures import render_svg
    except ImportError as exc:
        if exc.name != "rehab.figures":  # a real error inside rehab.figures
            raise
        return None
    return render_svg


def figure_svg(figure) -> Markup | None:
    """The figure as inline SVG, or None while rehab.figures is not there yet."""
    render_svg = _render_svg()
    return None if render_svg is None else Markup(render_svg(figure))  # escaped, script-free SVG


def _int(value) -> int | None:
    """A version number from a form, or None (not a number, or beyond what the database holds)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 <= number < 2**31 else None


@bp.route("/")
def exercises():
    """The library: search, filters and pages."""
    form = forms.FilterForm(request.args)
    filters = queries.Filters(**{name: form[name].data or "" for name in
                                 ("q", "category", "tag", "condition", "phase")},
                              status=form.status.data or "active")
    page = queries.search(filters, bounds.int_arg("page", 1, high=100_000, lenient=True), current_app.config["PAGE_SIZE"])
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("admin/list.html", form=form, page=page, args=args)


@bp.route("/exercises/<slug>")
def exercise(slug: str):
    """One exercise as stored, with where it is used."""
    row = queries.exercise_or_404(slug)
    schema = to_schema(row)
    return render_template("admin/view.html", row=row, ex=schema, svg=figure_svg(schema.figure),
                           plans=queries.plans_using(slug), named_by=queries.named_by(slug),
                           last=row.revisions[-1] if row.revisions else None)


def _edit_page(form, row, status=200, figure=None):
    forms.keep_unknown_choices(form)
    if figure is None and not form.is_submitted():
        figure = to_schema(row).figure if row is not None else forms.preview_figure(form.figure.form, False)
    return render_template("admin/edit.html", form=form, row=row,
                           svg=figure_svg(figure) if figure is not None else None), status


@bp.route("/exercises/new", methods=["GET", "POST"])
def new():
    """Add an exercise; `?copy=<id>` starts from a copy of another one."""
    source = request.args.get("copy")
    if request.method == "POST":
        form = forms.ExerciseForm()
    else:
        start = to_schema(queries.exercise_or_404(source)) if source else None
        data = forms.initial_data(start)
        if start is not None:
            data.update(id="", name=f"{start.name} (copy)")
        form = forms.ExerciseForm(data=data)
    form.set_exercise_choices(queries.exercise_choices(), None)
    if not form.is_submitted():
        return _edit_page(form, None)
    if "preview" in request.form:
        return _edit_page(form, None, figure=forms.preview_figure(form.figure.form))
    exercise = forms.validate_exercise(form, queries.library_index())
    if exercise is None:
        return _edit_page(form, None, 422, figure=forms.preview_figure(form.figure.form, errors=False))
    try:
        row = operations.create_exercise(exercise, current_user.id)
    except operations.SlugTaken:
        forms.add_error(form.id, "an exercise with this id already exists; choose another")
        return _edit_page(form, None, 422)
    flash(f"{row.name} added to the library.", "success")
    return redirect(url_for("admin.exercise", slug=row.slug))


@bp.route("/exercises/<slug>/edit", methods=["GET", "POST"])
def edit(slug: str):
    """Change an exercise; the form carries the version it was loaded at."""
    row = queries.exercise_or_404(slug)
    if request.method == "POST":
        form = forms.ExerciseForm()
    else:
        form = forms.ExerciseForm(data={**forms.initial_data(to_schema(row)), "version": row.version})
    form.id.data = row.slug  # the id is the exercise's identity: never changed here
    form.set_exercise_choices(queries.exercise_choices(), row.slug)
    if not form.is_submitted():
        return _edit_page(form, row)
    if "preview" in request.form:
        return _edit_page(form, row, figure=forms.preview_figure(form.figure.form))
    exercise = forms.validate_exercise(form, queries.library_index(), row.data, row.retired)
    if exercise is None:
        return _edit_page(form, row, 422, figure=forms.preview_figure(form.figure.form, errors=False))
    try:
        saved = operations.update_exercise(row, exercise, _int(form.version.data), current_user.id)
    except operations.Conflict as conflict:
        form.version.data = conflict.theirs_version  # saving again now is a deliberate overwrite
        forms.keep_unknown_choices(form)
        return render_template("admin/conflict.html", form=form, row=row, conflict=conflict,
                               rows=diffs.conflict_rows(conflict.base, conflict.theirs, conflict.yours),
                               svg=figure_svg(exercise.figure)), 409
    if saved is None:
        flash("Nothing changed, so nothing was saved.", "info")
    else:
        flash(f"Saved {saved.name} as version {saved.version}.", "success")
    return redirect(url_for("admin.exercise", slug=slug))


@bp.route("/exercises/<slug>/retire", methods=["POST"])
def retire(slug: str):
    """Take an exercise out of the planner's library; saved plans keep their copy."""
    row = queries.exercise_or_404(slug)
    if operations.set_retired(row, True, current_user.id):
        flash(f"{row.name} is retired: new plans will not use it. Saved plans are unchanged.", "success")
    return redirect(url_for("admin.exercise", slug=slug))


@bp.route("/exercises/<slug>/restore", methods=["POST"])
def restore(slug: str):
    """Put a retired exercise back into the planner's library."""
    row = queries.exercise_or_404(slug)
    if operations.set_retired(row, False, current_user.id):
        flash(f"{row.name} is back in the library.", "success")
    return redirect(url_for("admin.exercise", slug=slug))


@bp.route("/exercises/<slug>/history")
def history(slug: str):
    """Every revision with its changes, newest first."""
    row = queries.exercise_or_404(slug)
    revisions = queries.revisions(row)
    return render_template("admin/history.html", row=row, revisions=revisions,
                           changes={r.id: diffs.changes_from_diff(r.diff or {}) for r in revisions})


@bp.route("/exercises/<slug>/revert", methods=["POST"])
def revert(slug: str):
    """Make an earlier version current again (a new revision, action 'revert')."""
    row = queries.exercise_or_404(slug)
    version = _int(request.form.get("version"))
    try:
        saved = operations.revert(row, version, _int(request.form.get("current")), current_user.id)
    except operations.RevertRefused as exc:
        flash(f"Not reverted: {exc}.", "error")
    except operations.Conflict as conflict:
        flash(f"Not reverted: the exercise was changed (now version {conflict.theirs_version}) after "
              "you opened this page. Look at the newest change, then revert again if you still want to.",
              "error")
    else:
        if saved is None:
            flash(f"Version {version} is the same as the current one; nothing changed.", "info")
        else:
            flash(f"Reverted to version {version}; saved as version {saved.version}.", "success")
    return redirect(url_for("admin.history", slug=slug))


@bp.route("/figure-preview", methods=["POST"])
def figure_preview():
    """The typed pose fields checked with the schema's Figure; answers the SVG as JSON."""
    form = forms.FigurePreviewForm()
    figure = forms.validate_figure(form)
    if figure is None:
        return jsonify(ok=False, errors=forms.field_errors(form)), 422
    svg = figure_svg(figure)
    return jsonify(ok=True, svg=str(svg) if svg is not None else None)



@bp.route("/clinic", methods=["GET", "POST"])
def clinic_settings():
    """The signed-in admin's own clinic: contact, logo and default page size for printing."""
    from sqlalchemy.exc import IntegrityError

    from rehab.admin import clinic as settings
    from rehab.extensions import db

    row = current_user.clinic
    form = settings.ClinicForm(obj=row)
    if form.validate_on_submit():
        try:
            changed = settings.save_settings(row, form, current_user)
        except IntegrityError:  # another clinic already has this name
            db.session.rollback()
            form.name.errors = [*form.name.errors, "Another clinic already has this name."]
        else:
            flash("Clinic settings saved." if changed else "Nothing changed.", "success")
            return redirect(url_for("admin.clinic_settings"))
    status = 422 if form.is_submitted() else 200
    return render_template("admin/clinic.html", form=form, logo=settings.logo_data_uri(row)), status
