"""account health: scheduled syncs of an account whose access is lost back off

Revision ID: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade():
    with op.batch_alter_table("schedules") as batch:
        batch.add_column(sa.Column("access_failures", sa.Integer, nullable=False, server_default="0"))


def downgrade():
    with op.batch_alter_table("schedules") as batch:
        batch.drop_column("access_failures")
