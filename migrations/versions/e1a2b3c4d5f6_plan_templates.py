"""plan templates

plan_template holds a clinic's named sets of plan changes for one diagnosis (issue #13);
a partial unique index keeps live names unique per clinic and diagnosis.

Revision ID: e1a2b3c4d5f6
Revises: 5cf86ca8d1ed
Create Date: 2026-12-06 01:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e1a2b3c4d5f6'
down_revision = '5cf86ca8d1ed'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('plan_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clinic_id', sa.Integer(), nullable=False),
    sa.Column('diagnosis', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('name_key', sa.String(length=80), nullable=False),
    sa.Column('description', sa.String(length=500), server_default='', nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('retired_at', sa.DateTime(), nullable=True),
    sa.Column('retired_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], name=op.f('fk_plan_template_clinic_id_clinic')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_plan_template_created_by_id_user')),
    sa.ForeignKeyConstraint(['retired_by_id'], ['user.id'], name=op.f('fk_plan_template_retired_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_template'))
    )
    with op.batch_alter_table('plan_template', schema=None) as batch_op:
        batch_op.create_index('ix_plan_template_clinic_diagnosis', ['clinic_id', 'diagnosis'], unique=False)
        batch_op.create_index('uq_plan_template_live_name', ['clinic_id', 'diagnosis', 'name_key'], unique=True,
                              sqlite_where=sa.text('retired_at IS NULL'),
                              postgresql_where=sa.text('retired_at IS NULL'))


def downgrade():
    with op.batch_alter_table('plan_template', schema=None) as batch_op:
        batch_op.drop_index('uq_plan_template_live_name')
        batch_op.drop_index('ix_plan_template_clinic_diagnosis')

    op.drop_table('plan_template')
