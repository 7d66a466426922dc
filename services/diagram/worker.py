"""diagram-worker: keeps live blueprints up to date from the bus, and rebuilds an account from
collector-api's inventory when its events cannot be trusted (services/diagram/live.py)."""
from __future__ import annotations

from nameko.timer import timer

from cloudsketch.accounts.v1 import events_pb2 as account_events
from cloudsketch.collector.v1 import collector_pb2, collector_pb2_grpc
from cloudsketch.collector.v1 import events_pb2 as collector_events
from services.common import config
from services.common.events import parse_event
from services.common.live import inventory_reader
from services.common.worker import Database, ObservableService, event_handler
from services.diagram.blueprints import Blueprints
from services.diagram.domain import Diagrams
from services.diagram.live import LiveModel

RECONCILE_SECONDS = 2

# Every page of an account's inventory from collector-api.
fetch_inventory = inventory_reader(collector_pb2_grpc.CollectorServiceStub, collector_pb2.ListInventoryRequest)


class DiagramWorker(ObservableService):
    name = "diagram"

    db = Database()

    def _live(self) -> LiveModel:
        return LiveModel(self.db, fetch_inventory, config.diagram_gap_seconds(),
                         on_version=Blueprints(self.db).on_account_changed)

    @event_handler("accounts", "account_registered")
    def on_account_registered(self, payload):
        Diagrams(self.db).on_account_registered(parse_event(payload, account_events.AccountRegistered))

    @event_handler("accounts", "account_updated")
    def on_account_updated(self, payload):
        Diagrams(self.db).on_account_updated(parse_event(payload, account_events.AccountUpdated))

    @event_handler("accounts", "account_removed")
    def on_account_removed(self, payload):
        Diagrams(self.db).on_account_removed(parse_event(payload, account_events.AccountRemoved))

    @event_handler("collector", "resources_changed")
    def on_resources_changed(self, payload):
        self._live().on_resources_changed(parse_event(payload, collector_events.ResourcesChanged))

    @event_handler("collector", "sync_finished")
    def on_sync_finished(self, payload):
        self._live().on_sync_finished(parse_event(payload, collector_events.SyncFinished))

    @timer(interval=RECONCILE_SECONDS)
    def reconcile(self):
        """Rebuild the accounts that are due (registered after a sync, gaps, failed rebuilds)."""
        self._live().reconcile()


SERVICE = DiagramWorker
