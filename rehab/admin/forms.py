"""The exercise form and its mapping to and from the library schema.

The form only collects what was typed and turns it into the plain dict a data
file would hold; rehab.library.schema.Exercise decides what is valid, and its
errors are put back at the form field they concern. Bounds shown in the
browser (min, max, maxlength) are read from the same schema.
"""

from __future__ import annotations

import re
from typing import Iterable

from annotated_types import Ge, Le
from flask_wtf import FlaskForm
from pydantic import BaseModel, ValidationError
from wtforms import (BooleanField, Field, FieldList, Form, FormField, HiddenField, IntegerField,
                     SelectField, SelectMultipleField, StringField, TextAreaField)
from wtforms.fields import SelectChoice
from wtforms.validators import Optional

from rehab.fields import MultiCheckboxField, choices
from rehab.library.schema import BODIES, MOVING_POINTS, PROPS, Dosage, Exercise, Figure, Pose
from rehab.vocab import CATEGORIES, DIAGNOSES, PHASE_CODES, STATES, TAGS

# Every schema field the form edits; `retired` is changed by retire/restore only.
FORM_FIELDS = ("id", "name", "category", "tags", "targets", "equipment", "suits", "avoid_with",
               "only_with", "avoid_in", "dosage", "dosage_variants", "steps", "precautions",
               "supported", "supported_steps", "evidence", "easier", "harder", "notes", "figure")
ALL = "all"


def words(value: str) -> str:
    """A vocabulary word as people read it: hamstring_strain -> hamstring strain."""
    return str(value).replace("_", " ")


ANY = [SelectChoice("", "any")]


def _bounds(model: type[BaseModel], name: str) -> dict:
    """min/max attributes for an input, read from the schema's Field(ge=, le=)."""
    attrs = {}
    for item in model.model_fields[name].metadata:
        if isinstance(item, Ge):
            attrs["min"] = item.ge
        elif isinstance(item, Le):
            attrs["max"] = item.le
    return attrs


def _max_length(model: type[BaseModel], name: str) -> int | None:
    for item in model.model_fields[name].metadata:
        if getattr(item, "max_length", None):
            return item.max_length
    return None


def _int(model: type[BaseModel], name: str, label: str, description: str = "") -> IntegerField:
    return IntegerField(label, validators=[Optional()], description=description,
                        render_kw=_bounds(model, name))


class GridField(MultiCheckboxField):
    """Condition x phase checkboxes, each value 'condition:P1'; becomes {condition: [phases]}."""

    def __init__(self, label=None, rows=(), **kwargs):
        self.rows = tuple(rows)
        choices = [SelectChoice(f"{row}:{phase}", f"{words(row)} {phase}")
                   for row in self.rows for phase in PHASE_CODES]
        super().__init__(label, choices=choices, validate_choice=False, **kwargs)


class LinesField(TextAreaField):
    """One entry per line; blank lines are dropped."""

    def lines(self) -> list[str]:
        return [line.strip() for line in (self.data or "").splitlines() if line.strip()]

    def process_data(self, value):
        self.data = "\n".join(value) if isinstance(value, (list, tuple)) else value


def _number_fields(model: type[BaseModel], words_for: dict[str, tuple[str, str]]) -> dict:
    """A form field for each int or bool field of a schema model, in the schema's order.

    Built from the model so a number the schema gains shows up in the form by itself.
    """
    fields = {}
    for name, info in model.model_fields.items():
        label, description = words_for.get(name, (words(name).capitalize(), ""))
        if info.annotation is bool:
            fields[name] = BooleanField(label, description=description)
        elif info.annotation in (int, int | None):
            fields[name] = _int(model, name, label, description)
    return fields


DOSAGE_WORDS = {"reps": ("Repetitions", ""), "hold_s": ("Hold (s)", ""),
                "duration_min": ("Duration (min)", ""), "per_day": ("Times a day", ""),
                "days_per_week": ("Days a week", ""), "per_side": ("Each side", "")}
POSE_WORDS = {  # the meaning of each angle is explained once, above both poses (POSE_HELP)
    "hip": ("Hip", ""), "knee": ("Knee", ""), "other_hip": ("Other hip", ""),
    "other_knee": ("Other knee", ""), "trunk": ("Trunk", ""), "arm": ("Arm", ""),
    "lift": ("Hips lifted (bridge, plank)", ""), "abduct": ("Leg out", ""),
}
POSE_HELP = ("Angles in degrees. Hip: thigh against the trunk, 0 in line, 90 at a right angle, "
             "negative behind. Knee: 0 straight. Other hip and knee: the other leg; empty for the "
             "same as the working leg. Trunk: extra lean forward (+) or back (\u2212). Arm: 0 by the "
             "side, 90 forward, 180 overhead (out to the sides when the movement is a trunk turn). "
             "Leg out: sideways lift, side lying only.")
