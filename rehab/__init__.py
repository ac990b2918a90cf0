"""rehab: a rehabilitation exercise-program planner for posterior thigh pain."""

from __future__ import annotations

import os

from typing import TYPE_CHECKING

from rehab import config

if TYPE_CHECKING:
    from flask import Flask


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application; reads as a table of contents and has no side effects."""
    from flask import Flask

    app = Flask(__name__, instance_path=os.environ.get("REHAB_INSTANCE_PATH") or None,
                instance_relative_config=True,
                template_folder=str(config.TEMPLATES_DIR), static_folder=str(config.STATIC_DIR))
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(config.defaults(app.instance_path))
    app.config.from_pyfile("config.py", silent=True)
    if test_config:
        app.config.update(test_config)
    app.config["SECRET_KEY"] = app.config.get("SECRET_KEY") or config.secret_key(app.instance_path)
    config.check_secret_key(app.config["SECRET_KEY"], app.testing)
    app.config["SQLALCHEMY_DATABASE_URI"] = config.normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"])
    from rehab import bounds

    register_proxy(app)
    register_logging(app)  # first: every request, refused ones too, gets its id
    bounds.register(app)  # before the blueprints: their routes use its <int:...>
    register_extensions(app)
    register_blueprints(app)
    register_security_headers(app)
    register_commands(app)
    return app


def register_proxy(app: Flask) -> None:
    """Trust X-Forwarded-For/-Proto from exactly PROXY_HOPS proxies (none by default): the
    login limit counts per client address, which a client could otherwise choose."""
    hops = app.config["PROXY_HOPS"]
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def register_extensions(app: Flask) -> None:
    from rehab.extensions import csrf, db, login_manager, migrate
    from rehab import dbpool, models

    db.init_app(app)
    with app.app_context():
        dbpool.ping_after_idle(db.engine)
    migrate.init_app(app, db, directory=str(config.MIGRATIONS_DIR))
    csrf.init_app(app)
    login_manager.init_app(app)

    from sqlalchemy.orm import joinedload

    # Every page shows the user's clinic: load it with the user, in one query by primary key.
    # Read on every request (no per-process copy), so a change to the user shows at once.
    user_by_id = (db.select(models.User).options(joinedload(models.User.clinic, innerjoin=True))
                  .where(models.User.id == db.bindparam("user_id")))

    @login_manager.user_loader
    def load_user(user_id: str):
        """The session's user, unless the session was signed before the user's sessions were
        ended (logout everywhere, a new password, deactivation)."""
        from flask import session

        try:
            user_id = int(user_id)
        except ValueError:
            return None
        if not 0 < user_id < 2**31:
            return None
        user = db.session.execute(user_by_id, {"user_id": user_id}).scalar_one_or_none()
        if user is None or session.get("sv") != user.session_version:
            return None
        return user


def register_blueprints(app: Flask) -> None:
    from rehab import auth, errors

    app.register_blueprint(auth.bp)
    errors.register(app)

    @app.route("/")
    def index():
        from flask import redirect, url_for

        if "portal.patients" in app.view_functions:
            return redirect(url_for("portal.patients"))
        return redirect(url_for("portal.library"))

    @app.route("/favicon.ico")
    def favicon():
        """Browsers ask for it at the root whatever the page says; public, like /static."""
        return app.send_static_file("favicon.ico")

    from rehab import figure_images

    figure_images.register(app)

    @app.context_processor
    def _url_rules():
        return {"url_rules": app.view_functions}
    for name in ("portal", "admin", "accounts", "api", "mine"):
        module = _optional_blueprint(name)
        if module is not None:
            app.register_blueprint(module.bp)


def _optional_blueprint(name: str):
    import importlib

    try:
        module = importlib.import_module(f"rehab.{name}")
    except ModuleNotFoundError as exc:  # blueprint not built yet
        if exc.name != f"rehab.{name}":
            raise
        return None
    return module if hasattr(module, "bp") else None


PUBLIC_ASSETS = {"static", "figure_image"}  # endpoints that never answer patient data: browsers may keep them


def register_security_headers(app: Flask) -> None:
    csp = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
           "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")

    from flask import request
    from flask.sessions import SecureCookieSessionInterface

    class SessionInterface(SecureCookieSessionInterface):
        """The signed-cookie session, never refreshed by a public asset: a picture a shared
        cache may keep must not carry anyone's session (the idle timer runs on pages only)."""

        def save_session(self, app, session, response) -> None:
            if request.endpoint not in PUBLIC_ASSETS:  # nor "Vary: Cookie", which splits caches per visitor
                super().save_session(app, session, response)

    app.session_interface = SessionInterface()

    @app.after_request
    def _headers(response):
        if request.endpoint not in PUBLIC_ASSETS or response.status_code >= 400:
            # pages, PDFs and API answers may hold patient data: no browser or proxy keeps a copy
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
        if app.config["HTTPS"]:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        response.headers.setdefault("Content-Security-Policy", csp)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response


def register_logging(app: Flask) -> None:
    """A request id on every request (X-Request-ID), and error logs that carry it with the
    route and the exception's type and place, never its message or form values (which may
    hold patient data)."""
    import re
    import traceback
    import uuid

    from flask import g, request

    @app.before_request
    def _request_id():
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if re.fullmatch(r"[A-Za-z0-9._-]{1,64}", given) else uuid.uuid4().hex

    @app.after_request
    def _request_id_header(response):
        if "request_id" in g:
            response.headers["X-Request-ID"] = g.request_id
        return response

    def log_exception(exc_info) -> None:
        exc_type, _, tb = exc_info
        where = " < ".join(f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno} {frame.name}"
                           for frame in reversed(traceback.extract_tb(tb)[-6:]))
        app.logger.error("request %s %s %s: %s at %s", g.get("request_id", "-"), request.method,
                         request.url_rule.rule if request.url_rule else "(no route)",
                         exc_type.__name__ if exc_type else "error", where)

    app.log_exception = log_exception


def register_commands(app: Flask) -> None:
    from rehab.cli import demo_command, library_cli, patients_cli, users_cli

    app.cli.add_command(library_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(patients_cli)
    app.cli.add_command(demo_command)
