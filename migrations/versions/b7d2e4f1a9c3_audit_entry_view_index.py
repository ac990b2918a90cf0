"""audit entry index by object, action and time: the view check's exact lookup

"Was this view recorded within the window?" (rehab.audit.seen_recently) names the object,
the action and a time: with only (object_type, object_id) indexed, PostgreSQL often chose
the `at` index for the recent window and read every entry of it (every patient's log writes
included). (object_type, object_id, action, at) answers it directly and still serves every
lookup by object alone, so it replaces ix_audit_entry_object.

Revision ID: b7d2e4f1a9c3
Revises: e2b7c9d1f4a6
Create Date: 2026-12-06 04:30:00

"""
from alembic import op


revision = 'b7d2e4f1a9c3'
down_revision = 'e2b7c9d1f4a6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.create_index('ix_audit_entry_object_action_at', ['object_type', 'object_id', 'action', 'at'],
                              unique=False)
        batch_op.drop_index('ix_audit_entry_object')


def downgrade():
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.create_index('ix_audit_entry_object', ['object_type', 'object_id'], unique=False)
        batch_op.drop_index('ix_audit_entry_object_action_at')
