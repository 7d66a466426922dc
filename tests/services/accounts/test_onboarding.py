"""The onboarding material (services/accounts/onboarding.py) and the collector's declarations it
is generated from: IAM's own linter (parliament) and catalog of actions, cfn-lint, IAM's size
quotas, and a role made from the CloudFormation template that cloudsketch's verification accepts
(moto)."""
from __future__ import annotations

import fnmatch
import importlib
import importlib.resources
import json
import re
import sys
import types

import pytest
from cfnlint.api import lint_all
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

from services.accounts import onboarding as onboarding_module
from services.accounts.onboarding import (
    DATA_ACTIONS,
    EXACT_ONLY,
    MANAGED_POLICY_LIMIT,
    READ_PREFIXES,
    ROLE_INLINE_POLICIES_LIMIT,
    Onboarding,
    policy_size,
)
from services.accounts.verification import requires_external_id, verify_role
from services.collector import declarations
from services.demo import account_client
from tests.helpers.aws import AWS_TEST_ENV, collector_permissions

TRUSTED = "123456789012"
CUSTOMER = "210987654321"
EXTERNAL_ID = "00112233445566778899aabbccddeeff"
REQUIRED = collector_permissions()
# The data-reading actions the custom policy must never grant (examples; the module's
# DATA_ACTIONS holds them all and more).
MUST_NOT_READ = ["s3:GetObject", "dynamodb:GetItem", "dynamodb:Scan", "dynamodb:Query",
                 "secretsmanager:GetSecretValue", "ssm:GetParameter", "ssm:GetParameters",
                 "ssm:GetParametersByPath", "kms:Decrypt", "sqs:ReceiveMessage"]


def _import_parliament():
    """parliament 1.6 imports pkg_resources, which setuptools 82 removed (duo-labs/parliament
    issue 247), and the setuptools releases that still ship it are flagged by GHSA-h35f-9h28-mq5c;
    parliament only calls resource_filename at import time, so a stand-in for that one function
    is enough, and it is removed again straight after."""
    try:
        import pkg_resources  # noqa: F401
        return importlib.import_module("parliament")
    except ImportError:
        pass
    shim = types.ModuleType("pkg_resources")
    shim.resource_filename = lambda package, name: str(importlib.resources.files(package) / name)
    sys.modules["pkg_resources"] = shim
    try:
        return importlib.import_module("parliament")
    finally:
        sys.modules.pop("pkg_resources", None)


parliament = _import_parliament()
CATALOG = {f"{service['prefix']}:{privilege['privilege']}": privilege["access_level"]
           for service in parliament.iam_definition for privilege in service["privileges"]}


@pytest.fixture
def onboarding() -> Onboarding:
    return Onboarding(TRUSTED, EXTERNAL_ID, REQUIRED)


def findings(document: dict, community: bool = True) -> list:
    """parliament's findings, less RESOURCE_STAR: discovery reads every resource of a type in an
    account whose resources nobody knows in advance, so its Describe/List actions need Resource
    "*" (an ARN pattern naming all of a type's resources would only raise
    RESOURCE_EFFECTIVELY_STAR). Any other finding fails the test."""
    policy = parliament.analyze_policy_string(json.dumps(document), include_community_auditors=community)
    return [(f.issue, f.detail) for f in policy.findings if f.issue != "RESOURCE_STAR"]


def actions_of(document: dict, effect: str) -> list[str]:
    listed = []
    for statement in document["Statement"]:
        if statement["Effect"] == effect:
            action = statement["Action"]
            listed.extend([action] if isinstance(action, str) else action)
    return listed


def read_only(action: str) -> bool:
    """List or Read in IAM's catalog; AWS files a few reads of resource policies (such as
    fsx:GetResourcePolicy) under Permissions management."""
    name = action.split(":")[1]
    return CATALOG[action] in ("List", "Read") or (
        CATALOG[action] == "Permissions management" and re.fullmatch(r"(Get|Describe|List)\w*Polic(y|ies)", name))


def matches(pattern: str, action: str) -> bool:
    return fnmatch.fnmatchcase(action.lower(), pattern.lower())  # IAM matches actions case-insensitively


