"""The exercise library in the database: load from files, read back, record revisions.

The bridge between rehab.library (pure, files) and rehab.models (tables).
"""

from __future__ import annotations

from rehab.extensions import db
from rehab.library.schema import Exercise as ExerciseSchema
from rehab.models import Exercise, ExerciseRevision, ExerciseTag


def field_diff(before: dict, after: dict) -> dict:
    """Field -> [before, after] for every top-level field that changed."""
    keys = sorted(set(before) | set(after))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def _data(schema: ExerciseSchema) -> dict:
    """An exercise as its row stores it (and its revisions)."""
    return schema.model_dump(mode="json", exclude_defaults=True)


def _set_columns(row: Exercise, schema: ExerciseSchema) -> dict:
    data = _data(schema)
    row.name = schema.name
    row.category = schema.category
    row.retired = schema.retired
    row.data = data
    wanted = set(schema.tags)
    row.tags = [t for t in row.tags if t.tag in wanted] + [
        ExerciseTag(tag=t) for t in sorted(wanted - {t.tag for t in row.tags})]
    return data


def save_exercise(schema: ExerciseSchema, action: str, user_id: int | None,
                  row: Exercise | None = None) -> Exercise | None:
    """Create or update one exercise and record a revision; None if nothing changed."""
    if row is None:
        row = db.session.execute(db.select(Exercise).filter_by(slug=schema.id)).scalar_one_or_none()
    before = dict(row.data) if row is not None else {}
    if row is None:
        row = Exercise(slug=schema.id)
        db.session.add(row)
        action = "create" if action in ("edit", "load") else action
    after = _data(schema)
    diff = field_diff(before, after)
    if before and not diff:
        return None
    _set_columns(row, schema)
    row.updated_by_id = user_id
    db.session.flush()  # assigns id and bumps version (optimistic lock check happens here)
    db.session.add(ExerciseRevision(exercise_id=row.id, version=row.version, action=action,
                                    data=after, diff=diff, user_id=user_id))
    return row


def _add_exercise(schema: ExerciseSchema) -> Exercise:
    """A new row loaded from its file and its first revision, inserted with the others at the
    next flush (no user: a load is the files' doing)."""
    row = Exercise(slug=schema.id)
    data = _set_columns(row, schema)
    row.revisions.append(ExerciseRevision(version=1, action="create", data=data, diff=field_diff({}, data)))
    db.session.add(row)
    return row


def load_into_db(exercises: dict[str, ExerciseSchema], overwrite_edits: bool = False) -> dict:
    """Upsert every exercise by slug. Returns counts of created/updated/unchanged, and under
    "kept" the slugs left alone because an admin changed them in the browser since (their
    current row was saved by a person, not a load); `overwrite_edits` replaces those too.

    Why keep them: `make run` loads the files at every start, and an admin's edit must not be
    undone by a restart. `library export` writes the edits out for review against the files."""
    counts = {"created": 0, "updated": 0, "unchanged": 0, "kept": []}
    existing = {r.slug: r for r in db.session.execute(db.select(Exercise)).scalars()}
    for slug, schema in sorted(exercises.items()):
        row = existing.get(slug)
        if row is None:
            _add_exercise(schema)  # no flush per row: a whole library loads in one go
            counts["created"] += 1
        elif row.updated_by_id is not None and not overwrite_edits and row.data != _data(schema):
            counts["kept"].append(slug)
        elif save_exercise(schema, "load", None, row) is None:
            counts["unchanged"] += 1
        else:
            counts["updated"] += 1
    db.session.commit()
    return counts


def to_schema(row: Exercise) -> ExerciseSchema:
    return ExerciseSchema.model_validate(row.data)


def library_from_db(include_retired: bool = False) -> dict[str, ExerciseSchema]:
    """The library as the planner takes it: slug -> validated exercise."""
    query = db.select(Exercise).order_by(Exercise.slug)
    if not include_retired:
        query = query.filter_by(retired=False)
    return {row.slug: to_schema(row) for row in db.session.execute(query).scalars()}
