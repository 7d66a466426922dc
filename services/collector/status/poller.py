"""The demand-driven status poller of one collector-worker process (docs/live-status.md).

- Demand: the gateway sends `status_watched` heartbeats (every replica receives each one: a
  broadcast queue). An account is polled while one of its watches has not lapsed (`lapse()`: two
  intervals after its last heartbeat, within the gateway's ttl_seconds); once the last lapses, the
  next tick (within a second) lets the account go.
- Cadence: every `interval` seconds per account; all its regions in parallel. Metrics at most once
  a minute (cloudwatch.py).
- One poller per account-region: a lease in the collector's `leases` table (the sync's mechanism,
  services/collector/domain.py) under the key `live/<region>`, held while the account is watched,
  renewed on every poll and checked again before a poll publishes, released when the watch
  lapses; a replica that dies loses it after 3 intervals (at least 30 s) and another takes over.
- Only changes go out: the last-seen status of every resource lives in this object's memory
  (never in a database, never in a log), and a resource is published (`status_changed`) when
  its state, status, detail or metric differ from what was last published. A region's first poll
  by this process, and each new watcher id, get a `status_snapshot` of the region instead.
"""
from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import eventlet
import grpc
import sqlalchemy as sa
from botocore.exceptions import BotoCoreError, ClientError
from google.protobuf.message import Message
from prometheus_client import Counter
from sqlalchemy.engine import Engine

from cloudsketch.accounts.v1 import accounts_pb2
from cloudsketch.collector.v1 import events_pb2 as events
from services.collector.domain import Collector
from services.collector.engine import error_code, green_map
from services.collector.session import EXPIRED, AccountSession
from services.collector.status import cloudwatch
from services.collector.status.probes import (
    KINDS,
    OK,
    PENDING,
    WARNING,
    Observation,
    Probe,
    Watched,
    gone,
    metric_of,
)
from services.collector.tables import resources
from services.common.database import read_connection
from services.common.timeutil import to_timestamp, utcnow

log = logging.getLogger(__name__)

Publish = Callable[[str, Message], None]

LEASE_PREFIX = "live/"          # the lease key's region column: never a sync's region
MAX_WATCH_TTL_SECONDS = 300     # a heartbeat cannot keep an account polled longer than this
METRIC_REFRESH_SECONDS = 60     # CloudWatch's standard metrics change once a minute at best
SESSION_MAX_AGE_SECONDS = 600   # look the account up again now and then (its role may have changed)
ACCOUNTS_IN_FLIGHT = 100
LEASE_MIN_SECONDS = 30          # a lease outlives 3 intervals, and a machine's stall of a few seconds

# What watching costs (docs/operations.md): region polls and the AWS calls they made.
POLLS = Counter("collector_live_status_polls_total", "Live status polls of an account-region.")
CALLS = Counter("collector_live_status_api_calls_total", "AWS API calls made by live status polls.")


def read_inventory(engine: Engine, account_id: str) -> dict[str, list[Watched]]:
    """The account's resources of the types live status knows, by region (the collector's own
    inventory: what its last sync stored)."""
    with read_connection(engine) as conn:
        rows = conn.execute(sa.select(resources.c.arn, resources.c.type, resources.c.region, resources.c.name,
                                      resources.c.attributes)
                            .where(resources.c.account_id == account_id, resources.c.type.in_(list(KINDS)),
                                   resources.c.region != "")).all()
    by_region: dict[str, list[Watched]] = {}
    for row in rows:
        by_region.setdefault(row.region, []).append(Watched(row.arn, row.type, row.region, row.name,
                                                            row.attributes or {}))
    return by_region


@dataclass
class RegionView:
    """What this process last published for one account-region it holds the lease of."""
    statuses: dict[str, events.StatusChanged] = field(default_factory=dict)   # by ARN, observed_at unset
    served: set[str] = field(default_factory=set)       # watcher ids that have had a snapshot
    polled: bool = False
    observed_at: datetime | None = None                  # the last poll's time
    metrics_at: float = -math.inf


