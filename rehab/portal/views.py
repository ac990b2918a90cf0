"""Portal views: thin translations of requests into calls of the planner and operations."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json

from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request, send_file,
                   url_for)
from flask_login import current_user
from werkzeug.utils import secure_filename

from rehab import audit, bounds, patient_link
from rehab.models import fold_words
from rehab.planner import AdjustmentError
from rehab.planner.intake import Findings
from rehab.portal import forms, operations, printing, progress, psfs, records, rendering, wizard
from rehab.portal.rendering import drawing_stamp, holds_version, library_table, patient_rows, version_parts
from rehab.portal.snapshot import adjustment_text, diff_findings, diff_plans, dosage_text, figure_svg, plain
from rehab.trends import day_text, sessions_text
from rehab.vocab import CATEGORIES, DIAGNOSES, TAGS

bp = Blueprint("portal", __name__)


@bp.before_request
def _require_login():
    """Every portal page needs a logged-in user (checked here so no route can forget it)."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    return None


@bp.errorhandler(wizard.DraftConflict)
def _draft_conflict(_):
    return render_template("portal/conflict.html", conflict=None,
                           patient_id=request.view_args.get("patient_id")), 409


@bp.errorhandler(operations.PlanConflict)
def _plan_conflict(conflict):
    return render_template("portal/conflict.html", conflict=conflict,
                           patient_id=request.view_args.get("patient_id")), 409


@bp.app_template_filter("dosage")
def _dosage_filter(dosage: dict | None) -> str:
    return dosage_text(dosage)


@bp.app_template_filter("svg")
def _svg_filter(figure) -> str:
    return figure_svg(figure)


@bp.app_template_filter("change")
def _change_filter(adjustment: dict, names: dict) -> str:
    return adjustment_text(adjustment, names)


@bp.app_template_filter("plain")
def _plain_filter(text: str, names: dict) -> str:
    return plain(text, names)


@bp.app_template_filter("sessions")
def _sessions_filter(value) -> str:
    return sessions_text(value)


@bp.app_template_filter("day")
def _day_filter(day) -> str:
    return day_text(day)


@bp.app_template_filter("words")
def _words_filter(code) -> str:
    return str(code or "").replace("_", " ")


@bp.app_template_filter("diagnosis")
def _diagnosis_filter(code: str | None) -> str:
    return forms.DIAGNOSIS_LABELS.get(code or "", _words_filter(code))


@bp.app_template_filter("phase_short")
def _phase_short(phase_id: str | None) -> str:
    return f"Phase {phase_id[1]}" if phase_id and phase_id[:1] == "P" and phase_id[1:2].isdigit() else "—"


MAX_PAGE = 100_000  # ?page=N without a cursor is read by offset


def _clinic_id() -> int:
    return current_user.clinic_id


def _today() -> dt.date:
    return dt.date.today()


def _pdf(data: bytes, name: str, patient_id: int, **detail):
    """A PDF download, audited (it carries the patient's name and plan)."""
    audit.record("pdf_download", "patient", patient_id, patient_id=patient_id, commit=True, **detail)
    return send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=True,
                     download_name=secure_filename(name) or "document.pdf")


# ------------------------------------------------------------------ patients


@bp.route("/patients")
def patients():
    """The clinic's patients, searchable, a page at a time."""
    form = forms.SearchForm(request.args)
    q = form.q.data if form.validate() else ""
    page = operations.patient_page(
        _clinic_id(), q, page=bounds.int_arg("page", 1, high=MAX_PAGE, lenient=True),
        after=bounds.int_arg("after"), before=bounds.int_arg("before"),
        size=current_app.config["PAGE_SIZE"])
    # one url_for for the rows, not one per row: the rule is /patients/<int:patient_id>
    rows = patient_rows(page.items, url_for("portal.patient", patient_id=0)[:-1],
                        progress.flagged([row[0] for row in page.items]))
    drafts = wizard.unsaved_drafts() if not q and page.number == 1 else []
    return render_template("portal/patients.html", form=form, page=page, rows=rows, q=q or "", drafts=drafts,
                           step_count=len(wizard.STEPS), draft_days=current_app.config["DRAFT_EXPIRY_DAYS"])


