"""Role verification against moto (and, for the refusals moto never makes, a fault-injecting
proxy in front of it): every path has its own clear error, and nothing is stored on failure."""
from __future__ import annotations

import json

import pytest

from services.accounts.domain import Accounts
from services.accounts.tables import outbox
from services.accounts.verification import RoleVerifier, VerificationFailed, requires_external_id
from services.common.database import open_database
from services.common.errors import InvalidArgument
from services.common.outbox import pending_events
from services.demo import account_client, ensure_role
from tests.helpers.aws import AWS_TEST_ENV
from tests.helpers.aws_faults import FaultProxy

EXTERNAL_ID = "00112233445566778899aabbccddeeff"
CUSTOMER = "210987654321"


@pytest.fixture
def aws(monkeypatch, moto_endpoint):
    for key, value in AWS_TEST_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    monkeypatch.setenv("CLOUDSKETCH_AWS_ACCOUNT_ID", "")
    return moto_endpoint


@pytest.fixture
def registry(aws, database_url):
    engine = open_database("accounts")
    accounts = Accounts(engine, RoleVerifier())
    yield accounts, lambda: [event_type for event_type, _, _ in pending_events(engine, outbox)]
    engine.dispose()


def register(accounts: Accounts, role_arn: str, region: str = ""):
    return accounts.create_account("Production", role_arn, "user-1", [], region)


def role_with(moto: str, name: str, trust: dict, account: str = CUSTOMER) -> str:
    iam = account_client("iam", moto, account)
    try:
        iam.delete_role(RoleName=name)
    except iam.exceptions.NoSuchEntityException:
        pass
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))
    return f"arn:aws:iam::{account}:role/{name}"


def test_iam_parameters_name_our_account_and_the_external_id(registry):
    accounts, _ = registry
    parameters = accounts.iam_parameters()
    assert parameters.account_id == "123456789012"  # moto's account for cloudsketch's own keys
    assert parameters.external_id == accounts.external_id() and len(parameters.external_id) == 32
    assert f"awsAccount={parameters.account_id}" in parameters.aws_console_url
    assert f"externalId={parameters.external_id}" in parameters.aws_console_url


def test_a_role_that_requires_the_external_id_verifies(registry, aws):
    accounts, published = registry
    role_arn = ensure_role(aws, accounts.external_id(), CUSTOMER, "cs-good", "123456789012")
    account = register(accounts, role_arn, "eu-west-1")
    assert account.verification_state == 2 and account.verification_message == ""  # VERIFIED
    assert published() == ["account_registered"]


def test_a_trust_policy_without_the_external_id_is_refused(registry, aws):
    accounts, published = registry
    open_trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                          "Principal": {"AWS": "arn:aws:iam::123456789012:root"}}]}
    for name, trust in [("cs-open", open_trust), ("cs-other-id", {**open_trust, "Statement": [
            {**open_trust["Statement"][0], "Condition": {"StringEquals": {"sts:ExternalId": "someone-elses"}}}]})]:
        with pytest.raises(VerificationFailed, match="does not require this installation's External ID"):
            register(accounts, role_with(aws, name, trust))
    assert accounts.list_accounts([]) == [] and published() == []


def test_an_arn_naming_the_wrong_account_is_refused(registry, aws):
    accounts, _ = registry
    ensure_role(aws, accounts.external_id(), CUSTOMER, "cs-elsewhere", "123456789012")
    with pytest.raises(VerificationFailed, match="AWS account 999988887777 has no role named cs-elsewhere"):
        register(accounts, "arn:aws:iam::999988887777:role/cs-elsewhere")


def test_a_role_that_can_write_verifies_with_a_warning(registry, aws):
    accounts, _ = registry
    role_arn = ensure_role(aws, accounts.external_id(), CUSTOMER, "cs-admin", "123456789012",
                           policy_arn="arn:aws:iam::aws:policy/AdministratorAccess")
    account = register(accounts, role_arn)
    assert "warning: the attached policy AdministratorAccess allows changes" in account.verification_message
    iam = account_client("iam", aws, CUSTOMER)
    role_arn = ensure_role(aws, accounts.external_id(), CUSTOMER, "cs-inline", "123456789012")
    iam.put_role_policy(RoleName="cs-inline", PolicyName="uploads", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
                                                "Resource": "*"}]}))
    account = accounts.create_account("Inline", role_arn, "user-1", [])
    assert "warning: the inline policy uploads allows s3:PutObject" in account.verification_message


