"""diagram-worker: keeps live blueprints up to date from the bus, and rebuilds an account from
collector-api's inventory when its events cannot be trusted (services/diagram/live.py)."""
from __future__ import annotations

import logging
from datetime import timedelta

import grpc
from eventlet import tpool
from nameko.timer import timer

from cloudsketch.accounts.v1 import events_pb2 as account_events
from cloudsketch.collector.v1 import collector_pb2, collector_pb2_grpc
from cloudsketch.collector.v1 import events_pb2 as collector_events
from services.common import config
from services.common.events import parse_event
from services.common.grpc_client import grpc_threads_outside_eventlet, stub
from services.common.timeutil import utcnow
from services.common.worker import Database, ObservableService, event_handler
from services.diagram.domain import Diagrams
from services.diagram.live import LiveModel

log = logging.getLogger(__name__)
RECONCILE_SECONDS = 2
INVENTORY_TIMEOUT_SECONDS = 120
RETRY_AFTER_ERROR = timedelta(seconds=15)


def fetch_inventory(account_id: str) -> list[collector_pb2.ListInventoryResponse]:
    """Every page of the account's inventory from collector-api. grpcio blocks, so the call (and
    reading its stream) runs in eventlet's thread pool (docs/architecture.md, "Runtime rules")."""
    grpc_threads_outside_eventlet()
    collector = stub("collector", collector_pb2_grpc.CollectorServiceStub)

    def read() -> list[collector_pb2.ListInventoryResponse]:
        return list(collector.ListInventory(collector_pb2.ListInventoryRequest(account_id=account_id, page_size=500),
                                            timeout=INVENTORY_TIMEOUT_SECONDS))
    return tpool.execute(read)


class DiagramWorker(ObservableService):
    name = "diagram"

    db = Database()

    def _live(self) -> LiveModel:
        return LiveModel(self.db, fetch_inventory, config.diagram_gap_seconds())

    @event_handler("accounts", "account_registered")
    def on_account_registered(self, payload):
        Diagrams(self.db).on_account_registered(parse_event(payload, account_events.AccountRegistered))

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
        live = self._live()
        now = utcnow()
        for account_id in live.due(now):
            try:
                live.rebuild(account_id)
            except grpc.RpcError as exc:
                log.warning("rebuild failed: collector-api %s", exc.code().name, extra={"account_id": account_id})
                live.schedule_rebuild(account_id, utcnow() + RETRY_AFTER_ERROR)
        live.forget_old(now)


SERVICE = DiagramWorker