@bp.route("/patients/new", methods=["GET", "POST"])
def patient_new():
    form = forms.PatientForm(clinic_id=_clinic_id())
    if form.validate_on_submit():
        try:
            patient = operations.create_patient(
                _clinic_id(), current_user, first_name=form.first_name.data, last_name=form.last_name.data,
                reference=form.reference.data, date_of_birth=form.date_of_birth.data, sex=form.sex.data)
        except operations.ReferenceTaken:
            form.reference.errors = [*form.reference.errors, "Another patient was given this reference number "
                                     "a moment ago (by someone else): check the list, or choose another."]
            return render_template("portal/patient_form.html", form=form), 409
        flash(f"Patient {patient.full_name} added.", "success")
        return redirect(url_for("portal.patient", patient_id=patient.id))
    return render_template("portal/patient_form.html", form=form), 422 if form.is_submitted() else 200


@bp.route("/patients/<int:patient_id>")
def patient(patient_id: int):
    """A patient's plans and their latest versions."""
    patient, draft, plans = operations.patient_with_plans(_clinic_id(), patient_id)
    between, alerts = progress.panel(patient.id, progress.followed_version(plans), _today())
    page = render_template("portal/patient.html", patient=patient, plans=plans, between=between, alerts=alerts,
                           draft=draft)
    # the between-visits panel is part of the page: its log and alerts are read with it
    audit.record_view("patient_view", "patient", patient.id, patient_id=patient.id,
                      between_visits=between.logged, alerts=len(alerts))
    return page


@bp.route("/patients/<int:patient_id>/alerts/<int:log_day_id>/seen", methods=["POST"])
def alert_seen(patient_id: int, log_day_id: int):
    """Mark one alert from the patient's log as seen by this clinician."""
    patient = operations.get_patient(_clinic_id(), patient_id)
    if not forms.PlanActionForm().validate_on_submit():
        abort(400)
    try:  # the day's updated_at as the page showed it; anything else (an older page): read it again
        shown = dt.datetime.fromisoformat(request.form.get("shown", "")[:40]).astimezone(dt.timezone.utc)
    except (ValueError, OverflowError):
        shown = None
    marked = progress.mark_seen(patient.id, log_day_id, current_user.id, shown)
    if marked is None:
        abort(404)
    # shown in the panel the page opens at ("panel-": templates/base.html leaves it there)
    if marked == "changed":
        flash("The patient changed that day after this page was shown: read the alert again, then mark it "
              "as seen.", "panel-error")
    else:
        flash("Alert marked as seen.", "panel-success")
    return redirect(url_for("portal.patient", patient_id=patient.id, _anchor="between-title"))


@bp.route("/patients/<int:patient_id>/edit", methods=["GET", "POST"])
def patient_edit(patient_id: int):
    """Correct the patient's details (the audit trail keeps the previous values)."""
    patient = operations.get_patient(_clinic_id(), patient_id)
    form = forms.PatientForm(obj=patient, clinic_id=_clinic_id(), patient_id=patient.id)
    if form.validate_on_submit():
        try:
            changed = records.update_details(patient, current_user.id, **{
                name: form[name].data for name in records.EDITABLE})
        except operations.ReferenceTaken:
            form.reference.errors = [*form.reference.errors, "Another patient was given this reference number "
                                     "a moment ago (by someone else): choose another."]
            return render_template("portal/patient_form.html", form=form, patient=patient), 409
        flash("Details saved." if changed else "Nothing was changed.", "success" if changed else "info")
        return redirect(url_for("portal.patient", patient_id=patient.id))
    return render_template("portal/patient_form.html", form=form, patient=patient), \
        422 if form.is_submitted() else 200


