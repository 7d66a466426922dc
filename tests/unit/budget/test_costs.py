"""The cost model against AWS list prices: each expected value is computed here, by hand, from the
price stated beside it (AWS public list prices of the packaged catalog's sources, USD)."""
from __future__ import annotations

from decimal import Decimal as D

import pytest
from google.protobuf import struct_pb2

from cloudsketch.common.v1 import resource_pb2
from services.budget import costs
from services.budget.costs import Component, price
from services.budget.totals import money

GIB = 2 ** 30


def c(cfn_type, region, **attributes):
    return Component(arn=f"arn:test:{cfn_type}:{region}:{len(attributes)}", type=cfn_type, region=region,
                     attributes=attributes)


# (component, usage override, expected monthly USD as a formula of the stated prices)
REFERENCE = [
    # EC2 Linux on-demand, per hour x 730
    (c("AWS::EC2::Instance", "us-east-1", instanceType="m5.large", platform="Linux/UNIX"), None, D("0.096") * 730),
    (c("AWS::EC2::Instance", "us-east-1", instanceType="t3.micro", platform="Linux/UNIX"), None, D("0.0104") * 730),
    (c("AWS::EC2::Instance", "eu-west-1", instanceType="m5.large"), None, D("0.107") * 730),
    (c("AWS::EC2::Instance", "ap-southeast-2", instanceType="c6g.xlarge"), None, D("0.1776") * 730),
    (c("AWS::EC2::Instance", "sa-east-1", instanceType="t3.micro"), None, D("0.0168") * 730),
    (c("AWS::EC2::Instance", "eu-central-1", instanceType="m5.large"), None, D("0.115") * 730),
    # EBS per GB-month; gp3 IOPS above 3,000 and MiB/s above 125; io1 per provisioned IOPS-month
    (c("AWS::EC2::Volume", "us-east-1", volumeType="gp3", size=100, iops=3000, throughput=125), None, 100 * D("0.08")),
    (c("AWS::EC2::Volume", "us-east-1", volumeType="gp2", size=100, iops=300), None, 100 * D("0.10")),
    (c("AWS::EC2::Volume", "eu-west-1", volumeType="gp3", size=500, iops=6000, throughput=250), None,
     500 * D("0.088") + 3000 * D("0.0055") + 125 * D("45.056") / 1024),
    (c("AWS::EC2::Volume", "ap-southeast-2", volumeType="io1", size=200, iops=5000), None,
     200 * D("0.138") + 5000 * D("0.072")),
    (c("AWS::EC2::Volume", "eu-central-1", volumeType="st1", size=1000), None, 1000 * D("0.054")),
    # RDS per hour x 730 + storage per GB-month
    (c("AWS::RDS::DBInstance", "us-east-1", engine="mysql", instanceClass="db.t3.micro", multiAz=False,
       storageType="gp2", allocatedStorage=20), None, D("0.017") * 730 + 20 * D("0.115")),
    (c("AWS::RDS::DBInstance", "us-east-1", engine="mysql", instanceClass="db.t3.micro", multiAz=True,
       storageType="gp2", allocatedStorage=20), None, D("0.034") * 730 + 20 * D("0.23")),
    (c("AWS::RDS::DBInstance", "eu-west-1", engine="postgres", instanceClass="db.m5.large", multiAz=True,
       storageType="gp3", allocatedStorage=100, iops=3000, storageThroughput=125), None,
     D("0.394") * 730 + 100 * D("0.254")),
    (c("AWS::RDS::DBInstance", "sa-east-1", engine="mariadb", instanceClass="db.r5.large", multiAz=False,
       storageType="io1", allocatedStorage=50, iops=1000), None, D("0.5") * 730 + 50 * D("0.238") + 1000 * D("0.14")),
    (c("AWS::RDS::DBInstance", "eu-central-1", engine="aurora-postgresql", instanceClass="db.r6g.large",
       storageType="aurora", allocatedStorage=1), None, D("0.313") * 730),
    # DocumentDB and Neptune instances, per hour x 730
    (c("AWS::DocDB::DBInstance", "us-east-1", engine="docdb", instanceClass="db.r5.large"), None, D("0.277") * 730),
    (c("AWS::Neptune::DBInstance", "ap-southeast-2", engine="neptune", instanceClass="db.t3.medium"), None,
     D("0.15") * 730),
    # Aurora cluster: storage GB-month + I/O per request + Serverless v2 ACU-hours at minimum capacity
    (c("AWS::RDS::DBCluster", "us-east-1", engine="aurora-postgresql", serverlessV2MinCapacity=0.5), None,
     10 * D("0.10") + 10_000_000 * D("0.0000002") + D("0.5") * D("0.12") * 730),
    # Load balancers: hours + LCU-hours (1 LCU by default); classic: hours + GB processed (100 by default)
    (c("AWS::ElasticLoadBalancingV2::LoadBalancer", "us-east-1", type="application"), None,
     D("0.0225") * 730 + 1 * D("0.008") * 730),
    (c("AWS::ElasticLoadBalancingV2::LoadBalancer", "eu-west-1", type="network"),
     {"AWS::ElasticLoadBalancingV2::LoadBalancer": {"lcu": 2}}, D("0.0252") * 730 + 2 * D("0.006") * 730),
    (c("AWS::ElasticLoadBalancing::LoadBalancer", "ap-southeast-2", type="classic"), None,
     D("0.028") * 730 + 100 * D("0.008")),
    # NAT gateways: hours + GB processed (100 by default)
    (c("AWS::EC2::NatGateway", "us-east-1"), None, D("0.045") * 730 + 100 * D("0.045")),
    (c("AWS::EC2::NatGateway", "sa-east-1"), {"AWS::EC2::NatGateway": {"dataGb": 500}},
     D("0.093") * 730 + 500 * D("0.093")),
    # EKS control plane
    (c("AWS::EKS::Cluster", "us-east-1"), None, D("0.10") * 730),
    (c("AWS::EKS::Cluster", "eu-central-1"), None, D("0.10") * 730),
    # Fargate: (vCPU x per vCPU-hour + GB x per GB-hour) x 730
    (c("AWS::ECS::Task", "ap-southeast-2", launchType="FARGATE", cpu=1024, memory=2048), None,
     (1 * D("0.04856") + 2 * D("0.00532")) * 730),
    # ECS service on Fargate: desiredCount x task size (0.5 vCPU, 1 GB) in eu-west-1
    (c("AWS::ECS::Service", "eu-west-1", launchType="FARGATE", desiredCount=3, cpu=512, memory=1024), None,
     3 * (D("0.5") * D("0.04048") + 1 * D("0.004445")) * 730),
    # Lambda: 1M requests x 0.20/M + 1M x 0.1 s x 0.5 GB x per GB-second
    (c("AWS::Lambda::Function", "us-east-1", memorySize=512, architectures=["x86_64"]), None,
     1_000_000 * D("0.0000002") + 1_000_000 * D("0.1") * D("0.5") * D("0.0000166667")),
    # DynamoDB on-demand (1M reads, 1M writes by default) and provisioned; storage per GB-month
    (c("AWS::DynamoDB::Table", "eu-west-1", billingMode="PAY_PER_REQUEST", tableSizeBytes=10 * GIB), None,
     1_000_000 * D("0.0000001415") + 1_000_000 * D("0.000000705") + 10 * D("0.283")),
    (c("AWS::DynamoDB::Table", "us-east-1", billingMode="PROVISIONED", readCapacityUnits=10, writeCapacityUnits=5,
       tableSizeBytes=0), None, (10 * D("0.00013") + 5 * D("0.00065")) * 730),
    # S3 Standard: GB-month + PUT + GET (100 GB, 10,000 PUT, 100,000 GET by default)
    (c("AWS::S3::Bucket", "us-east-1"), None, 100 * D("0.023") + 10_000 * D("0.000005") + 100_000 * D("0.0000004")),
    (c("AWS::S3::Bucket", "eu-central-1"), {"AWS::S3::Bucket": {"dataGb": 1000}},
     1000 * D("0.0245") + 10_000 * D("0.0000054") + 100_000 * D("0.00000043")),
    # ElastiCache nodes
    (c("AWS::ElastiCache::CacheCluster", "ap-southeast-2", engine="redis", cacheNodeType="cache.t3.micro",
       numCacheNodes=2), None, D("0.025") * 730 * 2),
    (c("AWS::ElastiCache::CacheCluster", "eu-west-1", engine="valkey", cacheNodeType="cache.r7g.large",
       numCacheNodes=1), None, D("0.1944") * 730),
    # OpenSearch data nodes, Redshift nodes
    (c("AWS::OpenSearchService::Domain", "us-east-1", instanceType="m5.large.search", instanceCount=2), None,
     D("0.142") * 730 * 2),
    (c("AWS::Redshift::Cluster", "eu-central-1", nodeType="ra3.xlplus", numberOfNodes=2), None, D("1.298") * 730 * 2),
    # EFS Standard per GB-month
    (c("AWS::EFS::FileSystem", "us-east-1", sizeInBytes=100 * GIB, sizeInStandard=100 * GIB, sizeInIA=0), None,
     100 * D("0.30")),
    # Messaging baselines: 1M requests by default
    (c("AWS::SQS::Queue", "eu-west-1", fifo=False), None, 1_000_000 * D("0.0000004")),
    (c("AWS::SNS::Topic", "sa-east-1", fifo=False), None, 1_000_000 * D("0.0000005")),
    (c("AWS::Kinesis::Stream", "us-east-1", streamMode="PROVISIONED", openShardCount=2), None,
     2 * D("0.015") * 730 + 1_000_000 * D("0.000000014")),
    # VPC endpoints (per ENI-hour + GB), Transit Gateway attachments (hours + GB), VPN connections
    (c("AWS::EC2::VPCEndpoint", "eu-west-1", vpcEndpointType="Interface", networkInterfaceCount=2), None,
     2 * D("0.011") * 730 + 100 * D("0.01")),
    (c("AWS::EC2::TransitGatewayAttachment", "ap-southeast-2", resourceType="vpc"), None,
     D("0.07") * 730 + 100 * D("0.02")),
    (c("AWS::EC2::VPNConnection", "us-east-1"), None, D("0.05") * 730),
    # CloudFront (United States edge prices): 100 GB x 0.085 + 1M HTTPS requests x 0.000001
    (c("AWS::CloudFront::Distribution", ""), None, 100 * D("0.085") + 1_000_000 * D("0.000001")),
    (c("AWS::Route53::HostedZone", ""), None, D("0.50")),
    (c("AWS::ApiGateway::RestApi", "eu-central-1"), None, 1_000_000 * D("0.0000037")),
]


