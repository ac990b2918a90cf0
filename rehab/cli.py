"""Command line: `python -m rehab plan ...` (the contract) and the `flask` commands."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup, with_appcontext

from rehab.config import EXERCISES_DIR

# ---------------------------------------------------------------- python -m rehab


def _read_intake(source: str) -> object:
    text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    return json.loads(text)


def plan_command(args: argparse.Namespace) -> int:
    from rehab.library.loader import LibraryError, load_library
    from rehab.planner import IntakeError, make_plan, parse_intake

    try:
        raw = _read_intake(args.input)
    except FileNotFoundError:
        print(f"error: input: no such file: {args.input}", file=sys.stderr)
        return 2
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        print(f"error: input: not valid JSON: {exc}", file=sys.stderr)
        return 2
    try:
        intake = parse_intake(raw)
    except IntakeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        library = load_library(Path(args.library))
    except LibraryError as exc:
        print(f"error: exercise library is invalid:\n{exc}", file=sys.stderr)
        return 1
    plan = make_plan(intake, library)
    if args.pdf:
        from rehab.pdf import PrintDetails, render_plan, render_referral_letter

        details = PrintDetails.for_cli(plan, intake) if hasattr(PrintDetails, "for_cli") else PrintDetails()
        if plan.allowed:
            figures = {i.exercise_id: library[i.exercise_id].figure for p in plan.phases for i in p.items}
            data = render_plan(plan, details, figures)
        else:
            data = render_referral_letter(plan, details, raw.get("findings") if isinstance(raw, dict) else None)
        Path(args.pdf).write_bytes(data)
    if args.json or not args.pdf:
        json.dump(plan.to_dict(), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rehab", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    plan = sub.add_parser("plan", help="build a plan from an intake JSON file")
    plan.add_argument("--input", required=True, help="intake JSON file, or - for standard input")
    plan.add_argument("--json", action="store_true", help="print the plan as JSON on stdout")
    plan.add_argument("--pdf", metavar="OUT", help="write the printable plan (or referral letter)")
    plan.add_argument("--library", default=str(EXERCISES_DIR), help=argparse.SUPPRESS)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad usage, which matches the contract
        return int(exc.code or 0)
    try:
        return plan_command(args)
    except Exception as exc:  # noqa: BLE001 - the contract: exit 1, never a traceback
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


# ---------------------------------------------------------------- flask commands

library_cli = AppGroup("library", help="Check, load and export the exercise library.")
users_cli = AppGroup("users", help="Manage user accounts.")


@library_cli.command("check")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
def library_check(directory: Path | None):
    """Validate every exercise file; exit 1 with one line per problem."""
    from rehab.library.loader import LibraryError, load_library

    directory = directory or EXERCISES_DIR
    try:
        exercises = load_library(directory)
    except LibraryError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise SystemExit(1)
    click.echo(f"{len(exercises)} exercises OK in {directory}")


@library_cli.command("load")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def library_load(directory: Path | None):
    """Upsert the exercise files into the database by slug."""
    from rehab.catalog import load_into_db
    from rehab.library.loader import LibraryError, load_library

    try:
        exercises = load_library(directory or EXERCISES_DIR)
    except LibraryError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise SystemExit(1)
    counts = load_into_db(exercises)
    click.echo("library: {created} created, {updated} updated, {unchanged} unchanged".format(**counts))


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
        clinic = Clinic(name=name)
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
        password = sys.stdin.readline().rstrip("\n")
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
