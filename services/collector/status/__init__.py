"""Live status (docs/live-status.md): while someone watches an account, poll its resources' state
with the cheapest batch calls, keep the last-seen statuses in memory, and publish only changes
(`status_changed`) plus a `status_snapshot` for each new watcher. Never stored, never logged.

probes.py: per component type, the batch call that reads its state and how that maps to a
ResourceStatus. cloudwatch.py: the one key metric per type (GetMetricData, 500 queries a call)
and alarm states. poller.py: watches, leases, the in-memory view and what gets published.
provider.py: the poller as a nameko dependency of collector-worker.
"""
