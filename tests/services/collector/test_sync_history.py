"""The sync history's retention (Collector.prune_sync_history, CLOUDSKETCH_SYNC_HISTORY_DAYS) on
SQLite and PostgreSQL: old ended syncs go, and nothing that GetSyncStatus, ListInventory or the
abandoned-sync reaper reads does. The rows are written straight into the table, with the times
each case needs."""
from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from nameko.testing.services import worker_factory
from prometheus_client import REGISTRY

from services.collector.domain import Collector
from services.collector.tables import syncs
from services.collector.worker import CollectorWorker
from services.common.database import open_database
from services.common.timeutil import utcnow

KEEP = timedelta(days=7)


def sync(account_id: str, state: str, requested_at: datetime, runs: timedelta = timedelta(minutes=5)) -> dict:
    """A sync row as the collector writes it: started a minute after its request unless still
    queued, ended `runs` later if it ended."""
    started_at = None if state == "queued" else requested_at + timedelta(minutes=1)
    ended = state in ("finished", "failed")
    return {"sync_id": str(uuid.uuid4()), "account_id": account_id, "state": state, "reason": "schedule",
            "regions": ["eu-west-1"], "requested_at": requested_at, "started_at": started_at,
            "finished_at": started_at + runs if ended else None,
            "counts": {"resources": 3} if ended else None, "gaps": [] if ended else None,
            "region_runs": [{"region": "eu-west-1", "skipped": False}] if ended else None}


def write(collector: Collector, rows: list[dict]) -> None:
    with collector.engine.begin() as conn:
        conn.execute(syncs.insert(), rows)


def remaining(collector: Collector, rows: list[dict]) -> set[str]:
    """Which of these syncs are still stored."""
    return {row["sync_id"] for row in rows for kept in collector.syncs_of(row["account_id"])
            if kept["sync_id"] == row["sync_id"]}


def test_old_ended_syncs_go_and_every_account_keeps_what_its_readers_need(database_url):
    collector = Collector(open_database("collector"))
    now = utcnow()
    old = now - KEEP - timedelta(days=3)
    steady, lost, quiet, stuck = (str(uuid.uuid4()) for _ in range(4))
    rows = {
        # Synced every hour: the old ones go, whatever their state.
        "steady old finished": sync(steady, "finished", old),
        "steady old failed": sync(steady, "failed", old + timedelta(hours=1)),
        "steady recent finished": sync(steady, "finished", now - timedelta(hours=1)),
        "steady queued": sync(steady, "queued", now),
        # Access lost long ago: its last full sync stays, the old failed attempts after it go.
        "lost last finished": sync(lost, "finished", old),
        "lost old failed": sync(lost, "failed", old + timedelta(hours=6)),
        "lost recent failed": sync(lost, "failed", now - timedelta(hours=6)),
        # Nothing for a long time: its latest sync (GetSyncStatus), a failed one that ended before
        # the one requested before it, which is its latest ended and finished sync, stay.
        "quiet older finished": sync(quiet, "finished", old - timedelta(hours=2)),
        "quiet long finished": sync(quiet, "finished", old - timedelta(hours=1), runs=timedelta(hours=3)),
        "quiet last failed": sync(quiet, "failed", old),
        # A sync running since long ago (the reaper's to end) and a queued one stay, and so do
        # the latest ended sync (ListInventory's last_sync_id) and the latest finished one.
        "stuck old finished": sync(stuck, "finished", old - timedelta(hours=3)),
        "stuck last finished": sync(stuck, "finished", old - timedelta(hours=2)),
        "stuck last failed": sync(stuck, "failed", old - timedelta(hours=1)),
        "stuck running": sync(stuck, "running", old),
        "stuck queued": sync(stuck, "queued", old + timedelta(hours=1)),
    }
    write(collector, list(rows.values()))
    before = {account: (collector.status(account), next(collector.inventory(account)))
              for account in (steady, lost, quiet, stuck)}

    gone = {"steady old finished", "steady old failed", "lost old failed", "quiet older finished",
            "stuck old finished"}
    assert collector.prune_sync_history(now, KEEP) == len(gone)
    assert remaining(collector, list(rows.values())) == {row["sync_id"] for name, row in rows.items()
                                                         if name not in gone}
    # What the APIs show is what they showed before.
    for account, (status, inventory) in before.items():
        after = next(collector.inventory(account))
        assert collector.status(account) == status
        assert (after.last_sync_id, after.sync_running) == (inventory.last_sync_id, inventory.sync_running)
    assert collector.status(quiet).sync_id == rows["quiet last failed"]["sync_id"]
    assert next(collector.inventory(quiet)).last_sync_id == rows["quiet long finished"]["sync_id"]
    assert next(collector.inventory(stuck)).last_sync_id == rows["stuck last failed"]["sync_id"]
    assert next(collector.inventory(stuck)).sync_running
    assert collector.prune_sync_history(now, KEEP) == 0
    # Time passes: what was recent ages too, and the account's latest syncs still stay.
    assert collector.prune_sync_history(now + KEEP, KEEP) == 0   # steady: the latest finished, then queued
    assert collector.prune_sync_history(now + KEEP * 2, KEEP) == 0


