"""The demo: a simulated AWS estate in a moto server, and a login to look at it.

The estate is services/demo_estate.py's: two AWS accounts, two regions, every kind of component
the collector discovers. Both accounts are connected the way a user connects one (the role with
cloudsketch's External ID, then registration), so the collector syncs them at once. The demo is a
client of the services like any other: it creates its login through identity-api and connects the
accounts through accounts-api (gRPC).
"""
from __future__ import annotations

import json
import secrets
from dataclasses import dataclass

import grpc

from cloudsketch.accounts.v1 import accounts_pb2, accounts_pb2_grpc
from cloudsketch.identity.v1 import identity_pb2, identity_pb2_grpc
from services.common.grpc_client import DEFAULT_TIMEOUT_SECONDS, stub
from services.demo_estate import DEMO_ACCOUNTS, DEMO_AWS_ACCOUNT, DEMO_REGIONS, account_client, seed

DEMO_EMAIL = "demo@cloudsketch.local"


@dataclass
class DemoLogin:
    email: str
    password: str   # "" when the login existed already (an earlier seed set its password)
    api_key: str
    user_id: str


def ensure_role(endpoint: str, external_id: str, aws_account_id: str, role_name: str,
                trusted_account_id: str = DEMO_AWS_ACCOUNT,
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
    """The demo Owner (created with a fresh password unless it exists) with a fresh read-write API
    key, through identity-api."""
    identity = stub("identity", identity_pb2_grpc.IdentityServiceStub)
    password = secrets.token_urlsafe(12)
    try:
        user = identity.CreateUser(identity_pb2.CreateUserRequest(
            email=DEMO_EMAIL, name="Demo Owner", role=identity_pb2.ROLE_OWNER, password=password),
            timeout=DEFAULT_TIMEOUT_SECONDS).user
    except grpc.RpcError as exc:
        if exc.code() != grpc.StatusCode.ALREADY_EXISTS:
            raise
        users = identity.ListUsers(identity_pb2.ListUsersRequest(), timeout=DEFAULT_TIMEOUT_SECONDS).users
        user, password = next(u for u in users if u.email == DEMO_EMAIL), ""
    api_key = identity.CreateApiKey(identity_pb2.CreateApiKeyRequest(
        user_id=user.id, name="demo", mode=identity_pb2.API_KEY_MODE_READ_WRITE, actor_id=user.id),
        timeout=DEFAULT_TIMEOUT_SECONDS).secret
    return DemoLogin(DEMO_EMAIL, password, api_key, user.id)


def ensure_account(creator_id: str, endpoint: str, aws_account_id: str = DEMO_AWS_ACCOUNT,
                   name: str = "Demo production") -> accounts_pb2.Account:
    """A demo account, connected the way a user does it: role first, then registration."""
    accounts = stub("accounts", accounts_pb2_grpc.AccountsServiceStub)
    parameters = accounts.GetIamParameters(accounts_pb2.GetIamParametersRequest(), timeout=DEFAULT_TIMEOUT_SECONDS)
    role_arn = ensure_role(endpoint, parameters.external_id, aws_account_id, parameters.role_name,
                           trusted_account_id=parameters.account_id)
    existing = accounts.ListAccounts(accounts_pb2.ListAccountsRequest(), timeout=DEFAULT_TIMEOUT_SECONDS).accounts
    for account in existing:
        if account.role_arn == role_arn:
            return account
    return accounts.CreateAccount(accounts_pb2.CreateAccountRequest(
        name=name, role_arn=role_arn, creator_id=creator_id, regions=list(DEMO_REGIONS)),
        timeout=DEFAULT_TIMEOUT_SECONDS).account


def seed_demo(endpoint: str) -> DemoLogin:
    """Seed the estate, create the login and connect the demo accounts (needs identity-api and
    accounts-api up)."""
    seed(endpoint)  # the demo accounts and regions are its defaults
    login = ensure_login()
    for aws_account_id, name in DEMO_ACCOUNTS.items():
        ensure_account(login.user_id, endpoint, aws_account_id, name)
    return login
