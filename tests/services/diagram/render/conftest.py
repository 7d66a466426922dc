"""Fixtures of the render tests: one headless Chromium for the session, and a multi-account estate
of resources (tests/services/diagram/estate.py's builders) for composing and rendering end to end."""
from __future__ import annotations

import pytest

from services.diagram.model import Resource
from tests.services.diagram import estate as e

C = "333333333333"
C_REGION = "us-east-1"


@pytest.fixture(scope="session")
def multi_account_estate() -> list[Resource]:
    """tests/services/diagram/estate.py's two accounts (A: VPC with public and private subnets in two zones,
    ALB, instances, volumes, RDS, Lambda and SQS, S3 behind CloudFront; B: a VPC peered with A's)
    and a third account in another region: a VPC with one subnet, a cluster of 60 workers (more
    than a group shows: collapsed), a DynamoDB table, SNS topic -> Lambda."""
    def arn(kind: str, rid: str) -> str:
        return f"arn:aws:ec2:{C_REGION}:{C}:{kind}/{rid}"

    vpc, subnet = arn("vpc", "vpc-c"), arn("subnet", "subnet-c1")
    function = f"arn:aws:lambda:{C_REGION}:{C}:function:notify"
    topic = f"arn:aws:sns:{C_REGION}:{C}:alerts"
    extra = [
        e.res(vpc, "AWS::EC2::VPC", "analytics", account=C, region=C_REGION, tags={"Name": "analytics"},
              attributes={"vpcId": "vpc-c"}),
        e.res(arn("availability-zone", "us-east-1a"), "AWS::EC2::AvailabilityZone", "us-east-1a",
              account=C, region=C_REGION),
        e.res(subnet, "AWS::EC2::Subnet", "analytics-private", account=C, region=C_REGION,
              tags={"Name": "analytics-private"},
              attributes={"subnetId": "subnet-c1", "vpcId": "vpc-c", "availabilityZone": "us-east-1a",
                          "mapPublicIpOnLaunch": False},
              rels=[("contains", vpc, subnet), ("contains", arn("availability-zone", "us-east-1a"), subnet)]),
        e.res(function, "AWS::Lambda::Function", "notify", account=C, region=C_REGION,
              attributes={"runtime": "python3.12"}),
        e.res(topic, "AWS::SNS::Topic", "alerts", account=C, region=C_REGION,
              rels=[("triggers", topic, function)]),
        e.res(f"arn:aws:dynamodb:{C_REGION}:{C}:table/events", "AWS::DynamoDB::Table", "events", account=C,
              region=C_REGION),
    ]
    for i in range(60):
        worker = arn("instance", f"i-c{i:02d}")
        extra.append(e.res(worker, "AWS::EC2::Instance", f"worker-{i:02d}", account=C, region=C_REGION,
                           tags={"Name": f"worker-{i:02d}"},
                           attributes={"instanceId": f"i-c{i:02d}", "instanceType": "c6g.large",
                                       "platform": "Linux/UNIX", "privateIpAddress": f"10.2.0.{i + 10}"},
                           rels=[("contains", subnet, worker)]))
    return e.estate() + extra
