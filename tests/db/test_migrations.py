"""The Alembic migrations: down to nothing and up again on the test database, and no drift."""

from __future__ import annotations

import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect


def _tables(db) -> set[str]:
    return set(inspect(db.engine).get_table_names())


def test_migrations_down_and_up(app, db):
    expected = {t.name for t in db.metadata.sorted_tables}
    with app.app_context():
        db.session.remove()
        assert expected <= _tables(db)
        try:
            flask_migrate.downgrade(revision="base")
            assert _tables(db) - {"alembic_version"} == set()
        finally:
            flask_migrate.upgrade()
        assert expected <= _tables(db)


def test_models_match_migrations(app, db):
    """A model change without a migration fails here: `flask db migrate` would find a difference."""
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []
