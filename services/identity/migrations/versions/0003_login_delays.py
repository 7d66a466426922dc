"""sign-in throttling by growing delays per (email, client) and per client

Revision ID: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade():
    # The fixed-window counts are replaced; their rows only ever held the last 15 minutes.
    op.drop_table("login_failures")
    op.create_table(
        "login_delays",
        sa.Column("key", sa.String(600), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade():
    op.drop_table("login_delays")
    op.create_table(
        "login_failures",
        sa.Column("key", sa.String(400), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("window_started_at", sa.DateTime(timezone=True), nullable=False),
    )
