"""POST an intake, get the contract's plan JSON. Login required (session cookie)."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, request
from flask_login import current_user

from rehab.catalog import library_from_db
from rehab.extensions import csrf
from rehab.jsonlimits import MAX_JSON_DEPTH, too_deep
from rehab.planner import AdjustmentError, IntakeError, apply_adjustments, parse_intake

bp = Blueprint("api", __name__, url_prefix="/api")
# JSON only: a cross-site form cannot send application/json without CORS, which we never allow.
csrf.exempt(bp)


@bp.before_request
def _require_json_login():
    if not current_user.is_authenticated:
        return jsonify({"error": "login required"}), 401
    if request.method == "POST" and not request.is_json:
        return jsonify({"error": "send Content-Type: application/json"}), 415
    return None


def _invalid(field: str, message: str):
    return jsonify({"error": "invalid input", "field": field, "message": message}), 422


@bp.post("/plan")
def plan():
    """Body: an intake (contract), optionally {"intake": ..., "adjustments": [...]}; at most
    MAX_CONTENT_LENGTH bytes (413) nested at most MAX_JSON_DEPTH levels (422)."""
    try:
        text = request.get_data(cache=True).decode("utf-8")
    except UnicodeDecodeError:
        return _invalid("(body)", "not UTF-8 text")
    if too_deep(text):
        return _invalid("(body)", f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    body = request.get_json(silent=True)
    if body is None:
        return _invalid("(body)", "not valid JSON")
    # the planner checks the adjustments (rehab/planner/adjustments.py), naming the item and field
    adjustments = body.get("adjustments", []) if isinstance(body, dict) and "intake" in body else []
    try:
        intake = parse_intake(body)
        result = apply_adjustments(intake, library_from_db(), adjustments)
    except IntakeError as exc:
        return _invalid(exc.field, exc.message)
    except AdjustmentError as exc:
        return _invalid(exc.field, exc.reason)
    return jsonify(result.to_dict())


@bp.get("/exercises")
def exercises():
    """The current library (not retired) as the schema's JSON."""
    return jsonify({slug: ex.model_dump(mode="json") for slug, ex in library_from_db().items()})


