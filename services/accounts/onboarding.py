"""Onboarding material: everything a user needs to create the cross-account read-only role.

Pure functions of (trusted account, External ID, required permissions, role name, partition): the
trust policy, the minimal policy (generated from the IAM actions the collector declares it needs,
which collector-api hands out with GetRequiredPermissions, so that it can never drift from the
calls the collector makes), a broader "custom" read-only policy, CloudFormation templates for one
account and for an AWS Organizations StackSet, and Terraform. accounts-api serves them
(GetOnboardingDocument, rendered by `document()`); the gateway forwards them under
/api/aws/account/iamParameters/...

Three policies a user can choose from:

- readonly: the AWS-managed ReadOnlyAccess (what Cloudcraft and the console quick-create link
  use), plus an inline deny of data access (DATA_ACTIONS and the two scoped denials below), so
  the role sees every resource's configuration but not what the resources hold. ReadOnlyAccess
  alone can read S3 objects, DynamoDB items, SQS messages and more.
- minimal: exactly the declared actions; Resource "*" except where a declaration narrows it.
- custom: Describe*/List*/Get* of every declared service (READ_PREFIXES: only the prefixes the
  service has), plus the same deny of data access. Wider than minimal, so that a new collector
  module keeps working without the customer changing the role, still read-only.

Data access means reading what a resource holds (objects, items, rows, messages, records, logs,
secrets, source code, e-mail, personal data) or obtaining credentials, rather than how it is
configured. DATA_ACTIONS lists each excluded action with the reason.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

import grpc

from cloudsketch.accounts.v1 import accounts_pb2 as pb
from cloudsketch.collector.v1 import collector_pb2, collector_pb2_grpc
from services.common.errors import Unavailable
from services.common.grpc_client import DEFAULT_TIMEOUT_SECONDS, stub

DEFAULT_ROLE_NAME = "cloudsketch-readonly"
ANY = ("*",)  # an action's resource patterns when it needs no narrowing
POLICY_VERSION = "2012-10-17"
POLICIES = ("readonly", "minimal")

# IAM's own quotas (whitespace is not counted): a managed policy holds 6,144 characters, and all
# inline policies of one role together 10,240.
MANAGED_POLICY_LIMIT = 6_144
ROLE_INLINE_POLICIES_LIMIT = 10_240

PARTITIONS = ("aws", "aws-cn", "aws-us-gov")
ACCOUNT_ID = re.compile(r"^\d{12}$")
ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$", re.ASCII)
EXTERNAL_ID = re.compile(r"^[\w+=,.@:/-]{2,1224}$", re.ASCII)

# Placeholders in generated documents; each output format substitutes its own expression.
_PARTITION = "\x00partition\x00"
_TRUSTED = "\x00trusted\x00"
_EXTERNAL_ID = "\x00external_id\x00"

# The read prefixes each declared service has in IAM (checked against an IAM action catalog by
# tests/services/accounts/test_onboarding.py). Services absent here get exactly their declared actions in the
# custom policy, as EXACT_ONLY services do on purpose.
READ_PREFIXES: dict[str, tuple[str, ...]] = {
    "autoscaling": ("Describe", "Get"),
    "cloudfront": ("Describe", "List", "Get"),
    "cloudwatch": ("Describe", "List", "Get"),
    "directconnect": ("Describe", "List"),
    "dynamodb": ("Describe", "List", "Get"),
    "ec2": ("Describe", "List", "Get"),
    "ecr": ("Describe", "List", "Get"),
    "ecs": ("Describe", "List", "Get"),
    "eks": ("Describe", "List"),
    "elasticache": ("Describe", "List"),
    "elasticfilesystem": ("Describe", "List"),
    "elasticloadbalancing": ("Describe", "Get"),
    "es": ("Describe", "List", "Get"),
    "events": ("Describe", "List"),
    "fsx": ("Describe", "List", "Get"),
    "glacier": ("Describe", "List", "Get"),
    "kinesis": ("Describe", "List", "Get"),
    "lambda": ("List", "Get"),
    "rds": ("Describe", "List"),
    "redshift": ("Describe", "List", "Get"),
    "route53": ("List", "Get"),
    "s3": ("Describe", "List", "Get"),
    "ses": ("Describe", "List", "Get"),
    "sns": ("List", "Get"),
    "sqs": ("List", "Get"),
    "tag": ("Describe", "Get"),
    "timestream": ("Describe", "List", "Get"),
    "wafv2": ("Describe", "List", "Get"),
}
# Services whose wildcards would grant more than reading configuration.
EXACT_ONLY = {
    "apigateway": "its only read action, GET, also reads API keys' values: scoped to the APIs",
    "cassandra": "Select reads table rows: scoped to the system keyspaces (the schema)",
    "iam": "cloudsketch reads its own role only",
    "sts": "Get* includes GetSessionToken and GetFederationToken, which mint credentials",
}

# Denied in the custom policy and next to ReadOnlyAccess: each reads what a resource holds, or
# hands out credentials. Not only services the collector uses: the deny also guards a role that
# has broader policies attached besides.
DATA_ACTIONS: dict[str, str] = {
    "s3:GetObject": "object contents",
    "s3:GetObjectVersion": "object contents",
    "s3:GetObjectTorrent": "object contents",
    "s3:GetObjectVersionTorrent": "object contents",
    "s3:GetObjectVersionForReplication": "object contents",
    "s3:GetDataAccess": "credentials for S3 Access Grants",
    "s3-object-lambda:GetObject": "object contents",
    "dynamodb:GetItem": "table items",
    "dynamodb:BatchGetItem": "table items",
    "dynamodb:Query": "table items",
    "dynamodb:Scan": "table items",
    "dynamodb:PartiQLSelect": "table items",
    "dynamodb:GetRecords": "stream records (item images)",
    "kinesis:GetRecords": "stream records",
    "kinesis:SubscribeToShard": "stream records",
    "sqs:ReceiveMessage": "queue messages",
    "secretsmanager:GetSecretValue": "secrets",
    "secretsmanager:BatchGetSecretValue": "secrets",
    "ssm:GetParameter": "parameters, often secrets",
    "ssm:GetParameters": "parameters, often secrets",
    "ssm:GetParametersByPath": "parameters, often secrets",
    "ssm:GetParameterHistory": "parameters, often secrets",
    "kms:Decrypt": "decrypts anything encrypted with a key",
    "redshift:GetClusterCredentials": "database credentials",
    "redshift:GetClusterCredentialsWithIAM": "database credentials",
    "redshift-data:GetStatementResult": "query results",
    "athena:GetQueryResults": "query results",
    "timestream:Select": "time-series rows",
    "es:ESHttpGet": "search documents",
    "glacier:GetJobOutput": "archive contents",
    "logs:GetLogEvents": "log contents",
    "logs:FilterLogEvents": "log contents",
    "logs:GetLogRecord": "log contents",
    "logs:StartQuery": "log contents (Logs Insights)",
    "logs:GetQueryResults": "log contents (Logs Insights)",
    "logs:StartLiveTail": "log contents",
    "rds:DownloadDBLogFilePortion": "database logs, which can hold query data",
    "rds:DownloadCompleteDBLogFile": "database logs, which can hold query data",
    "lambda:GetFunction": "function code",
    "lambda:GetLayerVersion": "layer code",
    "cloudfront:GetFunction": "CloudFront Functions code",
    "codecommit:GetBlob": "source code",
    "codecommit:GetFile": "source code",
    "codecommit:GitPull": "source code",
    "ecr:GetAuthorizationToken": "registry credentials",
    "ecr:GetDownloadUrlForLayer": "image contents",
    "ecr:BatchGetImage": "image contents",
    "ec2:GetPasswordData": "Windows administrator passwords",
    "ec2:GetConsoleOutput": "instance console output",
    "ec2:GetConsoleScreenshot": "instance screens",
    "ec2:GetInstanceUefiData": "instance UEFI variables",
    "ec2:DescribeInstanceAttribute": "instance user data, which often holds secrets",
    "ec2:DescribeLaunchTemplateVersions": "launch template user data, which often holds secrets",
    "ec2:GetLaunchTemplateData": "instance user data, which often holds secrets",
    "wafv2:GetSampledRequests": "sampled web requests (headers, addresses)",
    "wafv2:GetDecryptedAPIKey": "CAPTCHA API keys",
    "wafv2:ListAPIKeys": "CAPTCHA API keys",
    "ses:GetArchiveMessage": "e-mail contents",
    "ses:GetArchiveMessageContent": "e-mail contents",
    "ses:GetArchiveSearchResults": "e-mail metadata",
    "ses:GetMessageInsights": "e-mail metadata",
    "ses:GetContact": "personal data (contacts)",
    "ses:ListContacts": "personal data (contacts)",
    "ses:GetSuppressedDestination": "personal data (addresses)",
    "ses:ListSuppressedDestinations": "personal data (addresses)",
    "ses:GetMemberOfAddressList": "personal data (addresses)",
    "ses:ListMembersOfAddressList": "personal data (addresses)",
    "sns:GetEndpointAttributes": "mobile push device tokens",
    "sns:ListEndpointsByPlatformApplication": "mobile push device tokens",
    "sns:ListPhoneNumbersOptedOut": "personal data (phone numbers)",
    "sns:ListSMSSandboxPhoneNumbers": "personal data (phone numbers)",
}
# Data access that an action allows only on some resources, denied on those resources only.
API_KEYS = "arn:" + _PARTITION + ":apigateway:*::/apikeys*"        # apigateway:GET reads key values
KEYSPACES_SCHEMA = "arn:" + _PARTITION + ":cassandra:*:*:/keyspace/system*"  # the rest is table rows

# Statement groups of the minimal policy (Sid: IAM service prefixes); services not listed go to
# "ReadOther".
AREAS: tuple[tuple[str, frozenset[str]], ...] = (
    ("ReadCompute", frozenset({"ec2", "autoscaling", "lambda", "ecs", "eks", "ecr"})),
    ("ReadNetworkAndEdge", frozenset({"elasticloadbalancing", "directconnect", "cloudfront", "route53", "wafv2",
                                      "apigateway"})),
    ("ReadDatabases", frozenset({"rds", "dynamodb", "elasticache", "es", "redshift", "cassandra", "timestream"})),
    ("ReadStorage", frozenset({"s3", "elasticfilesystem", "fsx", "glacier"})),
    ("ReadIntegration", frozenset({"sns", "sqs", "kinesis", "events", "ses"})),
    ("ReadStatusAndTags", frozenset({"sts", "cloudwatch", "tag", "iam"})),
)
MAX_ACTIONS_PER_STATEMENT = 40  # keeps each statement readable in the console's JSON editor
SCOPED_SIDS = {"apigateway": "ReadApiGatewayApisOnly", "cassandra": "ReadKeyspacesSchemaOnly",
               "iam": "ReadOwnRoleOnly"}


def _area(service: str) -> str:
    return next((sid for sid, members in AREAS if service in members), "ReadOther")


def _service(action: str) -> str:
    return action.split(":", 1)[0]


def _camel(service: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[^a-z0-9]+", service))


def _one(values: list[str]):
    return values[0] if len(values) == 1 else values


def _substitute(document, replacements: dict[str, str]):
    """A copy of `document` with each placeholder in its strings replaced."""
    if isinstance(document, dict):
        return {key: _substitute(value, replacements) for key, value in document.items()}
    if isinstance(document, list):
        return [_substitute(value, replacements) for value in document]
    if isinstance(document, str):
        for placeholder, value in replacements.items():
            document = document.replace(placeholder, value)
    return document


def policy_size(document: dict) -> int:
    """Characters IAM counts against its quotas (it does not count whitespace)."""
    return len(json.dumps(document, separators=(",", ":")))


@dataclass(frozen=True)
class RequiredPermissions:
    """What the collector needs the role to allow: each IAM action with the IAM resource patterns
    it needs (ANY, or patterns with {partition} and {role_name} placeholders), and the IAM
    services of those actions."""
    scopes: dict[str, tuple[str, ...]]
    services: tuple[str, ...]

    @classmethod
    def from_proto(cls, reply: collector_pb2.GetRequiredPermissionsResponse) -> RequiredPermissions:
        return cls({a.action: tuple(a.resources) for a in reply.actions}, tuple(reply.services))

    def actions(self) -> list[str]:
        return sorted(self.scopes)


def permissions_from_collector() -> RequiredPermissions:
    """collector-api's GetRequiredPermissions (grpcio; the caller caches the answer)."""
    collector = stub("collector", collector_pb2_grpc.CollectorServiceStub)
    try:
        reply = collector.GetRequiredPermissions(collector_pb2.GetRequiredPermissionsRequest(),
                                                 timeout=DEFAULT_TIMEOUT_SECONDS)
    except grpc.RpcError as exc:
        raise Unavailable(f"collector-api cannot say which IAM actions the collector needs "
                          f"({exc.code().name.lower()}); try again shortly") from None
    return RequiredPermissions.from_proto(reply)


