"""Rendering that outlives one request: the parts of pages that cannot change.

Per-process caches, each keyed so that it can never serve a stale page: a draft's review
body by everything it is drawn from (rehab.portal.views._render_review), a saved version
never changes once saved (keyed by its id and save time, so a reused id is never served
stale; also kept in the database for every worker, under a stamp of the code that drew it),
and the library list is keyed by a stamp read from the database on every request
(so an admin's edit shows at once in every worker).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
import threading
from collections import OrderedDict
from pathlib import Path
from types import SimpleNamespace

from flask import current_app, render_template, request
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape
from sqlalchemy.dialects import postgresql, sqlite

from rehab.extensions import db
from rehab.models import VersionPage
from rehab.portal.snapshot import names_in

_VERSIONS: OrderedDict[tuple, SimpleNamespace] = OrderedDict()
_LIBRARY: dict = {}
_REVIEWS: OrderedDict[tuple, tuple[dict, str]] = OrderedDict()
_LOCK = threading.Lock()
VERSION_CACHE_SIZE = 64
REVIEW_CACHE_SIZE = 32  # a review body is about 300 kB
REVIEW_TOKEN = secrets.token_hex(16)  # stands for the CSRF token in a kept review body


def version_parts(head, load_snapshot, kept: tuple | None = None) -> SimpleNamespace:
    """The parts of a saved version's page drawn from its snapshot alone (heading, the box
    before the toolbar, the download forms, and the plan with the clinician's changes).

    `head`: the version's id, plan_id, number and created_at; `load_snapshot(id)` returns the
    PlanVersion; `kept`: the parts as read with the head (all None: none kept), else None and
    they are read here. A version is drawn once for the installation: the parts are kept in
    the database (VersionPage, under drawing_stamp()) for every worker, and the last
    VERSION_CACHE_SIZE a worker served are also kept in the worker."""
    stamp = drawing_stamp()
    key = (head.id, head.plan_id, head.number, head.created_at.isoformat(), stamp)
    with _LOCK:
        parts = _VERSIONS.get(key)
        if parts is not None:
            _VERSIONS.move_to_end(key)
            return parts
    if kept is None:
        kept = db.session.execute(_KEPT, {"version_id": head.id, "stamp": stamp}).first()
    if kept is not None and kept[0] is not None:
        parts = SimpleNamespace(**{name: Markup(text) for name, text in zip(PARTS, kept)}, allowed=kept[-1])
    else:
        parts = _draw(load_snapshot(head.id))
        _keep(head.id, stamp, parts)
    with _LOCK:
        _VERSIONS[key] = parts
        while len(_VERSIONS) > VERSION_CACHE_SIZE:
            _VERSIONS.popitem(last=False)
    return parts


def holds_version(plan_id: int, number: int) -> bool:
    """Whether this worker holds the parts of a plan's version, as drawn by this code here
    (then the page's head query need not read them)."""
    stamp = drawing_stamp()
    with _LOCK:
        return any(key[1:3] == (plan_id, number) and key[4] == stamp for key in _VERSIONS)


PARTS = ("heading", "before_toolbar", "downloads", "after_toolbar")
_KEPT = db.select(*(getattr(VersionPage, name) for name in PARTS), VersionPage.allowed).where(
    VersionPage.version_id == db.bindparam("version_id"), VersionPage.stamp == db.bindparam("stamp"))


def _draw(version) -> SimpleNamespace:
    plan = version.plan
    body = Markup(render_template("portal/_plan.html", plan=plan, figures=version.figures,
                                  names=names_in(plan), editable=False))
    module = current_app.jinja_env.get_template("portal/_version_parts.html").make_module({
        "version": version, "plan": plan, "body": body,
        "names": names_in(plan) if version.adjustments else {}})
    return SimpleNamespace(**{name: getattr(module, name) for name in PARTS}, allowed=bool(plan.get("allowed")))


def _keep(version_id: int, stamp: str, parts: SimpleNamespace) -> None:
    """Store (or replace, if drawn by older code) the parts; two workers drawing the same
    version at once both succeed, the last one's row stays (they are the same)."""
    values = {"stamp": stamp, "allowed": parts.allowed, **{name: str(getattr(parts, name)) for name in PARTS}}
    insert = (postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert)
    statement = insert(VersionPage).values(version_id=version_id, **values)
    db.session.execute(statement.on_conflict_do_update(
        index_elements=[VersionPage.version_id], set_={name: statement.excluded[name] for name in values}))
    db.session.commit()


@functools.cache
def code_stamp(*folders: str) -> str:
    """SHA-256 of every template and module file under `folders` (what a page is drawn with)."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(Path(folder).rglob("*")):
            if path.suffix in {".html", ".py", ".yml", ".yaml", ".json", ".txt"} and path.is_file():
                digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def drawing_stamp() -> str:
    """Names what a kept version page was drawn with: this code and templates, where the app
    is mounted (its download links) and the key its figure addresses are signed with
    (rehab.figure_images; only an HMAC of it enters the stamp)."""
    code = code_stamp(str(Path(current_app.root_path)), str(Path(current_app.root_path, current_app.template_folder)))
    key = current_app.secret_key
    signer = hmac.new(key.encode() if isinstance(key, str) else key, b"drawing-stamp", hashlib.sha256).hexdigest()
    return hashlib.sha256(f"{code}:{request.script_root}:{signer}".encode()).hexdigest()


def review_body(key: tuple | None, build) -> tuple[dict, Markup]:
    """(plan dict, editable plan body) of a draft's review page, drawn again only when `key`
    changes: the library, the draft's answers and changes, the patient and the mount point
    (the plan is a pure function of the first two). `build()` gives them the first time, with
    REVIEW_TOKEN where the form's CSRF token goes; this request's token is put in here, so a
    body drawn for one session serves no other. `key` None (an error shown in the body):
    drawn for this request only."""
    cached = None
    if key is not None:
        with _LOCK:
            cached = _REVIEWS.get(key)
            if cached is not None:
                _REVIEWS.move_to_end(key)
    if cached is None:
        cached = build()
        if key is not None:
            with _LOCK:
                _REVIEWS[key] = cached
                while len(_REVIEWS) > REVIEW_CACHE_SIZE:
                    _REVIEWS.popitem(last=False)
    plan, body = cached
    return plan, Markup(body.replace(REVIEW_TOKEN, generate_csrf()))


def library_table(stamp: tuple, load_rows) -> SimpleNamespace:
    """The library list (its count and table), drawn again only when `stamp` changes;
    `load_rows()` gives the rows then."""
    with _LOCK:
        cached = _LIBRARY.get("list")
        if cached is not None and cached[0] == stamp:
            return cached[1]
    rows = load_rows()
    table = SimpleNamespace(count=len(rows),
                            html=Markup(render_template("portal/_library_table.html", exercises=rows)))
    with _LOCK:
        _LIBRARY["list"] = (stamp, table)
    return table


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


ALERT_FLAGS = {  # by the most urgent unseen alert (rehab.portal.progress.flagged), in words and colour
    "emergency": ' <span class="badge badge-alert">Emergency symptom reported</span>',
    "urgent": ' <span class="badge badge-urgent badge-log">Urgent symptom reported</span>',
    "clinic": ' <span class="badge badge-urgent badge-log">Pain alert not seen</span>'}


def patient_rows(rows, patient_url: str, flagged: dict | None = None) -> Markup:
    """The rows of the patient list (id, last_name, first_name, reference, date_of_birth, sex, ...).

    Written here rather than in the template, where a page of 50 rows cost four times as
    long. A date reads as strftime's "%d %b %Y" in the C locale. `patient_url`: the
    patient page's URL without the id; `flagged`: patient id -> the level of the most urgent
    alert of their own log nobody has marked seen (rehab.portal.progress.flagged)."""
    flagged = flagged or {}
    return Markup("\n".join(
        f'<tr><td><a href="{patient_url}{id_}">{escape(last)}, {escape(first)}</a>'
        f'{ALERT_FLAGS.get(flagged.get(id_), "")}</td>\n'
        f'    <td data-label="Reference">{escape(reference)}</td>\n'
        f'    <td data-label="Born">{f"{born.day:02} {_MONTHS[born.month - 1]} {born.year}" if born else ""}</td>\n'
        f'    <td data-label="Sex">{escape(sex)}</td></tr>'
        for id_, last, first, reference, born, sex, *_ in rows))


def clear_version_bodies() -> None:
    """Forget every rendered part, here and in the database (the tests draw pages again
    from the snapshot); in an app context."""
    db.session.execute(db.delete(VersionPage))
    db.session.commit()
    with _LOCK:
        _VERSIONS.clear()
        _LIBRARY.clear()
        _REVIEWS.clear()
