"""The demo: a simulated AWS estate in a moto server, and a login to look at it.

Small for now: one AWS account with a web tier in us-east-1 and a VPC in eu-west-1. The collector
issue grows it into a realistic multi-account estate scalable to 10,000+ resources.
"""
from __future__ import annotations

import json
import secrets
from dataclasses import dataclass

import boto3

from cloudsketch.accounts.v1 import accounts_pb2, accounts_pb2_grpc
from services.common.database import open_database
from services.common.errors import NotFound
from services.common.grpc_client import DEFAULT_TIMEOUT_SECONDS, stub
from services.identity.domain import MODE_NAMES, ROLE_NAMES, Identity

DEMO_EMAIL = "demo@cloudsketch.local"
DEMO_AWS_ACCOUNT = "123456789012"   # moto's default account
DEMO_ROLE_NAME = "cloudsketch-readonly"
DEMO_ROLE_ARN = f"arn:aws:iam::{DEMO_AWS_ACCOUNT}:role/{DEMO_ROLE_NAME}"
# moto does not check image ids, and listing its ~1,300 public images costs seconds.
DEMO_AMI = "ami-0c02fb55956c7d316"


@dataclass
class DemoLogin:
    email: str
    password: str
    api_key: str
    user_id: str


def _client(service: str, endpoint: str, region: str = "us-east-1"):
    return boto3.client(service, endpoint_url=endpoint, region_name=region,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def seed_estate(endpoint: str) -> None:
    """A VPC with public and private subnets in two AZs, a web tier and its data stores."""
    for region, cidr, web_count in (("us-east-1", "10.0", 2), ("eu-west-1", "10.1", 1)):
        ec2 = _client("ec2", endpoint, region)
        if ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["demo-vpc"]}])["Vpcs"]:
            continue  # already seeded (the moto server outlived a restart of the demo)
        vpc = ec2.create_vpc(CidrBlock=f"{cidr}.0.0/16", TagSpecifications=[
            {"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "demo-vpc"}]}])["Vpc"]["VpcId"]
        zones = [z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"]][:2]
        subnets = {}
        for index, zone in enumerate(zones):
            for tier, offset in (("public", 0), ("private", 10)):
                subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=f"{cidr}.{offset + index}.0/24", AvailabilityZone=zone,
                                           TagSpecifications=[{"ResourceType": "subnet", "Tags": [
                                               {"Key": "Name", "Value": f"{tier}-{zone}"}]}])["Subnet"]["SubnetId"]
                subnets.setdefault(tier, []).append(subnet)
        igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
        web_sg = ec2.create_security_group(GroupName="web", Description="web tier", VpcId=vpc)["GroupId"]
        for index in range(web_count):
            ec2.run_instances(ImageId=DEMO_AMI, InstanceType="t3.micro", MinCount=1, MaxCount=1,
                              SubnetId=subnets["private"][index % 2], SecurityGroupIds=[web_sg],
                              TagSpecifications=[{"ResourceType": "instance", "Tags": [
                                  {"Key": "Name", "Value": f"web-{index + 1}"}, {"Key": "env", "Value": "demo"}]}])
    s3 = _client("s3", endpoint)
    if not any(b["Name"] == "demo-assets" for b in s3.list_buckets().get("Buckets", [])):
        s3.create_bucket(Bucket="demo-assets")
    dynamodb = _client("dynamodb", endpoint)
    if "demo-sessions" not in dynamodb.list_tables()["TableNames"]:
        dynamodb.create_table(TableName="demo-sessions", BillingMode="PAY_PER_REQUEST",
                              KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                              AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
    _client("sqs", endpoint).create_queue(QueueName="demo-orders")


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


def ensure_role(endpoint: str, external_id: str, aws_account_id: str = DEMO_AWS_ACCOUNT,
                role_name: str = DEMO_ROLE_NAME, trusted_account_id: str = DEMO_AWS_ACCOUNT,
                policy_arn: str = "arn:aws:iam::aws:policy/ReadOnlyAccess") -> str:
    """The cross-account read-only role, trusting cloudsketch's account only with its External
    ID, as the onboarding templates create it. Returns its ARN."""
    iam = account_client("iam", endpoint, aws_account_id)
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{trusted_account_id}:root"},
        "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"sts:ExternalId": external_id}}}]}
    try:
        iam.get_role(RoleName=role_name)
        iam.update_assume_role_policy(RoleName=role_name, PolicyDocument=json.dumps(trust))
    except iam.exceptions.NoSuchEntityException:
        iam.create_role(RoleName=role_name, AssumeRolePolicyDocument=json.dumps(trust))
        iam.attach_role_policy(RoleName=role_name, PolicyArn=policy_arn)
    return f"arn:aws:iam::{aws_account_id}:role/{role_name}"


def ensure_login() -> DemoLogin:
    """The demo Owner with a fresh password and a fresh read-write API key."""
    identity = Identity(open_database("identity"))
    password = secrets.token_urlsafe(12)
    try:
        user = identity.find_user_by_email(DEMO_EMAIL)
        identity.set_password(user.id, password)
    except NotFound:
        user = identity.create_user(DEMO_EMAIL, "Demo Owner", ROLE_NAMES["owner"], password)
    _, api_key = identity.create_api_key(user.id, "demo", MODE_NAMES["rw"])
    identity.engine.dispose()
    return DemoLogin(DEMO_EMAIL, password, api_key, user.id)


def ensure_account(creator_id: str, endpoint: str) -> accounts_pb2.Account:
    """The demo account, connected the way a user does it: role first, then registration."""
    accounts = stub("accounts", accounts_pb2_grpc.AccountsServiceStub)
    parameters = accounts.GetIamParameters(accounts_pb2.GetIamParametersRequest(), timeout=DEFAULT_TIMEOUT_SECONDS)
    ensure_role(endpoint, parameters.external_id, trusted_account_id=parameters.account_id)
    existing = accounts.ListAccounts(accounts_pb2.ListAccountsRequest(), timeout=DEFAULT_TIMEOUT_SECONDS).accounts
    for account in existing:
        if account.role_arn == DEMO_ROLE_ARN:
            return account
    return accounts.CreateAccount(accounts_pb2.CreateAccountRequest(
        name="Demo production", role_arn=DEMO_ROLE_ARN, creator_id=creator_id,
        regions=["us-east-1", "eu-west-1"]), timeout=DEFAULT_TIMEOUT_SECONDS).account


def seed_demo(endpoint: str) -> DemoLogin:
    """Seed the estate, create the login and connect the demo account (needs accounts-api up)."""
    seed_estate(endpoint)
    login = ensure_login()
    ensure_account(login.user_id, endpoint)
    return login
