"""The `flask` commands: library check/load/export, users, demo."""

from __future__ import annotations

import pytest

from rehab import config
from rehab.catalog import library_from_db
from rehab.cli import DEMO_USERS
from rehab.extensions import db
from rehab.library import dump_exercise, load_library
from rehab.models import Exercise, User


def _user(app, email):
    with app.app_context():
        return db.session.execute(db.select(User).filter_by(email=email)).scalar_one_or_none()


# ---------------------------------------------------------------- library


def test_check_real_library(runner, library):
    result = runner.invoke(args=["library", "check"])
    assert result.exit_code == 0, result.output
    assert f"{len(library)} exercises OK" in result.stdout


def test_check_reports_every_problem_and_fails(runner, exercise_files):
    one = exercise_files.write("test_one", category="stretching")
    two = exercise_files.write("test_two", easier="missing_one")
    result = runner.invoke(args=["library", "check", str(exercise_files.dir)])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{one}:") and ": category: " in lines[0]
    assert lines[1].startswith(f"{two}:") and ": easier: " in lines[1]
    assert result.stdout == ""


def test_load_upserts_and_reports_counts(app, runner, exercise_files):
    exercise_files.write("test_one")
    exercise_files.write("test_two")
    result = runner.invoke(args=["library", "load", str(exercise_files.dir)])
    assert result.exit_code == 0, result.output
    assert "2 created, 0 updated, 0 unchanged" in result.stdout
    exercise_files.write("test_two", name="Second, renamed")
    result = runner.invoke(args=["library", "load", str(exercise_files.dir)])
    assert "0 created, 1 updated, 1 unchanged" in result.stdout


def test_load_refuses_a_broken_library(app, runner, exercise_files):
    exercise_files.write("test_one")
    exercise_files.write("test_two", colour="red")
    result = runner.invoke(args=["library", "load", str(exercise_files.dir)])
    assert result.exit_code == 1
    assert "colour: unknown field" in result.stderr
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Exercise)) == 0


def test_load_then_export_is_byte_identical(runner, exercise_files, tmp_path):
    exercise = load_library(exercise_files.write("test_one").parent)["test_one"]
    exercise_files.write_text("test_one.yaml", dump_exercise(exercise))  # canonical form
    exercise_files.write("test_two", harder="test_one", tags=["prone_position", "impact"])
    exercise_files.write_text("test_two.yaml", dump_exercise(load_library(exercise_files.dir)["test_two"]))
    assert runner.invoke(args=["library", "load", str(exercise_files.dir)]).exit_code == 0
    out = tmp_path / "export"
    result = runner.invoke(args=["library", "export", str(out)])
    assert result.exit_code == 0, result.output
    for name in ("test_one.yaml", "test_two.yaml"):
        assert (out / name).read_bytes() == (exercise_files.dir / name).read_bytes()


def test_load_keeps_browser_edits_unless_told(app, runner, admin, exercise_files):
    """`make run` loads the files at every start: an admin's edit must survive that."""
    from rehab.admin.operations import update_exercise

    exercise_files.write("test_one")
    exercise_files.write("test_two")
    assert runner.invoke(args=["library", "load", str(exercise_files.dir)]).exit_code == 0
    with app.app_context():
        edited = load_library(exercise_files.dir)["test_one"].model_copy(update={"name": "Clinic wording"})
        row = db.session.execute(db.select(Exercise).filter_by(slug="test_one")).scalar_one()
        update_exercise(row, edited, loaded_version=row.version, user_id=admin.id)
    exercise_files.write("test_two", name="Changed in the file")

    result = runner.invoke(args=["library", "load", str(exercise_files.dir)])
    assert result.exit_code == 0, result.output
    assert "1 updated" in result.stdout and "kept 1 exercise(s) edited in the browser" in result.stdout
    assert "test_one" in result.stdout and "--overwrite-edits" in result.stdout
    with app.app_context():
        names = {slug: e.name for slug, e in library_from_db().items()}
    assert names == {"test_one": "Clinic wording", "test_two": "Changed in the file"}

    result = runner.invoke(args=["library", "load", "--overwrite-edits", str(exercise_files.dir)])
    assert result.exit_code == 0 and "kept" not in result.stdout
    with app.app_context():
        assert library_from_db()["test_one"].name == load_library(exercise_files.dir)["test_one"].name


def test_real_library_load_then_export_is_byte_identical(runner, library, tmp_path):
    result = runner.invoke(args=["library", "load"])
    assert result.exit_code == 0, result.output
    assert f"{len(library)} created" in result.stdout
    assert f"{len(library)} unchanged" in runner.invoke(args=["library", "load"]).stdout
    out = tmp_path / "export"
    assert runner.invoke(args=["library", "export", str(out)]).exit_code == 0
    originals = sorted(config.EXERCISES_DIR.glob("*.yaml"))
    assert sorted(p.name for p in out.glob("*.yaml")) == [p.name for p in originals]
    for path in originals:
        assert (out / path.name).read_bytes() == path.read_bytes(), path.name


# ---------------------------------------------------------------- users