def effectively_allowed(document: dict) -> set[str]:
    """Catalogued actions that some Allow statement grants and no Deny statement on every resource
    takes away (the scoped denials are checked separately)."""
    allowed = {a for a in CATALOG if any(matches(p, a) for p in actions_of(document, "Allow"))}
    denied_everywhere = [p for s in document["Statement"] if s["Effect"] == "Deny" and s.get("Resource") == "*"
                         for p in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])]
    return {a for a in allowed if not any(matches(p, a) for p in denied_everywhere)}


# --- the declarations ---------------------------------------------------------------------

def test_declared_types_are_cloudformation_types_except_the_pseudo_ones():
    known = set(PROVIDER_SCHEMA_MANAGER.get_resource_types("us-east-1"))
    cfn_types = [t.cfn_type for t in declarations.RESOURCE_TYPES]
    assert len(cfn_types) == len(set(cfn_types))
    assert [t for t in cfn_types if t not in known and t not in declarations.PSEUDO_TYPES] == []
    assert declarations.PSEUDO_TYPES <= set(cfn_types) and not declarations.PSEUDO_TYPES & known


def test_declared_calls_are_real_read_only_iam_actions():
    actions = declarations.iam_actions()
    assert actions == sorted(set(actions)) and len(actions) > 50
    assert [a for a in actions if a not in CATALOG] == []
    assert {a: CATALOG[a] for a in actions if CATALOG[a] not in ("List", "Read")} == {}
    assert declarations.services() == sorted({a.split(":")[0] for a in actions})
    for must in ("sts:GetCallerIdentity", "iam:GetRole", "iam:ListAttachedRolePolicies", "iam:ListRolePolicies",
                 "iam:GetRolePolicy", "cloudwatch:GetMetricData", "ec2:DescribeInstanceStatus",
                 "es:ListDomainNames", "es:DescribeDomains", "cassandra:Select", "apigateway:GET",
                 "s3:GetBucketNotification", "elasticloadbalancing:DescribeTargetHealth"):
        assert must in actions


def test_the_collector_never_needs_data_access():
    assert set(declarations.iam_actions()) & set(DATA_ACTIONS) == set()
    # cassandra:Select and apigateway:GET read data on other resources: declared narrowed.
    scopes = declarations.resource_scopes()
    assert scopes["cassandra:Select"] == ("arn:{partition}:cassandra:*:*:/keyspace/system*",)
    assert all("/restapis" in s or "/apis" in s for s in scopes["apigateway:GET"])


def test_a_declaration_names_actions_of_its_own_service():
    with pytest.raises(ValueError, match="not an IAM action of the service 'ec2'"):
        declarations.ResourceType("AWS::EC2::VPC", "ec2", ("s3:ListAllMyBuckets",))
    with pytest.raises(ValueError, match="at least one API call"):
        declarations.ResourceType("AWS::EC2::VPC", "ec2", ())


# --- the policies ---------------------------------------------------------------------------