DOSAGE_NUMBERS = tuple(n for n, f in Dosage.model_fields.items() if f.annotation in (int, int | None))


class DosageForm(Form):
    effort = StringField("Effort", description="How hard, and how much pain is fine, in the patient's words.",
                         render_kw={"maxlength": _max_length(Dosage, "effort")})


class DosageVariantForm(Form):
    conditions = MultiCheckboxField("For conditions", choices=choices(DIAGNOSES, words), validate_choice=False,
                                    description="None ticked: any condition.")
    phases = MultiCheckboxField("In phases", choices=choices(PHASE_CODES, str), validate_choice=False,
                                description="None ticked: any phase.")
    when = MultiCheckboxField("Only for patients who are", choices=choices(STATES, words), validate_choice=False,
                              description="None ticked: every patient (e.g. acute window: first 72 hours).")
    dosage = FormField(DosageForm, label="Dose")
    remove = BooleanField("Remove this variant")


class PoseForm(Form):
    body = SelectField("Body", choices=choices(BODIES, words), validate_choice=False)


for _form, _model, _words in ((DosageForm, Dosage, DOSAGE_WORDS), (PoseForm, Pose, POSE_WORDS)):
    for _name, _field in _number_fields(_model, _words).items():
        setattr(_form, _name, _field)


class FigureForm(Form):
    start = FormField(PoseForm, label="Start position")
    end = FormField(PoseForm, label="End position")
    move = SelectField("Arrow follows", choices=choices(MOVING_POINTS, words), validate_choice=False)
    props = MultiCheckboxField("Props drawn", choices=choices(PROPS, words), validate_choice=False)


class FigurePreviewForm(FlaskForm):
    """Only the figure fields of the exercise form, under the same names (figure-start-hip, ...)."""

    figure = FormField(FigureForm)


class ExerciseForm(FlaskForm):
    version = HiddenField()
    id = StringField("Id", render_kw={"maxlength": 64},
                     description="Lower-case letters, digits and _; the file name. Cannot change later.")
    name = StringField("Name", render_kw={"maxlength": _max_length(Exercise, "name")})
    category = SelectField("Category", choices=choices(CATEGORIES, words), validate_choice=False)
    tags = MultiCheckboxField("Risk tags", choices=choices(TAGS, words), validate_choice=False,
                              description="Tick every tag that is true of the exercise; the planner's "
                                          "safety rules use them.")
    targets = LinesField("Targets", description="One per line.")
    equipment = LinesField("Equipment", description="One per line; may be empty.")
    suits = GridField("Suits", rows=DIAGNOSES,
                      description="Conditions and phases the planner may choose it for.")
    avoid_with = MultiCheckboxField("Avoid with", choices=choices(STATES, words), validate_choice=False,
                                    description="Never chosen for a patient in any of these states.")
    only_with = MultiCheckboxField("Only with", choices=choices(STATES, words), validate_choice=False,
                                   description="Chosen only for a patient in one of these states.")
    avoid_in = GridField("Avoid in", rows=(ALL,) + DIAGNOSES,
                         description="Never chosen in these phases of these conditions.")
    dosage = FormField(DosageForm, label="Default dose")
    dosage_variants = FieldList(FormField(DosageVariantForm), label="Dose variants")
    steps = LinesField("Steps", description="One step per line, 3 to 5 steps, as the patient reads them.",
                       render_kw={"rows": 6})
    precautions = LinesField("Precautions", description="One per line; may be empty.", render_kw={"rows": 3})
    supported = StringField("Supported form", description=(
        "Frail patients (65+, osteoporosis, falls risk) get this step first, e.g. 'Keep one hand on a "
        "rail or counter throughout.' Only for standing single-leg and split-stance exercises."),
        render_kw={"maxlength": _max_length(Exercise, "supported") or 400})
    supported_steps = LinesField("Supported steps", description=(
        "Optional, 2 to 4 lines: in the supported form these are printed after the supported step "
        "instead of the steps, when a step does not fit a hand kept on the rail (open floor, "
        "crossing steps, eyes closed). Empty: the steps are printed unchanged."), render_kw={"rows": 4})
    evidence = StringField("Evidence", description="Source codes separated by commas: S-01, TB or PH.")
    easier = SelectField("Easier exercise", validate_choice=False)
    harder = SelectField("Harder exercise", validate_choice=False)
    notes = TextAreaField("Notes", description="For clinicians; not printed for the patient.",
                          render_kw={"rows": 2, "maxlength": _max_length(Exercise, "notes") or 400})
    figure = FormField(FigureForm, label="Figure")

    def set_exercise_choices(self, exercises: Iterable[tuple[str, str, bool]], own_slug: str | None) -> None:
        """easier/harder choices from the library: (slug, name, retired) triples."""
        choices = [SelectChoice("", "(none)")] + [
            SelectChoice(slug, f"{name} ({slug})" + (" (retired)" if retired else ""))
            for slug, name, retired in exercises if slug != own_slug]
        self.easier.choices = choices
        self.harder.choices = list(choices)


