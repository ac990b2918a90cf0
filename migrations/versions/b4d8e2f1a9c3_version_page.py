"""version page: a saved version's page parts as drawn, shared by every worker

A saved version never changes, so its page is drawn once and kept here (keyed by a stamp
of the code that drew it) instead of once per worker process (rehab.portal.rendering).

Revision ID: b4d8e2f1a9c3
Revises: f3a9c2d7e5b1
Create Date: 2026-12-06 04:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b4d8e2f1a9c3'
down_revision = 'f3a9c2d7e5b1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'version_page',
        sa.Column('version_id', sa.Integer(), nullable=False),
        sa.Column('stamp', sa.String(length=64), nullable=False),
        sa.Column('heading', sa.Text(), nullable=False),
        sa.Column('before_toolbar', sa.Text(), nullable=False),
        sa.Column('downloads', sa.Text(), nullable=False),
        sa.Column('after_toolbar', sa.Text(), nullable=False),
        sa.Column('allowed', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['version_id'], ['plan_version.id'], name=op.f('fk_version_page_version_id_plan_version')),
        sa.PrimaryKeyConstraint('version_id', name=op.f('pk_version_page')))


def downgrade():
    op.drop_table('version_page')
