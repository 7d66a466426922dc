"""budget-worker: keeps each account's priced components current from the bus, rebuilds an
account from collector-api's inventory when its events cannot be trusted, and settles each
complete sync into its cost changes and a `budget_changed` event in the outbox
(services/budget/live.py), which this process's outbox relay publishes."""
from __future__ import annotations

from nameko.timer import timer

from cloudsketch.accounts.v1 import events_pb2 as account_events
from cloudsketch.collector.v1 import collector_pb2, collector_pb2_grpc
from cloudsketch.collector.v1 import events_pb2 as collector_events
from services.budget import catalog
from services.budget.live import LiveBudget
from services.budget.tables import outbox
from services.common import config
from services.common.events import parse_event
from services.common.live import inventory_reader
from services.common.worker import Database, ObservableService, OutboxRelayProvider, event_handler

RECONCILE_SECONDS = 2

# Every page of an account's inventory from collector-api.
fetch_inventory = inventory_reader(collector_pb2_grpc.CollectorServiceStub, collector_pb2.ListInventoryRequest)


class BudgetWorker(ObservableService):
    name = "budget"

    db = Database()
    # A sync settles (and writes budget_changed) on whichever of these handlers completes it; each
    # wakes the relay, which finds nothing to do when nothing was written.
    wake_relay = OutboxRelayProvider(outbox)

    def _live(self) -> LiveBudget:
        # The catalog in use, loaded again when `prices refresh` rewrote it (docs/budget.md).
        return LiveBudget(self.db, fetch_inventory, config.budget_gap_seconds(), catalog=catalog.current())

    @event_handler("accounts", "account_registered")
    def on_account_registered(self, payload):
        event = parse_event(payload, account_events.AccountRegistered)
        self._live().on_account_registered(event.account_id, event.aws_account_id, event.name)

    @event_handler("accounts", "account_updated")
    def on_account_updated(self, payload):
        event = parse_event(payload, account_events.AccountUpdated)
        self._live().on_account_updated(event.account_id, event.name)

    @event_handler("accounts", "account_removed")
    def on_account_removed(self, payload):
        self._live().forget(parse_event(payload, account_events.AccountRemoved).account_id)

    @event_handler("collector", "resources_changed")
    def on_resources_changed(self, payload):
        self._live().on_resources_changed(parse_event(payload, collector_events.ResourcesChanged))
        self.wake_relay()

    @event_handler("collector", "sync_finished")
    def on_sync_finished(self, payload):
        self._live().on_sync_finished(parse_event(payload, collector_events.SyncFinished))
        self.wake_relay()

    @timer(interval=RECONCILE_SECONDS)
    def reconcile(self):
        """Price again the accounts a new catalog changes; rebuild the accounts that are due
        (those, registered after a sync, gaps, failed rebuilds)."""
        live = self._live()
        live.reprice_stale()
        live.reconcile()
        self.wake_relay()


SERVICE = BudgetWorker
