"""clinic settings: contact, logo and default page size; clinician job title; next appointment

The clinic's contact (address, phone, email, opening hours, an out-of-hours line), its
logo (PNG, re-encoded on upload) and default page size are printed on every plan and
referral letter; a clinician's job title goes after their name; a saved version may
carry the next appointment, printed on its plan.

Revision ID: d7e2a9c4b1f0
Revises: c3f1d2e4a5b6
Create Date: 2026-12-05 22:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd7e2a9c4b1f0'
down_revision = 'c3f1d2e4a5b6'
branch_labels = None
depends_on = None

CLINIC = [('address', 300), ('phone', 40), ('email', 254), ('hours', 200), ('out_of_hours', 200)]


def upgrade():
    with op.batch_alter_table('clinic') as batch:
        for name, length in CLINIC:
            batch.add_column(sa.Column(name, sa.String(length=length), server_default='', nullable=False))
        batch.add_column(sa.Column('logo', sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column('page_size', sa.String(length=10), server_default='A4', nullable=False))
    with op.batch_alter_table('user') as batch:
        batch.add_column(sa.Column('job_title', sa.String(length=80), server_default='', nullable=False))
    with op.batch_alter_table('plan_version') as batch:
        batch.add_column(sa.Column('next_appointment', sa.String(length=120), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('plan_version') as batch:
        batch.drop_column('next_appointment')
    with op.batch_alter_table('user') as batch:
        batch.drop_column('job_title')
    with op.batch_alter_table('clinic') as batch:
        for name in ['page_size', 'logo'] + [n for n, _ in reversed(CLINIC)]:
            batch.drop_column(name)
