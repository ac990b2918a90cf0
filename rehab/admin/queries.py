"""Read-only look-ups for the admin pages: the filtered list, revisions, plan usage."""

from __future__ import annotations

import math
from dataclasses import dataclass

from flask import abort
from sqlalchemy import String, cast, or_

from rehab.extensions import db
from rehab.models import Exercise, ExerciseRevision, ExerciseTag, Plan, PlanVersion


@dataclass
class Filters:
    q: str = ""
    category: str = ""
    tag: str = ""
    condition: str = ""
    phase: str = ""
    status: str = "active"  # active, retired or all


@dataclass
class Page:
    """One page of results, shaped like Flask-SQLAlchemy's pagination for the pager macro."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def _suits(row: Exercise, condition: str, phase: str) -> bool:
    suits = row.data.get("suits") or {}
    if condition and condition not in suits:
        return False
    if phase:
        phases = suits.get(condition, []) if condition else [p for ps in suits.values() for p in ps]
        return phase in phases
    return True


def search(filters: Filters, page: int, per_page: int) -> Page:
    """Exercises matching the filters, by name.

    Name, id, category, tag and status are filtered in SQL; condition and phase
    live inside the JSON `suits` and are filtered here (the library holds
    hundreds of exercises, not millions).
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
    rows = [r for r in db.session.execute(query).scalars() if _suits(r, filters.condition, filters.phase)]
    page = max(1, min(page, max(1, math.ceil(len(rows) / per_page))))
    return Page(rows[(page - 1) * per_page: page * per_page], page, per_page, len(rows))


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
