"""collector-worker: syncs accounts on a schedule, on request and when they are connected, and
polls the live status of the accounts someone watches (services/collector/status/).

Requests arrive as `sync_requested` events on a shared queue, so with several replicas exactly
one takes each; leases (domain.py) keep two syncs of one account-region apart all the same.
"""
from __future__ import annotations

import logging
import os
import socket
import uuid
from datetime import timedelta

from eventlet import tpool
from nameko.events import BROADCAST, EventDispatcher
from nameko.timer import timer
from prometheus_client import Counter

from cloudsketch.accounts.v1 import accounts_pb2, accounts_pb2_grpc
from cloudsketch.accounts.v1 import events_pb2 as account_events
from cloudsketch.collector.v1 import events_pb2 as events
from services.collector.access import AccountsAccess
from services.collector.domain import Collector
from services.collector.status.provider import LiveStatus
from services.collector.sync import SyncRunner, SyncSettings
from services.collector.tables import outbox
from services.common import config
from services.common.events import parse_event, to_payload
from services.common.grpc_client import DEFAULT_TIMEOUT_SECONDS, stub
from services.common.timeutil import utcnow
from services.common.worker import Database, ObservableService, OutboxRelayProvider, event_handler

log = logging.getLogger(__name__)

PRUNED = Counter("collector_syncs_pruned_total",
                 "Ended syncs deleted because they were older than CLOUDSKETCH_SYNC_HISTORY_DAYS.")

# Who holds a lease: unique per process, readable in the database.
HOLDER = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
SCHEDULE_CHECK_SECONDS = 10
ABANDONED_CHECK_SECONDS = 60   # syncs left running by a worker that died (Collector.end_abandoned_syncs)
# Ended syncs past CLOUDSKETCH_SYNC_HISTORY_DAYS (Collector.prune_sync_history): up to 10 batches of
# 1,000 a minute per replica, 600,000 rows an hour, far above the 10,000 an hour that 10,000
# accounts synced hourly add, so a long history left from before catches up too.
SYNC_HISTORY_CHECK_SECONDS = 60
STATUS_TICK_SECONDS = 1   # how often the status poller looks for due polls and lapsed watches
# A broker restart takes seconds: keep retrying a publish for about a minute before the region
# fails (and is published again by the next sync).
PUBLISH_RETRY_POLICY = {"max_retries": 20, "interval_start": 0.5, "interval_step": 1, "interval_max": 5}


def lookup_account(account_id: str) -> accounts_pb2.Account:
    """The account (with its role and External ID) from accounts-api. grpcio blocks, so the call
    runs in eventlet's thread pool (docs/architecture.md, "Runtime rules") instead of stalling every green thread;
    grpcio has real locks there (grpc_threads_outside_eventlet, called when the worker starts)."""
    accounts = stub("accounts", accounts_pb2_grpc.AccountsServiceStub)
    return tpool.execute(accounts.GetAccount, accounts_pb2.GetAccountRequest(id=account_id),
                         timeout=DEFAULT_TIMEOUT_SECONDS).account


class CollectorWorker(ObservableService):
    name = "collector"

    db = Database()
    dispatch = EventDispatcher(retry_policy=PUBLISH_RETRY_POLICY,
                               confirm_timeout=config.publish_confirm_timeout_seconds())
    # sync_requested goes out through the outbox, committed with its queued sync; this process
    # relays what it writes at once (collector-api's relay would find it on its next poll).
    wake_relay = OutboxRelayProvider(outbox)
    # Live status: the poller, and its memory of what it last published (never stored).
    status = LiveStatus(lookup_account, HOLDER)

    def _collector(self) -> Collector:
        return Collector(self.db, self.wake_relay)

    def _request(self, account_id: str, reason: str) -> None:
        self._collector().request_sync(account_id, [], reason)

    @event_handler("accounts", "account_registered")
    def on_account_registered(self, payload):
        event = parse_event(payload, account_events.AccountRegistered)
        self._collector().schedule(event.account_id, event.aws_account_id, utcnow() + self._interval())
        self._request(event.account_id, "registered")

    @event_handler("accounts", "account_updated")
    def on_account_updated(self, payload):
        # Queues are consumed concurrently: this may come after account_removed, so it must not
        # bring the account's schedule back. A sync of a removed account forgets it (sync.py).
        event = parse_event(payload, account_events.AccountUpdated)
        if "role_arn" in event.changed:   # another role may see other things
            self._request(event.account_id, "updated")

    @event_handler("accounts", "account_removed")
    def on_account_removed(self, payload):
        self._collector().forget(parse_event(payload, account_events.AccountRemoved).account_id)

    @event_handler("collector", "sync_requested")
    def on_sync_requested(self, payload):
        request = parse_event(payload, events.SyncRequested)
        account_concurrency, service_concurrency = config.sync_concurrency()
        settings = SyncSettings(account_concurrency=account_concurrency, service_concurrency=service_concurrency,
                                interval=self._interval(),
                                longest_backoff=timedelta(seconds=config.access_backoff_max_seconds()))
        runner = SyncRunner(self._collector(), lambda kind, message: self.dispatch(kind, to_payload(message)),
                            lookup_account, HOLDER, settings, access=AccountsAccess())
        runner.run(request.sync_id)

    @timer(interval=SCHEDULE_CHECK_SECONDS)
    def sync_due_accounts(self):
        for account_id in self._collector().claim_due(utcnow(), self._interval()):
            self._request(account_id, "schedule")

    @timer(interval=ABANDONED_CHECK_SECONDS)
    def end_abandoned_syncs(self):
        for sync_id in self._collector().end_abandoned_syncs(utcnow(), 2 * SyncSettings().lease_ttl):
            log.warning("ended an abandoned sync as failed", extra={"sync_id": sync_id})

    @timer(interval=SYNC_HISTORY_CHECK_SECONDS)
    def prune_sync_history(self):
        days = config.sync_history_days()
        if days:
            PRUNED.inc(self._collector().prune_sync_history(utcnow(), timedelta(days=days)))

    # Every replica hears every heartbeat (a broadcast queue of its own); leases decide who polls.
    @event_handler("gateway", "status_watched", handler_type=BROADCAST, reliable_delivery=False)
    def on_status_watched(self, payload):
        self.status.watched(parse_event(payload, events.StatusWatched))

    @timer(interval=STATUS_TICK_SECONDS)
    def poll_live_status(self):
        # Status events go straight to the bus, never through the outbox: they must not be stored.
        self.status.tick(lambda kind, message: self.dispatch(kind, to_payload(message)))

    @staticmethod
    def _interval() -> timedelta:
        return timedelta(seconds=config.sync_interval_seconds())


SERVICE = CollectorWorker
