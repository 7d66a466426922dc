import sqlalchemy as sa

from services.common.outbox import outbox_table

metadata = sa.MetaData()

# Accounts the collector syncs, from the accounts events, and when each is next due.
schedules = sa.Table(
    "schedules", metadata,
    sa.Column("account_id", sa.String(36), primary_key=True),
    sa.Column("aws_account_id", sa.String(12), nullable=False),
    sa.Column("next_sync_at", sa.DateTime(timezone=True), nullable=False),
    # Scheduled attempts in a row that found the account's access lost: the back-off's exponent
    # (SyncRunner.back_off); 0 once a sync runs again.
    sa.Column("access_failures", sa.Integer, nullable=False, server_default="0"),
)

# The account's inventory: every resource as the last sync of its account-region published it,
# normalised (docs/architecture.md, "What is stored"), with its fingerprint for change detection.
# scan_region is the region the resource was discovered from, "" for global discovery (S3's
# bucket list, CloudFront, Route 53). changed_at is the occurred_at of the resources_changed
# batch that last published it. Rows from before the inventory was kept have an empty
# fingerprint (migration 0002), so the next sync publishes and records them in full.
resources = sa.Table(
    "resources", metadata,
    sa.Column("account_id", sa.String(36), primary_key=True),
    sa.Column("arn", sa.String(2048), primary_key=True),
    sa.Column("scan_region", sa.String(32), nullable=False),
    sa.Column("unit", sa.String(64), nullable=False),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("type", sa.String(128), nullable=False, server_default=""),
    sa.Column("region", sa.String(32), nullable=False, server_default=""),
    sa.Column("name", sa.String(1024), nullable=False, server_default=""),
    sa.Column("tags", sa.JSON),            # {key: value}
    sa.Column("attributes", sa.JSON),      # the normalised attributes
    sa.Column("relationships", sa.JSON),   # [[type, source_arn, target_arn], ...]
    sa.Column("changed_at", sa.DateTime(timezone=True)),
    sa.Index("ix_resources_account_region", "account_id", "scan_region"),
)

# One row per requested sync; GetSyncStatus reads the latest one of an account. Ended syncs older
# than CLOUDSKETCH_SYNC_HISTORY_DAYS are deleted (Collector.prune_sync_history).
syncs = sa.Table(
    "syncs", metadata,
    sa.Column("sync_id", sa.String(36), primary_key=True),
    sa.Column("account_id", sa.String(36), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),   # queued, running, finished, failed
    sa.Column("reason", sa.String(32), nullable=False),  # registered, schedule, on_demand, ...
    sa.Column("regions", sa.JSON, nullable=False),
    sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True)),
    sa.Column("finished_at", sa.DateTime(timezone=True)),
    sa.Column("counts", sa.JSON),
    sa.Column("gaps", sa.JSON),
    # Per region: when this sync held it, or that it skipped it because another sync held it.
    sa.Column("region_runs", sa.JSON),
    sa.Column("message", sa.String(1000)),
    # Collector.end_abandoned_syncs looks for old running syncs every minute, and
    # Collector.prune_sync_history for old ended ones.
    sa.Index("ix_syncs_state_started_at", "state", "started_at"),
    # The retention looks for a newer sync of the same account by each of these (and GetSyncStatus
    # reads an account's latest by the first).
    sa.Index("ix_syncs_account_requested_at", "account_id", "requested_at"),
    sa.Index("ix_syncs_account_finished_at", "account_id", "finished_at"),
)

# Who is syncing an account-region right now: a lease with an expiry, so that several collector
# replicas never sync the same account-region at once and a crashed replica's lease runs out.
# The live status poller's leases share the table under the region key "live/<region>"
# (services/collector/status/poller.py), so polls and syncs never block each other.
leases = sa.Table(
    "leases", metadata,
    sa.Column("account_id", sa.String(36), primary_key=True),
    sa.Column("region", sa.String(32), primary_key=True),
    sa.Column("holder", sa.String(64), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
)

# Events written in the same transaction as the change they report (services/common/outbox.py):
# sync_requested, committed with its queued sync.
outbox = outbox_table(metadata)
