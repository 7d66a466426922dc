"""diagram-worker: keeps live blueprints up to date from the bus."""
from __future__ import annotations

from nameko.events import event_handler

from cloudsketch.accounts.v1 import events_pb2 as account_events
from services.common.events import parse_event
from services.common.worker import Database, ObservableService
from services.diagram.domain import Diagrams


class DiagramWorker(ObservableService):
    name = "diagram"

    db = Database()

    @event_handler("accounts", "account_registered")
    def on_account_registered(self, payload):
        Diagrams(self.db).on_account_registered(parse_event(payload, account_events.AccountRegistered))

    @event_handler("accounts", "account_removed")
    def on_account_removed(self, payload):
        Diagrams(self.db).on_account_removed(parse_event(payload, account_events.AccountRemoved))


SERVICE = DiagramWorker
