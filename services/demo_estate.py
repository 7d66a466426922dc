"""A demo estate generator for moto: a realistic multi-tier AWS estate in several AWS accounts and
regions, for `cloudsketch demo`, the tests and the benchmarks.

    manifest = seed("http://127.0.0.1:5055")      # 2 accounts x 2 regions, 242 resources
    regions = ("us-east-1", "eu-west-1", "us-west-2", "ap-southeast-2")
    manifest = seed(endpoint, regions=regions, scale=scale_for(10_000, regions=4))   # 10,299 resources

What one seed creates, per AWS account:
  - an S3 bucket that keeps the seeding state (below), a public Route 53 hosted zone
    `<env>.example.com`, and an IAM role for the Lambda functions (not listed: no collector type);
per account and region ("place"), ceil(scale / STACKS_PER_VPC) VPCs, each with:
  - public, private and data subnets in two availability zones, an internet gateway, a NAT gateway
    per zone, a public route table and one private route table per zone, an S3 gateway endpoint
    (and DB and cache subnet groups, not listed);
per place, `scale` app stacks (`shop`, `billing`, ...), stack k living in VPC k // STACKS_PER_VPC:
  - security groups for the load balancer, the web tier, a bastion, the database and the cache,
    allowing each other the way a three-tier app does;
  - an ALB (public subnets) forwarding to a web target group (an Auto Scaling group of 2 instances
    from a launch template, private subnets) and, for /api/*, to an ip target group (an ECS Fargate
    service); a bastion instance; 2 worker instances with a data volume each; an unattached volume;
  - RDS PostgreSQL Multi-AZ with a read replica; an ElastiCache Redis replication group and a
    Memcached cluster; two DynamoDB tables;
  - an assets bucket behind a CloudFront distribution (whose /api/* goes to the ALB); an uploads
    bucket notifying the worker Lambda function, which an SQS queue (with its dead-letter queue)
    and an SNS topic also trigger; an API Gateway REST API in front of an api Lambda function;
  - Route 53 alias records for the ALB and the distribution;
and VPC peering from the first place's first VPC (the hub) to every other place's first VPC:
cross-region and cross-account, accepted, with routes both ways.

Size: resource_count(scale, regions, accounts) resources exactly: 2 per account, 2 per peering
(one place but the hub has one), and per place 14 per VPC plus 44 per app stack; scale_for()
inverts it.

The Manifest lists every resource a collector should find (CloudFormation types) with the
relationships between them, in the shared vocabulary (the RelationshipType names of
protos/cloudsketch/common/v1/resource.proto, in the directions docs/architecture.md gives). It does
not list what moto or AWS add by themselves:
each region's default VPC (with its subnets, internet gateway, security group, route table and
network ACL), each VPC's default security group, main route table and default network ACL, and
the availability zones. Its hostile_strings name where the seed put strings that must come out
escaped (markup, quotes, ampersands, non-ASCII): tags of the first stack of the first place.

Idempotent: each unit (an account's basics, a VPC, an app stack, a peering) records its part of
the manifest in the account's state bucket when it is complete, so seeding a moto server that
already has the estate creates nothing and returns the same manifest, and seeding a larger scale
adds only the missing units. A unit that started and never finished (the seeder was killed) makes
seed() fail with PartialEstateError: reset the moto server (POST /moto-api/reset) and seed again.

moto's ways, which the manifest follows: every instance gets a root volume; an Auto Scaling group
puts all its instances in its first subnet; ECS services run no tasks (so no AWS::ECS::Task); a
replication group's member clusters are not cache clusters, and ElastiCache returns no security
groups (so no secured_by edges for caches). A peering shows in both of its places, as on AWS:
it is listed in each, named in that place's account and region (as the collector names it), with
that place's route tables routing to it. Seeding takes 15-20 ms per resource (moto's pace).
"""
from __future__ import annotations

import io
import json
import math
import zipfile
from collections import Counter
from dataclasses import astuple, dataclass, field
from functools import partial

import boto3

from cloudsketch.common.v1 import resource_pb2
from services.common.enums import enum_names
from services.common.supervisor import DEMO_ECS_TASKS_RUNNING

DEMO_AWS_ACCOUNT = "123456789012"   # moto's default account
# The AWS accounts of the demo estate and the names the demo connects them under.
DEMO_ACCOUNTS = {DEMO_AWS_ACCOUNT: "Demo production", "210987654321": "Demo staging"}
DEMO_REGIONS = ("us-east-1", "eu-west-1")
# moto does not check image ids, and listing its ~1,300 public images costs seconds.
DEMO_AMI = "ami-0c02fb55956c7d316"
DEFAULT_ACCOUNTS = tuple(DEMO_ACCOUNTS)
DEFAULT_REGIONS = DEMO_REGIONS
RELATIONSHIP_TYPES = frozenset(enum_names(resource_pb2.RelationshipType, "RELATIONSHIP_TYPE_"))
STACKS_PER_VPC = 4
APPS = ("shop", "billing", "search", "catalog", "payments", "reports")
ENVS = ("prod", "staging", "dev", "sandbox")
ZONES = ("a", "b")                      # every AWS region has zones a and b
TIERS = ("public", "private", "data")
# What resource_count() counts; a test checks them against what seed() lists.
ACCOUNT_RESOURCES = 2                   # state bucket, hosted zone
VPC_RESOURCES = 14                      # VPC, 6 subnets, internet gateway, 2 NAT gateways, 3 route tables, endpoint
# 5 security groups, a launch template, an ALB, 2 target groups, an Auto Scaling group, 5 instances, 8 volumes,
# an ECS cluster and service, 2 DB instances, 2 caches, 2 tables, 2 buckets, a distribution, 2 functions, an
# event source mapping, 2 queues, a topic, a subscription, a REST API, 2 DNS records.
STACK_RESOURCES = 44
CLOUDFRONT_ZONE = "Z2FDTNDATAQYW2"      # the hosted zone id of every CloudFront distribution alias
STATE_PREFIX = "cloudsketch-demo/"

