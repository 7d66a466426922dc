"""Live account blueprints. Event handlers here are idempotent: the bus delivers at least once."""
from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field

import sqlalchemy as sa
from google.protobuf import struct_pb2
from sqlalchemy.engine import Engine

from cloudsketch.accounts.v1 import events_pb2 as account_events
from cloudsketch.diagram.v1 import diagram_pb2 as pb
from services.common.database import insert_if_absent, read_connection
from services.common.errors import NotFound
from services.common.timeutil import to_timestamp, utcnow
from services.diagram.compose import Composed, Composer
from services.diagram.diff import diff_documents, overlay
from services.diagram.filters import parse_filter
from services.diagram.live import LiveModel
from services.diagram.model import collector_paused
from services.diagram.options import ExportOptions, parse_format, parse_options
from services.diagram.render import render
from services.diagram.tables import live_blueprints, live_resources

log = logging.getLogger(__name__)

STATES = {"awaiting_scan": pb.BLUEPRINT_STATE_AWAITING_SCAN, "ready": pb.BLUEPRINT_STATE_READY}


def empty_blueprint_data(name: str) -> dict:
    """Cloudcraft's blueprint `data` with no components yet."""
    return {"version": 4, "name": name, "grid": "infinite", "nodes": [], "edges": [], "groups": [],
            "text": [], "icons": [], "images": [], "surfaces": [], "connectors": []}


# The live blueprint's columns a request reads first (not the document or the layout).
HEADER = (live_blueprints.c.account_id, live_blueprints.c.aws_account_id, live_blueprints.c.name,
          live_blueprints.c.state, live_blueprints.c.created_at, live_blueprints.c.updated_at,
          live_blueprints.c.revision, live_blueprints.c.reload_revision)
# Compositions kept per diagram-api process (account, region, options): about 30 MiB each for
# 10,000 components, the resources, the composer's state, the document and its JSON
# (docs/performance.md, "Diagram pipeline").
LIVE_CACHE_ENTRIES = 16
# Warm-up at start (docs/diagram.md, "Serving"): the default view (every region, default options:
# what the app and a snapshot export ask first) of the largest ready accounts, at most half the
# cache so the views people ask for keep their places; no account is begun after WARM_SECONDS.
WARM_ENTRIES = LIVE_CACHE_ENTRIES // 2
WARM_SECONDS = 120.0
# The renderings warm-up makes and a refresh makes again: the snapshot and the app's picture.
# (PNG and PDF take seconds and are asked for rarely: rendered on request.)
WARM_FORMATS = ("json", "svg")
# How often kept compositions are brought to the live model's revision (after a sync, say).
REFRESH_SECONDS = 5.0


@dataclass
class _Live:
    """One cached live composition: the composer's state at `revision` and its renderings."""
    live_account: dict
    revision: int = -1
    composer: Composer | None = None
    composed: Composed | None = None
    rendered: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _live_account(row) -> dict:
    return {"id": row.account_id, "awsAccountId": row.aws_account_id, "name": row.name}


