"""Everything the admin does that changes the library: each call commits or raises.

Every change goes through catalog.save_exercise, so it is recorded as an
ExerciseRevision (who, when, field diff). Nothing is ever deleted: an exercise
leaves the planner's library by being retired.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from rehab.catalog import save_exercise, to_schema
from rehab.extensions import db
from rehab.library.schema import Exercise as ExerciseSchema
from rehab.models import Exercise, ExerciseRevision


class SlugTaken(Exception):
    """An exercise with this id already exists."""


class RevertRefused(Exception):
    """An old version cannot be restored as it is (the message says why)."""


@dataclass
class Conflict(Exception):
    """Someone else saved the exercise after this form was loaded."""

    slug: str
    loaded_version: int | None
    base: dict  # the data as it was when the form was loaded ({} if unknown)
    theirs: dict  # the data saved since
    theirs_version: int
    theirs_by: str | None
    theirs_at: object
    yours: dict  # what was typed, validated

    def __str__(self) -> str:
        return f"{self.slug}: loaded at version {self.loaded_version}, now at {self.theirs_version}"


def _revision(row: Exercise, version: int | None) -> ExerciseRevision | None:
    if version is None:
        return None
    return db.session.execute(db.select(ExerciseRevision).filter_by(
        exercise_id=row.id, version=version)).scalar_one_or_none()


def _conflict(row: Exercise, loaded_version: int | None, yours: ExerciseSchema) -> Conflict:
    base = _revision(row, loaded_version)
    latest = _revision(row, row.version)
    return Conflict(slug=row.slug, loaded_version=loaded_version, base=dict(base.data) if base else {},
                    theirs=dict(row.data), theirs_version=row.version,
                    theirs_by=(latest.user.name or latest.user.email) if latest and latest.user else None,
                    theirs_at=latest.at if latest else row.updated_at,
                    yours=yours.model_dump(mode="json", exclude_defaults=True))


def create_exercise(exercise: ExerciseSchema, user_id: int) -> Exercise:
    """Add a new exercise; SlugTaken if its id is in use (also when two admins race)."""
    if db.session.execute(db.select(Exercise.id).filter_by(slug=exercise.id)).first() is not None:
        raise SlugTaken(exercise.id)
    row = Exercise(slug=exercise.id, data={})  # a new row: the database's unique slug guards the race
    db.session.add(row)
    try:
        save_exercise(exercise.model_copy(update={"retired": False}), "create", user_id, row)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise SlugTaken(exercise.id) from None
    return row


def update_exercise(row: Exercise, exercise: ExerciseSchema, loaded_version: int | None,
                    user_id: int) -> Exercise | None:
    """Save an edit made on the version `loaded_version`; None if nothing changed.

    Raises Conflict if the exercise was saved by someone else since, whether that
    is seen here or only by the database (version_id_col: StaleDataError).
    """
    exercise = exercise.model_copy(update={"id": row.slug, "retired": row.retired})
    if loaded_version != row.version:
        raise _conflict(row, loaded_version, exercise)
    try:
        result = save_exercise(exercise, "edit", user_id, row)
        db.session.commit()
    except StaleDataError:
        db.session.rollback()  # expires `row`: reading it again loads what the other admin saved
        raise _conflict(row, loaded_version, exercise) from None
    return result


def _save_as(row: Exercise, exercise: ExerciseSchema, action: str, user_id: int) -> Exercise | None:
    try:
        result = save_exercise(exercise, action, user_id, row)
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise _conflict(row, None, exercise) from None
    return result


def set_retired(row: Exercise, retired: bool, user_id: int) -> bool:
    """Retire (or restore) an exercise; False if it already was. Saved plans keep their copy."""
    if row.retired == retired:
        return False
    exercise = to_schema(row).model_copy(update={"retired": retired})
    return _save_as(row, exercise, "retire" if retired else "restore", user_id) is not None


def revert(row: Exercise, version: int, loaded_version: int | None, user_id: int) -> Exercise | None:
    """Make an earlier version current again, as a new revision; None if it already is.

    The retired flag stays as it is now (retire and restore are their own actions).
    Raises Conflict if the exercise changed after the history page was loaded.
    """
    target = _revision(row, version)
    if target is None:
        raise RevertRefused(f"there is no version {version}")
    try:
        exercise = ExerciseSchema.model_validate({**target.data, "retired": row.retired})
    except ValidationError as exc:
        raise RevertRefused(f"version {version} does not pass today's schema: "
                            f"{exc.error_count()} problem(s), first: {exc.errors()[0]['msg']}") from None
    if loaded_version != row.version:
        raise _conflict(row, loaded_version, exercise)
    for name in ("easier", "harder"):
        target_slug = getattr(exercise, name)
        if target_slug and db.session.execute(
                db.select(Exercise.id).filter_by(slug=target_slug)).first() is None:
            raise RevertRefused(f"version {version} names {target_slug!r} as {name}, "
                                "which is no longer in the library")
    return _save_as(row, exercise, "revert", user_id)