@dataclass(frozen=True)
class Onboarding:
    trusted_account_id: str
    external_id: str
    permissions: RequiredPermissions
    role_name: str = DEFAULT_ROLE_NAME
    partition: str = "aws"   # of the plain JSON policies; templates use their stack's partition

    def __post_init__(self):
        if not ACCOUNT_ID.fullmatch(self.trusted_account_id):
            raise ValueError("the trusted account id must be 12 digits")
        if not EXTERNAL_ID.fullmatch(self.external_id):
            raise ValueError("an External ID has 2 to 1,224 of the characters A-Z a-z 0-9 +=,.@:/-_")
        if not ROLE_NAME.fullmatch(self.role_name):
            raise ValueError("a role name has 1 to 64 of the characters A-Z a-z 0-9 +=,.@-_")
        if self.partition not in PARTITIONS:
            raise ValueError(f"partition must be one of {', '.join(PARTITIONS)}")

    # --- documents with placeholders -------------------------------------------------------

    def _trust(self) -> dict:
        return {"Version": POLICY_VERSION, "Statement": [{
            "Sid": "CloudsketchAssumesWithExternalId",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:{_PARTITION}:iam::{_TRUSTED}:root"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": _EXTERNAL_ID}},
        }]}

    def _scoped(self, patterns: tuple[str, ...]) -> list[str]:
        return [p.replace("{partition}", _PARTITION).replace("{role_name}", self.role_name) for p in patterns]

    def _scoped_statements(self, actions: list[str]) -> list[dict]:
        """Statements for actions that the collector narrows to some resources, one per service."""
        scopes = self.permissions.scopes
        groups: dict[tuple[str, tuple[str, ...]], list[str]] = {}
        for action in actions:
            groups.setdefault((_service(action), scopes[action]), []).append(action)
        statements = []
        for (service, patterns), group in sorted(groups.items()):
            sid = SCOPED_SIDS.get(service, f"Read{_camel(service)}Scoped")
            if any(s["Sid"] == sid for s in statements):
                sid += str(len(statements))
            statements.append({"Sid": sid, "Effect": "Allow", "Action": _one(sorted(group)),
                               "Resource": _one(self._scoped(patterns))})
        return statements

    def _minimal(self) -> dict:
        scopes = self.permissions.scopes
        anywhere = [a for a in self.permissions.actions() if scopes[a] == ANY]
        scoped = [a for a in self.permissions.actions() if scopes[a] != ANY]
        by_area: dict[str, list[str]] = {}
        for action in anywhere:
            by_area.setdefault(_area(_service(action)), []).append(action)
        statements = []
        for sid in [sid for sid, _ in AREAS] + ["ReadOther"]:
            actions = sorted(by_area.get(sid, []))
            for part, start in enumerate(range(0, len(actions), MAX_ACTIONS_PER_STATEMENT), start=1):
                statements.append({"Sid": sid if part == 1 else f"{sid}{part}", "Effect": "Allow",
                                   "Action": actions[start:start + MAX_ACTIONS_PER_STATEMENT], "Resource": "*"})
        return {"Version": POLICY_VERSION, "Statement": statements + self._scoped_statements(scoped)}

    def _guard_statements(self) -> list[dict]:
        return [
            {"Sid": "DenyDataAccess", "Effect": "Deny", "Action": sorted(DATA_ACTIONS), "Resource": "*"},
            {"Sid": "DenyApiKeyValues", "Effect": "Deny", "Action": "apigateway:GET", "Resource": API_KEYS},
            {"Sid": "DenyKeyspacesRows", "Effect": "Deny", "Action": "cassandra:Select",
             "NotResource": KEYSPACES_SCHEMA},
        ]

    def _guard(self) -> dict:
        return {"Version": POLICY_VERSION, "Statement": self._guard_statements()}

    def _custom(self) -> dict:
        by_area: dict[str, list[str]] = {}
        exact = []
        for service in self.permissions.services:
            prefixes = READ_PREFIXES.get(service) if service not in EXACT_ONLY else None
            if not prefixes:
                exact.extend(a for a in self.permissions.actions() if _service(a) == service)
                continue
            by_area.setdefault(_area(service), []).extend(f"{service}:{prefix}*" for prefix in prefixes)
        scopes = self.permissions.scopes
        order = [sid for sid, _ in AREAS] + ["ReadOther"]
        statements = [{"Sid": sid, "Effect": "Allow", "Action": sorted(by_area.get(sid, [])), "Resource": "*"}
                      for sid in order]
        for action in (a for a in exact if scopes[a] == ANY):
            statements[order.index(_area(_service(action)))]["Action"].append(action)
        statements = [s for s in statements if s["Action"]]
        for statement in statements:
            statement["Action"] = sorted(statement["Action"])
        scoped = self._scoped_statements([a for a in exact if scopes[a] != ANY])
        return {"Version": POLICY_VERSION, "Statement": statements + scoped + self._guard_statements()}

    # --- plain JSON documents --------------------------------------------------------------

    def _plain(self, document: dict) -> dict:
        return _substitute(document, {_PARTITION: self.partition, _TRUSTED: self.trusted_account_id,
                                      _EXTERNAL_ID: self.external_id})

    def trust_policy(self) -> dict:
        """The role's trust policy: cloudsketch's account may assume it, only with the External ID."""
        return self._plain(self._trust())

    def minimal_policy(self) -> dict:
        """Exactly the actions the collector needs."""
        return self._plain(self._minimal())

    def custom_policy(self) -> dict:
        """Read access to the configuration of every declared service, without its data."""
        return self._plain(self._custom())

    def data_access_guard(self) -> dict:
        """The deny of data access that accompanies ReadOnlyAccess."""
        return self._plain(self._guard())

    # --- CloudFormation ----------------------------------------------------------------------

    def _cfn(self, document):
        """Placeholders as CloudFormation expressions: ${AWS::Partition} and the parameters."""
        if isinstance(document, dict):
            return {key: self._cfn(value) for key, value in document.items()}
        if isinstance(document, list):
            return [self._cfn(value) for value in document]
        if isinstance(document, str):
            if document == _EXTERNAL_ID:
                return {"Ref": "ExternalId"}
            if _PARTITION in document or _TRUSTED in document:
                return {"Fn::Sub": document.replace(_PARTITION, "${AWS::Partition}")
                        .replace(_TRUSTED, "${TrustedAccountId}")}
        return document

    def _role_policies(self, policy: str) -> tuple[dict, dict]:
        """The role's policy properties and any extra resources, for `policy`."""
        if policy not in POLICIES:
            raise ValueError(f"policy must be one of {', '.join(POLICIES)}")
        if policy == "readonly":
            return {"ManagedPolicyArns": [{"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/ReadOnlyAccess"}],
                    "Policies": [{"PolicyName": "cloudsketch-deny-data-access",
                                  "PolicyDocument": self._cfn(self._guard())}]}, {}
        minimal = self._minimal()
        if policy_size(self._plain(minimal)) <= ROLE_INLINE_POLICIES_LIMIT:
            return {"Policies": [{"PolicyName": "cloudsketch-minimal", "PolicyDocument": self._cfn(minimal)}]}, {}
        # Past a role's inline quota: a managed policy holds up to 6,144 characters (a policy that
        # large would have to be split; tests/services/accounts/test_onboarding.py keeps it under that).
        return {"ManagedPolicyArns": [{"Ref": "CloudsketchMinimalPolicy"}]}, {
            "CloudsketchMinimalPolicy": {"Type": "AWS::IAM::ManagedPolicy", "Metadata": {
                "com.aws.cloudformation.Context": {"why": "the calls cloudsketch's collector makes, generated from "
                                                          "its declarations; too large for the role's inline quota"}},
                "Properties": {
                "Description": "What cloudsketch's collector reads, generated from its declarations",
                "PolicyDocument": self._cfn(minimal)}}}

    def _template(self, policy: str, description: str) -> dict:
        properties, extra = self._role_policies(policy)
        return {
            "AWSTemplateFormatVersion": "2010-09-09",
            "Description": description,
            "Metadata": {"AWS::CloudFormation::Interface": {
                "ParameterGroups": [{"Label": {"default": "cloudsketch"},
                                     "Parameters": ["TrustedAccountId", "ExternalId"]}],
                "ParameterLabels": {"TrustedAccountId": {"default": "cloudsketch's AWS account"},
                                    "ExternalId": {"default": "External ID"}}}},
            "Parameters": {
                "TrustedAccountId": {
                    "Type": "String", "Default": self.trusted_account_id, "AllowedPattern": r"^\d{12}$",
                    "ConstraintDescription": "12 digits",
                    "Description": "The AWS account cloudsketch runs in, which may assume the role"},
                "ExternalId": {
                    "Type": "String", "Default": self.external_id, "NoEcho": True, "MinLength": 2,
                    "MaxLength": 1224, "AllowedPattern": r"^[\w+=,.@:/-]+$",
                    "ConstraintDescription": "2 to 1,224 of the characters A-Z a-z 0-9 +=,.@:/-_",
                    "Description": "Your cloudsketch installation's External ID: the role can be assumed "
                                   "only with it (the confused-deputy guard)"},
            },
            "Resources": {
                "CloudsketchRole": {"Type": "AWS::IAM::Role", "Metadata": {"com.aws.cloudformation.Context": {
                    "why": "cloudsketch assumes this role to draw the account's architecture, cost it and show "
                           "live status; it only reads",
                    "must": ["the trust policy requires the External ID (cloudsketch refuses the role otherwise)",
                             "the role name stays as registered in cloudsketch"]}}, "Properties": {
                    "RoleName": self.role_name,
                    "Description": f"cloudsketch reads this account's architecture ({policy} policy)",
                    "MaxSessionDuration": 3600,
                    "AssumeRolePolicyDocument": self._cfn(self._trust()),
                    **properties}},
                **extra,
            },
            "Outputs": {"RoleArn": {
                "Description": "Register this ARN in cloudsketch (POST /api/aws/account)",
                "Value": {"Fn::GetAtt": ["CloudsketchRole", "Arn"]}}},
        }

    def cloudformation_template(self, policy: str = "readonly") -> dict:
        """A stack for one AWS account (deploy with CAPABILITY_NAMED_IAM)."""
        return self._template(policy, (
            f"cloudsketch: the cross-account role {self.role_name} that lets cloudsketch read this account's "
            f"architecture ({policy} policy), assumable only by the trusted account with the External ID. "
            "Deploy with CAPABILITY_NAMED_IAM, then register the RoleArn output in cloudsketch."))

    def stackset_template(self, policy: str = "readonly") -> dict:
        """The same role for every member account of an AWS Organization (service-managed StackSet)."""
        return self._template(policy, (
            f"cloudsketch for AWS Organizations: creates the role {self.role_name}, with the same name in "
            "every member account, so that each account registers in cloudsketch as "
            f"arn:<partition>:iam::<account id>:role/{self.role_name}. Deploy as a StackSet with the "
            "service-managed permission model and automatic deployment on, targeting the organization's "
            "root or organizational units, in ONE region only (IAM is global: a second region would fail "
            "on the existing role), with CAPABILITY_NAMED_IAM. Service-managed StackSets do not deploy "
            f"to the management account: use the single-account template there ({policy} policy)."))

    # --- Terraform ---------------------------------------------------------------------------

    def terraform(self, policy: str = "readonly") -> str:
        """An HCL configuration for the role (Terraform or OpenTofu, AWS provider 5 or later)."""
        if policy not in POLICIES:
            raise ValueError(f"policy must be one of {', '.join(POLICIES)}")
        description = f"cloudsketch reads this account's architecture ({policy} policy)"
        parts = [
            f"# cloudsketch: the cross-account role {self.role_name} ({policy} policy).",
            "# terraform init && terraform apply, then register the role_arn output in cloudsketch.",
            "",
            "terraform {",
            "  required_providers {",
            '    aws = { source = "hashicorp/aws", version = ">= 5.0" }',
            "  }",
            "}",
            "",
            'variable "trusted_account_id" {',
            '  description = "The AWS account cloudsketch runs in, which may assume the role"',
            "  type        = string",
            f"  default     = {_hcl_string(self.trusted_account_id)}",
            "}",
            "",
            'variable "external_id" {',
            '  description = "Your cloudsketch installation\'s External ID: the role can be assumed only with it"',
            "  type        = string",
            f"  default     = {_hcl_string(self.external_id)}",
            "  sensitive   = true",
            "}",
            "",
            'data "aws_partition" "current" {}',
            "",
            'resource "aws_iam_role" "cloudsketch" {',
            f"  name                 = {_hcl_string(self.role_name)}",
            f"  description          = {_hcl_string(description)}",
            "  max_session_duration = 3600",
            f"  assume_role_policy   = jsonencode({_hcl(self._trust(), 2)})",
            "}",
            "",
        ]
        if policy == "readonly":
            parts += [
                'resource "aws_iam_role_policy_attachment" "read_only_access" {',
                "  role       = aws_iam_role.cloudsketch.name",
                '  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/ReadOnlyAccess"',
                "}",
                "",
                'resource "aws_iam_role_policy" "deny_data_access" {',
                '  name   = "cloudsketch-deny-data-access"',
                "  role   = aws_iam_role.cloudsketch.id",
                f"  policy = jsonencode({_hcl(self._guard(), 2)})",
                "}",
                "",
            ]
        else:
            parts += [
                'resource "aws_iam_role_policy" "minimal" {',
                '  name   = "cloudsketch-minimal"',
                "  role   = aws_iam_role.cloudsketch.id",
                f"  policy = jsonencode({_hcl(self._minimal(), 2)})",
                "}",
                "",
            ]
        parts += [
            'output "role_arn" {',
            '  description = "Register this ARN in cloudsketch (POST /api/aws/account)"',
            "  value       = aws_iam_role.cloudsketch.arn",
            "}",
            "",
        ]
        return "\n".join(parts)


