"""Read-only look-ups for the admin pages: the filtered list, revisions, plan usage."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort
from sqlalchemy import String, and_, cast, false, or_

from rehab.extensions import db
from rehab.models import Exercise, ExerciseRevision, ExerciseTag, Plan, PlanVersion
from rehab.vocab import DIAGNOSES, PHASE_CODES


@dataclass
class Filters:
    q: str = ""
    category: str = ""
    tag: str = ""
    condition: str = ""
    phase: str = ""
    status: str = "active"  # active, retired or all


def search(filters: Filters, page: int, per_page: int):
    """Exercises matching the filters, by name: one page of Flask-SQLAlchemy's Pagination.

    Condition and phase live inside the JSON `suits` ({condition: ["P1", ...]}); they are
    read with the JSON operators both databases have. A page past the end is the last page.
    """
    query = db.select(Exercise).order_by(Exercise.name, Exercise.slug)
    if filters.q.strip():
        like = f"%{filters.q.strip().lower()}%"
        query = query.where(or_(db.func.lower(Exercise.name).like(like), Exercise.slug.like(like)))
    if filters.category:
        query = query.filter_by(category=filters.category)
    if filters.tag:
        query = query.where(Exercise.tags.any(ExerciseTag.tag == filters.tag))
    if filters.status != "all":
        query = query.filter_by(retired=filters.status == "retired")
    if filters.condition or filters.phase:
        query = query.where(_suits(filters.condition, filters.phase))
    result = db.paginate(query, page=page, per_page=per_page, error_out=False, count=True)
    if result.page > result.pages > 0:
        result = db.paginate(query, page=result.pages, per_page=per_page, error_out=False)
    return result


def _suits(condition: str, phase: str):
    """SQL: the exercise suits this condition (any if empty) in this phase (any if empty)."""
    if (condition and condition not in DIAGNOSES) or (phase and phase not in PHASE_CODES):
        return false()  # only known words go into a JSON path or a pattern
    suits = Exercise.data[("suits", condition)].as_string() if condition else Exercise.data["suits"].as_string()
    clause = suits.is_not(None)
    if phase:  # a phase code appears quoted in the JSON list ("P2"), never as a condition name
        clause = and_(clause, suits.like(f'%"{phase}"%'))
    return clause


def exercise_or_404(slug: str) -> Exercise:
    row = db.session.execute(db.select(Exercise).filter_by(slug=slug)).scalar_one_or_none()
    if row is None:
        abort(404)
    return row


def library_index() -> dict[str, bool]:
    """Every stored slug -> whether it is retired."""
    return {slug: retired for slug, retired in db.session.execute(db.select(Exercise.slug, Exercise.retired))}


def exercise_choices() -> list[tuple[str, str, bool]]:
    """(slug, name, retired) of every exercise, by name, for the easier/harder selects."""
    return [(slug, name, retired) for slug, name, retired in db.session.execute(
        db.select(Exercise.slug, Exercise.name, Exercise.retired).order_by(Exercise.name))]


def revisions(row: Exercise) -> list[ExerciseRevision]:
    """The exercise's revisions, newest first."""
    return list(db.session.execute(db.select(ExerciseRevision).filter_by(exercise_id=row.id)
                                   .order_by(ExerciseRevision.version.desc())).scalars())


def named_by(slug: str) -> list[tuple[str, str, str]]:
    """(slug, name, field) of exercises whose easier/harder names this one."""
    found = []
    rows = db.session.execute(db.select(Exercise).where(
        cast(Exercise.data, String).contains(slug), Exercise.slug != slug)).scalars()
    for row in rows:
        for field in ("easier", "harder"):
            if row.data.get(field) == slug:
                found.append((row.slug, row.name, field))
    return found


def _uses(node, slug: str) -> bool:
    if isinstance(node, dict):
        return node.get("exercise_id") == slug or any(_uses(v, slug) for v in node.values())
    if isinstance(node, list):
        return any(_uses(v, slug) for v in node)
    return False


def plans_using(slug: str) -> int:
    """How many saved plans (any version) name the exercise in their plan JSON."""
    candidates = db.session.execute(
        db.select(PlanVersion.plan_id, PlanVersion.plan).join(Plan)
        .where(cast(PlanVersion.plan, String).contains(slug))).all()
    return len({plan_id for plan_id, plan in candidates if _uses(plan, slug)})
