"""One sync of one account, end to end: assume the role, discover every region (and the global
services) concurrently, compare with what the last sync saw, publish only the changes, then
remember them.

Order matters for "no change lost": changes are published with publisher confirms
first and recorded in the database after, so a broker that goes away mid-sync makes the region
fail before anything is recorded, and the next sync publishes the same changes again. Consumers
are idempotent (docs/architecture.md), so a change published twice costs nothing.

A lease per account-region (services/collector/domain.py) keeps two syncs of one account-region
apart even across collector replicas; a sync that finds a region leased skips it and says so.

Account health (docs/accounts.md): every sync first has accounts-api check the role. A sync of an
account whose access is lost ends at once, without touching AWS again, and the account's
scheduled syncs back off (Collector.back_off); a sync that runs tells accounts-api what it was
denied (limited, or verified when nothing), and brings a backing-off schedule back to normal.
Gaps are grouped: one per failure, naming every region it happened in.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol

import eventlet
import grpc
from botocore.exceptions import BotoCoreError, ClientError
from google.protobuf import struct_pb2
from google.protobuf.message import Message
from prometheus_client import Counter

from cloudsketch.accounts.v1 import accounts_pb2
from cloudsketch.collector.v1 import collector_pb2 as pb
from cloudsketch.collector.v1 import events_pb2 as events
from cloudsketch.common.v1 import resource_pb2
from services.collector import declarations
from services.collector.discovery import GLOBAL_REGION, Unit, all_units
from services.collector.domain import Collector, gap_message
from services.collector.engine import (
    TAGS_UNIT,
    Found,
    Gap,
    RegionResult,
    discover_region,
    error_code,
    fingerprint,
    link_by_dns_name,
    one_line,
)
from services.collector.model import Scope
from services.collector.session import AccountSession
from services.common.timeutil import to_timestamp, utcnow

log = logging.getLogger(__name__)

# Every sync that ends, by its state: the CloudsketchSyncFailures alert (docs/operations.md).
SYNCS = Counter("collector_syncs_total", "Account syncs ended, by state (finished or failed).", ["state"])

RELATIONSHIP_TYPES = {name: resource_pb2.RelationshipType.Value(f"RELATIONSHIP_TYPE_{name.upper()}")
                      for name in ("contains", "attached_to", "routes_to", "targets", "triggers", "origin_of",
                                   "alias_of", "replica_of", "member_of", "secured_by")}
PROGRESS_EVERY_SECONDS = 1.0


@dataclass(frozen=True)
class SyncSettings:
    batch_size: int = 250                       # resources per resources_changed event
    lease_ttl: timedelta = timedelta(minutes=2)  # renewed every third of it while the sync runs
    account_concurrency: int = 32               # AWS calls in flight per account
    service_concurrency: int = 8                # ... and per service and region
    interval: timedelta = timedelta(hours=1)    # between scheduled syncs (CLOUDSKETCH_SYNC_INTERVAL_SECONDS)
    longest_backoff: timedelta = timedelta(hours=6)   # CLOUDSKETCH_ACCESS_BACKOFF_MAX_SECONDS


class AccessChecks(Protocol):
    """accounts-api's side of account health (collector-worker calls it over gRPC)."""

    def verify(self, account_id: str) -> accounts_pb2.AccountAccess | None:
        """Check the role now; None when accounts-api could not say."""

    def report(self, account_id: str, sync_id: str, denied: list[accounts_pb2.DeniedAccess]) -> None:
        """What the sync was denied."""


@dataclass
class RegionOutcome:
    region: str
    skipped: bool = False
    resources: int = 0
    added: int = 0
    changed: int = 0
    removed: int = 0
    gaps: list[Gap] = field(default_factory=list)
    error: str = ""
    holder: str = ""
    result: RegionResult | None = None
    batches: int = 0      # resources_changed batches published
    started_at: str = ""
    finished_at: str = ""


@dataclass
class _Run:
    """What every region of one sync shares."""
    sync_id: str
    holder: str
    account_id: str
    aws_account_id: str
    partition: str
    session: AccountSession
    progress: Progress