@bp.route("/patients/<int:patient_id>/export.zip")
def patient_export(patient_id: int):
    """The patient's whole record in one zip (a data-protection access request)."""
    patient = operations.get_patient(_clinic_id(), patient_id)
    data = records.export_zip(patient, current_user.id)
    return send_file(io.BytesIO(data), mimetype="application/zip", as_attachment=True,
                     download_name=secure_filename(f"record-{patient.reference}.zip") or "record.zip")


@bp.route("/patients/<int:patient_id>/erase", methods=["GET", "POST"])
def patient_erase(patient_id: int):
    """Erase the patient and every plan (admins only, after typing the reference)."""
    if not current_user.is_admin:
        abort(403)
    patient = operations.get_patient(_clinic_id(), patient_id)
    form = forms.EraseForm()
    if form.validate_on_submit():
        if form.confirm.data.strip() != patient.reference:
            form.confirm.errors = [*form.confirm.errors, "This is not the patient's reference number."]
        else:
            counts = records.erase(patient, current_user.id)
            flash(f"The patient and {counts['plans']} plan(s), {counts['versions']} version(s) are erased.",
                  "success")
            return redirect(url_for("portal.patients"))
    return render_template("portal/erase.html", patient=patient, form=form,
                           plans=operations.patient_plans(patient.id)), 422 if form.is_submitted() else 200


# ------------------------------------------------------------------ the wizard


@bp.route("/patients/<int:patient_id>/plans/new", methods=["POST"])
def plan_new(patient_id: int):
    """Start the wizard for a new plan (replaces any unsaved draft)."""
    patient = operations.get_patient(_clinic_id(), patient_id)
    if forms.PlanActionForm().validate_on_submit():
        wizard.store_draft(operations.new_draft(patient, _today()))
    return redirect(url_for("portal.wizard_step", patient_id=patient.id, step=wizard.STEPS[0]))


@bp.route("/plans/<int:plan_id>/reassess", methods=["POST"])
def plan_reassess(plan_id: int):
    """Start the wizard for the next version, prefilled from the latest one."""
    plan = operations.get_plan(_clinic_id(), plan_id)
    if not plan.versions:
        abort(404)
    latest = plan.versions[-1]
    if forms.PlanActionForm().validate_on_submit():
        wizard.store_draft(operations.reassessment_draft(latest, plan, plan.patient, _today()))
    return redirect(url_for("portal.wizard_step", patient_id=plan.patient_id, step=wizard.STEPS[0]))


@bp.route("/patients/<int:patient_id>/plans/new/<step>", methods=["GET", "POST"])
def wizard_step(patient_id: int, step: str):
    patient = operations.get_patient(_clinic_id(), patient_id)
    if step not in wizard.STEPS and step != wizard.SUMMARY:
        abort(404)
    draft = wizard.load_draft(patient.id)
    if draft is None:
        flash("Start the plan from the patient's page.", "info")
        return redirect(url_for("portal.patient", patient_id=patient.id))
    if not draft.may_open(step):
        return redirect(url_for("portal.wizard_step", patient_id=patient.id, step=draft.next_step()))
    context = {"patient": patient, "draft": draft, "step": step, "steps": wizard.STEPS,
               "titles": wizard.STEP_TITLES}
    if step == wizard.SUMMARY:
        if request.method == "POST":
            abort(405)
        return render_template("portal/wizard.html", answers=wizard.summary(draft), **context)
    form_class = wizard.form_class(step, draft.intake)
    if request.method == "POST" and request.form.get("back"):  # CSRF checked as for every POST
        wizard.keep_typed(draft, step, form_class())
        previous = wizard.STEPS[max(0, wizard.STEPS.index(step) - 1)]
        return redirect(url_for("portal.wizard_step", patient_id=patient.id, step=previous))
    typed = wizard.typed_formdata(draft, step) if request.method == "GET" else None
    if request.method == "POST":
        form = form_class()
    elif typed is not None:
        form = form_class(formdata=typed)
    else:
        form = form_class(data=wizard.form_data(step, draft.intake))
    psfs_form = psfs.form_for(step, draft, request.method == "POST")
    if request.method == "POST" and psfs.accept(psfs_form, draft, form) and wizard.submit_step(draft, step, form):
        if step == "red_flags" and draft.refused():  # straight to the refusal and the letter
            return redirect(url_for("portal.draft", patient_id=patient.id))
        following = draft.next_step() or wizard.SUMMARY  # the first step not done yet, else the summary
        return redirect(url_for("portal.wizard_step", patient_id=patient.id, step=following))
    reported = progress.reported_since(patient.id, _today()) if step == "red_flags" else []
    return render_template("portal/wizard.html", form=form, psfs_form=psfs_form, reported=reported,
                           red_flag_groups=forms.RED_FLAG_GROUPS, **context), 422 if form.is_submitted() else 200


