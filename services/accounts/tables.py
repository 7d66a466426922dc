import sqlalchemy as sa

from services.common.outbox import outbox_table

metadata = sa.MetaData()

accounts = sa.Table(
    "accounts", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("role_arn", sa.String(2048), nullable=False),
    sa.Column("aws_account_id", sa.String(12), nullable=False, index=True),
    sa.Column("regions", sa.JSON, nullable=False),
    sa.Column("creator_id", sa.String(36), nullable=False),
    # Team ids with read and with write access (Cloudcraft's readAccess and writeAccess).
    sa.Column("read_access", sa.JSON, nullable=False, server_default="[]"),
    sa.Column("write_access", sa.JSON, nullable=False, server_default="[]"),
    sa.Column("source", sa.String(20), nullable=False),
    sa.Column("verification_state", sa.String(20), nullable=False),
    sa.Column("verification_message", sa.Text, nullable=False),
    sa.Column("verified_at", sa.DateTime(timezone=True)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    # Account health (docs/accounts.md): verified, limited or lost; why (one line), since when,
    # when last checked, AWS's error code, the fix and its policy document (JSON). access_denied
    # is what the last sync was denied ([{service, regions, actions, error_code, what}]); it is kept
    # while access is lost, so that access coming back returns to limited if it was.
    sa.Column("access_state", sa.String(16), nullable=False, server_default="verified"),
    sa.Column("access_reason", sa.Text, nullable=False, server_default=""),
    sa.Column("access_since", sa.DateTime(timezone=True)),
    sa.Column("access_checked_at", sa.DateTime(timezone=True)),
    sa.Column("access_error_code", sa.String(100), nullable=False, server_default=""),
    sa.Column("access_fix", sa.Text, nullable=False, server_default=""),
    sa.Column("access_fix_document", sa.Text, nullable=False, server_default=""),
    sa.Column("access_denied", sa.JSON, nullable=False, server_default="[]"),
    # One account per role: registering a role twice is refused with the existing account's id.
    sa.UniqueConstraint("role_arn", name="uq_accounts_role_arn"),
)

# Organisation-wide settings, e.g. the External ID roles must require.
settings = sa.Table(
    "settings", metadata,
    sa.Column("key", sa.String(100), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

# Events written with the change they report, published by the relay (services/common/outbox.py).
outbox = outbox_table(metadata)