HCL_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_HCL_EXPRESSIONS = {_PARTITION: "${data.aws_partition.current.partition}",
                    _TRUSTED: "${var.trusted_account_id}", _EXTERNAL_ID: "${var.external_id}"}


def _hcl_string(value: str) -> str:
    """A quoted HCL string: JSON's escapes, template sequences escaped, placeholders as
    interpolations of the configuration's variables."""
    quoted = json.dumps(value).replace("${", "$${").replace("%{", "%%{")
    for placeholder, expression in _HCL_EXPRESSIONS.items():
        quoted = quoted.replace(json.dumps(placeholder)[1:-1], expression)
    return quoted


def _hcl(value, indent: int) -> str:
    """A JSON-shaped value as an HCL expression (for jsonencode)."""
    pad, inner = " " * indent, " " * (indent + 2)
    if isinstance(value, dict):
        items = [f"{inner}{k if HCL_IDENTIFIER.fullmatch(k) else _hcl_string(k)} = {_hcl(v, indent + 2)}"
                 for k, v in value.items()]
        return "{\n" + "\n".join(items) + f"\n{pad}}}"
    if isinstance(value, list):
        items = [f"{inner}{_hcl(v, indent + 2)}," for v in value]
        return "[\n" + "\n".join(items) + f"\n{pad}]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if value in _HCL_EXPRESSIONS:
        return _HCL_EXPRESSIONS[value][2:-1]  # the bare expression rather than "${...}"
    return _hcl_string(value)


