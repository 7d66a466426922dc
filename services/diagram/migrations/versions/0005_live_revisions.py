"""revisions of the live model, so that diagram-api reads only what changed since its cached copy

Revision ID: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade():
    with op.batch_alter_table("live_blueprints") as batch:
        batch.add_column(sa.Column("revision", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("reload_revision", sa.Integer, nullable=False, server_default="0"))
    with op.batch_alter_table("live_resources") as batch:
        batch.add_column(sa.Column("revision", sa.Integer, nullable=False, server_default="0"))
    op.create_index("ix_live_resources_revision", "live_resources", ["account_id", "revision"])


def downgrade():
    op.drop_index("ix_live_resources_revision", "live_resources")
    with op.batch_alter_table("live_resources") as batch:
        batch.drop_column("revision")
    with op.batch_alter_table("live_blueprints") as batch:
        batch.drop_column("reload_revision")
        batch.drop_column("revision")
