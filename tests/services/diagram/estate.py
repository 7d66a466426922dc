"""A small, realistic estate as the collector publishes it (services/collector/model.py's edge
directions): account A has a VPC with public and private subnets in two availability zones, an
internet gateway and a NAT gateway, an ALB -> target group -> two instances (with volumes), an RDS
instance, a Lambda function triggered by an SQS queue, an S3 bucket behind CloudFront; account B
has a VPC peered with A's."""
from __future__ import annotations

from services.diagram.model import Resource

A, B = "111111111111", "222222222222"
REGION = "eu-west-1"


def ec2(kind: str, rid: str, account: str = A) -> str:
    return f"arn:aws:ec2:{REGION}:{account}:{kind}/{rid}"


def zone(name: str, account: str = A) -> str:
    return ec2("availability-zone", name, account)


VPC_A, VPC_B = ec2("vpc", "vpc-a"), ec2("vpc", "vpc-b", B)
PUBLIC_A, PUBLIC_B = ec2("subnet", "subnet-pub-a"), ec2("subnet", "subnet-pub-b")
PRIVATE_A, PRIVATE_B = ec2("subnet", "subnet-priv-a"), ec2("subnet", "subnet-priv-b")
SUBNET_B = ec2("subnet", "subnet-b1", B)
IGW, NAT = ec2("internet-gateway", "igw-1"), ec2("natgateway", "nat-1")
ROUTES = ec2("route-table", "rtb-public")
SG_WEB, SG_APP, SG_DB = ec2("security-group", "sg-web"), ec2("security-group", "sg-app"), ec2("security-group", "sg-db")
I1, I2, I3 = ec2("instance", "i-1"), ec2("instance", "i-2"), ec2("instance", "i-3", B)
V1, V2 = ec2("volume", "vol-1"), ec2("volume", "vol-2")
ELB = f"arn:aws:elasticloadbalancing:{REGION}:{A}"
ALB = f"{ELB}:loadbalancer/app/web/50dc6c495c0c9188"
TG = f"{ELB}:targetgroup/web/73e2d6bc24d8a067"
DB = f"arn:aws:rds:{REGION}:{A}:db:orders"
FUNCTION = f"arn:aws:lambda:{REGION}:{A}:function:worker"
QUEUE = f"arn:aws:sqs:{REGION}:{A}:jobs"
MAPPING = f"arn:aws:lambda:{REGION}:{A}:event-source-mapping:1234"
BUCKET = "arn:aws:s3:::assets-bucket"
DISTRIBUTION = f"arn:aws:cloudfront::{A}:distribution/E123"
PEERING = ec2("vpc-peering-connection", "pcx-1")


def res(arn, cfn, name="", *, account=A, region=REGION, tags=None, attributes=None, rels=()) -> Resource:
    return Resource(arn=arn, type=cfn, aws_account_id=account, region=region, name=name, tags=dict(tags or {}),
                    attributes=dict(attributes or {}), relationships=tuple(rels))


def subnet(arn, name, az, vpc=VPC_A, public=False, account=A):
    return res(arn, "AWS::EC2::Subnet", name, account=account, tags={"Name": name},
               attributes={"subnetId": arn.rsplit("/", 1)[1], "vpcId": vpc.rsplit("/", 1)[1],
                           "availabilityZone": az, "mapPublicIpOnLaunch": public},
               rels=[("contains", vpc, arn), ("contains", zone(az, account), arn)])


def instance(arn, name, subnet_arn, groups, account=A, private_ip="10.0.1.10", public_ip=None, tags=None):
    return res(arn, "AWS::EC2::Instance", name, account=account, tags={"Name": name, **(tags or {})},
               attributes={"instanceId": arn.rsplit("/", 1)[1], "instanceType": "m5.large",
                           "platform": "Linux/UNIX", "privateIpAddress": private_ip, "publicIpAddress": public_ip},
               rels=[("contains", subnet_arn, arn)] + [("secured_by", arn, g) for g in groups])


