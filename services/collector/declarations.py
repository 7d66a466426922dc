"""What the collector discovers, declared once: each resource type with the AWS API calls (as IAM
actions) that discovering it makes.

Cartography's model (docs/architecture.md, "How the parts are built"): the discovery modules attach a
dumb paginated `get` and a declarative `Spec` (discovery/_spec.py: the type's id, properties,
containment and edges) to each of these declarations, and a test checks that every AWS API call
the collector makes is declared here. The IAM actions live here only; a spec names its type.
collector-api hands them out (GetRequiredPermissions, built by required_permissions()), and
accounts generates the minimal IAM policy from them, so the policy a customer grants can never
drift from the calls cloudsketch makes.

Types are CloudFormation type names (docs/architecture.md, "Shared vocabulary"), except the few in
PSEUDO_TYPES that CloudFormation has no type for. `service` is the IAM service prefix, which is
not always the SDK client's name (elasticfilesystem for efs, es for opensearch, rds for DocumentDB
and Neptune, cassandra for Keyspaces, tag for the Resource Groups Tagging API).

`resources` narrows an action to the IAM resources it needs where "*" would grant reading data,
not just metadata: apigateway:GET on "*" also reads API keys' values, cassandra:Select on "*"
reads every Keyspaces table's rows (listing keyspaces and tables needs it only on the system
keyspaces). Placeholders: {partition} (aws, aws-cn, aws-us-gov) and {role_name} (the role that
cloudsketch assumes).

Calls are chosen so that discovery costs a few paginated calls per type and region, never one
call per listed item where a listing call already answers (docs/architecture.md, "Measured facts").
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from cloudsketch.collector.v1 import collector_pb2 as pb

ACTION = re.compile(r"^(?P<service>[a-z0-9-]+):[A-Za-z0-9]+$")

# Types that CloudFormation (and so AWS Config and Cloud Control) does not define, named in the
# same style so that the diagram and the budget treat them like any other type.
PSEUDO_TYPES = frozenset({
    "AWS::EC2::AvailabilityZone",  # ec2:DescribeAvailabilityZones: the containment level between VPC and subnet
    "AWS::ECS::Task",              # running tasks (CloudFormation only knows task definitions)
    "AWS::Glacier::Vault",         # Glacier vaults have no CloudFormation type
})

ANY = ("*",)


def _check(service: str, api_calls: tuple[str, ...], resources: tuple[str, ...]) -> None:
    if not api_calls:
        raise ValueError(f"{service}: a declaration needs at least one API call")
    for action in api_calls:
        match = ACTION.fullmatch(action)
        if match is None or match["service"] != service:
            raise ValueError(f"{action!r} is not an IAM action of the service {service!r}")
    if not resources:
        raise ValueError(f"{service}: resources must name at least one pattern (\"*\" for any)")


@dataclass(frozen=True)
class ResourceType:
    cfn_type: str
    service: str                       # IAM service prefix
    api_calls: tuple[str, ...]         # IAM actions that discovering the type calls
    global_: bool = False              # discovered once per account, not once per region
    resources: tuple[str, ...] = ANY   # IAM resources the calls need (see the module docstring)

    def __post_init__(self):
        _check(self.service, self.api_calls, self.resources)


@dataclass(frozen=True)
class Capability:
    """A call cloudsketch makes for something other than discovering a type."""
    purpose: str
    service: str
    api_calls: tuple[str, ...]
    resources: tuple[str, ...] = ANY

    def __post_init__(self):
        _check(self.service, self.api_calls, self.resources)


def _t(cfn_type: str, *api_calls: str, global_: bool = False, resources: tuple[str, ...] = ANY) -> ResourceType:
    return ResourceType(cfn_type, api_calls[0].split(":", 1)[0], tuple(api_calls), global_, resources)


REST_APIS = ("arn:{partition}:apigateway:*::/restapis", "arn:{partition}:apigateway:*::/restapis/*")
HTTP_APIS = ("arn:{partition}:apigateway:*::/apis", "arn:{partition}:apigateway:*::/apis/*")
KEYSPACES_SCHEMA = ("arn:{partition}:cassandra:*:*:/keyspace/system*",)
OWN_ROLE = ("arn:{partition}:iam::*:role/{role_name}",)

RESOURCE_TYPES: tuple[ResourceType, ...] = (
    # Networking
    _t("AWS::EC2::VPC", "ec2:DescribeVpcs"),
    _t("AWS::EC2::AvailabilityZone", "ec2:DescribeAvailabilityZones"),
    _t("AWS::EC2::Subnet", "ec2:DescribeSubnets"),
    _t("AWS::EC2::RouteTable", "ec2:DescribeRouteTables"),
    _t("AWS::EC2::InternetGateway", "ec2:DescribeInternetGateways"),
    _t("AWS::EC2::NatGateway", "ec2:DescribeNatGateways"),
    _t("AWS::EC2::VPCEndpoint", "ec2:DescribeVpcEndpoints"),
    _t("AWS::EC2::VPCPeeringConnection", "ec2:DescribeVpcPeeringConnections"),
    _t("AWS::EC2::TransitGateway", "ec2:DescribeTransitGateways"),
    _t("AWS::EC2::TransitGatewayAttachment", "ec2:DescribeTransitGatewayAttachments"),
    _t("AWS::EC2::VPNGateway", "ec2:DescribeVpnGateways"),
    _t("AWS::EC2::VPNConnection", "ec2:DescribeVpnConnections"),
    _t("AWS::EC2::CustomerGateway", "ec2:DescribeCustomerGateways"),
    _t("AWS::DirectConnect::Connection", "directconnect:DescribeConnections"),
    _t("AWS::EC2::SecurityGroup", "ec2:DescribeSecurityGroups"),
    _t("AWS::EC2::NetworkAcl", "ec2:DescribeNetworkAcls"),
    # Compute
    _t("AWS::EC2::Instance", "ec2:DescribeInstances"),
    _t("AWS::EC2::Volume", "ec2:DescribeVolumes"),
    _t("AWS::AutoScaling::AutoScalingGroup", "autoscaling:DescribeAutoScalingGroups"),
    # Not ec2:DescribeLaunchTemplateVersions: versions carry user data, which often holds secrets.
    _t("AWS::EC2::LaunchTemplate", "ec2:DescribeLaunchTemplates"),
    _t("AWS::Lambda::Function", "lambda:ListFunctions"),
    _t("AWS::Lambda::EventSourceMapping", "lambda:ListEventSourceMappings"),
    # Load balancing (one IAM prefix for Classic and v2 load balancers)
    _t("AWS::ElasticLoadBalancing::LoadBalancer", "elasticloadbalancing:DescribeLoadBalancers"),
    # Load balancer -> target group comes from DescribeTargetGroups (LoadBalancerArns), not one
    # DescribeListeners call per load balancer.
    _t("AWS::ElasticLoadBalancingV2::LoadBalancer", "elasticloadbalancing:DescribeLoadBalancers"),
    _t("AWS::ElasticLoadBalancingV2::TargetGroup", "elasticloadbalancing:DescribeTargetGroups",
       "elasticloadbalancing:DescribeTargetHealth"),
    # Containers
    _t("AWS::ECS::Cluster", "ecs:ListClusters", "ecs:DescribeClusters"),
    # ecs:DescribeTaskDefinition for a service's size (its budget); only cpu and memory are kept.
    _t("AWS::ECS::Service", "ecs:ListServices", "ecs:DescribeServices", "ecs:DescribeTaskDefinition"),
    _t("AWS::ECS::Task", "ecs:ListTasks", "ecs:DescribeTasks"),
    _t("AWS::EKS::Cluster", "eks:ListClusters", "eks:DescribeCluster"),
    _t("AWS::EKS::Nodegroup", "eks:ListNodegroups", "eks:DescribeNodegroup"),
    _t("AWS::ECR::Repository", "ecr:DescribeRepositories"),
    # Databases (DocumentDB and Neptune are managed through the RDS API and its IAM actions)
    _t("AWS::RDS::DBInstance", "rds:DescribeDBInstances"),
    _t("AWS::RDS::DBCluster", "rds:DescribeDBClusters"),
    _t("AWS::DocDB::DBCluster", "rds:DescribeDBClusters"),
    _t("AWS::DocDB::DBInstance", "rds:DescribeDBInstances"),
    _t("AWS::Neptune::DBCluster", "rds:DescribeDBClusters"),
    _t("AWS::Neptune::DBInstance", "rds:DescribeDBInstances"),
    _t("AWS::ElastiCache::CacheCluster", "elasticache:DescribeCacheClusters", "elasticache:DescribeCacheSubnetGroups"),
    _t("AWS::ElastiCache::ReplicationGroup", "elasticache:DescribeReplicationGroups"),
    _t("AWS::ElastiCache::ServerlessCache", "elasticache:DescribeServerlessCaches"),
    _t("AWS::OpenSearchService::Domain", "es:ListDomainNames", "es:DescribeDomains"),
    _t("AWS::Redshift::Cluster", "redshift:DescribeClusters", "redshift:DescribeClusterSubnetGroups"),
    _t("AWS::DynamoDB::Table", "dynamodb:ListTables", "dynamodb:DescribeTable"),
    # Keyspaces' ListKeyspaces and ListTables need cassandra:Select on the system keyspaces only.
    _t("AWS::Cassandra::Keyspace", "cassandra:Select", resources=KEYSPACES_SCHEMA),
    _t("AWS::Cassandra::Table", "cassandra:Select", resources=KEYSPACES_SCHEMA),
    # Every Timestream call first discovers the account's cell endpoint (DescribeEndpoints).
    _t("AWS::Timestream::Database", "timestream:DescribeEndpoints", "timestream:ListDatabases"),
    _t("AWS::Timestream::Table", "timestream:DescribeEndpoints", "timestream:ListTables"),
    # Storage (s3:GetBucketNotification is the action behind GetBucketNotificationConfiguration)
    _t("AWS::S3::Bucket", "s3:ListAllMyBuckets", "s3:GetBucketLocation", "s3:GetBucketNotification",
       "s3:GetBucketTagging", global_=True),
    _t("AWS::EFS::FileSystem", "elasticfilesystem:DescribeFileSystems"),
    _t("AWS::EFS::MountTarget", "elasticfilesystem:DescribeMountTargets"),
    _t("AWS::FSx::FileSystem", "fsx:DescribeFileSystems"),
    _t("AWS::Glacier::Vault", "glacier:ListVaults"),
    # APIs and the edge
    _t("AWS::ApiGateway::RestApi", "apigateway:GET", resources=REST_APIS),
    _t("AWS::ApiGatewayV2::Api", "apigateway:GET", resources=HTTP_APIS),  # HTTP and WebSocket APIs
    _t("AWS::CloudFront::Distribution", "cloudfront:ListDistributions", global_=True),
    _t("AWS::Route53::HostedZone", "route53:ListHostedZones", global_=True),
    _t("AWS::Route53::RecordSet", "route53:ListResourceRecordSets", global_=True),
    # Web ACLs for CloudFront are regional resources of us-east-1 (scope CLOUDFRONT).
    _t("AWS::WAFv2::WebACL", "wafv2:ListWebACLs", "wafv2:ListResourcesForWebACL"),
    # Messaging and events
    _t("AWS::SNS::Topic", "sns:ListTopics"),
    _t("AWS::SNS::Subscription", "sns:ListSubscriptions"),
    _t("AWS::SQS::Queue", "sqs:ListQueues", "sqs:GetQueueAttributes"),
    _t("AWS::Kinesis::Stream", "kinesis:ListStreams", "kinesis:DescribeStreamSummary"),
    _t("AWS::Events::EventBus", "events:ListEventBuses"),
    _t("AWS::Events::Rule", "events:ListRules", "events:ListTargetsByRule"),
    _t("AWS::SES::EmailIdentity", "ses:ListEmailIdentities"),
)

CAPABILITIES: tuple[Capability, ...] = (
    Capability("verification: the assumed role belongs to the account its ARN names", "sts",
               ("sts:GetCallerIdentity",)),
    Capability("verification: the role's trust policy requires the External ID; its policies only read",
               "iam", ("iam:GetRole", "iam:ListAttachedRolePolicies", "iam:ListRolePolicies",
                       "iam:GetRolePolicy"), resources=OWN_ROLE),
    Capability("discovery: the regions enabled for the account", "ec2", ("ec2:DescribeRegions",)),
    # One paginated call per region returns every resource's tags, where most services would
    # need one tagging call per resource.
    Capability("discovery: tags of every resource", "tag", ("tag:GetResources",)),
    # Live status (services/collector/status/) also calls the discovery listings of the types it
    # watches (DescribeDBInstances, DescribeTargetHealth, ...), declared with those types above.
    Capability("live status: metrics", "cloudwatch", ("cloudwatch:GetMetricData",)),
    Capability("live status: alarm states", "cloudwatch", ("cloudwatch:DescribeAlarms",)),
    Capability("live status: instance status checks", "ec2", ("ec2:DescribeInstanceStatus",)),
)


def _declarations():
    return RESOURCE_TYPES + CAPABILITIES


def iam_actions() -> list[str]:
    """Every IAM action cloudsketch needs, sorted and unique."""
    return sorted({action for declaration in _declarations() for action in declaration.api_calls})


def services() -> list[str]:
    """The IAM service prefixes of those actions, sorted and unique."""
    return sorted({declaration.service for declaration in _declarations()})


def resource_scopes() -> dict[str, tuple[str, ...]]:
    """For each action, the IAM resource patterns it needs: ("*",) unless every declaration that
    uses the action narrows it, in which case the union of their patterns (with placeholders)."""
    scopes: dict[str, set[str]] = {}
    for declaration in _declarations():
        for action in declaration.api_calls:
            scopes.setdefault(action, set()).update(declaration.resources)
    return {action: ANY if "*" in patterns else tuple(sorted(patterns)) for action, patterns in sorted(scopes.items())}


def resource_type(cfn_type: str) -> ResourceType:
    for declaration in RESOURCE_TYPES:
        if declaration.cfn_type == cfn_type:
            return declaration
    raise KeyError(cfn_type)


def required_permissions() -> pb.GetRequiredPermissionsResponse:
    """The declared actions with their resource scopes, and their services: collector-api's
    GetRequiredPermissions."""
    return pb.GetRequiredPermissionsResponse(
        actions=[pb.RequiredAction(action=action, resources=patterns)
                 for action, patterns in resource_scopes().items()],
        services=services())