def to_resource(found: Found, aws_account_id: str) -> resource_pb2.Resource:
    item = found.item
    attributes = struct_pb2.Struct()
    attributes.update(item.attributes)
    return resource_pb2.Resource(
        arn=item.arn, type=item.type, aws_account_id=aws_account_id, region=item.region, name=item.name,
        tags=[resource_pb2.Tag(key=k, value=v) for k, v in sorted(item.tags.items())], attributes=attributes,
        relationships=[resource_pb2.Relationship(type=RELATIONSHIP_TYPES[e.type], source_arn=e.source,
                                                 target_arn=e.target) for e in item.edges],
        fingerprint=found.fingerprint)


def partition_of(role_arn: str) -> str:
    return role_arn.split(":", 2)[1]


class Progress:
    """Counts finished discovery units and publishes sync_progress at most once a second."""

    def __init__(self, publish: Callable, account_id: str, sync_id: str, total: int):
        self.publish, self.account_id, self.sync_id, self.total = publish, account_id, sync_id, total
        self.done = 0
        self._last = 0.0

    def unit_done(self) -> None:
        self.done += 1
        if time.monotonic() - self._last >= PROGRESS_EVERY_SECONDS or self.done == self.total:
            self._last = time.monotonic()
            self.publish("sync_progress", events.SyncProgress(
                account_id=self.account_id, sync_id=self.sync_id, units_done=self.done, units_total=self.total,
                occurred_at=to_timestamp(utcnow())))


