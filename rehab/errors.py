"""Error pages in the portal's style; a database error rolls the session back."""

from __future__ import annotations

import sys

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import BadRequest

from rehab.extensions import db


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def register(app: Flask) -> None:
    def page(code: int, title: str, message: str):
        if _wants_json():
            return jsonify({"error": title, "message": message}), code
        return render_template("errors/error.html", code=code, title=title, message=message), code

    @app.errorhandler(400)
    def bad_request(exc):
        # our own aborts say what was wrong (abort(400, "...")); werkzeug's default says nothing useful
        given = getattr(exc, "description", None)
        message = given if given and given != BadRequest.description else \
            "The address or the form could not be read. Nothing was saved."
        return page(400, "Bad request", message)

    @app.errorhandler(413)
    def too_large(_):
        limit = app.config.get("MAX_CONTENT_LENGTH") or 0
        return page(413, "Too much data", f"A request may hold at most {limit // 1024} KB "
                    "(and one form field at most "
                    f"{(app.config.get('MAX_FORM_MEMORY_SIZE') or 0) // 1000} KB). Nothing was saved.")

    @app.errorhandler(403)
    def forbidden(_):
        return page(403, "Not allowed", "Your account does not have access to this page.")

    @app.errorhandler(CSRFError)
    def csrf_failed(_):
        return page(400, "The form has expired", "Nothing was saved. Go back, reload the page "
                    "and submit the form again.")

    @app.errorhandler(404)
    def not_found(_):
        return page(404, "Page not found", "There is no page at this address.")

    @app.errorhandler(429)
    def too_many(_):
        return page(429, "Too many attempts", "Please wait a minute before trying again.")

    @app.errorhandler(SQLAlchemyError)
    def database_error(exc):
        db.session.rollback()
        app.log_exception(sys.exc_info())  # type and place only: the message may hold values
        return page(500, "Database error", "Nothing was saved. Please try again; "
                    "if it keeps happening, tell your administrator.")

    @app.errorhandler(500)
    def server_error(_):
        db.session.rollback()
        return page(500, "Something went wrong", "Nothing was saved. Please try again.")
