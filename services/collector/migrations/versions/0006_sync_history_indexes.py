"""syncs: indexes on (account_id, requested_at) and (account_id, finished_at), so that the sync
history's retention (Collector.prune_sync_history) finds a newer sync of an account in one probe
whatever the length of its history; the first replaces the index on account_id alone

Revision ID: 0006
"""
from alembic import op

revision = "0006"
down_revision = "0005"


def upgrade():
    op.create_index("ix_syncs_account_requested_at", "syncs", ["account_id", "requested_at"])
    op.create_index("ix_syncs_account_finished_at", "syncs", ["account_id", "finished_at"])
    op.drop_index("ix_syncs_account_id", table_name="syncs")


def downgrade():
    op.create_index("ix_syncs_account_id", "syncs", ["account_id"])
    op.drop_index("ix_syncs_account_finished_at", table_name="syncs")
    op.drop_index("ix_syncs_account_requested_at", table_name="syncs")
