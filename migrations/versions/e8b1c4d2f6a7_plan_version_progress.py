"""plan version progress: the between-visits figures at the moment a version was saved

Adherence over 7 and 28 days, the last pain score and the PSFS mean, from the patient's
own log of the version being reassessed (rehab.portal.progress.snapshot); shown in the
plan's history. Null for versions saved before the log existed.

Revision ID: e8b1c4d2f6a7
Revises: e1a2b3c4d5f6
Create Date: 2026-12-06 01:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e8b1c4d2f6a7'
down_revision = 'e1a2b3c4d5f6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('plan_version') as batch:
        batch.add_column(sa.Column('progress', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('plan_version') as batch:
        batch.drop_column('progress')
