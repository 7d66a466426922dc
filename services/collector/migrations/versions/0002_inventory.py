"""collector: keep the normalised resource (the inventory collector-api streams)

Revision ID: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade():
    with op.batch_alter_table("resources") as batch:
        batch.add_column(sa.Column("type", sa.String(128), nullable=False, server_default=""))
        batch.add_column(sa.Column("region", sa.String(32), nullable=False, server_default=""))
        batch.add_column(sa.Column("name", sa.String(1024), nullable=False, server_default=""))
        batch.add_column(sa.Column("tags", sa.JSON))
        batch.add_column(sa.Column("attributes", sa.JSON))
        batch.add_column(sa.Column("relationships", sa.JSON))
        batch.add_column(sa.Column("changed_at", sa.DateTime(timezone=True)))
    # Rows recorded before this revision have no attributes: an empty fingerprint makes the next
    # sync see every one of them as changed, publish it again and record it in full.
    op.execute("UPDATE resources SET fingerprint = ''")


def downgrade():
    with op.batch_alter_table("resources") as batch:
        for column in ("changed_at", "relationships", "attributes", "tags", "name", "region", "type"):
            batch.drop_column(column)