STATUSES = [SelectChoice("active", "in use"), SelectChoice("retired", "retired"),
            SelectChoice("all", "in use and retired")]


class FilterForm(Form):
    """The list's search and filters (GET, no CSRF: it changes nothing)."""

    q = StringField("Search", description="Name or id", render_kw={"type": "search"})
    category = SelectField("Category", choices=ANY + choices(CATEGORIES, words), validate_choice=False)
    tag = SelectField("Risk tag", choices=ANY + choices(TAGS, words), validate_choice=False)
    condition = SelectField("Suits condition", choices=ANY + choices(DIAGNOSES, words),
                            validate_choice=False)
    phase = SelectField("In phase", choices=ANY + choices(PHASE_CODES, str),
                        validate_choice=False)
    status = SelectField("Status", choices=STATUSES, default="active", validate_choice=False)


# ------------------------------------------------------------ schema -> form


def initial_data(exercise: Exercise | None) -> dict:
    """The form's starting values for an exercise (None: a blank exercise)."""
    if exercise is None:
        return {"dosage_variants": [{}],
                "figure": {"start": {"body": "standing"}, "end": {"body": "standing"}, "move": "none"}}
    data = exercise.model_dump(mode="python")
    data["suits"] = [f"{c}:{p}" for c, phases in exercise.suits.items() for p in phases]
    data["avoid_in"] = [f"{c}:{p}" for c, phases in exercise.avoid_in.items() for p in phases]
    data["evidence"] = ", ".join(exercise.evidence)
    data["easier"] = exercise.easier or ""
    data["harder"] = exercise.harder or ""
    data["notes"] = exercise.notes or ""
    data["supported"] = exercise.supported or ""
    data["supported_steps"] = exercise.supported_steps or []
    data["dosage_variants"] = [*data["dosage_variants"], {}]  # one blank row to add a variant
    return data


# ------------------------------------------------------------ form -> dict


def _keep_order(selected: list[str], original: Iterable[str] | None, vocabulary: tuple = ()) -> list[str]:
    """Selected values: those already stored first, in their stored order (files stay as they
    were), then new ones in vocabulary order."""
    selected = list(dict.fromkeys(selected))
    kept = [v for v in (original or ()) if v in selected]
    new = [v for v in selected if v not in kept]
    rank = {v: i for i, v in enumerate(vocabulary)}
    return kept + sorted(new, key=lambda v: rank.get(v, len(rank)))


def _grid(values: list[str], original: dict | None, rows: tuple) -> dict[str, list[str]]:
    grid: dict[str, list[str]] = {}
    for value in values:
        row, _, phase = value.partition(":")
        grid.setdefault(row, []).append(phase)
    rows = _keep_order(list(grid), list(original or {}), rows)
    return {row: sorted(set(grid[row])) for row in rows}


def _numbers(form: Form, model: type[BaseModel]) -> dict:
    """The int and bool fields of a sub-form; empty numbers and unticked boxes are left out
    (the schema's defaults), as a data file would leave them out."""
    data = {}
    for name, info in model.model_fields.items():
        if name in form._fields and (form[name].data is not None if info.annotation is not bool
                                     else form[name].data):
            data[name] = form[name].data
    return data


def _dosage(form: Form) -> dict:
    return {**_numbers(form, Dosage), "effort": form.effort.data or ""}


def _dosage_blank(form: Form) -> bool:
    return not form.per_side.data and not (form.effort.data or "").strip() and all(
        not (form[n].raw_data or [""])[0].strip() for n in DOSAGE_NUMBERS)


def _pose(form: Form) -> dict:
    return {"body": form.body.data, **_numbers(form, Pose)}


def figure_data(form: FigureForm, original: dict | None = None) -> dict:
    original = original or {}
    return {"start": _pose(form.start.form), "end": _pose(form.end.form), "move": form.move.data,
            "props": _keep_order(form.props.data or [], original.get("props"), PROPS)}


