import sqlalchemy as sa

metadata = sa.MetaData()

# One live blueprint per connected AWS account, kept up to date from collector events.
# state: awaiting_scan until the model is complete (a complete first sync, or a rebuild from
# collector-api after the collector had synced), then ready. rebuild_after: a rebuild from
# collector-api's inventory is due at that time. layout: {arn: [x, y]} as composition left it.
# revision: counts the transactions that wrote the account's live_resources (each row keeps the
# revision that last wrote it), so a reader holding the model at revision r reads only the rows
# above r; one holding it below reload_revision must read it whole (tombstones it never saw were
# forgotten since).
live_blueprints = sa.Table(
    "live_blueprints", metadata,
    sa.Column("account_id", sa.String(36), primary_key=True),
    sa.Column("aws_account_id", sa.String(12), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("state", sa.String(20), nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("layout", sa.JSON),
    sa.Column("last_sync_id", sa.String(36)),
    sa.Column("rebuild_after", sa.DateTime(timezone=True)),
    sa.Column("rebuilt_at", sa.DateTime(timezone=True)),
    sa.Column("revision", sa.Integer, nullable=False, server_default="0"),
    sa.Column("reload_revision", sa.Integer, nullable=False, server_default="0"),
)

# The live model: each account's resources as the collector last published them. version is the
# occurred_at of the batch (or the inventory's changed_at) that wrote the row; a change older than
# the row is ignored. removed rows are tombstones, so a late upsert cannot bring a resource back.
live_resources = sa.Table(
    "live_resources", metadata,
    sa.Column("account_id", sa.String(36), primary_key=True),
    sa.Column("arn", sa.String(2048), primary_key=True),
    sa.Column("type", sa.String(128), nullable=False),
    sa.Column("region", sa.String(32), nullable=False),
    sa.Column("name", sa.String(1024), nullable=False),
    sa.Column("tags", sa.JSON, nullable=False),
    sa.Column("attributes", sa.JSON, nullable=False),
    sa.Column("relationships", sa.JSON, nullable=False),   # [[type, source_arn, target_arn], ...]
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("version", sa.DateTime(timezone=True), nullable=False),
    sa.Column("removed", sa.Boolean, nullable=False),
    sa.Column("revision", sa.Integer, nullable=False, server_default="0"),
    sa.Index("ix_live_resources_revision", "account_id", "revision"),
)

# The resources_changed batches received, per sync and region, until the sync is known complete.
live_batches = sa.Table(
    "live_batches", metadata,
    sa.Column("account_id", sa.String(36), primary_key=True),
    sa.Column("sync_id", sa.String(36), primary_key=True),
    sa.Column("region", sa.String(32), primary_key=True),
    sa.Column("batch_index", sa.Integer, primary_key=True),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
)

# Finished syncs (from sync_finished) and how many batches each region published; complete once
# every batch was received, or once a rebuild made the model consistent with the collector.
live_syncs = sa.Table(
    "live_syncs", metadata,
    sa.Column("account_id", sa.String(36), primary_key=True),
    sa.Column("sync_id", sa.String(36), primary_key=True),
    sa.Column("state", sa.String(16), nullable=False),         # finished, failed
    sa.Column("expected", sa.JSON, nullable=False),            # {region: batches}
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("complete", sa.Boolean, nullable=False),
)

# Saved blueprints: a detached snapshot (data is the document as posted) or linked to live
# accounts (data holds what was saved, e.g. the name; the nodes come from the live models and
# layout keeps their positions). version counts edits; the ETag is derived from it.
blueprints = sa.Table(
    "blueprints", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("owner_id", sa.String(36), nullable=False),
    sa.Column("read_access", sa.JSON, nullable=False),
    sa.Column("write_access", sa.JSON, nullable=False),
    sa.Column("linked_account_ids", sa.JSON, nullable=False),
    sa.Column("region", sa.String(32), nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
    sa.Column("layout", sa.JSON),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

# One row per structural change of a saved blueprint (its creation, every edit), the newest
# MAX_VERSIONS kept (services/diagram/blueprints.py).
blueprint_versions = sa.Table(
    "blueprint_versions", metadata,
    sa.Column("blueprint_id", sa.String(36), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
    sa.Column("reason", sa.String(16), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

# Versions of each account's live blueprint: one per completed sync (or rebuild) that changed
# the account's resources (resources_hash: SHA-256 of the sorted ARNs and fingerprints), with the
# document composed at the time; the newest MAX_LIVE_VERSIONS kept (services/diagram/live.py).
live_versions = sa.Table(
    "live_versions", metadata,
    sa.Column("account_id", sa.String(36), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("sync_id", sa.String(36), nullable=False),
    sa.Column("reason", sa.String(16), nullable=False),
    sa.Column("resources_hash", sa.String(64), nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)
