"""The sync engine against moto and a real database: change detection, gaps, throttling,
credentials, leases. It runs small units of its own (tests/services/collector/sync_harness.py), so that
these tests pin the engine's behaviour whatever the discovery modules do;
tests/services/collector/test_discovery_*.py test those modules, and test_collector_worker.py the whole process."""
from __future__ import annotations

import uuid
from datetime import timedelta
from functools import partial

import grpc

from cloudsketch.collector.v1 import collector_pb2 as pb
from services.collector.domain import Collector
from services.collector.session import AccountSession
from services.common import aws
from services.common.database import open_database
from services.common.timeutil import utcnow
from services.demo import account_client
from tests.helpers.aws_faults import FaultProxy
from tests.services.collector.sync_harness import REGIONS, Harness, aws_env_proxy, small_estate


def test_first_sync_publishes_everything_and_a_resync_without_changes_publishes_nothing(database_url, aws_env,
                                                                                       aws_account):
    harness = Harness(aws_account)
    vpcs = small_estate(aws_env, aws_account)
    row = harness.sync()
    assert row["state"] == "finished", row["message"]
    upserted = harness.upserted()
    vpc_arn = f"arn:aws:ec2:us-east-1:{aws_account}:vpc/{vpcs['us-east-1']}"
    assert upserted[vpc_arn].name == '<b>app</b> & "co"'       # hostile names pass through untouched
    assert upserted[vpc_arn].attributes["cidrBlock"] == "10.0.0.0/16"
    assert f"arn:aws:sqs:eu-west-1:{aws_account}:orders-eu-west-1" in upserted
    assert f"arn:aws:s3:::assets-{aws_account}" in upserted
    assert all(r.fingerprint and r.aws_account_id == aws_account for r in upserted.values())
    # Batches of three, numbered per region, and the counts add up.
    assert max(len(b.upserted) + len(b.removed_arns) for b in harness.of("resources_changed")) == 3
    finished = harness.of("sync_finished")[0]
    assert finished.counts.added == len(upserted) == row["counts"]["resources"]
    assert finished.counts.api_calls >= 7 and not finished.gaps
    assert harness.of("sync_started")[0].regions == REGIONS
    assert harness.of("sync_progress")[-1].units_done == harness.of("sync_progress")[-1].units_total == 7

    again = harness.sync()
    assert again["state"] == "finished"
    assert harness.of("resources_changed") == []
    assert again["counts"]["added"] == again["counts"]["changed"] == again["counts"]["removed"] == 0

    # One VPC renamed, one deleted, a queue added: exactly those three changes.
    ec2 = account_client("ec2", aws_env, aws_account, "us-east-1")
    ec2.create_tags(Resources=[vpcs["us-east-1"]], Tags=[{"Key": "Name", "Value": "renamed"}])
    account_client("ec2", aws_env, aws_account, "eu-west-1").delete_vpc(VpcId=vpcs["eu-west-1"])
    account_client("sqs", aws_env, aws_account, "us-east-1").create_queue(QueueName="new-queue")
    third = harness.sync()
    assert set(harness.upserted()) == {vpc_arn, f"arn:aws:sqs:us-east-1:{aws_account}:new-queue"}
    assert harness.removed() == {f"arn:aws:ec2:eu-west-1:{aws_account}:vpc/{vpcs['eu-west-1']}"}
    assert (third["counts"]["added"], third["counts"]["changed"], third["counts"]["removed"]) == (1, 1, 1)


def inventory(harness: Harness) -> tuple[list, dict]:
    pages = list(harness.collector.inventory(harness.account.id, page_size=2))
    assert len({(p.last_sync_id, p.sync_running, p.total) for p in pages}) == 1   # one header for every page
    entries = [entry for page in pages for entry in page.entries]
    assert len(entries) == pages[0].total
    return pages, {entry.resource.arn: entry for entry in entries}