def form_to_data(form: ExerciseForm, original: dict | None = None, retired: bool = False) -> dict:
    """The plain dict a data file would hold, from what was typed (not yet validated)."""
    original = original or {}
    data: dict = {"id": (form.id.data or "").strip(), "name": form.name.data or "",
                  "category": form.category.data}
    data["tags"] = _keep_order(form.tags.data or [], original.get("tags"), TAGS)
    for name in ("targets", "equipment"):
        data[name] = form[name].lines()
    data["suits"] = _grid(form.suits.data or [], original.get("suits"), form.suits.rows)
    for name in ("avoid_with", "only_with"):
        data[name] = _keep_order(form[name].data or [], original.get(name), STATES)
    data["avoid_in"] = _grid(form.avoid_in.data or [], original.get("avoid_in"), form.avoid_in.rows)
    data["dosage"] = _dosage(form.dosage.form)
    variants = []
    originals = original.get("dosage_variants") or []
    for index, entry in enumerate(form.dosage_variants.entries):
        sub = entry.form
        blank = not sub.conditions.data and not sub.phases.data and not sub.when.data \
            and _dosage_blank(sub.dosage.form)
        if sub.remove.data or blank:
            continue
        before = originals[index] if index < len(originals) else {}
        variants.append({
            "conditions": _keep_order(sub.conditions.data or [], before.get("conditions"), DIAGNOSES),
            "phases": _keep_order(sub.phases.data or [], before.get("phases"), PHASE_CODES),
            **({"when": _keep_order(sub.when.data, before.get("when"), STATES)} if sub.when.data else {}),
            "dosage": _dosage(sub.dosage.form)})
    data["dosage_variants"] = variants
    for name in ("steps", "precautions"):
        data[name] = form[name].lines()
    data["evidence"] = [e for e in re.split(r"[\s,;]+", form.evidence.data or "") if e]
    data["easier"] = form.easier.data or None
    data["harder"] = form.harder.data or None
    data["notes"] = (form.notes.data or "").strip() or None
    data["supported"] = (form.supported.data or "").strip() or None
    data["supported_steps"] = form.supported_steps.lines() or None
    data["figure"] = figure_data(form.figure.form, original.get("figure"))
    data["retired"] = retired
    return data


# ------------------------------------------------------------ schema errors -> form fields

_ITEM_NAMES = {"steps": "Step", "supported_steps": "Supported step", "precautions": "Precaution", "targets": "Target",
               "equipment": "Equipment line", "evidence": "Evidence", "tags": "Tag",
               "avoid_with": "State", "only_with": "State", "props": "Prop",
               "conditions": "Condition", "phases": "Phase"}
_PATTERN_HELP = {"id": "use lower-case letters, digits and _, starting with a letter (2 to 64 characters)",
                 "evidence": "use a source code such as S-01, TB or PH",
                 "easier": "must be an exercise id", "harder": "must be an exercise id"}


def message(error: dict, field: str) -> str:
    """A pydantic error as a sentence an editor can act on."""
    kind, ctx, value = error["type"], error.get("ctx") or {}, error.get("input")
    if kind == "string_too_long":
        return f"is too long: at most {ctx['max_length']} characters (this has {len(value)})"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "too_short":
        return f"needs at least {ctx['min_length']} (has {ctx.get('actual_length', 0)})"
    if kind == "too_long":
        return f"takes at most {ctx['max_length']} (has {ctx.get('actual_length')})"
    if kind == "less_than_equal":
        return f"must be at most {ctx['le']}"
    if kind == "greater_than_equal":
        return f"must be at least {ctx['ge']}"
    if kind == "literal_error":
        return f"unknown value {value!r}"
    if kind == "string_pattern_mismatch":
        return f"{value!r}: {_PATTERN_HELP.get(field, 'not in the expected form')}"
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return "must be a whole number"
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    return error["msg"]


def _place(form: Form, loc: tuple, error: dict) -> tuple[Field, str]:
    """Follow a pydantic location into the form; returns the field and the message for it."""
    node: Field | Form = form
    prefix = ""
    rest = list(loc)
    while rest:
        part = rest.pop(0)
        if isinstance(node, Form) and isinstance(part, str) and part in node._fields:
            node = node[part]
            if isinstance(node, FormField):
                node = node.form
            continue
        if isinstance(node, FieldList) and isinstance(part, int) and part < len(node.entries):
            node = node.entries[part].form
            continue
        if isinstance(node, GridField):  # ('suits', condition, index | '[key]')
            prefix = f"condition {part!r}: " if rest[:1] == ["[key]"] else f"{words(part)}: "
            break
        if isinstance(part, int):  # an item of a list field: say which one
            prefix = f"{_ITEM_NAMES.get(getattr(node, 'short_name', ''), 'Entry')} {part + 1}: "
        break
    if isinstance(node, Form):  # an error about a whole sub-form (dosage rules): its first number
        fields = list(node._fields.values())
        target = next((f for f in fields if isinstance(f, IntegerField)), fields[0])
        return target, prefix + message(error, "")
    return node, prefix + message(error, getattr(node, "short_name", ""))


