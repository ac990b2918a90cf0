"""Fixtures shared by every test folder. Their names are stable: other conftest files build on them.

Database: TEST_DATABASE_URL if set (for example
postgresql://root@127.0.0.1:5432/test), else a SQLite file in a temporary folder.
The schema is built once per session by running the Alembic migrations
(flask_migrate.upgrade()); on PostgreSQL every table, alembic_version included,
is dropped first so runs repeat. Every table is emptied after each test that
used `app`. Nothing is skipped when TEST_DATABASE_URL is set: the database tests
run against PostgreSQL.

Fixtures:
  database_url    (session) the SQLAlchemy URL the tests use
  _migrated       (session) the same URL, once the migrations have run: depend on it to build
                  another app on the test database (as tests/browser's live_server does)
  _instance_path  (session) an empty instance folder; set REHAB_INSTANCE_PATH to it for such an app
  library         (session) the real exercises/ as {slug: rehab.library.Exercise}; no database
  app             create_app(rehab.config.TEST + the database URI); no context is pushed, so
                  use `with app.app_context():` around database code (as the Flask tutorial does)
  db              the Flask-SQLAlchemy extension (rehab.extensions.db), schema ready
  client          app.test_client()
  sql             `with sql() as seen:` records what the app's database runs inside the block:
                  seen.statements (the SQL texts) and seen.commits (a count)
  at_once         at_once([callable, ...]) -> their results in order: each in its own thread,
                  all started together (as several workers would); raises the first error
  concurrent_writers  skips the test on SQLite, which lets one connection write at a time by
                  itself: a test of writers racing each other needs PostgreSQL
  runner          app.test_cli_runner(), for `flask` commands
  make_user       make_user(email, role="clinician", clinic=None, password=..., name="") -> User
  user_password   TEST_PASSWORD, the password of every user made by these fixtures
  clinician       a clinician User of the default clinic, password TEST_PASSWORD
  admin           an admin User of the default clinic, password TEST_PASSWORD
  login           login(client, user, password=TEST_PASSWORD): logs in through POST /login
  loaded_library  the real library loaded into the database; returns {slug: Exercise}
  exercise_files  builder writing small exercise files into tmp_path (see ExerciseFiles)

Users come back detached from the session with their columns (and `clinic`)
loaded: read them freely; to change one, `db.session.get(User, user.id)` inside
an app context.
"""

from __future__ import annotations

import contextlib
import copy
import os
import threading
from types import SimpleNamespace
from pathlib import Path

import flask_migrate
import pytest
import yaml
from sqlalchemy import MetaData, event, inspect, text

from rehab import config, create_app
from rehab.extensions import db as _db

TEST_PASSWORD = "correct-horse-battery"


def _settings(url: str) -> dict:
    return {**config.TEST, "SQLALCHEMY_DATABASE_URI": url}


def _is_postgres(url: str) -> bool:
    return url.startswith("postgresql")


# ---------------------------------------------------------------- database


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return config.normalise_database_url(url)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


@pytest.fixture(scope="session")
def _instance_path(tmp_path_factory) -> Path:
    """An empty instance folder, so a developer's instance/config.py never leaks into tests."""
    return tmp_path_factory.mktemp("instance")


