"""team access on accounts

Revision ID: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade():
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("read_access", sa.JSON, nullable=False, server_default="[]"))
        batch.add_column(sa.Column("write_access", sa.JSON, nullable=False, server_default="[]"))


def downgrade():
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("write_access")
        batch.drop_column("read_access")
