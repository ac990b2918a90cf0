"""Exercise figures as images at addresses that name their drawing: /figures/<token>.svg.

A figure (rehab.library.schema.Figure, as kept in the library or frozen in a saved version)
is the same picture wherever it shows, so the browser fetches each once and keeps it: a plan
page carries short <img> addresses (about 240 characters each) instead of about 120 kB of
inline SVG, and an exercise's picture seen on one patient's plan is not fetched again for
the next. The token is the figure itself, signed with SECRET_KEY (itsdangerous, compressed),
with a stamp of the drawing code (a new renderer gives new addresses): only figures this app
wrote are drawn, by any worker (nothing shared between processes). A figure is a drawing of
an exercise, mirrored for the affected side, never patient data, so the route needs no login
and may be cached anywhere for a year; it never reads the session (rehab.PUBLIC_ASSETS), so
its answer carries no cookie. The token is signed, not encrypted (anyone holding one can read
the poses in it), and the route draws any figure this app signed, whatever code stamp it has.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, Response, abort, current_app, url_for
from itsdangerous import BadSignature, URLSafeSerializer
from markupsafe import Markup
from pydantic import ValidationError

from rehab.portal.rendering import code_stamp
from rehab.portal.snapshot import figure_svg

SALT = "figure-image"
MAX_TOKEN = 4096  # characters; the app's own tokens are about 240
CACHE = "public, max-age=31536000, immutable"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=SALT)


def _drawing_code() -> str:
    from rehab import figures

    return code_stamp(str(Path(figures.__file__).parent))[:12]


def figure_img(figure) -> Markup:
    """An <img> of the figure (decorative: the steps say the same in words), or nothing."""
    if figure is None:
        return Markup("")
    if hasattr(figure, "model_dump"):
        figure = figure.model_dump(mode="json")
    token = _serializer().dumps({"figure": figure, "code": _drawing_code()})
    return Markup('<img src="{}" alt="" width="240" height="120" loading="lazy">').format(
        url_for("figure_image", token=token))


def register(app: Flask) -> None:
    app.add_template_filter(figure_img, "figure_img")

    @app.route("/figures/<token>.svg")
    def figure_image(token: str):
        if len(token) > MAX_TOKEN:
            abort(404)
        try:
            figure = _serializer().loads(token)["figure"]
            if figure is None:
                abort(404)
            svg = figure_svg(figure)
        except (BadSignature, KeyError, TypeError, ValidationError):
            abort(404)
        response = Response(str(svg), mimetype="image/svg+xml")
        response.headers["Cache-Control"] = CACHE
        return response
