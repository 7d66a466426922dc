"""The demo: a simulated AWS estate in a moto server, and a login to look at it.

The estate is services/demo_estate.py's: two AWS accounts, two regions, every kind of component
the collector discovers. Both accounts are connected the way a user connects one (the role with
cloudsketch's External ID, then registration), so the collector syncs them at once.
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
# The AWS accounts of the demo estate and the names they are connected under.
DEMO_ACCOUNTS = {DEMO_AWS_ACCOUNT: "Demo production", "210987654321": "Demo staging"}
DEMO_REGIONS = ("us-east-1", "eu-west-1")
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


def ensure_account(creator_id: str, endpoint: str, aws_account_id: str = DEMO_AWS_ACCOUNT,
                   name: str = "Demo production") -> accounts_pb2.Account:
    """A demo account, connected the way a user does it: role first, then registration."""
    accounts = stub("accounts", accounts_pb2_grpc.AccountsServiceStub)
    parameters = accounts.GetIamParameters(accounts_pb2.GetIamParametersRequest(), timeout=DEFAULT_TIMEOUT_SECONDS)
    role_arn = ensure_role(endpoint, parameters.external_id, aws_account_id=aws_account_id,
                           trusted_account_id=parameters.account_id)
    existing = accounts.ListAccounts(accounts_pb2.ListAccountsRequest(), timeout=DEFAULT_TIMEOUT_SECONDS).accounts
    for account in existing:
        if account.role_arn == role_arn:
            return account
    return accounts.CreateAccount(accounts_pb2.CreateAccountRequest(
        name=name, role_arn=role_arn, creator_id=creator_id, regions=list(DEMO_REGIONS)),
        timeout=DEFAULT_TIMEOUT_SECONDS).account


def seed_demo(endpoint: str) -> DemoLogin:
    """Seed the estate, create the login and connect the demo accounts (needs accounts-api up)."""
    from services.demo_estate import seed

    seed(endpoint)  # the demo accounts and regions are its defaults
    login = ensure_login()
    for aws_account_id, name in DEMO_ACCOUNTS.items():
        ensure_account(login.user_id, endpoint, aws_account_id, name)
    return login
