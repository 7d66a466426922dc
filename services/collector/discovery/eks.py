"""EKS clusters and managed node groups, in one unit (node groups are listed per cluster):
ListClusters, DescribeCluster per cluster, ListNodegroups per cluster, DescribeNodegroup per node
group (EKS has no batch describe). Each stage's calls run through ctx.map.

The budget prices a cluster per hour, more under extended support (`supportType`), and its node
groups by instance type and size. Edges: subnet -contains-> cluster (its control plane's network
interfaces) and node group; cluster -secured_by-> its security groups and the cluster security
group; cluster -contains-> node group; node group -secured_by-> its remote-access group. A node
group's Auto Scaling groups are named in the attributes (an ASG's ARN holds an id the name does
not give).

Never stored: the certificate authority data and the endpoint's OIDC issuer. Tags come with
DescribeCluster and DescribeNodegroup.
"""
from __future__ import annotations

from services.collector.discovery import Context
from services.collector.discovery._shared import unless_error
from services.collector.discovery._spec import (
    Spec,
    arn_in,
    contained_by,
    each,
    first_of,
    named,
    nonempty,
    placed,
    tag_map,
    timestamp,
    unit,
)

PAGE = 100                               # ListClusters' and ListNodegroups' maxResults: at most 100
GONE = ("ResourceNotFoundException",)    # deleted after it was listed


def get_eks(ctx: Context) -> dict:
    names = ctx.paginate("list_clusters", "clusters", page_size=PAGE)
    described = ctx.map(lambda name: unless_error(GONE, ctx.client.describe_cluster, name=name), names)
    clusters = [response["cluster"] for response in described if response]
    listed = ctx.map(lambda cluster: unless_error(GONE, ctx.paginate, "list_nodegroups", "nodegroups", default=[],
                                                  page_size=PAGE, clusterName=cluster["name"]), clusters)
    pairs = [(cluster["name"], nodegroup)
             for cluster, nodegroups in zip(clusters, listed, strict=False) for nodegroup in nodegroups]
    nodegroups = ctx.map(lambda pair: unless_error(GONE, ctx.client.describe_nodegroup, clusterName=pair[0],
                                                   nodegroupName=pair[1]), pairs)
    return {"clusters": clusters, "nodegroups": [response["nodegroup"] for response in nodegroups if response]}


def cluster_groups(cluster: dict, scope) -> list[str]:
    """The cluster's security groups and the cluster security group."""
    vpc = cluster.get("resourcesVpcConfig") or {}
    return [group for group in (vpc.get("securityGroupIds") or []) + [vpc.get("clusterSecurityGroupId")] if group]


def nodegroups(raw: dict) -> list[dict]:
    """The node groups, each with "_clusterArn": its listed cluster's ARN."""
    arns = {cluster["name"]: cluster["arn"] for cluster in raw["clusters"]}
    return [{**nodegroup, "_clusterArn": arns.get(nodegroup["clusterName"])} for nodegroup in raw["nodegroups"]]


CLUSTER = Spec(
    "AWS::EKS::Cluster", arn="arn", name="name", tags=tag_map("tags"), records="clusters",
    attributes={
        **named("version", "platformVersion", "status"),
        "supportType": "upgradePolicy.supportType",   # STANDARD or EXTENDED
        **named("resourcesVpcConfig.vpcId", "resourcesVpcConfig.endpointPublicAccess",
                "resourcesVpcConfig.endpointPrivateAccess"),
        "created": timestamp("createdAt"),
    },
    edges=placed("resourcesVpcConfig.subnetIds", cluster_groups))

NODEGROUP = Spec(
    "AWS::EKS::Nodegroup", arn="nodegroupArn", name="nodegroupName", tags=tag_map("tags"), records=nodegroups,
    attributes={
        "clusterName": "clusterName",
        "status": "status",
        "capacityType": "capacityType",         # ON_DEMAND or SPOT
        **named("instanceTypes", "amiType", "diskSize", "scalingConfig.minSize", "scalingConfig.maxSize",
                "scalingConfig.desiredSize", "version"),
        "autoScalingGroups": nonempty(each("resources.autoScalingGroups", "name")),
        "created": timestamp("createdAt"),
    },
    edges=(contained_by(first_of("_clusterArn", arn_in("eks", "cluster/{clusterName}"))),
           *placed("subnets", "resources.remoteAccessSecurityGroup")))

UNITS = [unit("eks.clusters", "eks", get_eks, CLUSTER, NODEGROUP)]
