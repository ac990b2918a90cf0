"""patient list indexes: the list's order (lower names, id) and prefix search

Replaces ix_patient_clinic_last_first (clinic_id, last_name, first_name) and
ix_patient_clinic_dob (clinic_id, date_of_birth) with indexes that match the patient
list's queries (rehab.portal.operations.patient_page): one in the list's order,
lower(last_name), lower(first_name), id, which serves pages, keyset cursors and
last-name search; the same order within a date of birth; and one each for first-name
and reference prefix search. The names are compared byte by byte (rehab.portal.operations.lower_bytes):
SQLite does so already, PostgreSQL is told COLLATE "C".

Revision ID: c3f1d2e4a5b6
Revises: 9a4620a6946a
Create Date: 2026-11-23 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3f1d2e4a5b6'
down_revision = '9a4620a6946a'
branch_labels = None
depends_on = None


def _lower(column):
    collate = ' COLLATE "C"' if op.get_context().dialect.name == 'postgresql' else ''
    return sa.text(f'lower({column}){collate}')


def upgrade():
    name_key = [_lower('last_name'), _lower('first_name'), 'id']
    op.drop_index('ix_patient_clinic_last_first', table_name='patient')
    op.drop_index('ix_patient_clinic_dob', table_name='patient')
    op.create_index('ix_patient_clinic_name', 'patient', ['clinic_id', *name_key], unique=False)
    op.create_index('ix_patient_clinic_dob_name', 'patient', ['clinic_id', 'date_of_birth', *name_key],
                    unique=False)
    op.create_index('ix_patient_clinic_first_name', 'patient', ['clinic_id', _lower('first_name')], unique=False)
    op.create_index('ix_patient_clinic_reference', 'patient', ['clinic_id', _lower('reference')], unique=False)


def downgrade():
    op.drop_index('ix_patient_clinic_reference', table_name='patient')
    op.drop_index('ix_patient_clinic_first_name', table_name='patient')
    op.drop_index('ix_patient_clinic_dob_name', table_name='patient')
    op.drop_index('ix_patient_clinic_name', table_name='patient')
    op.create_index('ix_patient_clinic_dob', 'patient', ['clinic_id', 'date_of_birth'], unique=False)
    op.create_index('ix_patient_clinic_last_first', 'patient', ['clinic_id', 'last_name', 'first_name'],
                    unique=False)