@pytest.fixture(scope="session")
def _migrated(database_url, _instance_path) -> str:
    """Run the migrations once per session on an empty database."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("REHAB_INSTANCE_PATH", str(_instance_path))
        app = create_app(_settings(database_url))
    with app.app_context():
        if _is_postgres(database_url):
            _drop_everything()
        flask_migrate.upgrade()
        _db.engine.dispose()
    return database_url


def _drop_everything() -> None:
    """Drop every table in the database, alembic_version included."""
    metadata = MetaData()
    with _db.engine.begin() as conn:
        metadata.reflect(bind=conn)
        metadata.drop_all(bind=conn)


def _empty_tables() -> None:
    existing = set(inspect(_db.engine).get_table_names())
    tables = [t for t in reversed(_db.metadata.sorted_tables) if t.name in existing]
    with _db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(conn.dialect.identifier_preparer.quote(t.name) for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


# ---------------------------------------------------------------- application


@pytest.fixture
def app(_migrated, _instance_path, monkeypatch):
    monkeypatch.setenv("REHAB_INSTANCE_PATH", str(_instance_path))
    app = create_app(_settings(_migrated))
    yield app
    with app.app_context():
        _db.session.remove()
        _empty_tables()
        for engine in _db.engines.values():
            engine.dispose()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def at_once():
    def run(targets: list) -> list:
        start, results, errors = threading.Barrier(len(targets), timeout=10), [None] * len(targets), []

        def go(i, target):
            try:
                start.wait()
                results[i] = target()
            except Exception as error:  # raised below, in the test's own thread
                errors.append(error)

        threads = [threading.Thread(target=go, args=(i, target)) for i, target in enumerate(targets)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        if errors:
            raise errors[0]
        return results

    return run


@pytest.fixture
def concurrent_writers(database_url):
    if not _is_postgres(database_url):
        pytest.skip("SQLite lets one connection write at a time by itself")


@pytest.fixture
def sql(app):
    @contextlib.contextmanager
    def recording():
        seen = SimpleNamespace(statements=[], commits=0)

        def statement(conn, cursor, text, *args):
            seen.statements.append(text)

        def commit(conn):
            seen.commits += 1

        with app.app_context():
            engine = _db.engine
        event.listen(engine, "before_cursor_execute", statement)
        event.listen(engine, "commit", commit)
        try:
            yield seen
        finally:
            event.remove(engine, "before_cursor_execute", statement)
            event.remove(engine, "commit", commit)

    return recording


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# ---------------------------------------------------------------- users


@pytest.fixture
def make_user(app):
    from rehab.cli import create_user

    def make(email: str, role: str = "clinician", clinic: str | None = None,
             password: str = TEST_PASSWORD, name: str = ""):
        with app.app_context():
            user = create_user(email, password, role, name, clinic_name=clinic)
            _db.session.refresh(user)
            _ = user.clinic  # load it before the session closes
            return user

    return make


@pytest.fixture
def user_password() -> str:
    return TEST_PASSWORD


@pytest.fixture
def clinician(make_user):
    return make_user("clinician@test.example", "clinician", name="Test Clinician")


@pytest.fixture
def admin(make_user):
    return make_user("admin@test.example", "admin", name="Test Admin")


@pytest.fixture
def login():
    def login(client, user, password: str = TEST_PASSWORD):
        response = client.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, f"login as {user.email} failed: {response.status_code}"
        return response

    return login


# ---------------------------------------------------------------- exercise library


@pytest.fixture(scope="session")
def library():
    from rehab.library import load_library

    return load_library(config.EXERCISES_DIR)


@pytest.fixture
def loaded_library(app, library):
    from rehab.catalog import load_into_db

    with app.app_context():
        load_into_db(library)
    return library


VALID_EXERCISE = {
    "id": "test_heel_dig",
    "name": "Test heel dig",
    "category": "isometric",
    "tags": ["supine_position"],
    "targets": ["hamstrings at mid length"],
    "equipment": ["mat"],
    "suits": {"hamstring_strain": ["P1", "P2"]},
    "dosage": {"sets": 2, "reps": 10, "hold_s": 5, "per_day": 2, "effort": "easy, pain at most 2/10"},
    "steps": [
        "Lie on your back with one knee bent.",
        "Press the heel gently into the floor.",
        "Hold, then relax fully.",
    ],
    "evidence": ["S-01"],
    "figure": {
        "start": {"body": "supine", "hip": 45, "knee": 90},
        "end": {"body": "supine", "hip": 45, "knee": 90},
        "move": "foot",
        "props": ["mat"],
    },
}


class ExerciseFiles:
    """Write small exercise files into a folder. `data()` is a valid exercise with changes;
    a change to MISSING removes the field. `write()` saves it as <slug>.yaml (plain YAML,
    not the canonical form: use rehab.library.dump_exercise for that)."""

    MISSING = object()

    def __init__(self, directory: Path):
        self.dir = directory
        self.dir.mkdir(parents=True, exist_ok=True)

    def data(self, slug: str = "test_heel_dig", **changes) -> dict:
        data = copy.deepcopy(VALID_EXERCISE)
        data["id"] = slug
        for key, value in changes.items():
            if value is self.MISSING:
                data.pop(key, None)
            else:
                data[key] = value
        return data

    def write(self, slug: str = "test_heel_dig", filename: str | None = None, **changes) -> Path:
        path = self.dir / (filename or f"{slug}.yaml")
        path.write_text(yaml.safe_dump(self.data(slug, **changes), sort_keys=False,
                                       allow_unicode=True), encoding="utf-8")
        return path

    def write_text(self, filename: str, content: str) -> Path:
        path = self.dir / filename
        path.write_text(content, encoding="utf-8")
        return path


@pytest.fixture
def exercise_files(tmp_path) -> ExerciseFiles:
    return ExerciseFiles(tmp_path / "exercises")


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite tests/planner/golden/plans.json from the current planner")
