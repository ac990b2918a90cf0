"""The `flask --app rehab ...` commands (the contract CLI is in rehab/__main__.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup, with_appcontext

# ---------------------------------------------------------------- flask commands

library_cli = AppGroup("library", help="Check, load and export the exercise library.")
users_cli = AppGroup("users", help="Manage user accounts.")
patients_cli = AppGroup("patients", help="A patient's rights: export or erase the whole record.")


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


def create_user(email: str, password: str, role: str, name: str = "", clinic_name: str | None = None):
    """Create a user (the demo and the tests), or exit 2 naming what was refused."""
    from rehab import users

    try:
        return users.create(email, password, role, name, clinic_name)
    except users.UserError as exc:
        raise click.BadParameter(exc.message, param_hint=exc.field) from None


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def _existing_user(email: str):
    from rehab import users

    user = users.find(email)
    if user is None:
        raise click.BadParameter(f"no user has the email {email.strip().lower()}", param_hint="EMAIL")
    return user


def _apply(change, *args, **kwargs) -> None:
    from rehab import users

    try:
        change(*args, **kwargs)
    except users.UserError as exc:
        raise click.BadParameter(exc.message, param_hint=exc.field) from None


@users_cli.command("add")
@click.argument("email")
@click.option("--role", type=click.Choice(["admin", "clinician"]), default="clinician", show_default=True)
@click.option("--name", default="", help="display name")
@click.option("--clinic", default=None, help="clinic name (default: REHAB_CLINIC_NAME)")
@click.option("--password-stdin", is_flag=True, help="read the password from standard input")
@click.option("--reset-password", is_flag=True,
              help="the user exists: give them this password (role and clinic stay as they are)")
@with_appcontext
def users_add(email: str, role: str, name: str, clinic: str | None, password_stdin: bool, reset_password: bool):
    """Create a user; an existing email is refused unless --reset-password."""
    from rehab import users

    email = email.strip().lower()
    existing = users.find(email)
    if reset_password and existing is None:
        raise click.BadParameter(f"no user has the email {email}", param_hint="EMAIL")
    if existing is not None and not reset_password:
        raise click.BadParameter(f"{email} already has an account: add --reset-password to give it a new "
                                 "password; `users set-role` and `users set-clinic` change the rest",
                                 param_hint="EMAIL")
    password = _read_password(password_stdin)
    if existing is not None:
        _apply(users.reset_password, existing, password)
        click.echo(f"user {email}: new password set; their sessions are ended")
        return
    create_user(email, password, role, name, clinic)
    click.echo(f"user {email} ({role}) saved")


@users_cli.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice(["admin", "clinician"]))
@with_appcontext
def users_set_role(email: str, role: str):
    """Change a user's role (ends their sessions)."""
    from rehab import users

    _apply(users.set_role, _existing_user(email), role)
    click.echo(f"user {email.strip().lower()}: role {role}")


@users_cli.command("set-clinic")
@click.argument("email")
@click.argument("clinic")
@click.option("--create", is_flag=True, help="create the clinic if there is none of that name")
@with_appcontext
def users_set_clinic(email: str, clinic: str, create: bool):
    """Move a user to another clinic (ends their sessions)."""
    from rehab import users

    _apply(users.set_clinic, _existing_user(email), clinic, create_clinic=create)
    click.echo(f"user {email.strip().lower()}: clinic {clinic}")


@users_cli.command("deactivate")
@click.argument("email")
@with_appcontext
def users_deactivate(email: str):
    """Stop a user from logging in; ends their sessions at once."""
    from rehab import users

    _apply(users.set_active, _existing_user(email), False)
    click.echo(f"user {email.strip().lower()} deactivated")


@users_cli.command("activate")
@click.argument("email")
@with_appcontext
def users_activate(email: str):
    from rehab import users

    _apply(users.set_active, _existing_user(email), True)
    click.echo(f"user {email.strip().lower()} activated")


def _patient(patient_id: int):
    from rehab.extensions import db
    from rehab.models import Patient

    patient = db.session.get(Patient, patient_id) if 0 < patient_id < 2**31 else None
    if patient is None:
        raise click.BadParameter(f"no patient has the id {patient_id}", param_hint="ID")
    return patient


@patients_cli.command("export")
@click.argument("patient_id", metavar="ID", type=int)
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@with_appcontext
def patients_export(patient_id: int, file: Path):
    """Write the patient's whole record (details, every version's JSON and PDF) to a zip FILE."""
    from flask import current_app

    from rehab.portal.records import export_zip

    data = export_zip(_patient(patient_id), None)
    file.write_bytes(data)
    click.echo(f"patient {patient_id}: record written to {file} ({len(data) // 1024 + 1} KB)")


@patients_cli.command("erase")
@click.argument("patient_id", metavar="ID", type=int)
@click.option("--yes", is_flag=True, help="really erase (required: it cannot be undone)")
@with_appcontext
def patients_erase(patient_id: int, yes: bool):
    """Erase the patient, their plans and drafts for good; the audit trail keeps the ids only."""
    from rehab.portal.records import erase

    patient = _patient(patient_id)
    if not yes:
        raise click.UsageError("erasing cannot be undone: add --yes to erase patient "
                               f"{patient_id} (export it first if the patient asked for a copy)")
    counts = erase(patient, None)
    click.echo(f"patient {patient_id} erased with {counts['plans']} plan(s) and {counts['versions']} version(s)")


DEMO_USERS = (
    ("clinician@example.org", "demo-clinician", "clinician", "Demo Clinician"),
    ("admin@example.org", "demo-admin-pass", "admin", "Demo Admin"),
)


@click.command("demo")
@with_appcontext
def demo_command():
    """Create the demo clinician and admin (once: an existing account is left as it is) and
    print their logins."""
    from rehab import users

    click.echo("Demo logins (change them before real use):")
    for email, password, role, name in DEMO_USERS:
        kept = users.find(email) is not None
        if not kept:
            create_user(email, password, role, name)
        click.echo(f"  {role:9}  {email}  /  {password}" + ("   (already there: left unchanged)" if kept else ""))