# --- serving one document ------------------------------------------------------------------

JSON_DOCUMENTS = {
    pb.ONBOARDING_DOCUMENT_TRUST_POLICY: Onboarding.trust_policy,
    pb.ONBOARDING_DOCUMENT_MINIMAL_POLICY: Onboarding.minimal_policy,
    pb.ONBOARDING_DOCUMENT_CUSTOM_POLICY: Onboarding.custom_policy,
}
TEMPLATES = {
    pb.ONBOARDING_DOCUMENT_CLOUDFORMATION: Onboarding.cloudformation_template,
    pb.ONBOARDING_DOCUMENT_STACKSET: Onboarding.stackset_template,
}


def document(trusted_account_id: str, external_id: str, permissions: RequiredPermissions, kind: int,
             role_name: str | None = None, partition: str | None = None,
             policy: str | None = None) -> pb.GetOnboardingDocumentResponse:
    """One document as the REST API serves it: JSON written the way the gateway's Flask app writes
    JSON (compact, ASCII, a final newline), or Terraform as plain text. Unset (None) parameters
    take their defaults; `policy` (readonly or minimal) chooses the templates' and Terraform's
    permissions. Raises ValueError on bad input."""
    onboarding = Onboarding(trusted_account_id, external_id, permissions,
                            role_name=DEFAULT_ROLE_NAME if role_name is None else role_name,
                            partition="aws" if partition is None else partition)
    if kind in JSON_DOCUMENTS:
        return _json(JSON_DOCUMENTS[kind](onboarding))
    if kind not in TEMPLATES and kind != pb.ONBOARDING_DOCUMENT_TERRAFORM:
        raise ValueError(f"no onboarding document {kind}")
    policy = "readonly" if policy is None else policy
    if policy not in POLICIES:
        raise ValueError(f"unknown policy {policy[:30]!r}; choose one of: {', '.join(POLICIES)}")
    if kind == pb.ONBOARDING_DOCUMENT_TERRAFORM:
        return pb.GetOnboardingDocumentResponse(content_type="text/plain", content=onboarding.terraform(policy))
    return _json(TEMPLATES[kind](onboarding, policy))


def _json(value: dict) -> pb.GetOnboardingDocumentResponse:
    return pb.GetOnboardingDocumentResponse(content_type="application/json",
                                            content=json.dumps(value, separators=(",", ":")) + "\n")
