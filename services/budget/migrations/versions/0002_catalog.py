"""which price catalog each account's components were priced with

Revision ID: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade():
    # NULL for accounts priced before: they are priced again once, from the inventory.
    with op.batch_alter_table("budget_accounts") as batch:
        batch.add_column(sa.Column("catalog", sa.String(64)))


def downgrade():
    with op.batch_alter_table("budget_accounts") as batch:
        batch.drop_column("catalog")