@pytest.mark.parametrize("action,code,status,expected", [
    ("AssumeRole", "AccessDenied", 403, "could not assume .* Likely causes: the role's trust policy does not trust "
                                        "AWS account 123456789012"),
    ("AssumeRole", "RegionDisabledException", 403, "the region may be disabled .* verify in another region"),
    ("AssumeRole", "Throttling", 400, "AWS throttled the verification"),
    ("GetRole", "AccessDenied", 403, "allow iam:GetRole on the role itself"),
])
def test_refusals_from_aws_each_have_their_own_message(registry, aws, monkeypatch, action, code, status, expected):
    accounts, published = registry
    role_arn = ensure_role(aws, accounts.external_id(), CUSTOMER, "cs-faults", "123456789012")
    with FaultProxy(aws) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.url)
        proxy.fail(action, code, status=status)
        with pytest.raises(VerificationFailed, match=expected) as caught:
            register(accounts, role_arn)
    assert accounts.external_id() not in str(caught.value)  # never in an error
    assert accounts.list_accounts([]) == [] and published() == []


def test_changing_the_role_verifies_again_and_a_failure_changes_nothing(registry, aws):
    accounts, published = registry
    good = ensure_role(aws, accounts.external_id(), CUSTOMER, "cs-first", "123456789012")
    account = register(accounts, good)
    bad = role_with(aws, "cs-unguarded", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "*"}}]})
    with pytest.raises(VerificationFailed):
        accounts.update_account(account.id, "user-1", role_arn=bad)
    assert accounts.get_account(account.id).role_arn == good
    other = ensure_role(aws, accounts.external_id(), "345678901234", "cs-second", "123456789012")
    updated = accounts.update_account(account.id, "user-1", role_arn=other)
    assert updated.aws_account_id == "345678901234" and updated.verification_state == 2
    assert published() == ["account_registered", "account_updated"]


def test_bad_verification_region_is_refused_before_calling_aws(registry, aws):
    accounts, _ = registry
    with pytest.raises(InvalidArgument, match="not an AWS region code"):
        register(accounts, "arn:aws:iam::210987654321:role/x", region="mars-north-1\n")


def test_requires_external_id_reads_every_statement():
    allow = {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "arn:aws:iam::1:root"},
             "Condition": {"StringEquals": {"sts:ExternalId": EXTERNAL_ID}}}
    assert requires_external_id({"Statement": [allow]}, EXTERNAL_ID)
    assert requires_external_id(json.dumps({"Statement": allow}), EXTERNAL_ID)
    assert not requires_external_id({"Statement": [allow, {**allow, "Condition": {}}]}, EXTERNAL_ID)
    assert not requires_external_id({"Statement": [{**allow, "Condition": {"StringLike": {"sts:ExternalId": "*"}}}]},
                                    EXTERNAL_ID)
    assert not requires_external_id({"Statement": []}, EXTERNAL_ID)


def test_organizations_onboarding_connects_every_member_whose_role_verifies(registry, aws):
    accounts, published = registry
    management = "123456789012"
    orgs = account_client("organizations", aws, management)
    try:
        orgs.create_organization(FeatureSet="ALL")
    except orgs.exceptions.AlreadyInOrganizationException:
        pass
    created = {}
    for name in ("org-web", "org-data", "org-legacy"):
        status = orgs.create_account(Email=f"{name}@example.com", AccountName=name)["CreateAccountStatus"]
        created[name] = status["AccountId"]
    for name in ("org-web", "org-data"):  # the StackSet reached these two
        ensure_role(aws, accounts.external_id(), created[name], "cloudsketch-readonly", management)
    manager = ensure_role(aws, accounts.external_id(), management, "cloudsketch-organizations", management)
    accounts.create_account("Already here", ensure_role(aws, accounts.external_id(), created["org-data"],
                                                        "cloudsketch-readonly", management), "user-1", [])

    reply = accounts.onboard_organization(manager, "", "user-1")
    assert [(a.name, a.source) for a in reply.onboarded] == [("org-web", "organizations")]
    assert created["org-data"] in reply.already_connected
    failed = {f.name: f.reason for f in reply.failed}
    assert "has no role named cloudsketch-readonly" in failed["org-legacy"]
    assert {a.aws_account_id for a in accounts.list_accounts([])} >= {created["org-web"], created["org-data"]}
    assert published().count("account_registered") == 2

    with pytest.raises(InvalidArgument, match="not a role name"):
        accounts.onboard_organization(manager, "bad name!", "user-1")
