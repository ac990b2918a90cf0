"""log day alert_reported: what raised a day's alert, kept while it is unseen

A patient who corrects a day (pain 9 corrected to 5) no longer hides what raised the alert:
the highest pain and every symptom reported that day stay until the clinician marks it
seen (rehab.patient_log.save_day). Null for days saved before, and days with no alert.

Revision ID: f3a9c2d7e5b1
Revises: a1c4e8f2b7d3
Create Date: 2026-12-06 02:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'f3a9c2d7e5b1'
down_revision = 'a1c4e8f2b7d3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('log_day', schema=None) as batch_op:
        batch_op.add_column(sa.Column('alert_reported', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('log_day', schema=None) as batch_op:
        batch_op.drop_column('alert_reported')
