import sqlalchemy as sa

metadata = sa.MetaData()

# One live blueprint per connected AWS account, kept up to date from collector events.
live_blueprints = sa.Table(
    "live_blueprints", metadata,
    sa.Column("account_id", sa.String(36), primary_key=True),
    sa.Column("aws_account_id", sa.String(12), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("state", sa.String(20), nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)
