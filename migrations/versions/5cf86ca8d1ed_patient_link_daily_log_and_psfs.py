"""patient link, daily log and PSFS

patient_link holds the hash of each private plan link (the QR code); log_day the patient's
own daily log (sessions ticked, pain, note, new symptoms, safety alert); psfs_score the
Patient-Specific Functional Scale taken in the clinic and from the patient's page.

Revision ID: 5cf86ca8d1ed
Revises: d7a4e9b1c2f3
Create Date: 2026-12-06 00:48:27.687323

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5cf86ca8d1ed'
down_revision = 'd7a4e9b1c2f3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('log_day',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('ticks', sa.JSON(), nullable=False),
    sa.Column('pain', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), server_default='', nullable=False),
    sa.Column('symptoms', sa.JSON(), nullable=False),
    sa.Column('alert', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('alert_seen_at', sa.DateTime(), nullable=True),
    sa.Column('alert_seen_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['alert_seen_by_id'], ['user.id'], name=op.f('fk_log_day_alert_seen_by_id_user')),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_log_day_patient_id_patient')),
    sa.ForeignKeyConstraint(['version_id'], ['plan_version.id'], name=op.f('fk_log_day_version_id_plan_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_log_day')),
    sa.UniqueConstraint('version_id', 'day', name=op.f('uq_log_day_version_id_day'))
    )
    with op.batch_alter_table('log_day', schema=None) as batch_op:
        batch_op.create_index('ix_log_day_patient_alert', ['patient_id', 'alert'], unique=False)
        batch_op.create_index(batch_op.f('ix_log_day_patient_id'), ['patient_id'], unique=False)

    op.create_table('patient_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_patient_link_created_by_id_user')),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_patient_link_patient_id_patient')),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['user.id'], name=op.f('fk_patient_link_revoked_by_id_user')),
    sa.ForeignKeyConstraint(['version_id'], ['plan_version.id'], name=op.f('fk_patient_link_version_id_plan_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patient_link')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_patient_link_token_hash'))
    )
    with op.batch_alter_table('patient_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patient_link_patient_id'), ['patient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_patient_link_version_id'), ['version_id'], unique=False)

    op.create_table('psfs_score',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=True),
    sa.Column('taken_on', sa.Date(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_psfs_score_patient_id_patient')),
    sa.ForeignKeyConstraint(['version_id'], ['plan_version.id'], name=op.f('fk_psfs_score_version_id_plan_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_psfs_score'))
    )
    with op.batch_alter_table('psfs_score', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_psfs_score_patient_id'), ['patient_id'], unique=False)



def downgrade():
    with op.batch_alter_table('psfs_score', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_psfs_score_patient_id'))

    op.drop_table('psfs_score')
    with op.batch_alter_table('patient_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patient_link_version_id'))
        batch_op.drop_index(batch_op.f('ix_patient_link_patient_id'))

    op.drop_table('patient_link')
    with op.batch_alter_table('log_day', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_log_day_patient_id'))
        batch_op.drop_index('ix_log_day_patient_alert')

    op.drop_table('log_day')