# ------------------------------------------------------------------ review and adjust


def _draft_or_redirect(patient_id: int):
    patient = operations.get_patient(_clinic_id(), patient_id)
    draft = wizard.load_draft(patient.id)
    if draft is None:
        flash("There is no unsaved plan for this patient. Start a new one.", "info")
        return patient, None, redirect(url_for("portal.patient", patient_id=patient.id))
    if not draft.reviewable:
        return patient, None, redirect(url_for("portal.wizard_step", patient_id=patient.id,
                                                step=draft.next_step()))
    return patient, draft, None


def _render_review(patient, draft, *, error: dict | None = None, status: int = 200):
    library = operations.current_library()
    names = {slug: ex.name for slug, ex in library.items()}

    def build():
        # Pure: what the planner kept and dropped is returned with the plan, so it is kept
        # with it; dropping, storing and flashing happen below, for every request's own draft.
        plan, kept, dropped = operations.build_plan(draft, library)
        figures = {item.exercise_id: library[item.exercise_id].figure
                   for phase in plan.phases for item in phase.items if item.exercise_id in library}
        choices = sorted(((slug, ex.name) for slug, ex in library.items()), key=lambda c: c[1].lower())
        plan = plan.to_dict()
        body = render_template("portal/_plan.html", plan=plan, figures=figures, library_choices=choices,
                               error=error, names=names, patient=patient, editable=True,
                               csrf_slot=rendering.REVIEW_TOKEN) if plan["allowed"] else ""
        return (plan, kept, dropped), body

    # The plan is a pure function of the library and the draft's answers and changes: drawn
    # once per process for them (the planner and this page's ~300 kB of forms), not per request.
    key = None if error else (operations.current_library_key(), json.dumps(
        [draft.intake, draft.adjustments], sort_keys=True), patient.id, request.script_root)
    (plan, kept, dropped), body = rendering.review_body(key, build)
    if dropped:  # this draft's (another clinician's draft can have the same key): every time
        draft.adjustments = copy.deepcopy(kept)  # never the kept list itself
        wizard.store_draft(draft)
        for adjustment, reason in dropped:
            flash(f"An earlier change no longer applies and was dropped "
                  f"({adjustment_text(adjustment, names)}): {plain(reason, names)}", "error")
    between = progress.reassessed(patient.id, draft.plan_id, draft.base_version, _today())
    return render_template("portal/draft.html", patient=patient, draft=draft, plan=plan, plan_body=body,
                           error=error, names=names, between=between, action_form=forms.PlanActionForm(), steps=wizard.STEPS,
                           titles=wizard.STEP_TITLES), status


@bp.route("/patients/<int:patient_id>/plans/draft")
def draft(patient_id: int):
    """Review the unsaved plan and adjust it."""
    patient, draft, response = _draft_or_redirect(patient_id)
    return response or _render_review(patient, draft)