class SyncRunner:
    def __init__(self, collector: Collector, publish: Callable[[str, Message], None],
                 lookup_account: Callable[[str], accounts_pb2.Account], holder: str,
                 settings: SyncSettings = SyncSettings(), units: list[Unit] | None = None,
                 session_factory: Callable[..., AccountSession] = AccountSession, access: AccessChecks | None = None):
        self.collector = collector
        self.publish = publish
        self.lookup_account = lookup_account
        self.holder = holder
        self.settings = settings
        self.units = all_units() if units is None else units
        self.session_factory = session_factory
        self.access = access

    def run(self, sync_id: str) -> None:
        row = self.collector.start_sync(sync_id)
        if row is None:
            return  # already run: the request was delivered twice
        account_id = row["account_id"]
        started = time.monotonic()
        try:
            account = self.lookup_account(account_id)
            access = self.access.verify(account_id) if self.access is not None else None
            if access is not None and access.state == accounts_pb2.ACCESS_STATE_LOST:
                self._access_lost(sync_id, account_id, access, started)
                return
            home_region = (list(row["regions"]) or list(account.regions) or [GLOBAL_REGION])[0]
            session = self.session_factory(
                account.role_arn, account.external_id, home_region, session_name=f"cloudsketch-sync-{sync_id[:8]}",
                account_concurrency=self.settings.account_concurrency,
                service_concurrency=self.settings.service_concurrency)
            regions = list(row["regions"]) or list(account.regions) or enabled_regions(session, home_region)
        except grpc.RpcError as exc:
            if exc.code() != grpc.StatusCode.NOT_FOUND:
                self._fail(sync_id, account_id, f"could not start the sync: {describe(exc)}", started)
                return
            # The account was removed (its account_removed event may not even have come yet):
            # nothing of it may stay behind.
            log.info("account removed: forgotten", extra={"account_id": account_id, "sync_id": sync_id})
            self.collector.forget(account_id)
            return
        except Exception as exc:  # the role cannot be assumed, ...
            self._fail(sync_id, account_id, f"could not start the sync: {describe(exc)}", started)
            return
        self.publish("sync_started", events.SyncStarted(account_id=account_id, sync_id=sync_id, regions=regions,
                                                        occurred_at=to_timestamp(utcnow())))
        regional = [u for u in self.units if not u.global_]
        global_units = [u for u in self.units if u.global_]
        jobs = [(region, regional) for region in regions] + ([("", global_units)] if global_units else [])
        # The lease holder is this sync, not this process: one process may run two syncs of an
        # account at once (two requests in a row), and they must exclude each other too.
        run = _Run(sync_id, f"{self.holder}/{sync_id[:8]}", account_id, account.aws_account_id,
                   partition_of(account.role_arn), session,
                   Progress(self.publish, account_id, sync_id, sum(len(units) for _, units in jobs)))
        heartbeat = eventlet.spawn(self._renew_leases, run.holder)
        pool = eventlet.GreenPool(len(jobs))
        outcomes: list[RegionOutcome] = []
        try:
            # Every region first, then the links that cross regions (a CloudFront origin or a
            # Route 53 alias naming a load balancer by DNS name), then publish region by region.
            outcomes = list(pool.imap(lambda job: self._discover(run, *job), jobs))
            found = [f for o in outcomes if o.result for f in o.result.found.values()]
            link_by_dns_name([f.item for f in found])
            for f in found:
                f.fingerprint = fingerprint(f.item)
            list(pool.imap(lambda outcome: self._commit(run, outcome), outcomes))
        except Exception as exc:   # a bug: the sync must still end, as failed, and say why
            log.exception("sync failed", extra={"account_id": account_id, "sync_id": sync_id})
            self._fail(sync_id, account_id, f"the sync failed: {describe(exc)}", started)
            return
        finally:
            heartbeat.kill()
            for outcome in outcomes:
                if not outcome.skipped:
                    outcome.finished_at = utcnow().isoformat()   # before the lease is let go
                    self.collector.release_lease(account_id, outcome.region, run.holder)
        self._finish(sync_id, account_id, outcomes, session, started)

    def _access_lost(self, sync_id: str, account_id: str, access: accounts_pb2.AccountAccess,
                     started: float) -> None:
        """Revocation is a normal path: the sync ends as failed, saying why, and the schedule waits
        longer each time instead of asking STS again at every interval."""
        wait = self.collector.back_off(account_id, utcnow(), self.settings.interval, self.settings.longest_backoff)
        later = f"; the next scheduled attempt is in {_duration(wait)}" if wait is not None else ""
        log.info("access lost: sync skipped", extra={"account_id": account_id, "sync_id": sync_id,
                                                      "error_code": access.error_code})
        self._fail(sync_id, account_id, f"access lost: {access.reason}{later}", started)

    def _renew_leases(self, holder: str) -> None:
        while True:
            eventlet.sleep(self.settings.lease_ttl.total_seconds() / 3)
            self.collector.renew_leases(holder, self.settings.lease_ttl)

    def _discover(self, run: _Run, region: str, units: list[Unit]) -> RegionOutcome:
        outcome = RegionOutcome(region, holder=run.holder)
        if not self.collector.acquire_lease(run.account_id, region, run.holder, self.settings.lease_ttl):
            log.info("region already being synced: skipped", extra={"account_id": run.account_id, "region": region})
            for _ in units:
                run.progress.unit_done()
            outcome.skipped = True
            return outcome
        outcome.started_at = utcnow().isoformat()   # once the lease is held
        try:
            outcome.result = discover_region(run.session, Scope(run.partition, run.aws_account_id, region), units,
                                             run.progress.unit_done)
            outcome.gaps = outcome.result.gaps
            outcome.resources = len(outcome.result.found)
        except Exception as exc:
            log.exception("region discovery failed", extra={"account_id": run.account_id, "region": region})
            outcome.error = f"{region or 'global services'}: {describe(exc)}"
        return outcome

    def _commit(self, run: _Run, outcome: RegionOutcome) -> None:
        """Publish the region's changes, then record them."""
        result = outcome.result
        if result is None:
            return
        try:
            stored = self.collector.stored(run.account_id, outcome.region)
            upserted = [f for arn, f in result.found.items()
                        if arn not in stored or stored[arn].fingerprint != f.fingerprint]
            # What a failed unit (or a disabled region) found last time is still there as far as we know.
            removed = [] if result.disabled else [
                arn for arn, s in stored.items() if arn not in result.found and s.unit not in result.failed_units]
            outcome.added = sum(1 for f in upserted if f.item.arn not in stored)
            outcome.changed = len(upserted) - outcome.added
            outcome.removed = len(removed)
            # One time for the region's batches and the inventory rows they record, so that a
            # consumer can order an event against an inventory it rebuilt from (ListInventory).
            published_at = utcnow()
            resources = [(f.unit, to_resource(f, run.aws_account_id)) for f in upserted]
            outcome.batches = self._publish_changes(run, outcome.region, [r for _, r in resources], removed,
                                                    published_at)
            self.collector.apply_changes(run.account_id, outcome.region, resources, removed, published_at)
        except Exception as exc:
            log.exception("region sync failed", extra={"account_id": run.account_id, "region": outcome.region})
            outcome.error = f"{outcome.region or 'global services'}: {describe(exc)}"

    def _publish_changes(self, run: _Run, region: str, upserted: list[resource_pb2.Resource], removed: list[str],
                         published_at) -> int:
        """Publish the changes in numbered batches; the number of batches published."""
        size = self.settings.batch_size
        changes: list = list(upserted) + list(removed)
        batches = 0
        for index, start in enumerate(range(0, len(changes), size)):
            batch = changes[start:start + size]
            self.publish("resources_changed", events.ResourcesChanged(
                account_id=run.account_id, sync_id=run.sync_id, region=region, batch_index=index,
                upserted=[r for r in batch if isinstance(r, resource_pb2.Resource)],
                removed_arns=[arn for arn in batch if isinstance(arn, str)], occurred_at=to_timestamp(published_at)))
            batches = index + 1
        return batches

    def _finish(self, sync_id: str, account_id: str, outcomes: list[RegionOutcome], session: AccountSession,
                started: float) -> None:
        duration = time.monotonic() - started
        counts = {"resources": sum(o.resources for o in outcomes), "added": sum(o.added for o in outcomes),
                  "changed": sum(o.changed for o in outcomes), "removed": sum(o.removed for o in outcomes),
                  "api_calls": session.stats.calls, "duration_seconds": round(duration, 3),
                  "effective_concurrency": round(session.stats.busy_seconds / duration, 2) if duration else 0.0}
        gaps = group_gaps([g for o in outcomes for g in o.gaps])
        errors = [o.error for o in outcomes if o.error]
        state = "failed" if errors else "finished"
        self.collector.access_restored(account_id, utcnow(), self.settings.interval)
        message = "; ".join(errors)
        if errors:
            message += " (nothing of those regions was recorded: the next sync publishes their changes)"
        runs = [{"region": o.region, "skipped": o.skipped, "started_at": o.started_at, "finished_at": o.finished_at,
                 "holder": o.holder} for o in outcomes]
        self.collector.finish_sync(sync_id, state, counts=counts, gaps=gaps, region_runs=runs, message=message)
        SYNCS.labels(state).inc()
        self.publish("sync_finished", events.SyncFinished(
            account_id=account_id, sync_id=sync_id, state=pb.SYNC_STATE_FAILED if errors else pb.SYNC_STATE_FINISHED,
            counts=pb.SyncCounts(**counts), gaps=[gap_message(g) for g in gaps],
            skipped_regions=[o.region for o in outcomes if o.skipped], message=message,
            region_batches=[events.RegionBatches(region=o.region, batches=o.batches) for o in outcomes if o.batches],
            occurred_at=to_timestamp(utcnow())))
        log.info("sync finished", extra={"account_id": account_id, "sync_id": sync_id, "state": state, **counts})
        if self.access is not None and not errors:   # a failed region may hide denials: no verdict
            self.access.report(account_id, sync_id, denied_access(gaps, self.units))

    def _fail(self, sync_id: str, account_id: str, message: str, started: float) -> None:
        counts = {"duration_seconds": round(time.monotonic() - started, 3)}
        self.collector.finish_sync(sync_id, "failed", counts=counts, gaps=[], region_runs=[], message=message)
        SYNCS.labels("failed").inc()
        self.publish("sync_finished", events.SyncFinished(
            account_id=account_id, sync_id=sync_id, state=pb.SYNC_STATE_FAILED, counts=pb.SyncCounts(**counts),
            message=message, occurred_at=to_timestamp(utcnow())))
        log.warning("sync failed", extra={"account_id": account_id, "sync_id": sync_id, "reason": message})


