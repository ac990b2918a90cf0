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
    app.config["SQLALCHEMY_DATABASE_URI"] = config.normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"])
    register_extensions(app)
    register_blueprints(app)
    register_security_headers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    from rehab.extensions import csrf, db, limiter, login_manager, migrate
    from rehab import models

    db.init_app(app)
    migrate.init_app(app, db, directory=str(config.MIGRATIONS_DIR))
    limiter.init_app(app)  # before CSRF, so refused POSTs count towards the login limit too
    csrf.init_app(app)
    login_manager.init_app(app)

    from sqlalchemy.orm import joinedload

    # Every page shows the user's clinic: load it with the user, in one query by primary key.
    # Read on every request (no per-process copy), so a change to the user shows at once.
    user_by_id = (db.select(models.User).options(joinedload(models.User.clinic, innerjoin=True))
                  .where(models.User.id == db.bindparam("user_id")))

    @login_manager.user_loader
    def load_user(user_id: str):
        try:
            user_id = int(user_id)
        except ValueError:
            return None
        return db.session.execute(user_by_id, {"user_id": user_id}).scalar_one_or_none()


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

    @app.context_processor
    def _url_rules():
        return {"url_rules": app.view_functions}
    for name in ("portal", "admin", "api"):
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


def register_security_headers(app: Flask) -> None:
    csp = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
           "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", csp)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response


def register_commands(app: Flask) -> None:
    from rehab.cli import library_cli, users_cli, demo_command

    app.cli.add_command(library_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_command)
