"""CloudFormation type -> Cloudcraft's node type, and Cloudcraft's per-type fields from a
resource's attributes (the attribute names the collector writes: services/collector/discovery/).

Every type the collector discovers maps to something. Four are containers, never nodes: VPC,
availability zone and subnet become groups of the containment hierarchy, a security group becomes
an `sg` group in the security grouping. Where Cloudcraft has no node type of its own, the node type
is a cloudsketch name in Cloudcraft's style (lower case, no separators: `targetgroup`,
`routetable`, ...); renderers draw a generic component for a type they have no icon for.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

GROUP_TYPES = {
    "AWS::EC2::VPC": "vpc",
    "AWS::EC2::AvailabilityZone": "zone",
    "AWS::EC2::Subnet": "subnet",
    "AWS::EC2::SecurityGroup": "sg",
}


def split_class(value: str | None, prefixes: tuple[str, ...] = ()) -> tuple[str, str]:
    """"m5.large" -> ("m5", "large"); "db.r6g.xlarge" with prefix "db." -> ("r6g", "xlarge")."""
    if not value:
        return "", ""
    for prefix in prefixes:
        if value.startswith(prefix):
            value = value[len(prefix):]
            break
    family, _, size = value.partition(".")
    return family, size


_PLATFORMS = {"linux/unix": "linux", "windows": "windows", "red hat enterprise linux": "rhel",
              "suse linux": "sles", "ubuntu pro": "ubuntu"}


def _platform(details: str | None) -> str:
    if not details:
        return "linux"
    lowered = details.lower()
    if lowered in _PLATFORMS:
        return _PLATFORMS[lowered]
    if "windows" in lowered:
        return "windowsSQL" if "sql" in lowered else "windows"
    if "red hat" in lowered:
        return "rhel"
    if "suse" in lowered:
        return "sles"
    return "linux"


def _ec2(a: dict) -> dict:
    family, size = split_class(a.get("instanceType"))
    return {"instanceType": family, "instanceSize": size, "platform": _platform(a.get("platform")),
            "transparent": False}


def _ebs(a: dict) -> dict:
    return {"volume": a.get("volumeType") or "gp3", "storage": a.get("size") or 0, "iops": a.get("iops") or 0,
            "throughput": a.get("throughput") or 0}


def _rds(a: dict) -> dict:
    family, size = split_class(a.get("instanceClass"), ("db.",))
    fields = {"engine": a.get("engine") or "", "instanceType": family, "instanceSize": size,
              "multiAZ": bool(a.get("multiAz")), "storage": a.get("allocatedStorage") or 0}
    if a.get("storageType"):
        fields["storageType"] = a["storageType"]
    if a.get("iops"):
        fields["iops"] = a["iops"]
    return fields


def _rds_cluster(a: dict) -> dict:
    fields = _rds(a)
    fields["role"] = "cluster"
    return fields


def _elasticache(a: dict) -> dict:
    family, size = split_class(a.get("cacheNodeType"), ("cache.",))
    return {"engine": a.get("engine") or "redis", "instanceType": family, "instanceSize": size,
            "nodes": a.get("numCacheNodes") or a.get("numCacheClusters") or 1}


def _elasticache_serverless(a: dict) -> dict:
    return {"engine": a.get("engine") or "redis", "serverless": True}


def _elb(kind: str) -> Callable[[dict], dict]:
    def fields(a: dict) -> dict:
        return {"elbType": a.get("type") or kind, "scheme": a.get("scheme") or "internet-facing"}
    return fields


def _lambda(a: dict) -> dict:
    architectures = a.get("architectures") or ["x86_64"]
    return {"memory": a.get("memorySize") or 128, "runtime": a.get("runtime") or a.get("packageType") or "",
            "architecture": architectures[0]}


def _natgateway(a: dict) -> dict:
    return {"connectivityType": a.get("connectivityType") or "public"}


def _dynamodb(a: dict) -> dict:
    return {"capacityMode": "onDemand" if a.get("billingMode") == "PAY_PER_REQUEST" else "provisioned",
            "readUnits": a.get("readCapacityUnits") or 0, "writeUnits": a.get("writeCapacityUnits") or 0,
            "tableClass": a.get("tableClass") or "STANDARD"}


def _sqs(a: dict) -> dict:
    return {"queueType": "fifo" if a.get("fifo") else "standard"}


def _cloudfront(a: dict) -> dict:
    return {"priceClass": a.get("priceClass") or "PriceClass_All"}


def _es(a: dict) -> dict:
    family, size = split_class(a.get("instanceType"), ())
    return {"instanceType": family, "instanceSize": size.removesuffix(".search"),
            "instanceCount": a.get("instanceCount") or 1}


def _redshift(a: dict) -> dict:
    family, size = split_class(a.get("nodeType"))
    return {"instanceType": family, "instanceSize": size, "nodes": a.get("numberOfNodes") or 1}


def _none(a: dict) -> dict:
    return {}


# CloudFormation type -> (Cloudcraft node type, fields from attributes)
NODE_TYPES: dict[str, tuple[str, Callable[[dict], dict]]] = {
    # Networking
    "AWS::EC2::RouteTable": ("routetable", _none),
    "AWS::EC2::InternetGateway": ("internetgateway", _none),
    "AWS::EC2::NatGateway": ("natgateway", _natgateway),
    "AWS::EC2::VPCEndpoint": ("vpcendpoint", lambda a: {
        "endpointType": (a.get("vpcEndpointType") or "Interface").lower()}),
    "AWS::EC2::VPCPeeringConnection": ("vpcpeering", _none),
    "AWS::EC2::TransitGateway": ("transitgateway", _none),
    "AWS::EC2::TransitGatewayAttachment": ("tgwattachment", _none),
    "AWS::EC2::VPNGateway": ("vpngateway", _none),
    "AWS::EC2::VPNConnection": ("vpnconnection", _none),
    "AWS::EC2::CustomerGateway": ("customergateway", _none),
    "AWS::DirectConnect::Connection": ("dxconnection", lambda a: {"bandwidth": a.get("bandwidth") or ""}),
    "AWS::EC2::NetworkAcl": ("networkacl", _none),
    # Compute
    "AWS::EC2::Instance": ("ec2", _ec2),
    "AWS::EC2::Volume": ("ebs", _ebs),
    "AWS::AutoScaling::AutoScalingGroup": ("autoscaling", lambda a: {
        "min": a.get("minSize") or 0, "max": a.get("maxSize") or 0, "desired": a.get("desiredCapacity") or 0}),
    "AWS::EC2::LaunchTemplate": ("launchtemplate", _none),
    "AWS::Lambda::Function": ("lambda", _lambda),
    "AWS::Lambda::EventSourceMapping": ("eventsourcemapping", _none),
    # Load balancing
    "AWS::ElasticLoadBalancing::LoadBalancer": ("elb", _elb("classic")),
    "AWS::ElasticLoadBalancingV2::LoadBalancer": ("elb", _elb("application")),
    "AWS::ElasticLoadBalancingV2::TargetGroup": ("targetgroup", lambda a: {"targetType": a.get("targetType") or ""}),
    # Containers
    "AWS::ECS::Cluster": ("ecscluster", _none),
    "AWS::ECS::Service": ("ecsservice", lambda a: {
        "launchType": a.get("launchType") or "", "desired": a.get("desiredCount") or 0}),
    "AWS::ECS::Task": ("ecstask", lambda a: {"launchType": a.get("launchType") or ""}),
    "AWS::EKS::Cluster": ("ekscluster", _none),
    "AWS::EKS::Nodegroup": ("eksnodegroup", _none),
    "AWS::ECR::Repository": ("ecr", _none),
    # Databases
    "AWS::RDS::DBInstance": ("rds", _rds),
    "AWS::RDS::DBCluster": ("rdscluster", _rds_cluster),
    "AWS::DocDB::DBCluster": ("docdbcluster", _rds_cluster),
    "AWS::DocDB::DBInstance": ("docdb", _rds),
    "AWS::Neptune::DBCluster": ("neptunecluster", _rds_cluster),
    "AWS::Neptune::DBInstance": ("neptune", _rds),
    "AWS::ElastiCache::CacheCluster": ("elasticache", _elasticache),
    "AWS::ElastiCache::ReplicationGroup": ("elasticachegroup", _elasticache),
    "AWS::ElastiCache::ServerlessCache": ("elasticache", _elasticache_serverless),
    "AWS::OpenSearchService::Domain": ("es", _es),
    "AWS::Redshift::Cluster": ("redshift", _redshift),
    "AWS::DynamoDB::Table": ("dynamodb", _dynamodb),
    "AWS::Cassandra::Keyspace": ("keyspaces", _none),
    "AWS::Cassandra::Table": ("keyspacestable", _none),
    "AWS::Timestream::Database": ("timestream", _none),
    "AWS::Timestream::Table": ("timestreamtable", _none),
    # Storage
    "AWS::S3::Bucket": ("s3", _none),
    "AWS::EFS::FileSystem": ("efs", _none),
    "AWS::EFS::MountTarget": ("efsmounttarget", _none),
    "AWS::FSx::FileSystem": ("fsx", lambda a: {"fileSystemType": a.get("fileSystemType") or ""}),
    "AWS::Glacier::Vault": ("glacier", _none),
    # APIs and the edge
    "AWS::ApiGateway::RestApi": ("apigateway", lambda a: {"apiType": "rest"}),
    "AWS::ApiGatewayV2::Api": ("apigateway", lambda a: {
        "apiType": (a.get("apiType") or a.get("protocolType") or "http").lower()}),
    "AWS::CloudFront::Distribution": ("cloudfront", _cloudfront),
    "AWS::Route53::HostedZone": ("route53", _none),
    "AWS::Route53::RecordSet": ("route53record", _none),
    "AWS::WAFv2::WebACL": ("waf", _none),
    # Messaging and events
    "AWS::SNS::Topic": ("sns", _none),
    "AWS::SNS::Subscription": ("snssubscription", _none),
    "AWS::SQS::Queue": ("sqs", _sqs),
    "AWS::Kinesis::Stream": ("kinesisstream", lambda a: {"shards": a.get("openShardCount") or 0}),
    "AWS::Events::EventBus": ("eventbus", _none),
    "AWS::Events::Rule": ("eventrule", _none),
    "AWS::SES::EmailIdentity": ("ses", _none),
}

GENERIC_NODE_TYPE = "generic"   # a type this table does not know (a collector newer than the diagram)

# Node types not drawn unless a grouping asks for them: they carry relationships (routes, event
# source mappings, subscriptions) that are drawn as connections between what they join, and would
# otherwise crowd the diagram. The network grouping shows route tables and network ACLs.
HIDDEN_BY_DEFAULT = frozenset({"routetable", "networkacl", "launchtemplate", "eventsourcemapping",
                               "snssubscription", "route53record", "efsmounttarget"})

# Node types of the network grouping (everything else outside a VPC is left out of it).
NETWORK_TYPES = frozenset({"routetable", "internetgateway", "natgateway", "vpcendpoint", "vpcpeering",
                           "transitgateway", "tgwattachment", "vpngateway", "vpnconnection", "customergateway",
                           "dxconnection", "networkacl", "elb", "targetgroup", "cloudfront", "route53", "waf",
                           "apigateway"})


def node_type(cfn_type: str) -> str:
    """Cloudcraft's node type (or group type, for the four container types) of a CloudFormation type."""
    if cfn_type in GROUP_TYPES:
        return GROUP_TYPES[cfn_type]
    entry = NODE_TYPES.get(cfn_type)
    return entry[0] if entry else GENERIC_NODE_TYPE