def group_gaps(gaps: list[Gap]) -> list[dict]:
    """One gap per failure (service, unit, reason, AWS error code) with every region it happened
    in: "elasticache serverless caches failed in 34 regions" instead of 34 lines. As stored."""
    groups: dict[tuple[str, str, str, str], list[Gap]] = {}
    for gap in gaps:
        groups.setdefault((gap.service, gap.unit, gap.reason, gap.code), []).append(gap)
    grouped = []
    for (service, unit, reason, code), members in sorted(groups.items()):
        regions = sorted({m.region for m in members})
        first = members[0]
        if len(regions) == 1:
            message = first.message
        elif reason == "region_disabled":
            message = (f"{len(regions)} regions refused the role's credentials: are they enabled for the account? "
                       f"({code or first.detail})")
        else:
            what = unit.replace(".", " ").replace("_", " ") if unit else service
            message = f"{what} failed in {len(regions)} regions: {code + ': ' if code else ''}{first.detail}"
        grouped.append({"region": regions[0], "regions": regions, "service": service, "reason": reason,
                        "message": message, "unit": unit, "code": code})
    return grouped


def unit_actions(unit: Unit) -> set[str]:
    """The IAM actions the collector declares for what the unit discovers."""
    actions: set[str] = set()
    for cfn_type in unit.types:
        try:
            actions.update(declarations.resource_type(cfn_type).api_calls)
        except KeyError:   # a pseudo-type without a declaration of its own
            continue
    return actions


