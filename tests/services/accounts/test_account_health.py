"""Account health against moto: accounts' access checks and the collector's syncs together, the
collector calling the accounts domain in-process where collector-worker calls accounts-api.

The role is deleted, its trust policy loses the External ID condition, and one service is denied
(moto does not enforce IAM policies, so the fault proxy answers AccessDenied as a detached policy
would make AWS answer); each is then restored. The access state follows every step within one
sync, a lost account's syncs end at once and back off, restored access syncs normally again,
each transition is one account_access_changed event and one audit entry, and the gauge counts
the states."""
from __future__ import annotations

import json
import os
from contextlib import contextmanager
from datetime import timedelta

import pytest
from nameko.testing.services import worker_factory

from cloudsketch.accounts.v1 import accounts_pb2 as pb
from cloudsketch.accounts.v1 import events_pb2 as events
from services.accounts.api import AccessStateMetrics
from services.accounts.domain import Accounts
from services.accounts.tables import outbox
from services.accounts.verification import RoleVerifier
from services.collector.sync import SyncSettings
from services.common.database import open_database
from services.common.events import parse_event
from services.common.outbox import pending_events
from services.common.timeutil import utcnow
from services.demo import account_client, ensure_role
from services.identity.domain import Identity
from services.identity.worker import IdentityWorker
from tests.helpers.aws import collector_permissions
from tests.helpers.aws_faults import FaultProxy
from tests.services.collector.sync_harness import REGIONS, Harness, aws_env_proxy, small_estate

ROLE_NAME = "cloudsketch-readonly"
TRUSTED = "123456789012"   # moto's account for cloudsketch's own keys
INTERVAL = timedelta(hours=1)


class InProcessAccess:
    """The collector's AccessChecks (services/collector/sync.py) straight to the accounts domain."""

    def __init__(self, accounts: Accounts):
        self.accounts = accounts

    def verify(self, account_id: str) -> pb.AccountAccess:
        return self.accounts.verify_access(account_id)

    def report(self, account_id: str, sync_id: str, denied: list[pb.DeniedAccess]) -> None:
        self.accounts.report_access(account_id, sync_id, denied)


@pytest.fixture
def setup(aws_env, aws_account, database_url, monkeypatch):
    monkeypatch.setenv("CLOUDSKETCH_AWS_ACCOUNT_ID", "")
    engine = open_database("accounts")
    accounts = Accounts(engine, RoleVerifier(), required_permissions=collector_permissions)
    role_arn = ensure_role(aws_env, accounts.external_id(), aws_account, ROLE_NAME, trusted_account_id=TRUSTED)
    account = accounts.create_account("Health", role_arn, "user-1", REGIONS)
    small_estate(aws_env, aws_account)
    harness = Harness(aws_account)
    harness.account = account   # the runner looks the account up as accounts-api would answer
    harness.collector.schedule(account.id, aws_account, utcnow() + INTERVAL)
    harness.runner.access = InProcessAccess(accounts)
    harness.runner.settings = SyncSettings(batch_size=3, interval=INTERVAL, longest_backoff=timedelta(hours=6))
    yield accounts, harness, account
    engine.dispose()


@contextmanager
def faults(moto: str):
    """AWS through the fault proxy for the block, then straight to moto again."""
    with FaultProxy(moto) as proxy:
        aws_env_proxy(proxy)
        try:
            yield proxy
        finally:
            os.environ["AWS_ENDPOINT_URL"] = moto


def transitions(accounts: Accounts) -> list[events.AccountAccessChanged]:
    return [parse_event(payload, events.AccountAccessChanged)
            for kind, _, payload in pending_events(accounts.engine, outbox) if kind == "account_access_changed"]


def state(accounts: Accounts, account_id: str) -> pb.AccountAccess:
    return accounts.get_account(account_id).access


def delete_role(moto: str, aws_account_id: str) -> None:
    iam = account_client("iam", moto, aws_account_id)
    for policy in iam.list_attached_role_policies(RoleName=ROLE_NAME)["AttachedPolicies"]:
        iam.detach_role_policy(RoleName=ROLE_NAME, PolicyArn=policy["PolicyArn"])
    iam.delete_role(RoleName=ROLE_NAME)


