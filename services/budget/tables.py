import sqlalchemy as sa

from services.common.outbox import outbox_table

metadata = sa.MetaData()

# One row per connected AWS account (from account_registered). state: awaiting_scan until a
# complete sync (or a rebuild from collector-api's inventory) was priced, then ready.
# rebuild_after: a rebuild from the inventory is due at that time.
budget_accounts = sa.Table(
    "budget_accounts", metadata,
    sa.Column("account_id", sa.String(36), primary_key=True),
    sa.Column("aws_account_id", sa.String(12), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("state", sa.String(20), nullable=False),
    sa.Column("last_sync_id", sa.String(36)),
    sa.Column("rebuild_after", sa.DateTime(timezone=True)),
    sa.Column("rebuilt_at", sa.DateTime(timezone=True)),
    sa.Column("priced_at", sa.DateTime(timezone=True)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    # Monthly USD of the priced components as of the last settlement: kept by adding each
    # settlement's changes, so that settling never reads the whole account.
    sa.Column("total_usd", sa.String(40), nullable=False),
    # The digest of the price catalog every component was last priced with (by a rebuild, which
    # prices them all): another digest than the catalog in use means pricing the account again.
    sa.Column("catalog", sa.String(64)),
)

# Each account's priced components. The columns up to `removed` are the component as last priced
# (version: the occurred_at of the batch, or the inventory's changed_at, that wrote it; an older
# change is ignored; removed rows are tombstones). `baseline` is the component's pricing as of the
# last settled sync ({type, name, status, monthly, unit_price, basis, drivers}; null when it did not exist
# then) and `dirty` says it may differ: settling a sync compares only dirty rows, so its cost is
# the number of changes, not the size of the account. Money as decimal strings (USD a month).
budget_components = sa.Table(
    "budget_components", metadata,
    sa.Column("account_id", sa.String(36), primary_key=True),
    sa.Column("arn", sa.String(2048), primary_key=True),
    sa.Column("type", sa.String(128), nullable=False),
    sa.Column("region", sa.String(32), nullable=False),
    sa.Column("name", sa.String(1024), nullable=False),
    sa.Column("vpc", sa.String(64), nullable=False),
    sa.Column("tags", sa.JSON, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),       # priced, free, unpriced
    sa.Column("monthly", sa.String(40)),                       # null when unpriced
    sa.Column("unit_price", sa.String(40)),
    sa.Column("basis", sa.Text, nullable=False),
    sa.Column("service", sa.String(64), nullable=False),
    sa.Column("fields", sa.JSON, nullable=False),              # Cloudcraft's budget columns
    sa.Column("drivers", sa.JSON, nullable=False),             # [[attribute, value], ...]
    sa.Column("version", sa.DateTime(timezone=True), nullable=False),
    sa.Column("removed", sa.Boolean, nullable=False),
    sa.Column("dirty", sa.Boolean, nullable=False),
    sa.Column("baseline", sa.JSON),
    # Settling reads only the dirty rows of one account.
    sa.Index("ix_budget_components_dirty", "account_id", "dirty"),
)

# The resources_changed batches received, per sync and region, until the sync is known complete.
budget_batches = sa.Table(
    "budget_batches", metadata,
    sa.Column("account_id", sa.String(36), primary_key=True),
    sa.Column("sync_id", sa.String(36), primary_key=True),
    sa.Column("region", sa.String(32), primary_key=True),
    sa.Column("batch_index", sa.Integer, primary_key=True),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
)

# Finished syncs (from sync_finished) and how many batches each region published; complete once
# every batch was received, or once a rebuild made the budget consistent with the collector.
budget_syncs = sa.Table(
    "budget_syncs", metadata,
    sa.Column("account_id", sa.String(36), primary_key=True),
    sa.Column("sync_id", sa.String(36), primary_key=True),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("expected", sa.JSON, nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("complete", sa.Boolean, nullable=False),
)

# The cost changes of the latest sync that changed the account's costs (replaced by the next).
budget_changes = sa.Table(
    "budget_changes", metadata,
    sa.Column("account_id", sa.String(36), primary_key=True),
    sa.Column("arn", sa.String(2048), primary_key=True),
    sa.Column("sync_id", sa.String(36), nullable=False),
    sa.Column("type", sa.String(128), nullable=False),
    sa.Column("name", sa.String(1024), nullable=False),
    sa.Column("before_usd", sa.String(40)),
    sa.Column("after_usd", sa.String(40)),
    sa.Column("delta_usd", sa.String(40), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),         # largest move first
    sa.Column("total_before_usd", sa.String(40), nullable=False),
    sa.Column("total_after_usd", sa.String(40), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

outbox = outbox_table(metadata)
