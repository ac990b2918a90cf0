"""Bounded input for every request: ids that fit the database's integers, no NUL bytes,
and query-string numbers read within a range. A request past a bound gets a clear 4xx
(the size limit itself is MAX_CONTENT_LENGTH, answered 413 by rehab.errors)."""

from __future__ import annotations

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # PostgreSQL's integer: a larger id in a URL would fail in the query


class IdConverter(IntegerConverter):
    """<int:...> in every route: 0 to 2^31 - 1, else the URL matches nothing (404)."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def int_arg(name: str, default: int | None = None, low: int = 1, high: int = MAX_ID,
            lenient: bool = False) -> int | None:
    """A whole number from the query string; absent or empty: `default`. Anything that is not
    a number from `low` to `high`: 400 naming the parameter, or when `lenient` (a page number
    typed into the address) the default, or `high` for a larger number."""
    text = request.args.get(name, "")
    if not text:
        return default
    number = int(text) if text.isascii() and text.isdigit() and len(text) <= 20 else None
    if number is not None and low <= number <= high:
        return number
    if not lenient:
        abort(400, f"The address's {name!r} must be a whole number from {low} to {high}.")
    return high if number is not None and number > high else default


def _nul_in(values) -> str | None:
    for key, value in values.items(multi=True):
        if "\x00" in key or (isinstance(value, str) and "\x00" in value):
            return key.replace("\x00", "")[:40]
    return None


def form_cleans_nul(view):
    """Mark a view whose form reader removes NUL (and other control characters) itself and
    shows the form again, so a stray NUL never costs the sender what they typed (the patient's
    page, rehab.mine). Its query string is still checked here."""
    view.form_cleans_nul = True
    return view


def register(app: Flask) -> None:
    app.url_map.converters["int"] = IdConverter

    @app.before_request
    def _no_nul_bytes_or_huge_fields():
        """NUL is in no name, note or search; PostgreSQL refuses it in text, so refuse it here.
        One form field holds at most MAX_FORM_MEMORY_SIZE (Werkzeug checks this for multipart
        forms only; here for url-encoded ones too), so no page echoes more."""
        field = _nul_in(request.args)
        if field is None and request.method == "POST" and request.mimetype in (
                "application/x-www-form-urlencoded", "multipart/form-data"):
            limit = app.config["MAX_FORM_MEMORY_SIZE"]
            if any(len(value) > limit for _, value in request.form.items(multi=True)):
                abort(413)
            view = app.view_functions.get(request.endpoint)
            if not getattr(view, "form_cleans_nul", False):
                field = _nul_in(request.form)
        if field is not None:
            abort(400, f"The field {field!r} contains a NUL character (\\0), which no field accepts. "
                       "Nothing was saved.")