def denied_access(gaps: list[dict], units: list[Unit]) -> list[accounts_pb2.DeniedAccess]:
    """The sync's access-denied gaps per IAM service: where, what, and the declared actions the
    role lacks for it (accounts turns them into the fix)."""
    actions_of = {unit.name: unit_actions(unit) for unit in units}
    actions_of[TAGS_UNIT] = {"tag:GetResources"}
    by_service: dict[str, dict] = {}
    for gap in gaps:
        if gap["reason"] != "access_denied":
            continue
        entry = by_service.setdefault(gap["service"], {"regions": set(), "actions": set(), "what": [],
                                                       "code": gap.get("code", "")})
        entry["regions"].update(gap.get("regions") or [gap["region"]])
        entry["actions"].update(actions_of.get(gap.get("unit", ""), set()))
        entry["what"].append(gap.get("unit") or gap["service"])
    return [accounts_pb2.DeniedAccess(service=service, regions=sorted(e["regions"]), actions=sorted(e["actions"]),
                                      error_code=e["code"], what=", ".join(sorted(set(e["what"]))))
            for service, e in sorted(by_service.items())]


def _duration(wait: timedelta) -> str:
    minutes = round(wait.total_seconds() / 60)
    return f"about {minutes} minutes" if minutes < 120 else f"about {round(minutes / 60)} hours"


def enabled_regions(session: AccountSession, home_region: str) -> list[str]:
    """The regions enabled for the account (DescribeRegions lists only those by default)."""
    reply = session.client("ec2", home_region).describe_regions()
    return sorted(r["RegionName"] for r in reply["Regions"])


def describe(exc: Exception) -> str:
    """An error for people: AWS's code and message, never a traceback."""
    if isinstance(exc, ClientError):
        return f"{error_code(exc)}: {one_line(str(exc.response.get('Error', {}).get('Message', '')))}"
    if isinstance(exc, BotoCoreError):
        return one_line(str(exc))
    if isinstance(exc, grpc.RpcError):   # from accounts-api: NOT_FOUND when the account was removed
        return f"{exc.code().name}: {exc.details()}"
    return f"{type(exc).__name__}: {exc}"
