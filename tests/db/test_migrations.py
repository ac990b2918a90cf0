"""The Alembic migrations: down to nothing and up again on the test database, and no drift."""

from __future__ import annotations

import flask_migrate
import pytest
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


@pytest.mark.filterwarnings("ignore:.*expression-based index")
def test_models_match_migrations(app, db):
    """A model change without a migration fails here: `flask db migrate` would find a difference.
    (Autogenerate cannot compare indexes on expressions: the next test checks those.)"""
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


def test_expression_indexes_exist_with_their_columns(app, db):
    """The patient-list indexes on lower(...) that autogenerate skips: each model index is
    in the migrated database, over the same columns and expressions in the same order."""
    def normal(sql: str) -> str:
        drop = str.maketrans("", "", '"() \t\n')  # PostgreSQL writes lower((name)::text)
        return sql.lower().replace('collate "c"', "").replace("::text", "").translate(drop)

    with app.app_context(), db.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            rows = conn.exec_driver_sql(
                "select name, sql from sqlite_master where type = 'index' and tbl_name = 'patient'").all()
        else:
            rows = conn.exec_driver_sql(
                "select indexname, indexdef from pg_indexes where tablename = 'patient'").all()
        found = {name: normal(sql) for name, sql in rows if sql}
        indexes = [i for i in db.metadata.tables["patient"].indexes if i.name.startswith("ix_patient_clinic")]
        assert len(indexes) == 2  # the list order, and that order within a date of birth
        for index in indexes:
            assert index.name in found, index.name
            definition, at = found[index.name], 0
            for expression in index.expressions:
                part = normal(str(expression.compile(conn)).replace("patient.", ""))
                at = definition.find(part, at)
                assert at >= 0, (index.name, part, definition)