class Diagrams:
    def __init__(self, engine: Engine):
        self.engine = engine
        self._cache: OrderedDict[tuple, _Live] = OrderedDict()
        self._cache_lock = threading.Lock()

    def on_account_registered(self, event: account_events.AccountRegistered) -> None:
        now = utcnow()
        with self.engine.begin() as conn:
            # A redelivered event finds the row there and changes nothing.
            conn.execute(insert_if_absent(
                conn, live_blueprints, account_id=event.account_id, aws_account_id=event.aws_account_id,
                name=event.name, state="awaiting_scan", data=empty_blueprint_data(event.name),
                created_at=now, updated_at=now, rebuild_after=now))
        # rebuild_after: the collector may have synced the account before this event came
        # (services/diagram/live.py); the worker's reconcile timer asks collector-api.

    def on_account_updated(self, event: account_events.AccountUpdated) -> None:
        """A renamed account: its live blueprint's name follows (the document's name and its
        account group's); cached compositions notice the new name."""
        with self.engine.begin() as conn:
            conn.execute(live_blueprints.update().where(live_blueprints.c.account_id == event.account_id,
                                                        live_blueprints.c.name != event.name)
                         .values(name=event.name, updated_at=utcnow()))

    def on_account_removed(self, event: account_events.AccountRemoved) -> None:
        with self.engine.begin() as conn:
            conn.execute(live_blueprints.delete().where(live_blueprints.c.account_id == event.account_id))
        LiveModel(self.engine).forget(event.account_id)

    def get_account_blueprint(self, account_id: str, region: str, fmt: str = "json",
                              query: Mapping[str, str] | None = None) -> pb.GetAccountBlueprintResponse:
        """The live blueprint of one region ("" or "all": every region) composed from the live
        model and rendered; the layout composition returns is kept, so positions stay put.

        The composition and its renderings are cached per account, region and options (`_Live`)
        at the live model's revision: an unchanged model is answered from the cache, a changed
        one by applying only the rows written since (docs/diagram.md, "Serving")."""
        fmt = parse_format(fmt or "json")
        options = parse_options(query or {})
        region = "" if region in ("", "all") else region
        parse_filter(options.filter)      # a malformed filter fails here, before anything is cached
        with read_connection(self.engine) as conn:
            row = conn.execute(sa.select(*HEADER).where(live_blueprints.c.account_id == account_id)).first()
            if row is not None and row.state != "ready":
                data = conn.execute(sa.select(live_blueprints.c.data).where(
                    live_blueprints.c.account_id == account_id)).scalar()
                return pb.GetAccountBlueprintResponse(state=STATES[row.state], blueprint=self._blueprint(row, data))
        if row is None:
            raise NotFound("no live blueprint for this account")
        key = (account_id, region, options)
        with self._cache_lock:
            entry = self._cache.get(key)
            if entry is None or entry.live_account != _live_account(row):
                entry = self._cache[key] = _Live(_live_account(row))
            self._cache.move_to_end(key)
            while len(self._cache) > LIVE_CACHE_ENTRIES:
                self._cache.popitem(last=False)
        with entry.lock:
            content, content_type = self._current(entry, row, region, options, fmt)
        # The document is in `content` (json) or drawn in it: not repeated as blueprint.data, whose
        # Struct cost more than composing it and doubled the reply (docs/performance.md).
        return pb.GetAccountBlueprintResponse(state=STATES[row.state], blueprint=self._blueprint(row),
                                              content=content, content_type=content_type)

    def _current(self, entry: _Live, row, region: str, options: ExportOptions, fmt: str) -> tuple[bytes, str]:
        """The entry brought to the row's revision, rendered in `fmt`. The caller holds entry.lock."""
        if entry.revision != row.revision or entry.composed is None:
            self._recompose(entry, row, region, options)
        assert entry.composed is not None
        rendered = entry.rendered.get(fmt)
        if rendered is None:
            with collector_paused():
                rendered = entry.rendered[fmt] = render(entry.composed.data, fmt, options)
        return rendered

    # Warm-up and refresh (run by `Warmer`, off the request path) ------------------------------

    def warm(self, deadline: float, stop: threading.Event | None = None) -> list[str]:
        """Compose and render the default view of the largest ready accounts (WARM_ENTRIES) into
        the cache, until `deadline` (time.monotonic()). Only into free places, at the cold end:
        an entry a request made is never evicted for one, and a request that comes meanwhile
        waits for the entry's lock and then reads it. Returns the accounts warmed."""
        with read_connection(self.engine) as conn:
            largest = conn.execute(
                sa.select(live_resources.c.account_id)
                .join(live_blueprints, live_blueprints.c.account_id == live_resources.c.account_id)
                .where(live_blueprints.c.state == "ready", live_resources.c.removed.is_(False))
                .group_by(live_resources.c.account_id)
                .order_by(sa.func.count().desc(), live_resources.c.account_id).limit(WARM_ENTRIES)).scalars().all()
        options, warmed = ExportOptions(), []
        for account_id in largest:
            if time.monotonic() > deadline or (stop is not None and stop.is_set()):
                break
            row = self._header(account_id)
            if row is None or row.state != "ready":
                continue
            key = (account_id, "", options)
            with self._cache_lock:
                if key in self._cache or len(self._cache) >= LIVE_CACHE_ENTRIES:
                    continue
                entry = self._cache[key] = _Live(_live_account(row))
                self._cache.move_to_end(key, last=False)     # first out unless a request uses it
                entry.lock.acquire()     # before a request can find it: one waits for this composition
            try:
                self._current(entry, row, "", options, WARM_FORMATS[0])
            finally:
                entry.lock.release()
            for fmt in WARM_FORMATS[1:]:     # a request for the first waits for no more than it
                with entry.lock:
                    if entry.revision == row.revision:      # else a request brought it further
                        self._current(entry, row, "", options, fmt)
            warmed.append(account_id)
        return warmed

    def refresh(self) -> int:
        """Bring every kept composition whose account's live model moved (a sync, a rebuild) to
        its revision, with the renderings of WARM_FORMATS it had, so the next request finds it
        current. An entry a request is working on is left to it. Returns the entries brought."""
        with self._cache_lock:
            entries = list(self._cache.items())
        rows: dict = {}
        brought = 0
        for (account_id, region, options), entry in entries:
            if account_id not in rows:
                rows[account_id] = self._header(account_id)
            row = rows[account_id]
            if (row is None or row.state != "ready" or entry.composed is None or entry.revision == row.revision
                    or entry.live_account != _live_account(row) or not entry.lock.acquire(blocking=False)):
                continue
            try:
                formats = [fmt for fmt in WARM_FORMATS if fmt in entry.rendered]
                self._recompose(entry, row, region, options)
                for fmt in formats:
                    self._current(entry, row, region, options, fmt)
                brought += 1
            finally:
                entry.lock.release()
        return brought

    def _header(self, account_id: str):
        with read_connection(self.engine) as conn:
            return conn.execute(sa.select(*HEADER).where(live_blueprints.c.account_id == account_id)).first()

    def _recompose(self, entry: _Live, row, region: str, options) -> None:
        """Bring the entry to the row's revision: only the rows written since its own revision
        when it has one (and no tombstone it never saw was forgotten since), else all of them."""
        live = LiveModel(self.engine)
        if entry.composer is None or entry.revision < row.reload_revision:
            entry.composer = Composer(options, entry.live_account, live.resources(row.account_id, region))
        else:
            upserted, removed = live.changes(row.account_id, region, since=entry.revision)
            try:
                entry.composer.update(upserted, removed)
            except BaseException:
                entry.composer = entry.composed = None      # half applied: the next call starts again
                raise
        with read_connection(self.engine) as conn:
            layout = conn.execute(sa.select(live_blueprints.c.layout).where(
                live_blueprints.c.account_id == row.account_id)).scalar() or {}
        entry.composed = composed = entry.composer.compose(row.name, layout)
        entry.revision, entry.rendered = row.revision, {}
        if any(layout.get(arn) != list(position) for arn, position in composed.layout.items()):
            self._save_layout(row.account_id, {arn: list(position) for arn, position in composed.layout.items()})

    @staticmethod
    def _blueprint(row, document: dict | None = None) -> pb.Blueprint:
        blueprint = pb.Blueprint(id=row.account_id, name=row.name, created_at=to_timestamp(row.created_at),
                                 updated_at=to_timestamp(row.updated_at))
        if document is not None:
            blueprint.data.update(document)
        return blueprint

    def _save_layout(self, account_id: str, positions: dict) -> None:
        """Merge positions into the stored layout (other regions' positions stay)."""
        with self.engine.begin() as conn:
            stored = conn.execute(sa.select(live_blueprints.c.layout).where(
                live_blueprints.c.account_id == account_id).with_for_update()).scalar()
            conn.execute(live_blueprints.update().where(live_blueprints.c.account_id == account_id)
                         .values(layout={**(stored or {}), **positions}))

    def account_versions(self, account_id: str) -> pb.ListAccountVersionsResponse:
        return pb.ListAccountVersionsResponse(versions=[
            pb.BlueprintVersion(version=v["version"], sync_id=v["sync_id"], reason=v["reason"],
                                created_at=v["created_at"]) for v in LiveModel(self.engine).versions(account_id)])

    def diff_account_versions(self, account_id: str, from_version: int, to_version: int, fmt: str = "",
                              query: Mapping[str, str] | None = None) -> pb.DiffAccountVersionsResponse:
        """What changed between two versions; with a format, also the "what changed" overlay
        (the newer version with added, changed and removed nodes marked) rendered in it."""
        if fmt:
            fmt, options = parse_format(fmt), parse_options(query or {})
        documents = LiveModel(self.engine).version_documents(account_id, from_version, to_version)
        old, new = documents[from_version], documents[to_version]
        result = struct_pb2.Struct()
        result.update(diff_documents(old, new).to_json())
        if not fmt:
            return pb.DiffAccountVersionsResponse(diff=result)
        content, content_type = render(overlay(old, new), fmt, options)
        return pb.DiffAccountVersionsResponse(diff=result, content=content, content_type=content_type)