@bp.route("/patients/<int:patient_id>/plans/draft/adjust", methods=["POST"])
def draft_adjust(patient_id: int):
    """One change (remove, swap, add, dose), applied with every earlier change by the planner."""
    patient, draft, response = _draft_or_redirect(patient_id)
    if response:
        return response
    form = forms.AdjustmentForm()
    where = {"phase": form.phase.data, "exercise_id": form.exercise_id.data, "op": form.op.data}
    if form.validate_on_submit():
        try:
            operations.try_adjustment(draft, form.adjustment())
        except AdjustmentError as exc:
            return _render_review(patient, draft, error={**where, "reason": exc.reason}, status=422)
        wizard.store_draft(draft)
        flash("Change applied.", "success")
        anchor = f"phase-{form.phase.data}" if form.op.data == "add" else \
            f"item-{form.phase.data}-{form.to.data or form.exercise_id.data}"
        return redirect(url_for("portal.draft", patient_id=patient.id, _anchor=anchor))
    reasons = [f"{getattr(form, name).label.text}: {msg}" for name, msgs in form.errors.items() for msg in msgs]
    return _render_review(patient, draft, error={**where, "reason": " ".join(reasons)}, status=422)


@bp.route("/patients/<int:patient_id>/plans/draft/pick")
def draft_pick(patient_id: int):
    """The exercise picker for an add or a swap, as a page (the review page opens it in a
    dialog): search and category, figures, allowed first, excluded with the reason."""
    patient, draft, response = _draft_or_redirect(patient_id)
    if response:
        return response
    library = {slug: ex for slug, ex in operations.current_library().items() if not ex.retired}
    plan, _, _ = operations.build_plan(draft, library)
    op, phase = request.args.get("op", "add"), request.args.get("phase", "")
    exercise_id, q, category = request.args.get("exercise_id", ""), request.args.get("q", "")[:100], \
        request.args.get("category", "")
    phase_row = next((p for p in plan.phases if p.id == phase), None)
    if op not in ("add", "swap") or phase_row is None or category not in ("", *CATEGORIES) or (
            op == "swap" and exercise_id not in {i.exercise_id for i in phase_row.items}):
        abort(404)
    choices = operations.picker_choices(draft, plan, phase, library, q, category)
    names = {slug: ex.name for slug, ex in library.items()}
    return render_template("portal/pick.html", patient=patient, op=op, phase=phase_row, exercise_id=exercise_id,
                           q=q, category=category, categories=CATEGORIES, choices=choices, names=names)


@bp.route("/patients/<int:patient_id>/plans/draft/undo", methods=["POST"])
def draft_undo(patient_id: int):
    """Take back the last change (or all of them)."""
    patient, draft, response = _draft_or_redirect(patient_id)
    if response:
        return response
    if forms.PlanActionForm().validate_on_submit() and draft.adjustments:
        draft.adjustments = [] if request.form.get("all") else draft.adjustments[:-1]
        wizard.store_draft(draft)
        flash("Change taken back.", "info")
    return redirect(url_for("portal.draft", patient_id=patient.id))


@bp.route("/patients/<int:patient_id>/plans/draft/save", methods=["POST"])
def draft_save(patient_id: int):
    """Freeze the draft as a new version."""
    patient, draft, response = _draft_or_redirect(patient_id)
    if response:
        return response
    form = forms.PlanActionForm()
    if not form.validate_on_submit():
        return _render_review(patient, draft, status=422)
    had_link = patient_link.patient_has_live_link(patient.id)
    version = operations.save_draft(draft, patient, current_user, form.note.data or "",
                                    next_appointment=form.next_appointment.data or "")
    flash(f"Saved as version {version.number}.", "success")
    if had_link:
        flash("The patient's phone link has ended with this version. Give them a new one below, and "
              "print the new plan so its QR code leads there.", "info")
    return redirect(url_for("portal.version", plan_id=version.plan_id, number=version.number))


@bp.route("/patients/<int:patient_id>/plans/draft/discard", methods=["POST"])
def draft_discard(patient_id: int):
    """Throw the unsaved plan away."""
    patient = operations.get_patient(_clinic_id(), patient_id)
    if forms.PlanActionForm().validate_on_submit():
        wizard.clear_draft(patient.id)
        flash("The unsaved plan is discarded.", "info")
    return redirect(url_for("portal.patient", patient_id=patient.id))