@pytest.mark.parametrize("component, usage, expected", REFERENCE,
                         ids=[f"{i:02d}-{r[0].type.split('::')[-1]}-{r[0].region or 'global'}"
                              for i, r in enumerate(REFERENCE)])
def test_reference_components_cost_the_list_price_to_the_cent(component, usage, expected):
    priced = price(component, usage)
    assert priced.status == "priced", priced.basis
    assert money(priced.monthly) == money(expected)


def test_the_reference_set_spans_thirty_components_and_five_regions():
    assert len(REFERENCE) >= 30
    assert len({component.region for component, _, _ in REFERENCE if component.region}) >= 5


def test_spot_check_figures():
    assert money(price(REFERENCE[0][0]).monthly) == D("70.08")      # m5.large 0.096 x 730
    assert money(price(REFERENCE[1][0]).monthly) == D("7.59")       # t3.micro 0.0104 x 730
    assert money(price(REFERENCE[12][0]).monthly) == D("29.42")     # db.t3.micro Multi-AZ 0.034 x 730 + 20 x 0.23
    alb = c("AWS::ElasticLoadBalancingV2::LoadBalancer", "us-east-1", type="application")
    assert money(price(alb).monthly) == D("22.27")                  # ALB 0.0225 x 730 + 0.008 x 730