def test_a_long_history_goes_in_batches_up_to_the_cap_of_a_call(database_url):
    collector = Collector(open_database("collector"))
    now = utcnow()
    account = str(uuid.uuid4())
    start = now - KEEP - timedelta(days=200)
    history = [sync(account, "finished", start + timedelta(hours=n)) for n in range(2500)]
    latest = sync(account, "finished", now - timedelta(hours=1))
    write(collector, [*history, latest])

    assert collector.prune_sync_history(now, KEEP, max_batches=2) == 2000   # two batches of 1,000
    assert collector.prune_sync_history(now, KEEP, max_batches=2) == 500
    assert [row["sync_id"] for row in collector.syncs_of(account)] == [latest["sync_id"]]


def test_replicas_pruning_at_once_delete_each_sync_once_and_keep_the_latest(database_url):
    collector = Collector(open_database("collector"))
    now = utcnow()
    accounts = [str(uuid.uuid4()) for _ in range(5)]
    start = now - KEEP - timedelta(days=30)
    history = [sync(account, state, start + timedelta(hours=n))
               for account in accounts for n, state in enumerate(["finished", "failed"] * 300)]
    latest = [sync(account, "finished", now - timedelta(hours=1)) for account in accounts]
    write(collector, [*history, *latest])

    # Four replicas' timers fire together, each deleting in batches until nothing is left.
    with ThreadPoolExecutor(4) as replicas:
        deleted = sum(replicas.map(lambda _: collector.prune_sync_history(now, KEEP, batch=200, max_batches=100),
                                   range(4)))
    assert deleted == len(history)
    assert remaining(collector, [*history, *latest]) == {row["sync_id"] for row in latest}


def test_collector_worker_prunes_on_its_timer_and_counts_what_it_deleted(database_url, monkeypatch):
    collector = Collector(open_database("collector"))
    now = utcnow()
    account = str(uuid.uuid4())
    old, latest = sync(account, "finished", now - timedelta(days=10)), sync(account, "finished", now)
    write(collector, [old, latest])
    worker = worker_factory(CollectorWorker, db=collector.engine)

    def pruned() -> float:
        return REGISTRY.get_sample_value("collector_syncs_pruned_total") or 0.0

    counted = pruned()
    monkeypatch.setenv("CLOUDSKETCH_SYNC_HISTORY_DAYS", "0")   # keep everything
    worker.prune_sync_history()
    assert remaining(collector, [old, latest]) == {old["sync_id"], latest["sync_id"]}
    monkeypatch.setenv("CLOUDSKETCH_SYNC_HISTORY_DAYS", "")   # the default, 7 days
    worker.prune_sync_history()
    assert remaining(collector, [old, latest]) == {latest["sync_id"]}
    assert pruned() == counted + 1
