"""The `flask --app rehab ...` commands (the contract CLI is in rehab/__main__.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup, with_appcontext

# ---------------------------------------------------------------- flask commands

library_cli = AppGroup("library", help="Check, load and export the exercise library.")
users_cli = AppGroup("users", help="Manage user accounts.")


def _library_dir(directory: Path | None) -> Path:
    """The directory given on the command line, else the app's EXERCISES_DIR."""
    from flask import current_app

    return directory or Path(current_app.config["EXERCISES_DIR"])


def _load_or_exit(directory: Path) -> dict:
    """Load and check every exercise file, or print one line per problem and exit 1."""
    from rehab.library.loader import LibraryError, load_library

    try:
        return load_library(directory)
    except LibraryError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise SystemExit(1) from None


@library_cli.command("check")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
def library_check(directory: Path | None):
    """Validate every exercise file; exit 1 with one line per problem."""
    directory = _library_dir(directory)
    exercises = _load_or_exit(directory)
    click.echo(f"{len(exercises)} exercises OK in {directory}")


@library_cli.command("load")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--overwrite-edits", is_flag=True,
              help="also replace exercises that an admin has changed in the browser")
@with_appcontext
def library_load(directory: Path | None, overwrite_edits: bool):
    """Upsert the exercise files into the database by slug, keeping admins' browser edits."""
    from rehab.catalog import load_into_db

    counts = load_into_db(_load_or_exit(_library_dir(directory)), overwrite_edits=overwrite_edits)
    click.echo("library: {created} created, {updated} updated, {unchanged} unchanged".format(**counts))
    if counts["kept"]:
        click.echo(f"kept {len(counts['kept'])} exercise(s) edited in the browser, not the file: "
                   f"{', '.join(counts['kept'])}\n(`library export DIR` writes them out to compare; "
                   "`library load --overwrite-edits` replaces them with the files)")


@library_cli.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def library_export(directory: Path):
    """Write the database library back to files in the exercises/ format."""
    from rehab.catalog import library_from_db
    from rehab.library.loader import dump_exercise

    directory.mkdir(parents=True, exist_ok=True)
    exercises = library_from_db(include_retired=True)
    for slug, exercise in exercises.items():
        (directory / f"{slug}.yaml").write_text(dump_exercise(exercise), encoding="utf-8")
    click.echo(f"{len(exercises)} exercises written to {directory}")


def _clinic(name: str):
    from rehab.extensions import db
    from rehab.models import Clinic

    clinic = db.session.execute(db.select(Clinic).filter_by(name=name)).scalar_one_or_none()
    if clinic is None:
        from flask import current_app

        first = current_app.config["CLINIC_DEFAULTS"]  # REHAB_CLINIC_*: the installation's own clinic
        clinic = Clinic(**first) if name == first["name"] else Clinic(name=name)
        db.session.add(clinic)
        db.session.flush()
    return clinic


def create_user(email: str, password: str, role: str, name: str = "", clinic_name: str | None = None):
    """Create or update a user (the one place the CLI, the demo and the tests make users)."""
    from flask import current_app

    from rehab.extensions import db
    from rehab.models import ROLES, User

    if role not in ROLES:
        raise click.BadParameter(f"role must be one of {', '.join(ROLES)}", param_hint="--role")
    if len(password) < 8:
        raise click.BadParameter("password must have at least 8 characters", param_hint="password")
    email = email.strip().lower()
    clinic = _clinic(clinic_name or current_app.config["CLINIC_NAME"])
    user = db.session.execute(db.select(User).filter_by(email=email)).scalar_one_or_none()
    if user is None:
        user = User(email=email)
        db.session.add(user)
    user.role, user.name, user.clinic_id = role, name or email.split("@")[0], clinic.id
    user.set_password(password)
    db.session.commit()
    return user


@users_cli.command("add")
@click.argument("email")
@click.option("--role", type=click.Choice(["admin", "clinician"]), default="clinician", show_default=True)
@click.option("--name", default="", help="display name")
@click.option("--password-stdin", is_flag=True, help="read the password from standard input")
@with_appcontext
def users_add(email: str, role: str, name: str, password_stdin: bool):
    """Create a user (or reset an existing user's password and role)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    create_user(email, password, role, name)
    click.echo(f"user {email.strip().lower()} ({role}) saved")


DEMO_USERS = (
    ("clinician@example.org", "demo-clinician", "clinician", "Demo Clinician"),
    ("admin@example.org", "demo-admin-pass", "admin", "Demo Admin"),
)


@click.command("demo")
@with_appcontext
def demo_command():
    """Create the demo clinician and admin and print their logins."""
    for email, password, role, name in DEMO_USERS:
        create_user(email, password, role, name)
    click.echo("Demo logins (change them before real use):")
    for email, password, role, _ in DEMO_USERS:
        click.echo(f"  {role:9}  {email}  /  {password}")
