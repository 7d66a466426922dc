"""collector: schedules, resources seen, syncs, leases

Revision ID: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade():
    op.create_table(
        "schedules",
        sa.Column("account_id", sa.String(36), primary_key=True),
        sa.Column("aws_account_id", sa.String(12), nullable=False),
        sa.Column("next_sync_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "resources",
        sa.Column("account_id", sa.String(36), primary_key=True),
        sa.Column("arn", sa.String(2048), primary_key=True),
        sa.Column("scan_region", sa.String(32), nullable=False),
        sa.Column("unit", sa.String(64), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
    )
    op.create_index("ix_resources_account_region", "resources", ["account_id", "scan_region"])
    op.create_table(
        "syncs",
        sa.Column("sync_id", sa.String(36), primary_key=True),
        sa.Column("account_id", sa.String(36), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("regions", sa.JSON, nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("counts", sa.JSON),
        sa.Column("gaps", sa.JSON),
        sa.Column("region_runs", sa.JSON),
        sa.Column("message", sa.String(1000)),
    )
    op.create_index("ix_syncs_account_id", "syncs", ["account_id"])
    op.create_table(
        "leases",
        sa.Column("account_id", sa.String(36), primary_key=True),
        sa.Column("region", sa.String(32), primary_key=True),
        sa.Column("holder", sa.String(64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade():
    for table in ("leases", "syncs", "resources", "schedules"):
        op.drop_table(table)
