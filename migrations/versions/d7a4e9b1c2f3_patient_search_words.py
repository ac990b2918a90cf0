"""patient search words: the names and reference folded (no case, no accents), word by word

Adds patient.search_words (rehab.models.search_words), fills it for the patients already
there and indexes it (on PostgreSQL a pg_trgm GIN index, which LIKE '% word%' reads); the
search no longer reads the first-name and reference indexes, which go.

Revision ID: d7a4e9b1c2f3
Revises: d5e6f7a8b9c0
Create Date: 2026-12-05 22:55:00.000000

"""
import re
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd7a4e9b1c2f3'
down_revision = 'd5e6f7a8b9c0'
branch_labels = None
depends_on = None


def _search_words(*texts):
    """rehab.models.search_words as of this revision (a migration does not follow later code)."""
    words = []
    for run in " ".join(t or "" for t in texts).split():
        folded = "".join(ch for ch in unicodedata.normalize("NFKD", run)
                         if not unicodedata.combining(ch)).casefold()
        parts = re.findall(r"[^\W_]+", folded)
        words += parts + (["".join(parts)] if len(parts) > 1 else [])
    return "".join(f" {w}" for w in dict.fromkeys(words))


def _lower(column):
    collate = ' COLLATE "C"' if op.get_context().dialect.name == 'postgresql' else ''
    return sa.text(f'lower({column}){collate}')


def upgrade():
    op.add_column('patient', sa.Column('search_words', sa.Text(), server_default='', nullable=False))
    patient = sa.table('patient', sa.column('id', sa.Integer), sa.column('first_name', sa.String),
                       sa.column('last_name', sa.String), sa.column('reference', sa.String),
                       sa.column('search_words', sa.Text))
    connection = op.get_bind()
    rows = connection.execute(sa.select(patient.c.id, patient.c.first_name, patient.c.last_name,
                                        patient.c.reference)).all()
    if rows:
        connection.execute(patient.update().where(patient.c.id == sa.bindparam('row_id'))
                           .values(search_words=sa.bindparam('words')),
                           [{'row_id': r.id, 'words': _search_words(r.first_name, r.last_name, r.reference)}
                            for r in rows])
    if op.get_context().dialect.name == 'postgresql':  # pg_trgm is a trusted extension (PostgreSQL 13+)
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    op.create_index('ix_patient_search_words', 'patient', ['search_words'], unique=False,
                    postgresql_using='gin', postgresql_ops={'search_words': 'gin_trgm_ops'})
    op.drop_index('ix_patient_clinic_reference', table_name='patient')
    op.drop_index('ix_patient_clinic_first_name', table_name='patient')


def downgrade():
    op.drop_index('ix_patient_search_words', table_name='patient')
    op.create_index('ix_patient_clinic_first_name', 'patient', ['clinic_id', _lower('first_name')], unique=False)
    op.create_index('ix_patient_clinic_reference', 'patient', ['clinic_id', _lower('reference')], unique=False)
    # plain ALTER (SQLite 3.35+ too): a batch copy of the table would lose its expression indexes
    op.execute('ALTER TABLE patient DROP COLUMN search_words')