def test_the_inventory_is_what_was_published_and_sync_finished_counts_the_batches(database_url, aws_env,
                                                                                 aws_account):
    harness = Harness(aws_account)
    [empty] = harness.collector.inventory(harness.account.id)
    assert (empty.total, empty.last_sync_id, list(empty.entries)) == (0, "", [])
    vpcs = small_estate(aws_env, aws_account)
    row = harness.sync()
    pages, entries = inventory(harness)
    published = harness.upserted()
    assert set(entries) == set(published) and len(pages) == (len(entries) + 1) // 2
    assert pages[0].last_sync_id == row["sync_id"] and not pages[0].sync_running
    vpc_arn = f"arn:aws:ec2:us-east-1:{aws_account}:vpc/{vpcs['us-east-1']}"
    assert entries[vpc_arn].resource == published[vpc_arn]   # the resource exactly as published
    # Every batch of a region carries the time the inventory records as changed_at.
    batches = harness.of("resources_changed")
    for batch in batches:
        for resource in batch.upserted:
            assert entries[resource.arn].changed_at == batch.occurred_at
    # sync_finished says how many batches each region published, numbered 0..n-1.
    finished = harness.of("sync_finished")[0]
    expected = {rb.region: rb.batches for rb in finished.region_batches}
    seen: dict[str, list[int]] = {}
    for batch in batches:
        seen.setdefault(batch.region, []).append(batch.batch_index)
    assert expected == {region: len(indexes) for region, indexes in seen.items()}
    assert all(sorted(indexes) == list(range(len(indexes))) for indexes in seen.values())
    assert set(expected) == set(REGIONS) | {""}

    # A rename and a removal reach the inventory; a sync without changes publishes no batch count.
    ec2 = account_client("ec2", aws_env, aws_account, "us-east-1")
    ec2.create_tags(Resources=[vpcs["us-east-1"]], Tags=[{"Key": "Name", "Value": "renamed"}])
    account_client("ec2", aws_env, aws_account, "eu-west-1").delete_vpc(VpcId=vpcs["eu-west-1"])
    second = harness.sync()
    _, entries = inventory(harness)
    assert entries[vpc_arn].resource.name == "renamed"
    assert f"arn:aws:ec2:eu-west-1:{aws_account}:vpc/{vpcs['eu-west-1']}" not in entries
    assert {rb.region: rb.batches for rb in harness.of("sync_finished")[0].region_batches} == \
        {"us-east-1": 1, "eu-west-1": 1}
    assert list(harness.collector.inventory(harness.account.id))[0].last_sync_id == second["sync_id"]
    harness.sync()
    assert list(harness.of("sync_finished")[0].region_batches) == []


def test_access_denied_on_one_service_is_a_gap_and_keeps_what_an_earlier_sync_saw(database_url, aws_env, aws_account):
    harness = Harness(aws_account)
    small_estate(aws_env, aws_account)
    with FaultProxy(aws_env) as proxy:
        aws_env_proxy(proxy)
        assert harness.sync()["state"] == "finished"
        proxy.fail("ListQueues", "AccessDeniedException", "denied by an SCP", status=400, region="eu-west-1")
        row = harness.sync()
    assert row["state"] == "finished"
    assert row["gaps"] == [{"region": "eu-west-1", "regions": ["eu-west-1"], "service": "sqs",
                            "reason": "access_denied",
                            "message": "test.queues: AccessDeniedException: denied by an SCP",
                            "unit": "test.queues", "code": "AccessDeniedException"}]
    assert harness.removed() == set()   # the queue is still there as far as anyone knows
    status = harness.collector.status(harness.account.id)
    assert status.gaps[0].service == "sqs" and status.gaps[0].region == "eu-west-1"


def test_throttling_is_absorbed_by_backoff_and_never_fails_the_sync(database_url, aws_env, aws_account):
    harness = Harness(aws_account)
    vpcs = small_estate(aws_env, aws_account)
    with FaultProxy(aws_env) as proxy:
        aws_env_proxy(proxy)
        # More throttles than botocore's six attempts: the engine's own backoff takes over.
        proxy.fail("DescribeVpcs", "Throttling", "Rate exceeded", region="us-east-1", times=8)
        row = harness.sync()
    assert row["state"] == "finished" and row["gaps"] == []
    assert f"arn:aws:ec2:us-east-1:{aws_account}:vpc/{vpcs['us-east-1']}" in harness.upserted()
    assert proxy.seen.count("DescribeVpcs") >= 10


def test_a_disabled_region_is_one_gap_and_the_other_regions_sync(database_url, aws_env, aws_account):
    harness = Harness(aws_account)
    vpcs = small_estate(aws_env, aws_account)
    with FaultProxy(aws_env) as proxy:
        aws_env_proxy(proxy)
        proxy.fail("DescribeAvailabilityZones", "AuthFailure", "AWS was not able to validate the provided access "
                   "credentials", status=401, region="eu-west-1")
        row = harness.sync()
    assert row["state"] == "finished"
    assert [(g["region"], g["service"], g["reason"]) for g in row["gaps"]] == [("eu-west-1", "*", "region_disabled")]
    assert "enabled" in row["gaps"][0]["message"]
    upserted = harness.upserted()
    assert f"arn:aws:ec2:us-east-1:{aws_account}:vpc/{vpcs['us-east-1']}" in upserted
    assert not any(":eu-west-1:" in arn for arn in upserted)
    assert not any(call.region == "eu-west-1" and call.action != "DescribeAvailabilityZones" for call in proxy.calls)