def test_the_basis_says_how_the_price_was_found():
    priced = price(REFERENCE[0][0])
    assert priced.basis == "ec2 m5.large us-east-1 on-demand 0.096/h x 730 h"
    assert priced.unit_price == D("0.096")
    assert priced.fields == {"category": "Compute", "type": "ec2", "instanceType": "m5", "instanceSize": "large",
                             "platform": "linux"}


@pytest.mark.parametrize("component, reason", [
    (c("AWS::EC2::Instance", "us-east-1", instanceType="m5.large", platform="Windows"), "platform Windows"),
    (c("AWS::EC2::Instance", "us-east-1", instanceType="m5.large", lifecycle="spot"), "spot"),
    (c("AWS::EC2::Instance", "us-east-1", instanceType="m5.large", tenancy="dedicated"), "dedicated tenancy"),
    (c("AWS::EC2::Instance", "xx-nowhere-1", instanceType="m5.large"), "no ec2 m5.large price for xx-nowhere-1"),
    (c("AWS::EC2::Instance", "us-east-1", instanceType="m99.huge"), "no ec2 m99.huge price"),
    (c("AWS::RDS::DBInstance", "us-east-1", engine="oracle-ee", instanceClass="db.m5.large"), "engine oracle-ee"),
    (c("AWS::DocDB::DBCluster", "us-east-1"), "DocumentDB storage and I/O prices are not in the catalog"),
    (c("AWS::ECS::Task", "us-east-1", capacityProviderName="FARGATE_SPOT"), "Fargate Spot"),
    (c("AWS::ECS::Service", "us-east-1", launchType="FARGATE", desiredCount=2), "no cpu and memory"),
    (c("AWS::Made::Up", "us-east-1"), "no cost model for AWS::Made::Up"),
    (c("AWS::EC2::Volume", "us-east-1", volumeType="gp3", size="large"), "not a number"),
])
def test_components_without_a_known_price_are_unpriced_with_the_reason_never_zero(component, reason):
    priced = price(component)
    assert priced.status == "unpriced"
    assert priced.monthly is None and priced.unit_price is None
    assert priced.basis.startswith("unpriced: ") and reason in priced.basis


