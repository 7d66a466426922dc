"""The collector tests' fixtures: moto in-process (the discovery tests). A moto server with an
account of the test's own (aws_env, aws_account) is in tests/conftest.py: whole-stack tests use it too."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

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