def test_credentials_are_refreshed_before_they_expire_and_when_aws_says_expired(database_url, aws_env, aws_account):
    def short_lived(*args, **kwargs):
        creds = aws.assume_role(*args, **kwargs)
        # Inside botocore's mandatory refresh window: every signing assumes the role again.
        return aws.Credentials(creds.access_key_id, creds.secret_access_key, creds.session_token,
                               utcnow() + timedelta(minutes=5))

    harness = Harness(aws_account, session_factory=partial(AccountSession, assume=short_lived))
    vpcs = small_estate(aws_env, aws_account)
    with FaultProxy(aws_env) as proxy:
        aws_env_proxy(proxy)
        proxy.fail("DescribeVpcs", "ExpiredToken", "The security token included in the request is expired",
                   region="us-east-1", times=1)
        row = harness.sync()
    assert row["state"] == "finished" and row["gaps"] == []
    assert harness.sessions[0].assumed > 2
    assert f"arn:aws:ec2:us-east-1:{aws_account}:vpc/{vpcs['us-east-1']}" in harness.upserted()


def test_a_role_that_cannot_be_assumed_fails_the_sync_with_a_clear_message(database_url, aws_env, aws_account):
    harness = Harness(aws_account)
    with FaultProxy(aws_env) as proxy:
        aws_env_proxy(proxy)
        proxy.fail("AssumeRole", "AccessDenied", "User is not authorized to perform: sts:AssumeRole", status=403)
        row = harness.sync()
    assert row["state"] == "failed"
    assert row["message"] == "could not start the sync: AccessDenied: User is not authorized to perform: sts:AssumeRole"
    assert harness.of("sync_finished")[0].message == row["message"]
    assert harness.of("resources_changed") == []


def test_a_leased_region_is_skipped_and_an_expired_lease_is_taken_over(database_url, aws_env, aws_account):
    harness = Harness(aws_account)
    small_estate(aws_env, aws_account)
    collector = harness.collector
    assert collector.acquire_lease(harness.account.id, "eu-west-1", "other-replica", timedelta(minutes=2))
    row = harness.sync()
    assert [r["region"] for r in row["region_runs"] if r["skipped"]] == ["eu-west-1"]
    assert harness.of("sync_finished")[0].skipped_regions == ["eu-west-1"]
    assert not any(":eu-west-1:" in arn for arn in harness.upserted())
    # The other replica died: its lease runs out and the next sync takes the region.
    assert collector.acquire_lease(harness.account.id, "eu-west-1", "other-replica", timedelta(seconds=-1))
    harness.sync()
    assert any(":eu-west-1:" in arn for arn in harness.upserted())
    # A finished sync releases its leases.
    assert collector.acquire_lease(harness.account.id, "us-east-1", "next-replica", timedelta(minutes=1))


def test_the_schedule_hands_each_due_account_to_one_claimer_and_requests_coalesce(database_url):
    collector = Collector(open_database("collector"))
    now = utcnow()
    collector.schedule("due", "111111111111", now - timedelta(seconds=1))
    collector.schedule("later", "222222222222", now + timedelta(minutes=5))
    # Two replicas' timers fire together: the conditional UPDATE gives the account to one of them.
    assert collector.claim_due(now, timedelta(hours=1)) == ["due"]
    assert collector.claim_due(now, timedelta(hours=1)) == []
    assert collector.claim_due(now + timedelta(minutes=6), timedelta(hours=1)) == ["later"]
    # A request while one is queued returns the queued one; once it runs, a new one queues.
    first, new = collector.request_sync("due", [], "schedule")
    assert new and collector.request_sync("due", [], "on_demand") == (first, False)
    assert collector.start_sync(first)["state"] == "running"
    assert collector.start_sync(first) is None   # a redelivered request runs nothing
    second, new = collector.request_sync("due", [], "on_demand")
    assert new and second != first
    # Removing the account forgets everything about it.
    collector.forget("due")
    assert collector.syncs_of("due") == [] and collector.claim_due(now + timedelta(days=1), timedelta(hours=1)) \
        == ["later"]


