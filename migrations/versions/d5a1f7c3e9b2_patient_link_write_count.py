"""patient link write count: a link's writes are counted on its own row; log_day loses its
redundant patient index

The write limit of a patient's link (PATIENT_WRITE_LIMIT) counted one login_attempt row per
write, under an advisory lock: four statements on every log post. The count now lives on the
link (the window's start and its number of writes), updated in one statement whose row lock
also lets one write of the link run at a time. Attempts counted the old way are not carried
over: a link starts with a fresh window.

ix_log_day_patient_id (patient_id) repeated the start of ix_log_day_patient_alert (patient_id,
alert), which answers every lookup by patient: every log write paid for both.

Revision ID: d5a1f7c3e9b2
Revises: b7d2e4f1a9c3
Create Date: 2026-12-06 07:00:00

"""
import sqlalchemy as sa
from alembic import op


revision = 'd5a1f7c3e9b2'
down_revision = 'b7d2e4f1a9c3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('patient_link', schema=None) as batch_op:
        batch_op.add_column(sa.Column('writes_from', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('writes', sa.Integer(), server_default='0', nullable=False))
    op.execute("DELETE FROM login_attempt WHERE key LIKE 'link:%'")
    with op.batch_alter_table('log_day', schema=None) as batch_op:
        batch_op.drop_index('ix_log_day_patient_id')


def downgrade():
    with op.batch_alter_table('log_day', schema=None) as batch_op:
        batch_op.create_index('ix_log_day_patient_id', ['patient_id'], unique=False)
    with op.batch_alter_table('patient_link', schema=None) as batch_op:
        batch_op.drop_column('writes')
        batch_op.drop_column('writes_from')