def test_the_trust_policy_admits_cloudsketch_only_with_the_external_id(onboarding):
    trust = onboarding.trust_policy()
    assert trust["Statement"] == [{
        "Sid": "CloudsketchAssumesWithExternalId", "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{TRUSTED}:root"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": EXTERNAL_ID}}}]
    assert requires_external_id(trust, EXTERNAL_ID)
    # parliament lints identity and resource policies, whose statements have a Resource; a trust
    # policy's resource is implicitly the role it belongs to, so lint it with that made explicit.
    # Default auditors: the community ones flag sts:AssumeRole itself as credentials exposure,
    # which is what a trust policy is for.
    linted = json.loads(json.dumps(trust))
    linted["Statement"][0]["Resource"] = f"arn:aws:iam::{CUSTOMER}:role/cloudsketch-readonly"
    assert findings(linted, community=False) == []


def test_the_minimal_policy_holds_exactly_the_declared_actions(onboarding):
    minimal = onboarding.minimal_policy()
    listed = actions_of(minimal, "Allow")
    assert sorted(listed) == declarations.iam_actions()  # each once
    assert actions_of(minimal, "Deny") == []
    sids = [s["Sid"] for s in minimal["Statement"]]
    assert len(sids) == len(set(sids)) and all(re.fullmatch(r"[A-Za-z0-9]+", sid) for sid in sids)
    assert all(len(actions_of({"Statement": [s]}, "Allow")) <= 40 for s in minimal["Statement"])
    scoped = {s["Sid"]: s["Resource"] for s in minimal["Statement"] if s["Resource"] != "*"}
    assert scoped["ReadOwnRoleOnly"] == "arn:aws:iam::*:role/cloudsketch-readonly"
    assert scoped["ReadKeyspacesSchemaOnly"] == "arn:aws:cassandra:*:*:/keyspace/system*"
    assert sorted(scoped["ReadApiGatewayApisOnly"]) == [
        "arn:aws:apigateway:*::/apis", "arn:aws:apigateway:*::/apis/*",
        "arn:aws:apigateway:*::/restapis", "arn:aws:apigateway:*::/restapis/*"]


def test_large_areas_are_split_into_statements(monkeypatch):
    monkeypatch.setattr(onboarding_module, "MAX_ACTIONS_PER_STATEMENT", 10)
    minimal = Onboarding(TRUSTED, EXTERNAL_ID, REQUIRED).minimal_policy()
    assert sorted(actions_of(minimal, "Allow")) == declarations.iam_actions()
    sids = [s["Sid"] for s in minimal["Statement"]]
    assert "ReadCompute" in sids and "ReadCompute2" in sids and len(sids) == len(set(sids))
    assert findings(minimal) == []


def test_the_policies_pass_the_iam_linter(onboarding):
    assert findings(onboarding.minimal_policy()) == []
    assert findings(onboarding.custom_policy()) == []
    assert findings(onboarding.data_access_guard()) == []


def test_the_policies_fit_iams_size_quotas(onboarding):
    # Both are meant to be pasted as a managed policy (6,144 characters), which also fits a role's
    # inline policies (10,240 in all).
    assert policy_size(onboarding.minimal_policy()) <= MANAGED_POLICY_LIMIT
    assert policy_size(onboarding.custom_policy()) <= MANAGED_POLICY_LIMIT
    assert policy_size(onboarding.data_access_guard()) <= ROLE_INLINE_POLICIES_LIMIT
    assert MANAGED_POLICY_LIMIT < ROLE_INLINE_POLICIES_LIMIT  # so the templates embed the minimal policy inline


def test_the_custom_policy_reads_configuration_but_no_data(onboarding):
    custom = onboarding.custom_policy()
    allowed_patterns = actions_of(custom, "Allow")
    assert not [p for p in allowed_patterns if p in ("*", "*:*") or p.endswith(":*")]
    assert not [p for p in allowed_patterns if p in DATA_ACTIONS or p in MUST_NOT_READ]
    for pattern in allowed_patterns:
        service, name = pattern.split(":")
        if name.endswith("*"):
            assert name[:-1] in READ_PREFIXES[service]
        else:
            assert pattern in declarations.iam_actions()
    effective = effectively_allowed(custom)
    assert effective & set(MUST_NOT_READ) == set()
    assert effective & set(DATA_ACTIONS) == set()
    assert {a: CATALOG[a] for a in effective if not read_only(a)} == {}
    assert set(declarations.iam_actions()) <= effective | {
        a for a in declarations.iam_actions() if declarations.resource_scopes()[a] != declarations.ANY}
    assert set(MUST_NOT_READ) <= set(actions_of(custom, "Deny"))


def test_read_prefixes_are_those_each_service_has():
    assert set(READ_PREFIXES) | set(EXACT_ONLY) == set(declarations.services())
    assert not set(READ_PREFIXES) & set(EXACT_ONLY)
    for service, prefixes in READ_PREFIXES.items():
        names = [a.split(":")[1] for a in CATALOG if a.startswith(service + ":")]
        assert prefixes == tuple(p for p in ("Describe", "List", "Get") if any(n.startswith(p) for n in names)), service


def test_the_excluded_actions_are_real():
    assert [a for a in DATA_ACTIONS if a not in CATALOG] == []
    assert set(MUST_NOT_READ) <= set(DATA_ACTIONS)


def test_other_partitions_and_role_names():
    china = Onboarding(TRUSTED, EXTERNAL_ID, REQUIRED, role_name="CloudsketchReader", partition="aws-cn")
    assert china.trust_policy()["Statement"][0]["Principal"]["AWS"] == f"arn:aws-cn:iam::{TRUSTED}:root"
    scoped = [s["Resource"] for s in china.minimal_policy()["Statement"] if s["Sid"] == "ReadOwnRoleOnly"]
    assert scoped == ["arn:aws-cn:iam::*:role/CloudsketchReader"]
    assert findings(china.minimal_policy()) == []


@pytest.mark.parametrize("kwargs,message", [
    (dict(trusted_account_id="12345"), "12 digits"),
    (dict(external_id="a b"), "External ID"),
    (dict(role_name="bad/name"), "role name"),
    (dict(role_name="x" * 65), "role name"),
    (dict(partition="aws-mars"), "partition"),
])
def test_bad_parameters_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Onboarding(**{"trusted_account_id": TRUSTED, "external_id": EXTERNAL_ID, "permissions": REQUIRED, **kwargs})
    with pytest.raises(ValueError, match="policy must be one of"):
        Onboarding(TRUSTED, EXTERNAL_ID, REQUIRED).cloudformation_template("admin")


# --- CloudFormation -------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["cloudformation_template", "stackset_template"])
@pytest.mark.parametrize("policy", ["readonly", "minimal"])
def test_templates_pass_cfn_lint(onboarding, kind, policy):
    template = getattr(onboarding, kind)(policy)
    assert [(m.rule.id, m.message) for m in lint_all(json.dumps(template))] == []
    assert template["Parameters"]["ExternalId"]["NoEcho"] is True
    assert template["Parameters"]["ExternalId"]["Default"] == EXTERNAL_ID
    assert template["Parameters"]["TrustedAccountId"]["Default"] == TRUSTED
    assert template["Outputs"]["RoleArn"]["Value"] == {"Fn::GetAtt": ["CloudsketchRole", "Arn"]}
    role = template["Resources"]["CloudsketchRole"]["Properties"]
    assert role["RoleName"] == "cloudsketch-readonly"
    if policy == "readonly":
        assert role["ManagedPolicyArns"] == [{"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/ReadOnlyAccess"}]
        assert [p["PolicyName"] for p in role["Policies"]] == ["cloudsketch-deny-data-access"]
    else:
        assert "ManagedPolicyArns" not in role
        assert [p["PolicyName"] for p in role["Policies"]] == ["cloudsketch-minimal"]


def test_the_stackset_template_explains_how_to_deploy_it(onboarding):
    description = onboarding.stackset_template()["Description"]
    for words in ("service-managed", "ONE region", "CAPABILITY_NAMED_IAM", "management account",
                  "same name in every member account"):
        assert words in description
    assert len(description) <= 1024  # CloudFormation's limit


def test_a_minimal_policy_past_the_inline_quota_becomes_a_managed_policy(onboarding, monkeypatch):
    monkeypatch.setattr(onboarding_module, "ROLE_INLINE_POLICIES_LIMIT", 100)
    template = onboarding.cloudformation_template("minimal")
    assert template["Resources"]["CloudsketchMinimalPolicy"]["Type"] == "AWS::IAM::ManagedPolicy"
    assert template["Resources"]["CloudsketchRole"]["Properties"]["ManagedPolicyArns"] == [
        {"Ref": "CloudsketchMinimalPolicy"}]
    assert [(m.rule.id, m.message) for m in lint_all(json.dumps(template))] == []


def resolve(node, parameters: dict, partition: str = "aws"):
    """The template's intrinsic functions, as CloudFormation evaluates them (the subset used)."""
    if isinstance(node, dict):
        if set(node) == {"Ref"}:
            return parameters[node["Ref"]]
        if set(node) == {"Fn::Sub"}:
            return re.sub(r"\$\{([\w:]+)\}",
                          lambda m: partition if m[1] == "AWS::Partition" else parameters[m[1]], node["Fn::Sub"])
        return {key: resolve(value, parameters, partition) for key, value in node.items()}
    if isinstance(node, list):
        return [resolve(value, parameters, partition) for value in node]
    return node


@pytest.fixture
def aws(monkeypatch, moto_endpoint):
    for key, value in AWS_TEST_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    return moto_endpoint


@pytest.mark.parametrize("policy", [
    "readonly",
    "minimal",
])
def test_a_role_made_from_the_template_verifies(aws, policy):
    role_name = f"cs-onboarding-{policy}"
    template = Onboarding(TRUSTED, EXTERNAL_ID, REQUIRED, role_name=role_name).cloudformation_template(policy)
    parameters = {name: spec["Default"] for name, spec in template["Parameters"].items()}
    role = resolve(template["Resources"]["CloudsketchRole"]["Properties"], parameters)
    iam = account_client("iam", aws, CUSTOMER)
    iam.create_role(RoleName=role["RoleName"], AssumeRolePolicyDocument=json.dumps(role["AssumeRolePolicyDocument"]),
                    Description=role["Description"], MaxSessionDuration=role["MaxSessionDuration"])
    for arn in role.get("ManagedPolicyArns", []):
        iam.attach_role_policy(RoleName=role_name, PolicyArn=arn)
    for inline in role.get("Policies", []):
        iam.put_role_policy(RoleName=role_name, PolicyName=inline["PolicyName"],
                            PolicyDocument=json.dumps(inline["PolicyDocument"]))
    warnings = verify_role(f"arn:aws:iam::{CUSTOMER}:role/{role_name}", role_name, CUSTOMER, EXTERNAL_ID,
                           "us-east-1", TRUSTED)
    assert warnings == []


@pytest.mark.parametrize("kind", ["cloudformation_template", "stackset_template"])
def test_the_templates_deploy(aws, kind):
    """CloudFormation (moto's) creates the stack and the role with the trust policy. Not checked
    here, as moto 5.2's CloudFormation does not do it: attaching ManagedPolicyArns, and storing
    inline policies as JSON (it stores their Python repr, which verification cannot read); the
    test above covers both with the IAM API."""
    role_name = f"cs-onboarding-stack-{kind.split('_')[0]}"
    onboarding = Onboarding(TRUSTED, EXTERNAL_ID, REQUIRED, role_name=role_name)
    cloudformation = account_client("cloudformation", aws, CUSTOMER)
    stack_name = f"cloudsketch-{kind.split('_')[0]}"
    cloudformation.create_stack(StackName=stack_name, TemplateBody=json.dumps(getattr(onboarding, kind)("readonly")),
                                Capabilities=["CAPABILITY_NAMED_IAM"])
    stack = cloudformation.describe_stacks(StackName=stack_name)["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]} == {
        "RoleArn": f"arn:aws:iam::{CUSTOMER}:role/{role_name}"}
    iam = account_client("iam", aws, CUSTOMER)
    assert iam.get_role(RoleName=role_name)["Role"]["AssumeRolePolicyDocument"] == onboarding.trust_policy()
    assert iam.list_role_policies(RoleName=role_name)["PolicyNames"] == ["cloudsketch-deny-data-access"]


# --- Terraform ------------------------------------------------------------------------------

@pytest.mark.parametrize("policy", ["readonly", "minimal"])
def test_terraform(onboarding, policy):
    hcl = onboarding.terraform(policy)
    assert "\x00" not in hcl
    for opening, closing in ("{}", "[]", "()"):
        assert hcl.count(opening) == hcl.count(closing)
    assert 'variable "external_id" {' in hcl and "sensitive   = true" in hcl
    assert f'default     = "{EXTERNAL_ID}"' in hcl and hcl.count(EXTERNAL_ID) == 1  # only the default
    assert f'default     = "{TRUSTED}"' in hcl and hcl.count(TRUSTED) == 1
    assert '"sts:ExternalId" = var.external_id' in hcl
    assert 'AWS = "arn:${data.aws_partition.current.partition}:iam::${var.trusted_account_id}:root"' in hcl
    assert 'name                 = "cloudsketch-readonly"' in hcl
    assert 'output "role_arn"' in hcl
    if policy == "readonly":
        assert ':iam::aws:policy/ReadOnlyAccess"' in hcl and 'resource "aws_iam_role_policy" "deny_data_access"' in hcl
    else:
        assert 'resource "aws_iam_role_policy" "minimal"' in hcl and "ReadOnlyAccess" not in hcl
        assert all(f'"{action}"' in hcl for action in declarations.iam_actions())


def test_terraform_escapes_template_sequences():
    from services.accounts.onboarding import _hcl_string
    assert _hcl_string("a${b}%{c}") == '"a$${b}%%{c}"'