def test_users_add_password_stdin(app, runner):
    result = runner.invoke(args=["users", "add", "New.Admin@Example.org", "--role", "admin",
                                 "--password-stdin"], input="a-long-passphrase\n")
    assert result.exit_code == 0, result.output
    user = _user(app, "new.admin@example.org")
    assert user.role == "admin" and user.is_admin
    assert user.check_password("a-long-passphrase")


def test_users_add_prompts_for_password(app, runner):
    result = runner.invoke(args=["users", "add", "clin@example.org"],
                           input="prompted-passphrase\nprompted-passphrase\n")
    assert result.exit_code == 0, result.output
    user = _user(app, "clin@example.org")
    assert user.role == "clinician"
    assert user.check_password("prompted-passphrase")


def test_users_add_refuses_an_existing_email(app, runner):
    """Finding 11: `users add` on an existing email used to change its role and clinic silently."""
    runner.invoke(args=["users", "add", "a@example.org", "--password-stdin"], input="first-passphrase\n")
    result = runner.invoke(args=["users", "add", "A@example.org", "--role", "admin", "--password-stdin"],
                           input="second-passphrase\n")
    assert result.exit_code == 2
    assert "already has an account" in result.stderr and "--reset-password" in result.stderr
    user = _user(app, "a@example.org")
    assert user.role == "clinician" and user.check_password("first-passphrase")


def test_users_add_reset_password_changes_only_the_password(app, runner):
    runner.invoke(args=["users", "add", "a@example.org", "--password-stdin"], input="first-passphrase\n")
    result = runner.invoke(args=["users", "add", "a@example.org", "--role", "admin", "--reset-password",
                                 "--password-stdin"], input="second-passphrase\n")
    assert result.exit_code == 0, result.output
    user = _user(app, "a@example.org")
    assert user.role == "clinician" and user.check_password("second-passphrase")
    assert user.session_version == 2


def test_users_reset_password_of_unknown_user(app, runner):
    result = runner.invoke(args=["users", "add", "nobody@example.org", "--reset-password", "--password-stdin"],
                           input="second-passphrase\n")
    assert result.exit_code == 2 and "no user has the email" in result.stderr


def test_users_set_role_and_clinic(app, runner):
    runner.invoke(args=["users", "add", "a@example.org", "--password-stdin"], input="first-passphrase\n")
    assert runner.invoke(args=["users", "set-role", "a@example.org", "admin"]).exit_code == 0
    result = runner.invoke(args=["users", "set-clinic", "a@example.org", "North clinic"])
    assert result.exit_code == 2 and "no clinic called 'North clinic'" in result.stderr
    result = runner.invoke(args=["users", "set-clinic", "a@example.org", "North clinic", "--create"])
    assert result.exit_code == 0, result.output
    user = _user(app, "a@example.org")
    with app.app_context():
        from rehab.models import AuditEntry, Clinic

        assert user.role == "admin" and db.session.get(Clinic, user.clinic_id).name == "North clinic"
        actions = [e.action for e in db.session.execute(db.select(AuditEntry).order_by(AuditEntry.id)).scalars()]
    assert actions == ["user_create", "user_role", "user_clinic"]


def test_users_deactivate_and_activate(app, runner, client):
    runner.invoke(args=["users", "add", "a@example.org", "--password-stdin"], input="first-passphrase\n")
    assert runner.invoke(args=["users", "deactivate", "a@example.org"]).exit_code == 0
    data = {"email": "a@example.org", "password": "first-passphrase"}
    assert client.post("/login", data=data).status_code == 200
    assert runner.invoke(args=["users", "activate", "a@example.org"]).exit_code == 0
    assert client.post("/login", data=data).status_code == 302


@pytest.mark.parametrize("args, stdin, message", [
    (["--role", "owner"], "a-long-passphrase\n", "'owner' is not one of"),
    ([], "eleven char\n", "at least 12 characters (this one has 11)"),
    ([], "", "at least 12 characters"),
    ([], "password1234\n", "too common"),
    ([], "12345678\n", "at least 12 characters"),
    ([], " " * 12 + "\n", "too easy to guess"),
])
def test_users_add_refuses(app, runner, args, stdin, message):
    result = runner.invoke(args=["users", "add", "x@example.org", "--password-stdin", *args], input=stdin)
    assert result.exit_code == 2
    assert message in result.stderr
    assert _user(app, "x@example.org") is None


def test_users_add_accepts_twelve_characters(app, runner):
    result = runner.invoke(args=["users", "add", "x@example.org", "--password-stdin"], input="twelve chars\n")
    assert result.exit_code == 0, result.output


def test_added_user_can_log_in(app, runner, client):
    runner.invoke(args=["users", "add", "c@example.org", "--password-stdin"], input="a-long-passphrase\n")
    response = client.post("/login", data={"email": "c@example.org", "password": "a-long-passphrase"})
    assert response.status_code == 302


def test_demo_creates_users_and_prints_logins(app, runner):
    from rehab.passwords import password_problem

    for _ in range(2):  # run twice: `make run` runs it every time
        result = runner.invoke(args=["demo"])
        assert result.exit_code == 0, result.output
    for email, password, role, _ in DEMO_USERS:
        assert password_problem(password) is None
        assert f"{email}  /  {password}" in result.stdout
        user = _user(app, email)
        assert user.role == role and user.check_password(password)
    assert "left unchanged" in result.stdout  # the second run changes no account
