"""The sync engine's test harness (tests/services/collector/test_sync.py and its neighbours): small
discovery units of its own, so that those tests pin the engine's behaviour whatever the discovery
modules do, a SyncRunner that keeps what it publishes, and a small estate in moto."""
from __future__ import annotations

import os
from datetime import timedelta

from cloudsketch.accounts.v1 import accounts_pb2
from services.collector.discovery import Unit
from services.collector.domain import Collector
from services.collector.model import Item, Scope, tags_of
from services.collector.session import AccountSession
from services.collector.sync import SyncRunner, SyncSettings
from services.common.database import open_database
from services.common.timeutil import utcnow
from services.demo import account_client
from tests.helpers.aws_faults import FaultProxy

REGIONS = ["us-east-1", "eu-west-1"]


def _zones(ctx):
    return ctx.paginate("describe_availability_zones", "AvailabilityZones")


def _zone_items(zones, scope: Scope):
    return [Item(scope.availability_zone_arn(z["ZoneName"]), "AWS::EC2::AvailabilityZone", z["ZoneName"], scope.region)
            for z in zones]


def _vpcs(ctx):
    return ctx.paginate("describe_vpcs", "Vpcs", page_size=1000)


def _vpc_items(vpcs, scope: Scope):
    return [Item(scope.ec2_arn("vpc", v["VpcId"]), "AWS::EC2::VPC", tags_of(v.get("Tags")).get("Name", v["VpcId"]),
                 scope.region, tags_of(v.get("Tags")), {"cidrBlock": v["CidrBlock"]}) for v in vpcs]


def _queues(ctx):
    return ctx.paginate("list_queues", "QueueUrls", page_size=1000)


def _queue_items(urls, scope: Scope):
    return [Item(scope.arn("sqs", url.rsplit("/", 1)[1]), "AWS::SQS::Queue", url.rsplit("/", 1)[1], scope.region)
            for url in urls]


def _buckets(ctx):
    return ctx.client.list_buckets()["Buckets"]


def _bucket_items(buckets, scope: Scope):
    return [Item(f"arn:{scope.partition}:s3:::{b['Name']}", "AWS::S3::Bucket", b["Name"], "us-east-1") for b in buckets]


UNITS = [
    Unit("test.zones", "ec2", ("AWS::EC2::AvailabilityZone",), _zones, _zone_items),
    Unit("test.vpcs", "ec2", ("AWS::EC2::VPC",), _vpcs, _vpc_items),
    Unit("test.queues", "sqs", ("AWS::SQS::Queue",), _queues, _queue_items),
    Unit("test.buckets", "s3", ("AWS::S3::Bucket",), _buckets, _bucket_items, global_=True),
]


class Harness:
    """A SyncRunner on a real database with the events it publishes kept in a list."""

    def __init__(self, aws_account_id: str, regions=REGIONS, session_factory=AccountSession, holder="test-holder",
                 units=UNITS):
        self.collector = Collector(open_database("collector"))
        self.events: list[tuple[str, object]] = []
        self.sessions: list[AccountSession] = []
        self.account = accounts_pb2.Account(
            id=f"acct-{aws_account_id}", aws_account_id=aws_account_id, regions=regions, external_id="x" * 32,
            role_arn=f"arn:aws:iam::{aws_account_id}:role/cloudsketch-readonly")
        # As collector-worker does when the account is registered.
        self.collector.schedule(self.account.id, aws_account_id, utcnow() + timedelta(hours=1))

        def make_session(*args, **kwargs):
            session = session_factory(*args, **kwargs)
            self.sessions.append(session)
            return session

        self.runner = SyncRunner(self.collector, lambda kind, message: self.events.append((kind, message)),
                                 lambda account_id: self.account, holder,
                                 SyncSettings(batch_size=3), units, make_session)

    def sync(self):
        self.events.clear()
        sync_id, _ = self.collector.request_sync(self.account.id, [], "on_demand")
        self.runner.run(sync_id)
        return self.collector.sync_row(sync_id)

    def of(self, kind):
        return [message for event_kind, message in self.events if event_kind == kind]

    def upserted(self) -> dict[str, object]:
        return {r.arn: r for batch in self.of("resources_changed") for r in batch.upserted}

    def removed(self) -> set[str]:
        return {arn for batch in self.of("resources_changed") for arn in batch.removed_arns}


def small_estate(endpoint: str, aws_account_id: str) -> dict[str, str]:
    """Two VPCs and a queue per region, one bucket: returns the VPC ids by region."""
    vpcs = {}
    for region in REGIONS:
        ec2 = account_client("ec2", endpoint, aws_account_id, region)
        vpcs[region] = ec2.create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=[
            {"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "<b>app</b> & \"co\""}]}])["Vpc"]["VpcId"]
        account_client("sqs", endpoint, aws_account_id, region).create_queue(QueueName=f"orders-{region}")
    account_client("s3", endpoint, aws_account_id).create_bucket(Bucket=f"assets-{aws_account_id}")
    return vpcs


def aws_env_proxy(proxy: FaultProxy) -> None:
    os.environ["AWS_ENDPOINT_URL"] = proxy.url   # monkeypatch (aws_env) restores it after the test
