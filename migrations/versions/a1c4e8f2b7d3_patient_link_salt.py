"""patient link salt: the printed QR can be drawn again

A patient link's token is derived from the app's SECRET_KEY and this random salt
(rehab.patient_link), so the same link can be shown or printed again while only its
hash and the salt are stored: the database alone never reveals a working link.

Revision ID: a1c4e8f2b7d3
Revises: e8b1c4d2f6a7
Create Date: 2026-12-06 01:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'a1c4e8f2b7d3'
down_revision = 'e8b1c4d2f6a7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('patient_link', schema=None) as batch_op:
        batch_op.add_column(sa.Column('salt', sa.String(length=32), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('patient_link', schema=None) as batch_op:
        batch_op.drop_column('salt')
