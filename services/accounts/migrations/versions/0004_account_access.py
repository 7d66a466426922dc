"""account health: each account's access state (verified, limited, lost), why, since when, the fix

Revision ID: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade():
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("access_state", sa.String(16), nullable=False, server_default="verified"))
        batch.add_column(sa.Column("access_reason", sa.Text, nullable=False, server_default=""))
        batch.add_column(sa.Column("access_since", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("access_checked_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("access_error_code", sa.String(100), nullable=False, server_default=""))
        batch.add_column(sa.Column("access_fix", sa.Text, nullable=False, server_default=""))
        batch.add_column(sa.Column("access_fix_document", sa.Text, nullable=False, server_default=""))
        batch.add_column(sa.Column("access_denied", sa.JSON, nullable=False, server_default="[]"))
    # Registered accounts were verified when they were stored.
    op.execute("UPDATE accounts SET access_since = COALESCE(verified_at, created_at), "
               "access_checked_at = COALESCE(verified_at, created_at)")


def downgrade():
    with op.batch_alter_table("accounts") as batch:
        for column in ("access_denied", "access_fix_document", "access_fix", "access_error_code",
                       "access_checked_at", "access_since", "access_reason", "access_state"):
            batch.drop_column(column)