@dataclass
class AccountView:
    regions: dict[str, RegionView] = field(default_factory=dict)   # the regions this process holds
    session: AccountSession | None = None
    session_at: float = -math.inf
    due: float = -math.inf
    busy: bool = False


class StatusPoller:
    def __init__(self, engine: Engine, lookup_account: Callable[[str], accounts_pb2.Account], holder: str,
                 interval_seconds: float, *, session_factory: Callable[..., AccountSession] = AccountSession,
                 clock: Callable[[], float] = time.monotonic, lease_ttl: timedelta | None = None):
        self.engine = engine
        self.collector = Collector(engine)
        self.lookup_account = lookup_account
        self.holder = f"{holder}/live"
        self.interval = interval_seconds
        self.lease_ttl = lease_ttl or timedelta(seconds=max(3 * interval_seconds, LEASE_MIN_SECONDS))
        self.session_factory = session_factory
        self.clock = clock
        self.watches: dict[str, dict[str, float]] = {}   # account id -> watcher id -> lapses at (clock)
        self.accounts: dict[str, AccountView] = {}       # accounts this process polls
        self.pool = eventlet.GreenPool(ACCOUNTS_IN_FLIGHT)

    # Demand ------------------------------------------------------------------------------------

    def watched(self, event: events.StatusWatched) -> None:
        """A heartbeat. The gateway's clock is not ours: the watch lapses ttl after its arrival."""
        if not event.account_id or not event.watcher_id:
            return
        self.watches.setdefault(event.account_id, {})[event.watcher_id] = self.clock() + self.lapse(event.ttl_seconds)

    def lapse(self, ttl_seconds: int) -> float:
        """How long after its last heartbeat a watch lapses: two intervals, so that a vanished
        watcher stops costing calls within two intervals, unless the gateway beats less often than
        that (every ttl/3): then two of its beats, so that one lost beat does not end the watch.
        Never later than the gateway's ttl (at most 300 s); no ttl counts as two intervals."""
        if ttl_seconds <= 0:
            return 2 * self.interval
        ttl = min(ttl_seconds, MAX_WATCH_TTL_SECONDS)
        return min(ttl, max(2 * self.interval, 2 * ttl / 3))

    def watchers(self, account_id: str) -> set[str]:
        return set(self.watches.get(account_id, {}))

    # The loop -----------------------------------------------------------------------------------

    def tick(self, publish: Publish) -> None:
        """Called every second or so: drops lapsed watches, lets unwatched accounts go, starts the
        polls that are due and answers new watchers of regions already polled from memory."""
        now = self.clock()
        for account_id, watches in list(self.watches.items()):
            for watcher_id, lapses_at in list(watches.items()):
                if lapses_at <= now:
                    del watches[watcher_id]
            if not watches:
                del self.watches[account_id]
        for account_id, view in list(self.accounts.items()):
            if account_id not in self.watches and not view.busy:
                self._let_go(account_id)
        for account_id in self.watches:
            view = self.accounts.setdefault(account_id, AccountView())
            if view.busy:
                continue
            if view.due <= now:
                view.busy = True
                self.pool.spawn_n(self._poll_account, account_id, view, publish)
                continue
            for region, region_view in view.regions.items():
                if region_view.polled and self.watchers(account_id) - region_view.served:
                    self._snapshot(account_id, region, region_view, publish)

    def wait(self) -> None:
        """Until every poll in flight has ended (tests, shutdown)."""
        self.pool.waitall()

    def stop(self) -> None:
        self.pool.waitall()
        for account_id in list(self.accounts):
            self._let_go(account_id)

    def _let_go(self, account_id: str) -> None:
        view = self.accounts.pop(account_id)
        for region in view.regions:
            self.collector.release_lease(account_id, LEASE_PREFIX + region, self.holder)

    # One account ------------------------------------------------------------------------------

    def _poll_account(self, account_id: str, view: AccountView, publish: Publish) -> None:
        started = self.clock()
        try:
            inventory = read_inventory(self.engine, account_id)
            held = [region for region in sorted(inventory)
                    if self.collector.acquire_lease(account_id, LEASE_PREFIX + region, self.holder, self.lease_ttl)]
            for region in list(view.regions):
                if region not in held:
                    del view.regions[region]   # another replica polls it now, or it has nothing left
                    if region not in inventory:
                        self.collector.release_lease(account_id, LEASE_PREFIX + region, self.holder)
            if not held:
                return
            regions = {region: view.regions.setdefault(region, RegionView()) for region in held}   # to let go
            session = self._session(account_id, view)
            if session is None:
                return
            calls = session.stats.calls
            list(eventlet.GreenPool(len(held)).imap(
                lambda region: self._poll_region(account_id, region, regions[region], inventory[region], session,
                                                 publish), held))
            CALLS.inc(session.stats.calls - calls)
        except Exception:
            log.exception("live status poll failed", extra={"account_id": account_id})
        finally:
            view.due = started + self.interval
            view.busy = False

    def _session(self, account_id: str, view: AccountView) -> AccountSession | None:
        if view.session is not None and self.clock() - view.session_at < SESSION_MAX_AGE_SECONDS:
            return view.session
        try:
            account = self.lookup_account(account_id)
        except grpc.RpcError as exc:
            log.warning("live status: account lookup failed", extra={"account_id": account_id,
                                                                       "code": str(exc.code())})
            return None
        home_region = (list(account.regions) or ["us-east-1"])[0]
        try:
            view.session = self.session_factory(account.role_arn, account.external_id, home_region,
                                                session_name="cloudsketch-live", account_concurrency=8,
                                                service_concurrency=4)
        except (ClientError, BotoCoreError) as exc:   # the role cannot be assumed (the sync says why)
            log.warning("live status: the role could not be assumed",
                        extra={"account_id": account_id, "code": error_code(exc) or type(exc).__name__})
            return None
        view.session_at = self.clock()
        return view.session

    # One region -------------------------------------------------------------------------------

    def _poll_region(self, account_id: str, region: str, view: RegionView, watched: list[Watched],
                     session: AccountSession, publish: Publish) -> None:
        observed_at = utcnow()
        current = self._observe(account_id, region, view, watched, session)
        POLLS.inc()
        # Still ours? A poll slower than the lease (3 intervals) may have lost it to another
        # replica, which has published since: this one must not publish over it.
        if not self.collector.acquire_lease(account_id, LEASE_PREFIX + region, self.holder, self.lease_ttl):
            self.accounts.get(account_id, AccountView()).regions.pop(region, None)
            return
        view.observed_at = observed_at
        watchers = self.watchers(account_id)
        if not view.polled:   # nothing to compare with: a snapshot
            view.statuses, view.polled = current, True
            self._snapshot(account_id, region, view, publish)
            return
        for arn, status in current.items():
            if view.statuses.get(arn) != status:
                publish("status_changed", stamped(status, observed_at))
        view.statuses = current
        if watchers - view.served:
            self._snapshot(account_id, region, view, publish)

    def _snapshot(self, account_id: str, region: str, view: RegionView, publish: Publish) -> None:
        stamp = to_timestamp(view.observed_at)
        publish("status_snapshot", events.StatusSnapshot(
            account_id=account_id, region=region, observed_at=stamp,
            statuses=[stamped(view.statuses[arn], view.observed_at) for arn in sorted(view.statuses)]))
        view.served = self.watchers(account_id)

    def _observe(self, account_id: str, region: str, view: RegionView, watched: list[Watched],
                 session: AccountSession) -> dict[str, events.StatusChanged]:
        """Every watched resource's status now; a resource whose call failed keeps its last one."""
        by_probe: dict[Probe, list[Watched]] = {}
        for resource in watched:
            by_probe.setdefault(KINDS[resource.type].probe, []).append(resource)
        observations: dict[str, Observation] = {}
        answered: set[str] = set()

        def run(item: tuple[Probe, list[Watched]]):
            probe, members = item
            client = session.client(probe.client, region)
            read = (lambda: probe.read(client, members, green_map)) if probe.per_item else \
                (lambda: probe.read(client, members))
            found = self._call(account_id, region, probe.call, session, read)
            if found is not None:
                observations.update(found)
                answered.update(r.arn for r in members)
        list(eventlet.GreenPool(len(by_probe) or 1).imap(run, by_probe.items()))

        firing = self._call(account_id, region, "cloudwatch:DescribeAlarms", session,
                            lambda: cloudwatch.alarms_by_arn(session.client("cloudwatch", region), watched)) or {}
        values = self._metrics(account_id, region, view, watched, session)
        current: dict[str, events.StatusChanged] = {}
        for resource in watched:
            if resource.arn in observations:
                observation = observations[resource.arn]
            elif resource.arn in answered:
                observation = gone(resource)
            else:
                if resource.arn in view.statuses:
                    current[resource.arn] = view.statuses[resource.arn]
                continue
            current[resource.arn] = status_message(account_id, resource, observation, firing.get(resource.arn, []),
                                                   values)
        return current

    def _metrics(self, account_id: str, region: str, view: RegionView, watched: list[Watched],
                 session: AccountSession) -> dict[str, float]:
        """Each resource's CloudWatch metric: fetched at most once a minute, else the last values."""
        last = {arn: status.metric.value for arn, status in view.statuses.items() if status.HasField("metric")}
        wanted = [(r, metric) for r in watched if (metric := metric_of(r)) is not None and metric.namespace]
        if not wanted or self.clock() - view.metrics_at < METRIC_REFRESH_SECONDS:
            return last
        fetched = self._call(account_id, region, "cloudwatch:GetMetricData", session,
                             lambda: cloudwatch.metric_values(session.client("cloudwatch", region), wanted))
        if fetched is None:
            return last
        view.metrics_at = self.clock()
        return fetched

    def _call(self, account_id: str, region: str, action: str, session: AccountSession, read: Callable):
        """read(), its answer; None when AWS refused or failed (botocore's standard retries, which
        back off on throttling, come first; the next poll is the next attempt). Logs the error code
        only: never a status value."""
        for attempt in (1, 2):
            try:
                return read()
            except ClientError as exc:
                code = error_code(exc)
                if code in EXPIRED and attempt == 1:
                    session.refresh()
                    continue
                log.warning("live status call failed", extra={"account_id": account_id, "region": region,
                                                              "action": action, "code": code})
                return None
            except BotoCoreError as exc:
                log.warning("live status call failed", extra={"account_id": account_id, "region": region,
                                                              "action": action, "code": type(exc).__name__})
                return None
        return None


def status_message(account_id: str, resource: Watched, observation: Observation, alarms: list[str],
                   values: dict[str, float]) -> events.StatusChanged:
    status, detail = observation.status, observation.detail
    if alarms:
        # An alarm in state ALARM names the resource: at least a warning (its severity is the
        # alarm owner's to know, not ours).
        if status in (OK, PENDING):
            status = WARNING
        detail = "; ".join(filter(None, [detail, "in alarm: " + ", ".join(sorted(alarms))]))
    message = events.StatusChanged(account_id=account_id, arn=resource.arn, region=resource.region,
                                   status=status, state=observation.state, detail=detail[:300])
    metric = metric_of(resource)
    if metric is None:
        return message
    value = values.get(resource.arn) if metric.namespace else observation.value
    if value is not None:
        message.metric.CopyFrom(events.StatusMetric(name=metric.name, value=value, unit=metric.unit,
                                                    source=metric.source))
    return message


def stamped(status: events.StatusChanged, observed_at) -> events.StatusChanged:
    message = events.StatusChanged()
    message.CopyFrom(status)
    message.observed_at.CopyFrom(to_timestamp(observed_at))
    return message