def estate() -> list[Resource]:
    return [
        res(VPC_A, "AWS::EC2::VPC", "prod", tags={"Name": "prod"}, attributes={"vpcId": "vpc-a"}),
        res(zone("eu-west-1a"), "AWS::EC2::AvailabilityZone", "eu-west-1a"),
        res(zone("eu-west-1b"), "AWS::EC2::AvailabilityZone", "eu-west-1b"),
        subnet(PUBLIC_A, "public-a", "eu-west-1a", public=True),
        subnet(PUBLIC_B, "public-b", "eu-west-1b", public=True),
        subnet(PRIVATE_A, "private-a", "eu-west-1a"),
        subnet(PRIVATE_B, "private-b", "eu-west-1b"),
        res(IGW, "AWS::EC2::InternetGateway", "igw-1", attributes={"vpcIds": ["vpc-a"]},
            rels=[("attached_to", IGW, VPC_A)]),
        res(NAT, "AWS::EC2::NatGateway", "nat-1", attributes={"connectivityType": "public",
                                                             "publicIps": ["203.0.113.7"], "subnetId": "subnet-pub-a"},
            rels=[("contains", PUBLIC_A, NAT)]),
        res(ROUTES, "AWS::EC2::RouteTable", "public-routes",
            rels=[("contains", VPC_A, ROUTES), ("attached_to", ROUTES, PUBLIC_A), ("attached_to", ROUTES, PUBLIC_B),
                  ("routes_to", ROUTES, IGW)]),
        res(SG_WEB, "AWS::EC2::SecurityGroup", "web", rels=[("contains", VPC_A, SG_WEB)]),
        res(SG_APP, "AWS::EC2::SecurityGroup", "app",
            rels=[("contains", VPC_A, SG_APP), ("routes_to", SG_WEB, SG_APP)]),
        res(SG_DB, "AWS::EC2::SecurityGroup", "db", rels=[("contains", VPC_A, SG_DB)]),
        res(ALB, "AWS::ElasticLoadBalancingV2::LoadBalancer", "web", attributes={"type": "application",
                                                                               "scheme": "internet-facing"},
            rels=[("contains", PUBLIC_A, ALB), ("contains", PUBLIC_B, ALB), ("secured_by", ALB, SG_WEB),
                  ("targets", ALB, TG)]),
        res(TG, "AWS::ElasticLoadBalancingV2::TargetGroup", "web-targets", attributes={"targetType": "instance"},
            rels=[("contains", VPC_A, TG), ("targets", TG, I1), ("targets", TG, I2)]),
        instance(I1, "app-1", PRIVATE_A, [SG_APP], tags={"env": "prod", "team": "core"}),
        instance(I2, "app-2", PRIVATE_B, [SG_APP], private_ip="10.0.2.10", tags={"env": "prod"}),
        res(V1, "AWS::EC2::Volume", "vol-1", attributes={"volumeType": "gp3", "size": 100, "iops": 3000},
            rels=[("attached_to", V1, I1)]),
        res(V2, "AWS::EC2::Volume", "vol-2", attributes={"volumeType": "io2", "size": 500, "iops": 16000},
            rels=[("attached_to", V2, I2)]),
        res(DB, "AWS::RDS::DBInstance", "orders", tags={"env": "prod"},
            attributes={"engine": "postgres", "instanceClass": "db.r6g.xlarge", "multiAz": True,
                        "allocatedStorage": 200, "availabilityZone": "eu-west-1a", "vpcId": "vpc-a"},
            rels=[("contains", PRIVATE_A, DB), ("contains", PRIVATE_B, DB), ("secured_by", DB, SG_DB)]),
        res(FUNCTION, "AWS::Lambda::Function", "worker", attributes={"runtime": "python3.12", "memorySize": 512}),
        res(QUEUE, "AWS::SQS::Queue", "jobs", attributes={"fifo": False}),
        res(MAPPING, "AWS::Lambda::EventSourceMapping", "1234",
            rels=[("triggers", QUEUE, FUNCTION), ("attached_to", MAPPING, FUNCTION)]),
        res(BUCKET, "AWS::S3::Bucket", "assets-bucket"),
        res(DISTRIBUTION, "AWS::CloudFront::Distribution", "cdn.example.com", region="",
            rels=[("origin_of", BUCKET, DISTRIBUTION)]),
        res(PEERING, "AWS::EC2::VPCPeeringConnection", "pcx-1",
            attributes={"vpcPeeringConnectionId": "pcx-1", "requester": {"vpcId": "vpc-a", "ownerId": A},
                        "accepter": {"vpcId": "vpc-b", "ownerId": B}},
            rels=[("routes_to", PEERING, VPC_A), ("routes_to", PEERING, VPC_B)]),
        # Account B
        res(VPC_B, "AWS::EC2::VPC", "partner", account=B, tags={"Name": "partner"}, attributes={"vpcId": "vpc-b"}),
        subnet(SUBNET_B, "partner-private", "eu-west-1a", vpc=VPC_B, account=B),
        instance(I3, "partner-app", SUBNET_B, [], account=B, private_ip="10.1.0.5"),
    ]