def apply_errors(form: Form, exc: ValidationError) -> None:
    """Put each schema error at its form field (and keep what was typed)."""
    for error in exc.errors():
        field, text = _place(form, tuple(error["loc"]), error)
        field.errors = list(field.errors) + [text]


def add_error(field: Field, text: str) -> None:
    field.errors = list(field.errors) + [text]


def validate_exercise(form: ExerciseForm, library: dict[str, bool], original: dict | None = None,
                      retired: bool = False) -> Exercise | None:
    """Check what was typed with the schema and against the library.

    `library` maps every stored slug to whether it is retired; `original` is the
    stored data when editing (None: a new exercise). Returns the validated
    exercise, or None with the errors placed at the form's fields (what was
    typed stays in the form).
    """
    form.validate()  # only parses numbers and checks CSRF: the rules are the schema's
    data = form_to_data(form, original, retired)
    try:
        exercise = Exercise.model_validate(data)
    except ValidationError as exc:
        apply_errors(form, exc)
        exercise = None
    if original is None and data["id"] in library:
        add_error(form.id, "an exercise with this id already exists; choose another")
    for name in ("easier", "harder"):
        target = data.get(name)
        if not target:
            continue
        if target == data.get("id"):
            add_error(form[name], "must name another exercise, not this one")
        elif target not in library:
            add_error(form[name], f"names no exercise in the library: {target!r}")
        elif library[target] and (original or {}).get(name) != target:
            add_error(form[name], f"{target!r} is retired; choose an exercise in use")
    if has_errors(form):
        return None
    return exercise


def keep_unknown_choices(form: Form) -> None:
    """Let refused values typed into selects and checkboxes show again (ticked), so nothing typed is lost."""
    for field in _all_fields(form):
        if isinstance(field, GridField):
            known = {c.value for c in field.choices}
            field.unknown = [v for v in field.data or [] if v not in known]
        elif isinstance(field, (SelectField, SelectMultipleField)) and field.choices is not None:
            known = {c.value for c in field.choices}
            values = field.data if isinstance(field.data, list) else [field.data]
            field.choices = list(field.choices) + [SelectChoice(v, f"{v} (not a known value)")
                                                   for v in values if v and v not in known]


def error_summary(form: Form, trail: tuple = ()) -> list[tuple[str, str, str]]:
    """(field id, where, message) for every error, for the list at the top of the form."""
    found = []
    for field in form:
        if isinstance(field, FormField):
            found += error_summary(field.form, trail + (field.label.text,))
        elif isinstance(field, FieldList):
            for index, entry in enumerate(field.entries, 1):
                found += error_summary(entry.form, trail + (f"{field.label.text} {index}",))
        else:
            where = " \u00b7 ".join(trail + (field.label.text,)) if field.type != "CSRFTokenField" else "Form"
            found += [(field.id, where, error) for error in field.errors]
    return found


def has_errors(form: Form) -> bool:
    return any(field.errors for field in _all_fields(form))


def _all_fields(form: Form):
    for field in form:
        if isinstance(field, FormField):
            yield from _all_fields(field.form)
        elif isinstance(field, FieldList):
            for entry in field.entries:
                yield from _all_fields(entry.form) if isinstance(entry, FormField) else [entry]
        else:
            yield field


def preview_figure(form: FigureForm, errors: bool = True) -> Figure | None:
    """The typed figure checked with the schema's Figure; with `errors`, problems go on the fields."""
    if errors:
        form.validate()
    try:
        figure = Figure.model_validate(figure_data(form))
    except ValidationError as exc:
        if errors:
            apply_errors(form, exc)
        return None
    return None if has_errors(form) else figure


def validate_figure(form: FigurePreviewForm) -> Figure | None:
    """The preview endpoint's check: CSRF, numbers, then the schema's Figure."""
    form.validate()
    figure = preview_figure(form.figure.form)  # the pose fields again, and the schema's checks
    return None if has_errors(form) else figure


def field_errors(form: Form) -> dict[str, list[str]]:
    """HTML field name -> errors, for JSON answers."""
    return {field.name: list(field.errors) for field in _all_fields(form) if field.errors}
