"""syncs: an index on state, for the periodic search for running syncs a dead worker left behind

Revision ID: 0005
"""
from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade():
    op.create_index("ix_syncs_state_started_at", "syncs", ["state", "started_at"])


def downgrade():
    op.drop_index("ix_syncs_state_started_at", table_name="syncs")
