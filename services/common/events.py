"""Events on the bus, in its one format (docs/architecture.md): nameko's event exchange `<service>.events`,
routing key = event type, payload = the protobuf message as JSON (protobuf's json_format).

Api processes publish with `EventPublisher` (nameko's standalone dispatcher: kombu with publisher
confirms, no eventlet); nameko workers publish with nameko's EventDispatcher and receive with
@event_handler, turning payloads back into messages with `parse_event`.
"""
from __future__ import annotations

import logging

from google.protobuf import json_format
from google.protobuf.message import Message
from nameko.standalone.events import event_dispatcher, get_event_exchange

from services.common import config

log = logging.getLogger(__name__)


def to_payload(message: Message) -> dict:
    return json_format.MessageToDict(message)


def parse_event(payload: dict, message_class: type[Message]) -> Message:
    # Unknown fields are ignored so that a newer publisher can add fields without breaking an
    # older consumer (the Buf FILE breaking-change rules keep the rest compatible).
    return json_format.ParseDict(payload, message_class(), ignore_unknown_fields=True)


class EventPublisher:
    """Publishes a service's events from a non-eventlet process. Thread-safe (kombu pools)."""

    def __init__(self, service: str, amqp_uri: str | None = None, retry_policy: dict | None = None):
        self.service = service
        # Declaring the exchange (once per connection: kombu caches it) lets an api process publish
        # before any worker has declared it; otherwise the broker would close the channel.
        # retry_policy: kombu's, for a caller that retries by itself (the outbox relay).
        extra = {"retry_policy": retry_policy} if retry_policy is not None else {}
        self._dispatch = event_dispatcher(uri=amqp_uri or config.amqp_uri(), declare=[get_event_exchange(service)],
                                          confirm_timeout=config.publish_confirm_timeout_seconds(), **extra)

    def publish(self, event_type: str, message: Message) -> None:
        self.publish_payload(event_type, to_payload(message))

    def publish_payload(self, event_type: str, payload: dict) -> None:
        """Publishes a payload made by to_payload (as the outbox keeps it); returns once the
        broker confirmed it, raises otherwise (also when no confirm came within the timeout)."""
        self._dispatch(self.service, event_type, payload)
        log.debug("published", extra={"event_type": event_type, "exchange": f"{self.service}.events"})