def test_access_follows_every_revocation_and_restoration_within_one_sync(setup, aws_env, aws_account):
    accounts, harness, account = setup
    assert state(accounts, account.id).state == pb.ACCESS_STATE_VERIFIED
    assert harness.sync()["state"] == "finished"
    assert state(accounts, account.id).state == pb.ACCESS_STATE_VERIFIED and transitions(accounts) == []

    # 1. The role is deleted: the next sync finds access lost, ends at once and backs off.
    delete_role(aws_env, aws_account)
    with faults(aws_env) as proxy:
        row = harness.sync()
        assert not {"DescribeVpcs", "ListQueues", "ListBuckets"} & set(proxy.seen)   # no discovery at all
    assert row["state"] == "failed" and row["message"].startswith("access lost: the role cloudsketch-readonly")
    lost = state(accounts, account.id)
    assert lost.state == pb.ACCESS_STATE_LOST and lost.error_code == "NoSuchEntity"
    assert f"Create the role {ROLE_NAME} again" in lost.fix
    trust = json.loads(lost.fix_document)
    assert trust["Statement"][0]["Condition"]["StringEquals"]["sts:ExternalId"] == accounts.external_id()
    assert harness.of("sync_started") == []
    first = harness.collector.schedule_of(account.id)
    assert first["access_failures"] == 1
    # The wait is jittered between half and all of twice the interval.
    assert INTERVAL * 0.9 <= first["next_sync_at"].replace(tzinfo=None) - utcnow().replace(tzinfo=None) <= 2 * INTERVAL

    # Still lost: the wait doubles, and no second transition is recorded.
    assert harness.sync()["state"] == "failed"
    second = harness.collector.schedule_of(account.id)
    assert second["access_failures"] == 2
    assert second["next_sync_at"].replace(tzinfo=None) - utcnow().replace(tzinfo=None) >= 2 * INTERVAL * 0.99
    assert [e.state for e in transitions(accounts)] == [pb.ACCESS_STATE_LOST]
    # The schedule leaves the account alone until its wait is over, then claims it again.
    assert account.id not in harness.collector.claim_due(utcnow() + INTERVAL, INTERVAL)
    assert account.id in harness.collector.claim_due(second["next_sync_at"] + timedelta(seconds=1), INTERVAL)
    assert state(accounts, account.id).since == lost.since

    # 2. The role is back: the next sync runs, access is verified and the schedule is regular again.
    ensure_role(aws_env, accounts.external_id(), aws_account, ROLE_NAME, trusted_account_id=TRUSTED)
    assert harness.sync()["state"] == "finished" and harness.of("sync_started")
    assert state(accounts, account.id).state == pb.ACCESS_STATE_VERIFIED
    restored = harness.collector.schedule_of(account.id)
    assert restored["access_failures"] == 0
    assert restored["next_sync_at"].replace(tzinfo=None) - utcnow().replace(tzinfo=None) <= INTERVAL

    # 3. The trust policy drops the External ID condition: cloudsketch stops using the role.
    iam = account_client("iam", aws_env, aws_account)
    iam.update_assume_role_policy(RoleName=ROLE_NAME, PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{TRUSTED}:root"},
                                                "Action": "sts:AssumeRole"}]}))
    assert harness.sync()["state"] == "failed"
    unsafe = state(accounts, account.id)
    assert unsafe.state == pb.ACCESS_STATE_LOST and "External ID" in unsafe.reason
    assert "sts:ExternalId condition back" in unsafe.fix
    ensure_role(aws_env, accounts.external_id(), aws_account, ROLE_NAME, trusted_account_id=TRUSTED)
    assert harness.sync()["state"] == "finished"
    assert state(accounts, account.id).state == pb.ACCESS_STATE_VERIFIED

    # 4. One service is denied in one region: limited, naming it and the actions the role lacks.
    with faults(aws_env) as proxy:
        proxy.fail("ListQueues", "AccessDenied", "not authorized to perform: sqs:ListQueues", status=403,
                   region="eu-west-1")
        assert harness.sync()["state"] == "finished"
    limited = state(accounts, account.id)
    assert limited.state == pb.ACCESS_STATE_LIMITED and limited.error_code == "AccessDenied"
    # The actions the collector declares for what it could not read (services/collector/declarations.py).
    assert [(d.service, list(d.regions), list(d.actions)) for d in limited.denied] == [
        ("sqs", ["eu-west-1"], ["sqs:GetQueueAttributes", "sqs:ListQueues"])]
    assert limited.reason == "denied sqs in eu-west-1"
    statements = json.loads(limited.fix_document)["Statement"]
    assert [a for s in statements for a in s["Action"]] == ["sqs:GetQueueAttributes", "sqs:ListQueues"]
    # ... and restored.
    assert harness.sync()["state"] == "finished"
    assert state(accounts, account.id).state == pb.ACCESS_STATE_VERIFIED

    # One event per transition, in order, each with the AWS error behind it.
    changes = transitions(accounts)
    assert [(pb.AccessState.Name(e.previous_state), pb.AccessState.Name(e.state)) for e in changes] == [
        ("ACCESS_STATE_VERIFIED", "ACCESS_STATE_LOST"), ("ACCESS_STATE_LOST", "ACCESS_STATE_VERIFIED"),
        ("ACCESS_STATE_VERIFIED", "ACCESS_STATE_LOST"), ("ACCESS_STATE_LOST", "ACCESS_STATE_VERIFIED"),
        ("ACCESS_STATE_VERIFIED", "ACCESS_STATE_LIMITED"), ("ACCESS_STATE_LIMITED", "ACCESS_STATE_VERIFIED")]
    assert [e.error_code for e in changes] == ["NoSuchEntity", "", "", "", "AccessDenied", ""]

    # identity-worker turns each into one audit entry, however often the bus delivers it.
    identity = Identity(open_database("identity"))
    worker = worker_factory(IdentityWorker, db=identity.engine)
    for _ in range(2):
        for kind, _, payload in pending_events(accounts.engine, outbox):
            if kind == "account_access_changed":
                worker.on_account_access_changed(payload)
    entries = [e for e in identity.list_audit_events() if e.action == "account.access_changed"]
    assert sorted(e.detail for e in entries) == sorted([
        "Health: verified -> lost: the role cloudsketch-readonly no longer exists in AWS account " + aws_account,
        "Health: lost -> verified", "Health: lost -> verified",
        "Health: verified -> lost: the role's trust policy no longer requires this installation's External ID",
        "Health: verified -> limited: denied sqs in eu-west-1", "Health: limited -> verified"])
    assert {e.target_id for e in entries} == {account.id}
    identity.engine.dispose()


