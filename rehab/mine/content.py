"""What the patient's page draws from a saved version's frozen snapshot alone: the plan,
the items to tick, and the exercises and "How to use" (HTML). Drawn once per process and
version (a saved version never changes; keyed by its id and save time, so a reused id is
never served stale), as rehab.portal.rendering does for the clinician's version page. The
figures are images (rehab.figure_images): the phone fetches each once and keeps it."""

from __future__ import annotations

import threading
from collections import OrderedDict
from types import SimpleNamespace

from flask import render_template, request
from markupsafe import Markup

from rehab import patient_log
from rehab.extensions import db
from rehab.models import PlanVersion
from rehab.pdf import words
from rehab.figure_images import figure_img
from rehab.portal.snapshot import plan_from_dict

_CACHE: OrderedDict[tuple, SimpleNamespace] = OrderedDict()
_LOCK = threading.Lock()
CACHE_SIZE = 256


def version_content(head) -> SimpleNamespace:
    """plan (Plan), items (what the log ticks), seek_help (the plan's own lines), referral (the
    plan's own referral in the printed plan's words, or None), next_appointment (as saved with
    the version and printed) and body (the exercises and "How to use", as HTML) for a VersionHead."""
    key = (head.id, head.created_at.isoformat(), request.script_root)  # the figures' addresses
    with _LOCK:
        content = _CACHE.get(key)
        if content is not None:
            _CACHE.move_to_end(key)
            return content
    snapshot = db.session.execute(db.select(PlanVersion.plan, PlanVersion.figures, PlanVersion.next_appointment)
                                  .where(PlanVersion.id == head.id)).one()
    plan = plan_from_dict(snapshot.plan)
    phase = patient_log.current_phase(plan)
    figures = snapshot.figures or {}
    exercises = [{"item": item, "dose": words.dosage_parts(item.dosage),
                  "figure": figure_img(figures.get(item.exercise_id))} for item in (phase.items if phase else [])]
    body = Markup(render_template(
        "mine/_exercises.html", exercises=exercises, pain_rules=words.pain_rules(plan.diagnosis),
        phase_title=f"{words.phase_number(phase.id)} · {phase.name}" if phase else ""))
    content = SimpleNamespace(plan=plan, items=patient_log.tracked_items(plan), seek_help=list(plan.seek_help_if),
                              referral=words.plan_referral(plan.referral),
                              next_appointment=(snapshot.next_appointment or "").strip(), body=body)
    with _LOCK:
        _CACHE[key] = content
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    return content
