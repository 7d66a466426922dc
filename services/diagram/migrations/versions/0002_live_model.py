"""live model: resources, received batches, finished syncs; layout and rebuild state per account

Revision ID: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade():
    with op.batch_alter_table("live_blueprints") as batch:
        batch.add_column(sa.Column("layout", sa.JSON))
        batch.add_column(sa.Column("last_sync_id", sa.String(36)))
        batch.add_column(sa.Column("rebuild_after", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("rebuilt_at", sa.DateTime(timezone=True)))
    # Accounts registered before the live model existed are rebuilt from collector-api.
    op.execute("UPDATE live_blueprints SET rebuild_after = created_at")
    op.create_table(
        "live_resources",
        sa.Column("account_id", sa.String(36), primary_key=True),
        sa.Column("arn", sa.String(2048), primary_key=True),
        sa.Column("type", sa.String(128), nullable=False),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("name", sa.String(1024), nullable=False),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("attributes", sa.JSON, nullable=False),
        sa.Column("relationships", sa.JSON, nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("version", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed", sa.Boolean, nullable=False),
    )
    op.create_table(
        "live_batches",
        sa.Column("account_id", sa.String(36), primary_key=True),
        sa.Column("sync_id", sa.String(36), primary_key=True),
        sa.Column("region", sa.String(32), primary_key=True),
        sa.Column("batch_index", sa.Integer, primary_key=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "live_syncs",
        sa.Column("account_id", sa.String(36), primary_key=True),
        sa.Column("sync_id", sa.String(36), primary_key=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("expected", sa.JSON, nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("complete", sa.Boolean, nullable=False),
    )


def downgrade():
    for table in ("live_syncs", "live_batches", "live_resources"):
        op.drop_table(table)
    with op.batch_alter_table("live_blueprints") as batch:
        for column in ("rebuilt_at", "rebuild_after", "last_sync_id", "layout"):
            batch.drop_column(column)