@bp.route("/patients/<int:patient_id>/plans/draft/referral.pdf")
def draft_referral(patient_id: int):
    """The referral letter for a refused draft, before (or without) saving it."""
    patient, draft, response = _draft_or_redirect(patient_id)
    if response:
        return response
    plan, _, _ = operations.build_plan(draft)
    if plan.allowed and plan.referral.level == "none":
        abort(404)
    download = forms.DownloadForm(request.args)
    download.validate()
    details = printing.details_for(
        patient, clinic=current_user.clinic, clinician_name=current_user.name,
        clinician_role=current_user.job_title, plan_id="draft", plan_version="draft", plan_date=_today(),
        side=draft.intake.get("side", "unspecified"), page_size=_page_size(download),
        large_print=bool(download.large_print.data))
    return _pdf(printing.referral_letter(plan.to_dict(), draft.intake, details),
                f"referral-{patient.reference}.pdf", patient.id, kind="draft referral")


# ------------------------------------------------------------------ saved versions


@bp.route("/plans/<int:plan_id>/versions/<int:number>")
def version(plan_id: int, number: int):
    """A saved version, drawn from its snapshot only (no library queries)."""
    head = operations.get_version_head(_clinic_id(), current_user.id, plan_id, number,
                                       None if holds_version(plan_id, number) else drawing_stamp())
    page = render_template("portal/version.html", version=head.version, patient=head.patient, author=head.author,
                           latest=head.latest, link=head.link,
                           parts=version_parts(head.version, operations.get_version_snapshot, head.kept))
    if not head.seen:  # a view is audited once per window (rehab.audit), checked with the head
        audit.record(operations.VERSION_VIEW, "plan", plan_id, patient_id=head.patient.id, commit=True,
                     version=number)
    return page


def _version_details(version, plan, patient, author):
    download = forms.DownloadForm(request.args)
    if not download.validate():
        abort(400)
    by = version.created_by
    return printing.details_for(
        patient, clinic=current_user.clinic, clinician_name=author or current_user.name,
        clinician_role=by.job_title if by else "", plan_id=plan.id, plan_version=version.number,
        plan_date=version.created_at.date(), side=version.intake.get("side", "unspecified"),
        page_size=_page_size(download), large_print=bool(download.large_print.data),
        all_phases=bool(download.all_phases.data), next_appointment=version.next_appointment)


def _page_size(download) -> str | None:
    """The size asked for, else None: the clinic's default page size."""
    return download.page_size.data or None


@bp.route("/plans/<int:plan_id>/versions/<int:number>/plan.pdf")
def version_pdf(plan_id: int, number: int):
    """The printable plan of a version (the referral letter if the plan was refused)."""
    from rehab.portal.links import print_url  # (links.py adds routes to this blueprint)

    version, plan, patient, author = operations.get_version(_clinic_id(), plan_id, number)
    data, kind = printing.version_document(version, _version_details(version, plan, patient, author),
                                           link_url=print_url(version.id))
    return _pdf(data, f"{kind}-{patient.reference}-v{version.number}.pdf", patient.id, kind=kind,
                plan_id=plan.id, version=version.number)


@bp.route("/plans/<int:plan_id>/versions/<int:number>/referral.pdf")
def version_referral(plan_id: int, number: int):
    version, plan, patient, author = operations.get_version(_clinic_id(), plan_id, number)
    if (version.plan.get("referral") or {}).get("level", "none") == "none" and version.plan.get("allowed"):
        abort(404)
    data = printing.referral_letter(version.plan, version.intake,
                                    _version_details(version, plan, patient, author))
    return _pdf(data, f"referral-{patient.reference}-v{version.number}.pdf", patient.id, kind="referral",
                plan_id=plan.id, version=version.number)