@pytest.mark.parametrize("component, reason", [
    (c("AWS::EC2::VPC", "us-east-1"), "VPCs are free"),
    (c("AWS::EC2::Subnet", "us-east-1"), "subnets are free"),
    (c("AWS::EC2::SecurityGroup", "us-east-1"), "security groups are free"),
    (c("AWS::EC2::RouteTable", "us-east-1"), "route tables are free"),
    (c("AWS::EC2::VPCEndpoint", "us-east-1", vpcEndpointType="Gateway"), "gateway endpoints"),
    (c("AWS::EC2::Instance", "us-east-1", instanceType="m5.large", state="stopped"), "instance is stopped"),
    (c("AWS::ECS::Task", "us-east-1", launchType="EC2"), "priced as EC2"),
    (c("AWS::ECS::Task", "us-east-1", launchType="FARGATE", group="service:web", cpu=256, memory=512),
     "priced on its ECS service"),
    (c("AWS::ECS::Service", "us-east-1", launchType="FARGATE", desiredCount=0), "desiredCount is 0"),
])
def test_free_components_say_so(component, reason):
    priced = price(component)
    assert priced.status == "free" and priced.monthly == 0
    assert priced.basis.startswith("free: ") and reason in priced.basis


def test_free_and_unpriced_components_still_carry_a_category_and_type():
    assert (price(c("AWS::EC2::SecurityGroup", "us-east-1")).fields
            == {"category": "Networking", "type": "securitygroup"})
    waf = price(c("AWS::WAFv2::WebACL", "us-east-1"))
    assert (waf.service, waf.fields["category"]) == ("wafv2", "Security")


def test_every_type_the_collector_discovers_gets_an_answer():
    from services.collector.declarations import RESOURCE_TYPES

    for declaration in RESOURCE_TYPES:
        priced = price(Component(arn="arn:x", type=declaration.cfn_type, region="us-east-1"))
        assert priced.status in ("priced", "free", "unpriced")
        assert "no cost model" not in priced.basis, declaration.cfn_type


def test_usage_overrides_apply_per_type_and_keep_the_other_defaults():
    bucket = c("AWS::S3::Bucket", "us-east-1")
    default = price(bucket).monthly
    more = price(bucket, {"AWS::S3::Bucket": {"dataGb": 200}}).monthly
    assert more - default == 100 * D("0.023")
    nat = c("AWS::EC2::NatGateway", "us-east-1")
    assert price(nat, {"AWS::S3::Bucket": {"dataGb": 200}}).monthly == price(nat).monthly
    assert money(price(nat, {"AWS::EC2::NatGateway": {"dataGb": 0}}).monthly) == money(D("0.045") * 730)
    assert costs.DEFAULT_USAGE["AWS::EC2::NatGateway"] == {"dataGb": 100}  # the override did not leak


def test_a_collector_resource_message_is_priced_like_a_component():
    attributes = struct_pb2.Struct()
    attributes.update({"instanceType": "m5.large", "platform": "Linux/UNIX", "vpcId": "vpc-1"})
    resource = resource_pb2.Resource(arn="arn:aws:ec2:us-east-1:123456789012:instance/i-1", type="AWS::EC2::Instance",
                                     region="us-east-1", name="web", attributes=attributes,
                                     tags=[resource_pb2.Tag(key="team", value="blue")])
    priced = price(resource)
    assert money(priced.monthly) == D("70.08")
    assert priced.vpc == "vpc-1" and priced.tags == {"team": "blue"} and priced.name == "web"


def test_io2_iops_are_tiered():
    volume = c("AWS::EC2::Volume", "us-east-1", volumeType="io2", size=100, iops=40000)
    expected = 100 * D("0.125") + 32000 * D("0.065") + 8000 * D("0.0455")
    assert money(price(volume).monthly) == money(expected)
