"""Portal views: thin translations of requests into calls of the planner and models."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

from rehab.extensions import db
from rehab.models import Exercise

bp = Blueprint("portal", __name__)


@bp.route("/library")
@login_required
def library():
    """The exercise library, read-only, for clinicians."""
    exercises = db.session.execute(
        db.select(Exercise).filter_by(retired=False).order_by(Exercise.name)).scalars().all()
    return render_template("portal/library.html", exercises=exercises)
