"""patient word starts: a word search reads the matching patients in list order

One row per patient and start (first one to eight letters) of each of their search words,
with the patient's list keys; indexed in list order within a clinic and start, so a search
reads one page of rows however many patients match (rehab.models.PatientWordStart). Filled
for the patients already there. The trigram index it replaces is dropped: a search matching
a tenth of 100,000 patients had to fetch and sort all of them to show the first fifty.

Revision ID: c6f2a8d4e1b7
Revises: b4d8e2f1a9c3
Create Date: 2026-12-06 04:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'c6f2a8d4e1b7'
down_revision = 'b4d8e2f1a9c3'
branch_labels = None
depends_on = None

_KEY = sa.Text().with_variant(sa.Text(collation='C'), 'postgresql')


def _starts(words):
    """rehab.models.word_starts as of this revision (a migration does not follow later code)."""
    return sorted({word[:n] for word in words.split() for n in range(1, 9)})


def upgrade():
    op.create_table(
        'patient_word_start',
        sa.Column('patient_id', sa.Integer(), nullable=False),
        sa.Column('start', sa.String(length=8), nullable=False),
        sa.Column('clinic_id', sa.Integer(), nullable=False),
        sa.Column('last_key', _KEY, nullable=False),
        sa.Column('first_key', _KEY, nullable=False),
        sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], name=op.f('fk_patient_word_start_clinic_id_clinic')),
        sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_patient_word_start_patient_id_patient')),
        sa.PrimaryKeyConstraint('patient_id', 'start', name=op.f('pk_patient_word_start')))
    op.create_index('ix_patient_word_start_list', 'patient_word_start',
                    ['clinic_id', 'start', 'last_key', 'first_key', 'patient_id'], unique=False)
    patient = sa.table('patient', sa.column('id', sa.Integer), sa.column('clinic_id', sa.Integer),
                       sa.column('first_name', sa.String), sa.column('last_name', sa.String),
                       sa.column('search_words', sa.Text))
    start = sa.table('patient_word_start', sa.column('patient_id', sa.Integer), sa.column('start', sa.String),
                     sa.column('clinic_id', sa.Integer), sa.column('last_key', sa.Text), sa.column('first_key', sa.Text))
    add = start.insert().from_select(
        ['patient_id', 'start', 'clinic_id', 'last_key', 'first_key'],
        sa.select(patient.c.id, sa.bindparam('start', type_=sa.String()), patient.c.clinic_id,
                  sa.func.lower(patient.c.last_name), sa.func.lower(patient.c.first_name))
        .where(patient.c.id == sa.bindparam('pid')))
    connection = op.get_bind()
    rows = connection.execute(sa.select(patient.c.id, patient.c.search_words)).all()
    for first in range(0, len(rows), 2000):
        params = [{'pid': r.id, 'start': s} for r in rows[first:first + 2000] for s in _starts(r.search_words)]
        if params:
            connection.execute(add, params)
    op.drop_index('ix_patient_search_words', table_name='patient',
                  postgresql_using='gin', postgresql_ops={'search_words': 'gin_trgm_ops'})


def downgrade():
    op.create_index('ix_patient_search_words', 'patient', ['search_words'], unique=False,
                    postgresql_using='gin', postgresql_ops={'search_words': 'gin_trgm_ops'})
    op.drop_index('ix_patient_word_start_list', table_name='patient_word_start')
    op.drop_table('patient_word_start')