# Strings that must come out escaped wherever cloudsketch shows them (first stack of the first place).
HOSTILE_NAME = "bastion \"ops\" & 'admin' <b>"
HOSTILE_SCRIPT = "<script>alert(1)</script>"
HOSTILE_OWNER = "O'Brien & \"Sons\" <ops@example.com>"
HOSTILE_MARKUP = "</title><img src=x onerror=alert(1)>"
UNICODE_NAME = "old data \u2013 caf\u00e9 \u2615"


@dataclass(frozen=True, order=True)
class Resource:
    aws_account_id: str
    region: str   # "" for global resources (CloudFront, Route 53); S3 buckets carry their region
    type: str     # CloudFormation type
    # The ARN; for Route 53 records (which have none) arn:aws:route53:::hostedzone/<id>/recordset/<name>/<type>
    # with the name's final dot dropped, as services/collector/discovery/route53.py makes it.
    arn: str
    name: str


@dataclass(frozen=True, order=True)
class Relationship:
    type: str     # one of RELATIONSHIP_TYPES ("contains", "attached_to", ...)
    source: str   # ARN
    target: str   # ARN

    def __post_init__(self):
        if self.type not in RELATIONSHIP_TYPES:
            raise ValueError(f"unknown relationship type {self.type!r}")


@dataclass(frozen=True, order=True)
class HostileString:
    arn: str      # the resource carrying it
    where: str    # "tag:<key>"
    value: str


@dataclass
class Manifest:
    """What seed() created, for tests to check a sync against."""
    resources: list[Resource] = field(default_factory=list)
    relationships: list[Relationship] = field(default_factory=list)
    hostile_strings: list[HostileString] = field(default_factory=list)

    def add(self, account: str, region: str, cfn_type: str, arn: str, name: str) -> str:
        self.resources.append(Resource(account, region, cfn_type, arn, name))
        return arn

    def relate(self, relationship: str, source: str, target: str) -> None:
        self.relationships.append(Relationship(relationship, source, target))

    def extend(self, other: Manifest) -> None:
        self.resources += other.resources
        self.relationships += other.relationships
        self.hostile_strings += other.hostile_strings

    def counts_by_type(self) -> dict[str, int]:
        return dict(sorted(Counter(r.type for r in self.resources).items()))

    def counts_by_place(self) -> dict[tuple[str, str], dict[str, int]]:
        """{(aws_account_id, region): {type: count}}; region "" holds the global resources."""
        places: dict[tuple[str, str], Counter] = {}
        for r in self.resources:
            places.setdefault((r.aws_account_id, r.region), Counter())[r.type] += 1
        return {place: dict(sorted(counts.items())) for place, counts in sorted(places.items())}

    def arns(self, cfn_type: str, aws_account_id: str | None = None, region: str | None = None) -> set[str]:
        return {r.arn for r in self.resources if r.type == cfn_type
                and aws_account_id in (None, r.aws_account_id) and region in (None, r.region)}

    def to_json(self) -> str:
        return json.dumps({"resources": [astuple(r) for r in self.resources],
                           "relationships": [astuple(e) for e in self.relationships],
                           "hostile_strings": [astuple(h) for h in self.hostile_strings]})

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        data = json.loads(text)
        return cls([Resource(*r) for r in data["resources"]], [Relationship(*e) for e in data["relationships"]],
                   [HostileString(*h) for h in data["hostile_strings"]])


class PartialEstateError(RuntimeError):
    pass


