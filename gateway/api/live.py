"""GET /api/aws/account/{id}/live: an account's live status as Server-Sent Events (a cloudsketch
extension; docs/live-status.md, "The stream"). Authorised like GET /api/aws/account/{id}."""
from __future__ import annotations

import queue

from flask import Response, current_app, request

from gateway.api import api
from gateway.api.accounts import authorized_account
from gateway.live import LiveHub, Stream

KEEPALIVE_SECONDS = 15.0    # a comment line this often keeps proxies from closing an idle stream
RETRY_MS = 3000             # how soon EventSource reconnects after the stream ends
BATCH = 64                  # events sent in one write when several are waiting (a poll's burst)


def hub() -> LiveHub:
    return current_app.extensions["live_hub"]


def frames(live: LiveHub, stream: Stream, keepalive: float):
    try:
        yield f"retry: {RETRY_MS}\n: live status of one account\n\n".encode()
        while not stream.dropped:
            try:
                item = stream.queue.get(timeout=keepalive)
            except queue.Empty:
                yield b": keep-alive\n\n"
                continue
            batch = [item]
            while item is not None and len(batch) < BATCH:    # what else is waiting goes in the same write
                try:
                    item = stream.queue.get_nowait()
                except queue.Empty:
                    break
                batch.append(item)
            if None in batch or stream.dropped:
                break     # too far behind, or the gateway stops: the client reconnects and resumes
            yield b"".join(batch)
    finally:
        live.unsubscribe(stream)


@api.get("/aws/account/<account_id>/live")
def account_live(account_id: str):
    authorized_account(account_id, "account:read")
    live = hub()
    stream = live.subscribe(account_id, request.headers.get("Last-Event-ID", "")[:64])
    keepalive = current_app.config.get("LIVE_KEEPALIVE_SECONDS", KEEPALIVE_SECONDS)
    response = Response(frames(live, stream, keepalive), mimetype="text/event-stream")
    response.call_on_close(lambda: live.unsubscribe(stream))   # also when the body was never started
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"    # reverse proxies must not buffer the stream
    return response
