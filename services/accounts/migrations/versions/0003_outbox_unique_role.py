"""the transactional outbox; one account per role ARN

Revision ID: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade():
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("aggregate_id", sa.String(100), nullable=False),
        sa.Column("event_type", sa.String(100), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    with op.batch_alter_table("accounts") as batch:
        batch.create_unique_constraint("uq_accounts_role_arn", ["role_arn"])


def downgrade():
    with op.batch_alter_table("accounts") as batch:
        batch.drop_constraint("uq_accounts_role_arn", type_="unique")
    op.drop_table("outbox")