def _client(service: str, endpoint: str, region: str = "us-east-1"):
    return boto3.client(service, endpoint_url=endpoint, region_name=region,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def account_client(service: str, endpoint: str, aws_account_id: str, region: str = "us-east-1"):
    """A client acting in `aws_account_id`: moto puts what assumed credentials create into the
    account they name, which gives several AWS accounts on one moto server."""
    if aws_account_id == DEMO_AWS_ACCOUNT:
        return _client(service, endpoint, region)
    creds = _client("sts", endpoint).assume_role(
        RoleArn=f"arn:aws:iam::{aws_account_id}:role/OrganizationAccountAccessRole",
        RoleSessionName="cloudsketch-demo")["Credentials"]
    return boto3.client(service, endpoint_url=endpoint, region_name=region, aws_access_key_id=creds["AccessKeyId"],
                        aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"])


def vpcs_for(scale: int) -> int:
    return math.ceil(scale / STACKS_PER_VPC)


def resource_count(scale: int, regions: int = 2, accounts: int = 2) -> int:
    """How many resources seed() lists for this scale, region count and account count."""
    places = regions * accounts
    return accounts * ACCOUNT_RESOURCES + 2 * (places - 1) + places * (
        vpcs_for(scale) * VPC_RESOURCES + scale * STACK_RESOURCES)


def scale_for(resources: int, regions: int, accounts: int = 2) -> int:
    """The smallest scale whose estate has at least `resources` resources (about 47 per unit of
    scale per account and region)."""
    scale = 1
    while resource_count(scale, regions, accounts) < resources:
        scale += 1
    return scale


def app_name(k: int) -> str:
    return APPS[k % len(APPS)] + (f"-{k // len(APPS) + 1}" if k >= len(APPS) else "")


def seed(endpoint: str, *, accounts=DEFAULT_ACCOUNTS, regions=DEFAULT_REGIONS, scale: int = 1) -> Manifest:
    """Create the estate in the moto server at `endpoint` (or find it there) and describe it."""
    if scale < 1:
        raise ValueError("scale must be at least 1")
    return _Seeder(endpoint, tuple(accounts), tuple(regions)).seed(scale)


def _tags(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in tags.items()]


def _tag_spec(kind: str, tags: dict[str, str]) -> list[dict]:
    return [{"ResourceType": kind, "Tags": _tags(tags)}]


def _ec2_arn(region: str, account: str, kind: str, resource_id: str) -> str:
    return f"arn:aws:ec2:{region}:{account}:{kind}/{resource_id}"


def _lambda_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return {'statusCode': 200}\n")
    return buffer.getvalue()


class _Seeder:
    def __init__(self, endpoint: str, accounts: tuple[str, ...], regions: tuple[str, ...]):
        self.endpoint = endpoint
        self.accounts = accounts
        self.regions = regions
        self.manifest = Manifest()
        self._clients: dict[tuple[str, str, str], object] = {}
        self._state: dict[str, tuple[set[str], set[str]]] = {}   # account -> (started, done) unit keys
        self._zip = _lambda_zip()

    def client(self, service: str, account: str, region: str):
        key = (service, account, region)
        if key not in self._clients:
            self._clients[key] = account_client(service, self.endpoint, account, region)
        return self._clients[key]

    def env(self, account: str) -> str:
        index = self.accounts.index(account)
        return ENVS[index] if index < len(ENVS) else f"env{index}"

    def place(self, account: str, region: str) -> int:
        return self.accounts.index(account) * len(self.regions) + self.regions.index(region)

    # Seeding state: one S3 object per finished unit (its manifest part and the ids later units need).

    def state_bucket(self, account: str) -> str:
        return f"cloudsketch-demo-state-{account}"

    def load_state(self, account: str) -> None:
        s3 = self.client("s3", account, self.regions[0])
        bucket = self.state_bucket(account)
        try:
            s3.create_bucket(Bucket=bucket, **self._location(self.regions[0]))
        except s3.exceptions.BucketAlreadyOwnedByYou:
            pass
        started, done = set(), set()
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=STATE_PREFIX):
            for obj in page.get("Contents", []):
                unit, _, suffix = obj["Key"][len(STATE_PREFIX):].rpartition(".")
                (done if suffix == "json" else started).add(unit)
        self._state[account] = (started, done)

    def unit(self, account: str, key: str, build) -> dict:
        """Run build(part) -> ids once per estate: later seeds read the part and ids back."""
        s3 = self.client("s3", account, self.regions[0])
        bucket = self.state_bucket(account)
        started, done = self._state[account]
        if key in done:
            body = json.loads(s3.get_object(Bucket=bucket, Key=f"{STATE_PREFIX}{key}.json")["Body"].read())
            self.manifest.extend(Manifest.from_json(body["manifest"]))
            return body["ids"]
        if key in started:
            raise PartialEstateError(f"the demo estate's unit {key!r} in account {account} was started and never "
                                     f"finished: reset the moto server (POST /moto-api/reset) and seed again")
        s3.put_object(Bucket=bucket, Key=f"{STATE_PREFIX}{key}.started", Body=b"")
        part = Manifest()
        ids = build(part)
        s3.put_object(Bucket=bucket, Key=f"{STATE_PREFIX}{key}.json",
                      Body=json.dumps({"manifest": part.to_json(), "ids": ids}).encode())
        done.add(key)
        self.manifest.extend(part)
        return ids

    @staticmethod
    def _location(region: str) -> dict:
        return {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}

    def seed(self, scale: int) -> Manifest:
        vpcs: dict[tuple[str, str], dict] = {}   # (account, region) -> the first VPC's ids, for peering
        for account in self.accounts:
            self.load_state(account)
            basics = self.unit(account, "account", partial(self.build_account, account=account))
            for region in self.regions:
                network = [self.unit(account, f"{region}/vpc-{v}",
                                     partial(self.build_vpc, account=account, region=region, v=v))
                           for v in range(vpcs_for(scale))]
                vpcs[account, region] = network[0]
                for k in range(scale):
                    self.unit(account, f"{region}/stack-{k}", partial(
                        self.build_stack, account=account, region=region, k=k,
                        network=network[k // STACKS_PER_VPC], basics=basics))
        hub = (self.accounts[0], self.regions[0])
        for spoke in vpcs:
            if spoke != hub:
                self.unit(hub[0], f"peering/{spoke[0]}/{spoke[1]}", partial(
                    self.build_peering, hub=hub, hub_vpc=vpcs[hub], spoke=spoke, spoke_vpc=vpcs[spoke]))
        return self.manifest

    # Units

    def build_account(self, part: Manifest, account: str) -> dict:
        env = self.env(account)
        part.add(account, self.regions[0], "AWS::S3::Bucket", f"arn:aws:s3:::{self.state_bucket(account)}",
                 self.state_bucket(account))
        iam = self.client("iam", account, self.regions[0])
        role = iam.create_role(RoleName="demo-lambda-exec", AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                    "Principal": {"Service": "lambda.amazonaws.com"}}]}))
        route53 = self.client("route53", account, self.regions[0])
        zone_name = f"{env}.example.com"
        zone = route53.create_hosted_zone(Name=zone_name, CallerReference=f"cloudsketch-demo-{account}",
                                          HostedZoneConfig={"Comment": f"{env} public zone"})["HostedZone"]
        zone_id = zone["Id"].rsplit("/", 1)[-1]
        part.add(account, "", "AWS::Route53::HostedZone", f"arn:aws:route53:::hostedzone/{zone_id}", zone_name)
        return {"role": role["Role"]["Arn"], "zone_id": zone_id, "zone_name": zone_name}

    def build_vpc(self, part: Manifest, account: str, region: str, v: int) -> dict:
        ec2 = self.client("ec2", account, region)
        env = self.env(account)
        arn = lambda kind, resource_id: _ec2_arn(region, account, kind, resource_id)  # noqa: E731
        # A /16 per VPC: the first VPCs of up to 16 places never overlap, so peering them is valid; later
        # VPCs may overlap unpeered ones elsewhere, as in real estates.
        octet = (16 * self.place(account, region) + v) % 256
        cidr = f"10.{octet}.0.0/16"
        name = f"{env}-vpc-{v}"
        vpc = ec2.create_vpc(CidrBlock=cidr, TagSpecifications=_tag_spec("vpc", {"Name": name, "env": env}))
        vpc = vpc["Vpc"]["VpcId"]
        vpc_arn = part.add(account, region, "AWS::EC2::VPC", arn("vpc", vpc), name)

        igw = ec2.create_internet_gateway(TagSpecifications=_tag_spec(
            "internet-gateway", {"Name": f"{name}-igw"}))["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
        igw_arn = part.add(account, region, "AWS::EC2::InternetGateway", arn("internet-gateway", igw), f"{name}-igw")
        part.relate("attached_to", igw_arn, vpc_arn)

        subnets: dict[str, list[str]] = {tier: [] for tier in TIERS}
        for t, tier in enumerate(TIERS):
            for z, zone in enumerate(ZONES):
                subnet_name = f"{name}-{tier}-{zone}"
                subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.{octet}.{16 * t + z}.0/24",
                                           AvailabilityZone=region + zone, TagSpecifications=_tag_spec(
                                               "subnet", {"Name": subnet_name, "tier": tier}))["Subnet"]["SubnetId"]
                subnets[tier].append(subnet)
                part.relate("contains", vpc_arn, part.add(account, region, "AWS::EC2::Subnet",
                                                          arn("subnet", subnet), subnet_name))

        public_rt = ec2.create_route_table(VpcId=vpc, TagSpecifications=_tag_spec(
            "route-table", {"Name": f"{name}-public"}))["RouteTable"]["RouteTableId"]
        ec2.create_route(RouteTableId=public_rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
        public_rt_arn = part.add(account, region, "AWS::EC2::RouteTable", arn("route-table", public_rt),
                                 f"{name}-public")
        part.relate("contains", vpc_arn, public_rt_arn)
        part.relate("routes_to", public_rt_arn, igw_arn)
        for subnet in subnets["public"]:
            ec2.associate_route_table(RouteTableId=public_rt, SubnetId=subnet)
            part.relate("attached_to", public_rt_arn, arn("subnet", subnet))

        private_rts = []
        for z, zone in enumerate(ZONES):  # a NAT gateway per zone, so one zone failing leaves the other online
            nat_name = f"{name}-nat-{zone}"
            allocation = ec2.allocate_address(Domain="vpc", TagSpecifications=_tag_spec(
                "elastic-ip", {"Name": nat_name}))["AllocationId"]
            nat = ec2.create_nat_gateway(SubnetId=subnets["public"][z], AllocationId=allocation,
                                         TagSpecifications=_tag_spec("natgateway", {"Name": nat_name}))
            nat = nat["NatGateway"]["NatGatewayId"]
            nat_arn = part.add(account, region, "AWS::EC2::NatGateway", arn("natgateway", nat), nat_name)
            part.relate("contains", arn("subnet", subnets["public"][z]), nat_arn)
            rt_name = f"{name}-private-{zone}"
            rt = ec2.create_route_table(VpcId=vpc, TagSpecifications=_tag_spec(
                "route-table", {"Name": rt_name}))["RouteTable"]["RouteTableId"]
            ec2.create_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
            rt_arn = part.add(account, region, "AWS::EC2::RouteTable", arn("route-table", rt), rt_name)
            part.relate("contains", vpc_arn, rt_arn)
            part.relate("routes_to", rt_arn, nat_arn)
            for tier in ("private", "data"):
                ec2.associate_route_table(RouteTableId=rt, SubnetId=subnets[tier][z])
                part.relate("attached_to", rt_arn, arn("subnet", subnets[tier][z]))
            private_rts.append(rt)

        endpoint = ec2.create_vpc_endpoint(
            VpcId=vpc, ServiceName=f"com.amazonaws.{region}.s3", VpcEndpointType="Gateway", RouteTableIds=private_rts,
            TagSpecifications=_tag_spec("vpc-endpoint", {"Name": f"{name}-s3"}))["VpcEndpoint"]["VpcEndpointId"]
        endpoint_arn = part.add(account, region, "AWS::EC2::VPCEndpoint", arn("vpc-endpoint", endpoint), f"{name}-s3")
        part.relate("contains", vpc_arn, endpoint_arn)
        for rt in private_rts:   # S3 traffic from the private subnets takes the endpoint, not the NAT gateway
            part.relate("routes_to", arn("route-table", rt), endpoint_arn)

        # Subnet groups: what RDS and ElastiCache need to place databases in the data subnets.
        self.client("rds", account, region).create_db_subnet_group(
            DBSubnetGroupName=f"{name}-data", DBSubnetGroupDescription=f"{name} data subnets",
            SubnetIds=subnets["data"])
        self.client("elasticache", account, region).create_cache_subnet_group(
            CacheSubnetGroupName=f"{name}-data", CacheSubnetGroupDescription=f"{name} data subnets",
            SubnetIds=subnets["data"])
        return {"vpc": vpc, "cidr": cidr, "name": name, "subnets": subnets, "private_route_tables": private_rts}

    def build_stack(self, part: Manifest, account: str, region: str, k: int, network: dict, basics: dict) -> dict:
        env, app = self.env(account), app_name(k)
        c = lambda service: self.client(service, account, region)  # noqa: E731
        arn = lambda kind, resource_id: _ec2_arn(region, account, kind, resource_id)  # noqa: E731

        def add(cfn_type: str, resource_arn: str, name: str, where: str = region) -> str:
            return part.add(account, where, cfn_type, resource_arn, name)
        base_tags = {"app": app, "env": env}
        hostile = k == 0 and self.place(account, region) == 0   # the escaping test cases live in one stack
        vpc, subnets = network["vpc"], network["subnets"]
        ec2 = c("ec2")

        # Security groups: alb <- internet; web <- alb, bastion; db, cache <- web.
        groups = {}
        for role, description in (("alb", "load balancer"), ("web", "web and api tier"), ("bastion", "ssh bastion"),
                                  ("db", "PostgreSQL"), ("cache", "Redis and Memcached")):
            group_name = f"{app}-{role}"
            groups[role] = ec2.create_security_group(
                GroupName=group_name, Description=f"{app} {description}", VpcId=vpc,
                TagSpecifications=_tag_spec("security-group", {"Name": group_name, **base_tags}))["GroupId"]
            part.relate("contains", arn("vpc", vpc), add("AWS::EC2::SecurityGroup", arn("security-group", groups[role]),
                                                         group_name))
        sg = {role: arn("security-group", group) for role, group in groups.items()}
        world = lambda port: {"IpProtocol": "tcp", "FromPort": port, "ToPort": port,  # noqa: E731
                              "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
        peer = lambda port, role: {"IpProtocol": "tcp", "FromPort": port, "ToPort": port,  # noqa: E731
                                   "UserIdGroupPairs": [{"GroupId": groups[role]}]}
        ec2.authorize_security_group_ingress(GroupId=groups["alb"], IpPermissions=[world(80), world(443)])
        ec2.authorize_security_group_ingress(GroupId=groups["web"],
                                             IpPermissions=[peer(80, "alb"), peer(22, "bastion")])
        ec2.authorize_security_group_ingress(GroupId=groups["db"], IpPermissions=[peer(5432, "web")])
        ec2.authorize_security_group_ingress(GroupId=groups["cache"],
                                             IpPermissions=[peer(6379, "web"), peer(11211, "web")])
        for allowed, protected in (("alb", "web"), ("bastion", "web"), ("web", "db"), ("web", "cache")):
            part.relate("routes_to", sg[allowed], sg[protected])

        # Load balancer: / to the Auto Scaling group, /api/* to the ECS service.
        elb = c("elbv2")
        alb = elb.create_load_balancer(Name=f"{app}-alb", Subnets=subnets["public"], SecurityGroups=[groups["alb"]],
                                       Scheme="internet-facing", Type="application",
                                       Tags=_tags({"Name": f"{app}-alb", **base_tags}))["LoadBalancers"][0]
        alb_arn = add("AWS::ElasticLoadBalancingV2::LoadBalancer", alb["LoadBalancerArn"], f"{app}-alb")
        part.relate("secured_by", alb_arn, sg["alb"])
        for subnet in subnets["public"]:
            part.relate("contains", arn("subnet", subnet), alb_arn)
        target_groups = {}
        for role, port, target_type in (("web", 80, "instance"), ("api", 8080, "ip")):
            target_groups[role] = elb.create_target_group(
                Name=f"{app}-{role}", Protocol="HTTP", Port=port, VpcId=vpc, TargetType=target_type,
                HealthCheckPath="/health", Tags=_tags(base_tags))["TargetGroups"][0]["TargetGroupArn"]
            add("AWS::ElasticLoadBalancingV2::TargetGroup", target_groups[role], f"{app}-{role}")
            part.relate("targets", alb_arn, target_groups[role])
        web_tg, api_tg = target_groups["web"], target_groups["api"]
        listener = elb.create_listener(LoadBalancerArn=alb_arn, Protocol="HTTP", Port=80, DefaultActions=[
            {"Type": "forward", "TargetGroupArn": web_tg}])["Listeners"][0]["ListenerArn"]
        elb.create_rule(ListenerArn=listener, Priority=10, Actions=[{"Type": "forward", "TargetGroupArn": api_tg}],
                        Conditions=[{"Field": "path-pattern", "Values": ["/api/*"]}])

        # Web tier: an Auto Scaling group of two instances from a launch template, registered in the web target group.
        template = ec2.create_launch_template(
            LaunchTemplateName=f"{app}-web", LaunchTemplateData={
                "ImageId": DEMO_AMI, "InstanceType": "t3.small", "SecurityGroupIds": [groups["web"]]},
            TagSpecifications=_tag_spec("launch-template", base_tags))["LaunchTemplate"]["LaunchTemplateId"]
        add("AWS::EC2::LaunchTemplate", arn("launch-template", template), f"{app}-web")
        autoscaling = c("autoscaling")
        autoscaling.create_auto_scaling_group(
            AutoScalingGroupName=f"{app}-web", LaunchTemplate={"LaunchTemplateId": template, "Version": "$Latest"},
            MinSize=2, MaxSize=6, DesiredCapacity=2, VPCZoneIdentifier=",".join(subnets["private"]),
            TargetGroupARNs=[web_tg], Tags=[{"Key": key, "Value": value, "PropagateAtLaunch": True}
                                           for key, value in {"Name": f"{app}-web", **base_tags}.items()])
        group = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[f"{app}-web"])["AutoScalingGroups"][0]
        asg_arn = add("AWS::AutoScaling::AutoScalingGroup", group["AutoScalingGroupARN"], f"{app}-web")
        part.relate("targets", web_tg, asg_arn)   # the group registers its instances there
        for subnet in subnets["private"]:
            part.relate("contains", arn("subnet", subnet), asg_arn)
        asg_instances = {i["InstanceId"] for i in group["Instances"]}

        # A bastion, and workers in one call (each with a data volume), plus a volume left behind.
        bastion_tags = {"Name": HOSTILE_NAME, "note": HOSTILE_SCRIPT} if hostile else {"Name": f"{app}-bastion"}
        bastion = ec2.run_instances(ImageId=DEMO_AMI, InstanceType="t3.nano", MinCount=1, MaxCount=1,
                                    SubnetId=subnets["public"][0], SecurityGroupIds=[groups["bastion"]],
                                    TagSpecifications=_tag_spec("instance", {**bastion_tags, **base_tags}))
        workers = ec2.run_instances(ImageId=DEMO_AMI, InstanceType="m5.large", MinCount=2, MaxCount=2,
                                    SubnetId=subnets["private"][1], SecurityGroupIds=[groups["web"]],
                                    BlockDeviceMappings=[{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 20}},
                                                         {"DeviceName": "/dev/sdf", "Ebs": {"VolumeSize": 100,
                                                                                              "VolumeType": "gp3"}}],
                                    TagSpecifications=_tag_spec("instance", {"Name": f"{app}-worker", **base_tags}))
        ids = sorted(asg_instances) + [i["InstanceId"] for i in bastion["Instances"] + workers["Instances"]]
        # One describe gives every instance's subnet, groups and volumes (moto gives each a root volume).
        for reservation in ec2.describe_instances(InstanceIds=ids)["Reservations"]:
            for instance in reservation["Instances"]:
                instance_id = instance["InstanceId"]
                tags = {t["Key"]: t["Value"] for t in instance.get("Tags", [])}
                instance_arn = add("AWS::EC2::Instance", arn("instance", instance_id), tags.get("Name", instance_id))
                part.relate("contains", arn("subnet", instance["SubnetId"]), instance_arn)
                for security_group in instance["SecurityGroups"]:
                    part.relate("secured_by", instance_arn, arn("security-group", security_group["GroupId"]))
                if instance_id in asg_instances:
                    part.relate("member_of", instance_arn, asg_arn)
                    part.relate("targets", web_tg, instance_arn)
                for mapping in instance.get("BlockDeviceMappings", []):
                    volume_arn = add("AWS::EC2::Volume", arn("volume", mapping["Ebs"]["VolumeId"]),
                                     f"{tags.get('Name', instance_id)} {mapping['DeviceName']}")
                    part.relate("attached_to", volume_arn, instance_arn)
                if hostile and tags.get("note") == HOSTILE_SCRIPT:
                    part.hostile_strings.append(HostileString(instance_arn, "tag:Name", HOSTILE_NAME))
                    part.hostile_strings.append(HostileString(instance_arn, "tag:note", HOSTILE_SCRIPT))
        leftover_name = UNICODE_NAME if hostile else f"{app}-old-data"
        leftover = ec2.create_volume(AvailabilityZone=region + ZONES[0], Size=200, VolumeType="gp2",
                                     TagSpecifications=_tag_spec("volume", {"Name": leftover_name, **base_tags}))
        leftover = leftover["VolumeId"]
        leftover_arn = add("AWS::EC2::Volume", arn("volume", leftover), leftover_name)
        if hostile:
            part.hostile_strings.append(HostileString(leftover_arn, "tag:Name", UNICODE_NAME))

        # ECS: a Fargate service behind the api target group.
        ecs = c("ecs")
        cluster = ecs.create_cluster(clusterName=app, tags=[{"key": "env", "value": env}])["cluster"]["clusterArn"]
        family = ecs.register_task_definition(
            family=f"{app}-api", networkMode="awsvpc", requiresCompatibilities=["FARGATE"], cpu="256", memory="512",
            containerDefinitions=[{"name": "api", "image": "public.ecr.aws/docker/library/nginx:1.27",
                                   "portMappings": [{"containerPort": 8080}]}])["taskDefinition"]["taskDefinitionArn"]
        service = ecs.create_service(
            cluster=cluster, serviceName="api", taskDefinition=family, desiredCount=DEMO_ECS_TASKS_RUNNING,
            launchType="FARGATE",
            networkConfiguration={"awsvpcConfiguration": {"subnets": subnets["private"],
                                                          "securityGroups": [groups["web"]]}},
            loadBalancers=[{"targetGroupArn": api_tg, "containerName": "api", "containerPort": 8080}],
        )["service"]["serviceArn"]
        add("AWS::ECS::Cluster", cluster, app)
        add("AWS::ECS::Service", service, f"{app}/api")
        part.relate("contains", cluster, service)
        for subnet in subnets["private"]:
            part.relate("contains", arn("subnet", subnet), service)
        part.relate("targets", api_tg, service)
        part.relate("secured_by", service, sg["web"])

        # Data stores.
        rds = c("rds")
        primary = rds.create_db_instance(
            DBInstanceIdentifier=f"{app}-db", Engine="postgres", EngineVersion="16.3", DBInstanceClass="db.t3.medium",
            AllocatedStorage=50, MasterUsername="app", MasterUserPassword="demo-password-1",  # a demo value
            MultiAZ=True, DBSubnetGroupName=f"{network['name']}-data", VpcSecurityGroupIds=[groups["db"]],
            Tags=_tags(base_tags))["DBInstance"]["DBInstanceArn"]
        replica = rds.create_db_instance_read_replica(
            DBInstanceIdentifier=f"{app}-db-replica", SourceDBInstanceIdentifier=f"{app}-db",
            DBInstanceClass="db.t3.medium", Tags=_tags(base_tags))["DBInstance"]["DBInstanceArn"]
        add("AWS::RDS::DBInstance", primary, f"{app}-db")
        add("AWS::RDS::DBInstance", replica, f"{app}-db-replica")
        part.relate("replica_of", replica, primary)
        for subnet in subnets["data"]:   # the subnet group's subnets, which the replica shares
            part.relate("contains", arn("subnet", subnet), primary)
            part.relate("contains", arn("subnet", subnet), replica)
        part.relate("secured_by", primary, sg["db"])
        part.relate("secured_by", replica, sg["db"])   # a replica in the same region keeps its source's groups
        # moto keeps but does not return ElastiCache security groups, so no secured_by edges for them.
        elasticache = c("elasticache")
        redis = elasticache.create_replication_group(
            ReplicationGroupId=f"{app}-sessions", ReplicationGroupDescription=f"{app} sessions", Engine="redis",
            CacheNodeType="cache.t3.small", NumCacheClusters=2, AutomaticFailoverEnabled=True, MultiAZEnabled=True,
            CacheSubnetGroupName=f"{network['name']}-data", SecurityGroupIds=[groups["cache"]],
            Tags=_tags(base_tags))["ReplicationGroup"]["ARN"]
        memcached = elasticache.create_cache_cluster(
            CacheClusterId=f"{app}-catalog", Engine="memcached", CacheNodeType="cache.t3.micro", NumCacheNodes=2,
            CacheSubnetGroupName=f"{network['name']}-data", SecurityGroupIds=[groups["cache"]],
            Tags=_tags(base_tags))["CacheCluster"]["ARN"]
        add("AWS::ElastiCache::ReplicationGroup", redis, f"{app}-sessions")
        add("AWS::ElastiCache::CacheCluster", memcached, f"{app}-catalog")
        for subnet in subnets["data"]:
            part.relate("contains", arn("subnet", subnet), memcached)
        dynamodb = c("dynamodb")
        for table in ("carts", "orders"):
            table_arn = dynamodb.create_table(
                TableName=f"{app}-{table}", BillingMode="PAY_PER_REQUEST",
                KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                Tags=_tags(base_tags))["TableDescription"]["TableArn"]
            add("AWS::DynamoDB::Table", table_arn, f"{app}-{table}")

        # Serverless: the worker is triggered by a queue, a topic and the uploads bucket.
        lambda_ = c("lambda")
        functions = {}
        for role, memory in (("worker", 512), ("api", 256)):
            owner = HOSTILE_OWNER if hostile and role == "worker" else "platform-team"
            functions[role] = lambda_.create_function(
                FunctionName=f"{app}-{role}", Runtime="python3.12", Role=basics["role"], Handler="handler.handler",
                Code={"ZipFile": self._zip}, MemorySize=memory, Timeout=30,
                Tags={"owner": owner, **base_tags})["FunctionArn"]
            add("AWS::Lambda::Function", functions[role], f"{app}-{role}")
            if owner == HOSTILE_OWNER:
                part.hostile_strings.append(HostileString(functions[role], "tag:owner", HOSTILE_OWNER))
        worker = functions["worker"]
        sqs = c("sqs")
        queue_arn = lambda name: f"arn:aws:sqs:{region}:{account}:{name}"  # noqa: E731
        sqs.create_queue(QueueName=f"{app}-jobs-dlq", tags=base_tags)
        sqs.create_queue(QueueName=f"{app}-jobs", tags=base_tags, Attributes={
            "VisibilityTimeout": "60", "RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": queue_arn(f"{app}-jobs-dlq"), "maxReceiveCount": "5"})})
        dead_letters = add("AWS::SQS::Queue", queue_arn(f"{app}-jobs-dlq"), f"{app}-jobs-dlq")
        jobs = add("AWS::SQS::Queue", queue_arn(f"{app}-jobs"), f"{app}-jobs")
        part.relate("routes_to", jobs, dead_letters)
        mapping = lambda_.create_event_source_mapping(EventSourceArn=jobs, FunctionName=worker, BatchSize=10)["UUID"]
        mapping_arn = add("AWS::Lambda::EventSourceMapping", f"arn:aws:lambda:{region}:{account}:event-source-mapping:"
                          f"{mapping}", f"{app}-jobs -> {app}-worker")
        part.relate("attached_to", mapping_arn, worker)
        part.relate("triggers", jobs, worker)
        sns = c("sns")
        topic = sns.create_topic(Name=f"{app}-alerts", Tags=_tags(base_tags))["TopicArn"]
        subscription = sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=worker)["SubscriptionArn"]
        add("AWS::SNS::Topic", topic, f"{app}-alerts")
        add("AWS::SNS::Subscription", subscription, f"{app}-alerts -> {app}-worker")
        part.relate("attached_to", subscription, topic)
        part.relate("triggers", topic, worker)

        # Buckets (names are global across accounts, so they carry the account and the region).
        s3 = c("s3")
        buckets = {}
        for purpose in ("assets", "uploads"):
            bucket = f"{env}-{app}-{purpose}-{account}-{region}"
            s3.create_bucket(Bucket=bucket, **self._location(region))
            bucket_tags = {"purpose": purpose, **base_tags}
            if hostile and purpose == "assets":
                bucket_tags["description"] = HOSTILE_MARKUP
                part.hostile_strings.append(HostileString(f"arn:aws:s3:::{bucket}", "tag:description", HOSTILE_MARKUP))
            s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": _tags(bucket_tags)})
            buckets[purpose] = bucket
            add("AWS::S3::Bucket", f"arn:aws:s3:::{bucket}", bucket)
        s3.put_bucket_notification_configuration(Bucket=buckets["uploads"], NotificationConfiguration={
            "LambdaFunctionConfigurations": [{"LambdaFunctionArn": worker, "Events": ["s3:ObjectCreated:*"]}]})
        part.relate("triggers", f"arn:aws:s3:::{buckets['uploads']}", worker)

        # API Gateway: POST /orders -> the api function.
        apigateway = c("apigateway")
        api = apigateway.create_rest_api(name=f"{app}-api", description=f"{app} public API",
                                         endpointConfiguration={"types": ["REGIONAL"]}, tags=base_tags)["id"]
        root = next(r["id"] for r in apigateway.get_resources(restApiId=api)["items"] if r["path"] == "/")
        orders = apigateway.create_resource(restApiId=api, parentId=root, pathPart="orders")["id"]
        apigateway.put_method(restApiId=api, resourceId=orders, httpMethod="POST", authorizationType="NONE")
        invoke = f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{functions['api']}/invocations"
        apigateway.put_integration(restApiId=api, resourceId=orders, httpMethod="POST", type="AWS_PROXY",
                                   integrationHttpMethod="POST", uri=invoke)
        apigateway.create_deployment(restApiId=api, stageName="prod")
        api_arn = add("AWS::ApiGateway::RestApi", f"arn:aws:apigateway:{region}::/restapis/{api}", f"{app}-api")
        part.relate("triggers", api_arn, functions["api"])

        # CloudFront: the assets bucket, and /api/* from the load balancer.
        behaviour = {"ViewerProtocolPolicy": "redirect-to-https", "MinTTL": 0,
                     "TrustedSigners": {"Enabled": False, "Quantity": 0}}
        config = {
            "CallerReference": f"{region}-{app}", "Comment": f"{app} ({region})", "Enabled": True,
            "Origins": {"Quantity": 2, "Items": [
                {"Id": "assets", "DomainName": f"{buckets['assets']}.s3.{region}.amazonaws.com",
                 "S3OriginConfig": {"OriginAccessIdentity": ""}},
                {"Id": "alb", "DomainName": alb["DNSName"], "CustomOriginConfig": {
                    "HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}}]},
            "DefaultCacheBehavior": {"TargetOriginId": "assets", **behaviour, "ForwardedValues": {
                "QueryString": False, "Cookies": {"Forward": "none"}}},
            "CacheBehaviors": {"Quantity": 1, "Items": [{
                "PathPattern": "/api/*", "TargetOriginId": "alb", **behaviour,
                "ForwardedValues": {"QueryString": True, "Cookies": {"Forward": "all"}}}]}}
        distribution = c("cloudfront").create_distribution_with_tags(DistributionConfigWithTags={
            "DistributionConfig": config, "Tags": {"Items": _tags(base_tags)}})["Distribution"]
        distribution_arn = add("AWS::CloudFront::Distribution", distribution["ARN"], f"{app} ({region})", "")
        part.relate("origin_of", f"arn:aws:s3:::{buckets['assets']}", distribution_arn)
        part.relate("origin_of", alb_arn, distribution_arn)

        # DNS: <app>.<region>.<zone> for the load balancer, <app>-cdn.<region>.<zone> for the distribution.
        zone_arn = f"arn:aws:route53:::hostedzone/{basics['zone_id']}"
        changes = []
        for record, target, target_zone, target_arn in (
                (f"{app}.{region}.{basics['zone_name']}", alb["DNSName"], alb["CanonicalHostedZoneId"], alb_arn),
                (f"{app}-cdn.{region}.{basics['zone_name']}", distribution["DomainName"], CLOUDFRONT_ZONE,
                 distribution_arn)):
            changes.append({"Action": "CREATE", "ResourceRecordSet": {"Name": record, "Type": "A", "AliasTarget": {
                "HostedZoneId": target_zone, "DNSName": target, "EvaluateTargetHealth": False}}})
            record_arn = add("AWS::Route53::RecordSet", f"{zone_arn}/recordset/{record}/A", record, "")
            part.relate("contains", zone_arn, record_arn)
            part.relate("alias_of", record_arn, target_arn)
        c("route53").change_resource_record_sets(
            HostedZoneId=basics["zone_id"], ChangeBatch={"Changes": changes})
        return {}

    def build_peering(self, part: Manifest, hub: tuple[str, str], hub_vpc: dict,
                      spoke: tuple[str, str], spoke_vpc: dict) -> dict:
        (hub_account, hub_region), (spoke_account, spoke_region) = hub, spoke
        name = f"{hub_vpc['name']}.{hub_region} <-> {spoke_vpc['name']}.{spoke_region}"
        hub_ec2 = self.client("ec2", hub_account, hub_region)
        spoke_ec2 = self.client("ec2", spoke_account, spoke_region)
        peering = hub_ec2.create_vpc_peering_connection(
            VpcId=hub_vpc["vpc"], PeerVpcId=spoke_vpc["vpc"], PeerOwnerId=spoke_account, PeerRegion=spoke_region,
            TagSpecifications=_tag_spec("vpc-peering-connection", {"Name": name}))["VpcPeeringConnection"]
        peering_id = peering["VpcPeeringConnectionId"]
        spoke_ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=peering_id)
        vpc_arns = [_ec2_arn(region, account, "vpc", vpc["vpc"]) for (account, region), vpc in
                    ((hub, hub_vpc), (spoke, spoke_vpc))]
        for ec2, (account, region), vpc, remote in ((hub_ec2, hub, hub_vpc, spoke_vpc),
                                                    (spoke_ec2, spoke, spoke_vpc, hub_vpc)):
            # Each place sees the peering and names it in its own account and region.
            peering_arn = part.add(account, region, "AWS::EC2::VPCPeeringConnection",
                                   _ec2_arn(region, account, "vpc-peering-connection", peering_id), name)
            for vpc_arn in vpc_arns:
                part.relate("routes_to", peering_arn, vpc_arn)
            for route_table in vpc["private_route_tables"]:
                ec2.create_route(RouteTableId=route_table, DestinationCidrBlock=remote["cidr"],
                                 VpcPeeringConnectionId=peering_id)
                part.relate("routes_to", _ec2_arn(region, account, "route-table", route_table), peering_arn)
        return {}
