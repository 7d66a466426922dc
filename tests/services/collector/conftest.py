"""The collector tests' fixtures: moto in-process (the discovery tests) and a moto server with an
account of the test's own (the sync engine's tests)."""
from __future__ import annotations

import uuid
from types import SimpleNamespace

import pytest

from services.collector import engine
from tests.helpers.aws import AWS_TEST_ENV
from tests.services.collector.harness import mocked_aws


@pytest.fixture
def aws():
    """mocked_aws() for one test."""
    with mocked_aws() as session:
        yield session


@pytest.fixture
def vpc(aws):
    """A VPC with two subnets (two zones) and a security group."""
    ec2 = aws.client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.0.{n}.0/24", AvailabilityZone=f"us-east-1{zone}")
               ["Subnet"]["SubnetId"] for n, zone in ((1, "a"), (2, "b"))]
    group = ec2.create_security_group(GroupName="workloads", Description="workloads", VpcId=vpc_id)["GroupId"]
    return SimpleNamespace(id=vpc_id, subnets=subnets, group=group)


@pytest.fixture
def aws_account() -> str:
    """An AWS account id of the test's own, so tests share the moto server without seeing each other."""
    return f"2{uuid.uuid4().int % 10 ** 11:011d}"


@pytest.fixture
def aws_env(monkeypatch, moto_endpoint):
    for key, value in AWS_TEST_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    monkeypatch.setattr(engine, "BACKOFF_SECONDS", 0.01)
    return moto_endpoint