def test_a_refused_assume_role_is_lost_and_throttling_changes_nothing(setup, aws_env):
    accounts, harness, account = setup
    with faults(aws_env) as proxy:
        proxy.fail("AssumeRole", "Throttling", "Rate exceeded")
        assert accounts.verify_access(account.id).state == pb.ACCESS_STATE_VERIFIED
        assert transitions(accounts) == []
        proxy.fail("AssumeRole", "AccessDenied", "not authorized to perform sts:AssumeRole", status=403)
        lost = accounts.verify_access(account.id, actor_id="user-7")
    assert lost.state == pb.ACCESS_STATE_LOST and lost.error_code == "AccessDenied"
    assert "trust policy" in lost.fix and "service control policy" in lost.fix
    assert f"/api/aws/account/{account.id}/verify" in lost.fix
    (change,) = transitions(accounts)
    assert change.actor_id == "user-7" and change.state == pb.ACCESS_STATE_LOST
    # A user's re-check once the role works again: back to what the last sync found.
    assert accounts.verify_access(account.id).state == pb.ACCESS_STATE_VERIFIED


def test_access_coming_back_returns_to_limited_when_the_last_sync_was_denied_something(setup, aws_env):
    accounts, harness, account = setup
    accounts.report_access(account.id, "sync-1", [pb.DeniedAccess(
        service="elasticache", regions=["us-east-1", "eu-west-1"], actions=["elasticache:DescribeServerlessCaches"],
        error_code="AccessDeniedException", what="elasticache.serverless_caches")])
    assert state(accounts, account.id).reason == "denied elasticache in eu-west-1, us-east-1"
    with faults(aws_env) as proxy:
        proxy.fail("AssumeRole", "AccessDenied", "no", status=403)
        assert accounts.verify_access(account.id).state == pb.ACCESS_STATE_LOST
        proxy.clear()
        back = accounts.verify_access(account.id)
    assert back.state == pb.ACCESS_STATE_LIMITED and back.denied[0].service == "elasticache"
    assert "elasticache:DescribeServerlessCaches" in back.fix


def test_the_gauge_counts_accounts_by_state(setup, aws_env, aws_account):
    accounts, harness, account = setup
    other = accounts.create_account("Other", ensure_role(aws_env, accounts.external_id(), aws_account, "second",
                                                         trusted_account_id=TRUSTED), "user-1", REGIONS)

    def gauge() -> dict[str, float]:
        (family,) = AccessStateMetrics(accounts).collect()
        return {sample.labels["state"]: sample.value for sample in family.samples}

    assert gauge() == {"verified": 2, "limited": 0, "lost": 0}
    accounts.report_access(other.id, "sync-1", [pb.DeniedAccess(service="sqs", regions=["eu-west-1"],
                                                                actions=["sqs:ListQueues"], error_code="AccessDenied")])
    delete_role(aws_env, aws_account)
    accounts.verify_access(account.id)
    assert gauge() == {"verified": 0, "limited": 1, "lost": 1}
