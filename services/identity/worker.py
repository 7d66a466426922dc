"""identity-worker: writes the audit log entries for changes other services make, from their
events (durable, so no change goes unrecorded when the identity api is briefly away)."""
from __future__ import annotations

from cloudsketch.accounts.v1 import accounts_pb2
from cloudsketch.accounts.v1 import events_pb2 as account_events
from services.common.events import parse_event
from services.common.worker import Database, ObservableService, event_handler
from services.identity.domain import Identity


def _event_id(event_type: str, event) -> str:
    # Deterministic from the event, so a redelivery records nothing new.
    return f"{event_type}:{event.account_id}:{event.occurred_at.ToJsonString()}"


class IdentityWorker(ObservableService):
    name = "identity"

    db = Database()

    @event_handler("accounts", "account_registered")
    def on_account_registered(self, payload):
        event = parse_event(payload, account_events.AccountRegistered)
        Identity(self.db).record_audit(event.actor_id, "account.added", "account", event.account_id,
                                       f"{event.name} (AWS account {event.aws_account_id})",
                                       _event_id("account_registered", event))

    @event_handler("accounts", "account_updated")
    def on_account_updated(self, payload):
        event = parse_event(payload, account_events.AccountUpdated)
        identity = Identity(self.db)
        access = {"read_access", "write_access"} & set(event.changed)
        edited = sorted(set(event.changed) - access)
        if access:
            identity.record_audit(
                event.actor_id, "account.team_access_changed", "account", event.account_id,
                f"{event.name}: read {sorted(event.read_access)}, write {sorted(event.write_access)}",
                _event_id("account_updated", event) + ":access")
        if edited:
            identity.record_audit(event.actor_id, "account.edited", "account", event.account_id,
                                  f"{event.name}: {', '.join(edited)} changed", _event_id("account_updated", event))

    @event_handler("accounts", "account_removed")
    def on_account_removed(self, payload):
        event = parse_event(payload, account_events.AccountRemoved)
        Identity(self.db).record_audit(event.actor_id, "account.removed", "account", event.account_id,
                                       f"{event.name} (AWS account {event.aws_account_id})",
                                       _event_id("account_removed", event))

    @event_handler("accounts", "account_access_changed")
    def on_account_access_changed(self, payload):
        # One event per transition (accounts writes it with the change), so one entry each.
        event = parse_event(payload, account_events.AccountAccessChanged)
        state, previous = (accounts_pb2.AccessState.Name(s).removeprefix("ACCESS_STATE_").lower()
                           for s in (event.state, event.previous_state))
        detail = f"{event.name}: {previous} -> {state}" + (f": {event.reason}" if event.reason else "")
        Identity(self.db).record_audit(event.actor_id, "account.access_changed", "account", event.account_id,
                                       detail, _event_id("account_access_changed", event))


SERVICE = IdentityWorker