@bp.route("/plans/<int:plan_id>")
def plan_history(plan_id: int):
    """Every version of a plan, and what changed between two of them."""
    plan = operations.get_plan(_clinic_id(), plan_id)
    versions = operations.plan_versions(plan.id)
    if not versions:
        abort(404)
    numbers = [v.number for v, _ in versions]
    compare = forms.CompareForm(request.args)
    compare.set_versions(numbers)
    a, b = int(compare.a.data), int(compare.b.data)
    by_number = {v.number: v for v, _ in versions}
    diff = None
    if a != b:
        old, new = by_number[a], by_number[b]
        labels = {name: f.title for name, f in Findings.model_fields.items() if f.title}
        diff = diff_plans(old.plan, new.plan)
        diff["findings"] = diff_findings(old.intake or {}, new.intake or {}, labels)
        diff["notes"] = _changed_notes(old.note, new.note)
        diff["progress"] = (old.progress, new.progress) if old.progress != new.progress else None
        diff["changed"] = diff["changed"] or bool(diff["findings"] or diff["notes"] or diff["progress"])
    page = render_template("portal/history.html", plan_row=plan, patient=plan.patient, versions=versions,
                           compare=compare, diff=diff, action_form=forms.PlanActionForm())
    audit.record_view("plan_history_view", "plan", plan.id, patient_id=plan.patient_id)
    return page


def _changed_notes(old: str | None, new: str | None) -> tuple | None:
    return (old or "", new or "") if (old or "") != (new or "") else None


# ------------------------------------------------------------------ library


LIBRARY_FILTERS = {"category": CATEGORIES, "tag": TAGS, "diagnosis": DIAGNOSES}


@bp.route("/library")
def library():
    """The exercise library, read-only, for clinicians: search by name, filter by category,
    risk tag and diagnosis, with each exercise's figure."""
    q = request.args.get("q", "").strip()
    chosen = {name: request.args.get(name, "") for name in LIBRARY_FILTERS}
    errors = [f"{name.capitalize()}: choose one from the list." for name, value in chosen.items()
              if value and value not in LIBRARY_FILTERS[name]]
    if len(q) > 100:
        errors.append("Search: at most 100 characters.")
    if not (q or any(chosen.values())) or errors:
        table = library_table(operations.library_stamp(), operations.library_rows)
        return render_template("portal/library.html", table=table, q=q[:100], chosen=chosen, filters=LIBRARY_FILTERS,
                               errors=errors), 422 if errors else 200
    words = fold_words(q)
    found = [ex for ex in operations.current_library().values()
             if all(any(w.startswith(word) for w in fold_words(f"{ex.name} {ex.id} {ex.category}")
                        + [t for tag in ex.tags for t in fold_words(tag)]) for word in words)
             and (not chosen["category"] or ex.category == chosen["category"])
             and (not chosen["tag"] or chosen["tag"] in ex.tags)
             and (not chosen["diagnosis"] or chosen["diagnosis"] in ex.suits)]
    found.sort(key=lambda ex: ex.name.lower())
    return render_template("portal/library.html", found=found, q=q, chosen=chosen, filters=LIBRARY_FILTERS,
                           errors=[])


@bp.route("/library/<slug>")
def library_exercise(slug: str):
    """One exercise: figure, steps, the starting dose per condition and phase, the easier and
    harder alternatives and the precautions."""
    library = operations.current_library()
    ex = library.get(slug)
    if ex is None:
        abort(404)
    doses = []
    for condition, codes in ex.suits.items():
        for code in codes:
            variant = next((v.dosage for v in ex.dosage_variants if (not v.conditions or condition in v.conditions)
                            and (not v.phases or code in v.phases)), ex.dosage)  # the planner's first match
            doses.append((condition, code, dosage_text(variant.model_dump())))
    alternatives = [(label, library[other]) for label, other in (("Easier", ex.easier), ("Harder", ex.harder))
                    if other in library]
    return render_template("portal/library_exercise.html", ex=ex, doses=doses, alternatives=alternatives)