class Warmer:
    """diagram-api's background thread: warms the cache once at start (`Diagrams.warm`), then
    refreshes it every REFRESH_SECONDS (`Diagrams.refresh`). It never holds readiness up: the
    server reports SERVING while it works, and a request meanwhile is answered as without it."""

    def __init__(self, diagrams: Diagrams, warm_seconds: float = WARM_SECONDS,
                 refresh_seconds: float = REFRESH_SECONDS):
        self.diagrams = diagrams
        self.warm_seconds = warm_seconds
        self.refresh_seconds = refresh_seconds
        self.stopping = threading.Event()
        self.warmed = threading.Event()      # set once warm-up is over (done, timed out or failed)
        self._thread = threading.Thread(target=self._run, name="diagram-warmer", daemon=True)

    def start(self) -> Warmer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._thread.join()

    def _run(self) -> None:
        started = time.monotonic()
        try:
            warmed = self.diagrams.warm(started + self.warm_seconds, self.stopping)
            log.info("diagram cache warmed", extra={"accounts": len(warmed),
                                                     "seconds": round(time.monotonic() - started, 3)})
        except Exception:
            log.exception("diagram cache warm-up failed; compositions are made on request")
        finally:
            self.warmed.set()
        while not self.stopping.wait(self.refresh_seconds):
            try:
                self.diagrams.refresh()
            except Exception:
                log.exception("diagram cache refresh failed; the next request brings its entry current")