def node_fields(cfn_type: str, attributes: dict[str, Any]) -> dict[str, Any]:
    """Cloudcraft's per-type fields of a node, from the resource's attributes."""
    entry = NODE_TYPES.get(cfn_type)
    return entry[1](attributes) if entry else {}


def cfn_types_of(node_type_name: str) -> frozenset[str]:
    """The CloudFormation types drawn as a node type (for `type=` filters and `exclude`)."""
    lowered = node_type_name.lower()
    found = {cfn for cfn, (name, _) in NODE_TYPES.items() if name == lowered}
    found |= {cfn for cfn, name in GROUP_TYPES.items() if name == lowered}
    return frozenset(found)


def markdown_table() -> str:
    """The mapping as a Markdown table, for docs/diagram.md (`python docs/generate.py`)."""
    rows = ["| CloudFormation type | Cloudcraft type | drawn |", "|---|---|---|"]
    for cfn_type in sorted(set(NODE_TYPES) | set(GROUP_TYPES)):
        kind = node_type(cfn_type)
        if cfn_type in GROUP_TYPES:
            drawn = "group" if kind != "sg" else "group (security grouping)"
        elif kind in HIDDEN_BY_DEFAULT:
            drawn = "hidden" + (" (a node in the network grouping)" if kind in ("routetable", "networkacl") else "")
        else:
            drawn = "node"
        rows.append(f"| `{cfn_type}` | `{kind}` | {drawn} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(markdown_table())
