"""the budget service: accounts, priced components, received batches and syncs, changes, outbox

Revision ID: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade():
    op.create_table(
        "budget_accounts",
        sa.Column("account_id", sa.String(36), primary_key=True),
        sa.Column("aws_account_id", sa.String(12), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("last_sync_id", sa.String(36)),
        sa.Column("rebuild_after", sa.DateTime(timezone=True)),
        sa.Column("rebuilt_at", sa.DateTime(timezone=True)),
        sa.Column("priced_at", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("total_usd", sa.String(40), nullable=False),
    )
    op.create_table(
        "budget_components",
        sa.Column("account_id", sa.String(36), primary_key=True),
        sa.Column("arn", sa.String(2048), primary_key=True),
        sa.Column("type", sa.String(128), nullable=False),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("name", sa.String(1024), nullable=False),
        sa.Column("vpc", sa.String(64), nullable=False),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("monthly", sa.String(40)),
        sa.Column("unit_price", sa.String(40)),
        sa.Column("basis", sa.Text, nullable=False),
        sa.Column("service", sa.String(64), nullable=False),
        sa.Column("fields", sa.JSON, nullable=False),
        sa.Column("drivers", sa.JSON, nullable=False),
        sa.Column("version", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed", sa.Boolean, nullable=False),
        sa.Column("dirty", sa.Boolean, nullable=False),
        sa.Column("baseline", sa.JSON),
    )
    op.create_index("ix_budget_components_dirty", "budget_components", ["account_id", "dirty"])
    op.create_table(
        "budget_batches",
        sa.Column("account_id", sa.String(36), primary_key=True),
        sa.Column("sync_id", sa.String(36), primary_key=True),
        sa.Column("region", sa.String(32), primary_key=True),
        sa.Column("batch_index", sa.Integer, primary_key=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "budget_syncs",
        sa.Column("account_id", sa.String(36), primary_key=True),
        sa.Column("sync_id", sa.String(36), primary_key=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("expected", sa.JSON, nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("complete", sa.Boolean, nullable=False),
    )
    op.create_table(
        "budget_changes",
        sa.Column("account_id", sa.String(36), primary_key=True),
        sa.Column("arn", sa.String(2048), primary_key=True),
        sa.Column("sync_id", sa.String(36), nullable=False),
        sa.Column("type", sa.String(128), nullable=False),
        sa.Column("name", sa.String(1024), nullable=False),
        sa.Column("before_usd", sa.String(40)),
        sa.Column("after_usd", sa.String(40)),
        sa.Column("delta_usd", sa.String(40), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("total_before_usd", sa.String(40), nullable=False),
        sa.Column("total_after_usd", sa.String(40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("aggregate_id", sa.String(100), nullable=False),
        sa.Column("event_type", sa.String(100), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade():
    for table in ('outbox', 'budget_changes', 'budget_syncs', 'budget_batches', 'budget_components', 'budget_accounts'):
        op.drop_table(table)