def test_a_sync_left_running_by_a_dead_worker_ends_as_failed_once_its_leases_lapse(database_url):
    collector = Collector(open_database("collector"))
    grace = timedelta(minutes=4)
    a, b, c = (str(uuid.uuid4()) for _ in range(3))   # accounts of this test's own
    dead, alive, young = (collector.request_sync(account, [], "schedule")[0] for account in (a, b, c))
    for sync_id in (dead, alive, young):
        collector.start_sync(sync_id)
    # "dead" stopped renewing its lease; "alive" still renews one; "young" has not taken one yet.
    assert collector.acquire_lease(a, "eu-west-1", f"host-1-x/{dead[:8]}", timedelta(seconds=-1))
    assert collector.acquire_lease(b, "eu-west-1", f"host-2-y/{alive[:8]}", timedelta(minutes=10))
    later = utcnow() + timedelta(minutes=5)
    ours = {dead, alive, young}    # the database may hold other tests' syncs
    assert not ours & set(collector.end_abandoned_syncs(later - timedelta(minutes=2), grace))   # too young
    assert ours & set(collector.end_abandoned_syncs(later, grace)) == {dead, young}
    states = {sync_id: collector.sync_row(sync_id) for sync_id in (dead, alive, young)}
    assert states[dead]["state"] == states[young]["state"] == "failed"
    assert states[dead]["message"].startswith("abandoned:") and states[dead]["finished_at"] is not None
    assert states[alive]["state"] == "running"
    assert collector.status(a).state == collector.status(c).state == pb.SYNC_STATE_FAILED
    # The inventory no longer says a sync is running, so rebuilds may go ahead.
    assert next(collector.inventory(a)).sync_running is False
    assert not ours & set(collector.end_abandoned_syncs(later, grace))


class AccountGone(grpc.RpcError):
    """What accounts-api answers for a removed account."""

    def code(self):
        return grpc.StatusCode.NOT_FOUND

    def details(self):
        return "no such account"


def test_a_sync_of_an_account_removed_meanwhile_forgets_it(database_url, aws_env, aws_account):
    harness = Harness(aws_account)

    def removed(account_id):
        raise AccountGone()

    harness.runner.lookup_account = removed
    sync_id, _ = harness.collector.request_sync(harness.account.id, [], "on_demand")
    harness.runner.run(sync_id)
    assert harness.collector.syncs_of(harness.account.id) == []
    assert harness.collector.claim_due(utcnow() + timedelta(days=1), timedelta(hours=1)) == []
    assert harness.events == []


HTML_PAGE = ("<html><head><title>502 Bad Gateway</title></head>\n<body><h1>Bad Gateway</h1>\n"
             "<p>The proxy server received an invalid response from an upstream server.</p>\n" + "<p>x</p>\n" * 200
             + "</body></html>")


def test_repeated_gaps_are_one_line_each_and_grouped_over_regions(database_url, aws_env, aws_account):
    harness = Harness(aws_account)
    small_estate(aws_env, aws_account)
    with FaultProxy(aws_env) as proxy:
        aws_env_proxy(proxy)
        # An endpoint that answers an HTML error page in every region, and a denial in every region.
        proxy.fail("ListQueues", "AccessDeniedException", "User: arn:aws:sts::1:assumed-role/x is not authorized",
                   status=400)
        proxy.fail("DescribeVpcs", "InternalFailure", HTML_PAGE, status=400)
        row = harness.sync()
    assert row["state"] == "finished"
    gaps = {gap["service"]: gap for gap in row["gaps"]}
    assert sorted(gaps) == ["ec2", "sqs"]
    assert gaps["sqs"]["regions"] == sorted(REGIONS) and gaps["sqs"]["code"] == "AccessDeniedException"
    assert gaps["sqs"]["message"] == ("test queues failed in 2 regions: AccessDeniedException: "
                                      "User: arn:aws:sts::1:assumed-role/x is not authorized")
    vpcs = gaps["ec2"]["message"]
    assert vpcs.startswith("test vpcs failed in 2 regions: ") and "<" not in vpcs and "\n" not in vpcs
    assert len(vpcs) < 250, vpcs
    status = harness.collector.status(harness.account.id)
    assert [(list(g.regions), g.error_code) for g in status.gaps if g.service == "sqs"] == [
        (sorted(REGIONS), "AccessDeniedException")]
    # The raw answer is in the log only, never in what people read.
    assert "upstream server" not in str(row["gaps"]) + row["message"]


def test_failure_reasons_keep_the_code_and_one_line():
    from botocore.exceptions import ClientError
    from botocore.parsers import ResponseParserError

    from services.collector.engine import failure_reason

    page = ClientError({"Error": {"Code": "502", "Message": HTML_PAGE}, "ResponseMetadata": {"HTTPStatusCode": 502}},
                       "DescribeServerlessCaches")
    assert failure_reason(page) == ("502", "502 Bad Gateway")
    empty = ClientError({"Error": {"Code": "503"}, "ResponseMetadata": {"HTTPStatusCode": 503}}, "ListTables")
    assert failure_reason(empty) == ("503", "HTTP 503")
    garbage = ResponseParserError("Unable to parse response (syntax error), invalid XML received:\nb'" + HTML_PAGE)
    code, reason = failure_reason(garbage)
    assert code == "" and "not an AWS response" in reason
