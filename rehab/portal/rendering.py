"""Rendering helpers that outlive one request."""

from __future__ import annotations

import threading
from collections import OrderedDict

from flask import render_template
from markupsafe import Markup

from rehab.portal.snapshot import names_in

_BODIES: OrderedDict[tuple, Markup] = OrderedDict()
_BODIES_LOCK = threading.Lock()
BODY_CACHE_SIZE = 64


def version_body(version) -> Markup:
    """The rendered plan of a saved version. A version never changes once saved, so each
    process renders it once (keyed by id and save time, so a reused id is never served stale)."""
    key = (version.id, version.plan_id, version.number, version.created_at.isoformat())
    with _BODIES_LOCK:
        body = _BODIES.get(key)
        if body is not None:
            _BODIES.move_to_end(key)
            return body
    body = Markup(render_template("portal/_plan.html", plan=version.plan, figures=version.figures,
                                  names=names_in(version.plan), editable=False))
    with _BODIES_LOCK:
        _BODIES[key] = body
        while len(_BODIES) > BODY_CACHE_SIZE:
            _BODIES.popitem(last=False)
    return body


def clear_version_bodies() -> None:
    with _BODIES_LOCK:
        _BODIES.clear()
