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

from services.collector.discovery import Context, Unit
from services.collector.discovery._shared import attributes, placement, unless_error
from services.collector.model import Edge, Item, Scope, iso

PAGE = 100                               # ListClusters' and ListNodegroups' maxResults: at most 100
GONE = ("ResourceNotFoundException",)    # deleted after it was listed


def get_eks(ctx: Context) -> dict:
    names = ctx.paginate("list_clusters", "clusters", page_size=PAGE)
    described = ctx.map(lambda name: unless_error(GONE, ctx.client.describe_cluster, name=name), names)
    clusters = [response["cluster"] for response in described if response]
    listed = ctx.map(lambda cluster: unless_error(GONE, ctx.paginate, "list_nodegroups", "nodegroups", default=[],
                                                  page_size=PAGE, clusterName=cluster["name"]), clusters)
    pairs = [(cluster["name"], nodegroup) for cluster, nodegroups in zip(clusters, listed) for nodegroup in nodegroups]
    nodegroups = ctx.map(lambda pair: unless_error(GONE, ctx.client.describe_nodegroup, clusterName=pair[0],
                                                   nodegroupName=pair[1]), pairs)
    return {"clusters": clusters, "nodegroups": [response["nodegroup"] for response in nodegroups if response]}


def transform_eks(raw: dict, scope: Scope) -> list[Item]:
    items = []
    cluster_arns = {}
    for cluster in raw["clusters"]:
        arn = cluster["arn"]
        cluster_arns[cluster["name"]] = arn
        vpc = cluster.get("resourcesVpcConfig") or {}
        groups = (vpc.get("securityGroupIds") or []) + [vpc.get("clusterSecurityGroupId")]
        items.append(Item(
            arn=arn, type="AWS::EKS::Cluster", name=cluster["name"], region=scope.region,
            tags=dict(cluster.get("tags") or {}),
            attributes=attributes(
                version=cluster.get("version"),
                platformVersion=cluster.get("platformVersion"),
                status=cluster.get("status"),
                supportType=(cluster.get("upgradePolicy") or {}).get("supportType"),   # STANDARD or EXTENDED
                vpcId=vpc.get("vpcId"),
                endpointPublicAccess=vpc.get("endpointPublicAccess"),
                endpointPrivateAccess=vpc.get("endpointPrivateAccess"),
                created=iso(cluster.get("createdAt"))),
            edges=placement(scope, arn, vpc.get("subnetIds") or [], [g for g in groups if g])))
    for nodegroup in raw["nodegroups"]:
        arn = nodegroup["nodegroupArn"]
        cluster = cluster_arns.get(nodegroup["clusterName"]) or scope.arn("eks", f"cluster/{nodegroup['clusterName']}")
        scaling = nodegroup.get("scalingConfig") or {}
        resources = nodegroup.get("resources") or {}
        remote_access = resources.get("remoteAccessSecurityGroup")
        items.append(Item(
            arn=arn, type="AWS::EKS::Nodegroup", name=nodegroup["nodegroupName"], region=scope.region,
            tags=dict(nodegroup.get("tags") or {}),
            attributes=attributes(
                clusterName=nodegroup["clusterName"],
                status=nodegroup.get("status"),
                capacityType=nodegroup.get("capacityType"),         # ON_DEMAND or SPOT
                instanceTypes=nodegroup.get("instanceTypes"),
                amiType=nodegroup.get("amiType"),
                diskSize=nodegroup.get("diskSize"),
                minSize=scaling.get("minSize"),
                maxSize=scaling.get("maxSize"),
                desiredSize=scaling.get("desiredSize"),
                version=nodegroup.get("version"),
                autoScalingGroups=[group["name"] for group in resources.get("autoScalingGroups") or []] or None,
                created=iso(nodegroup.get("createdAt"))),
            edges=[Edge("contains", cluster, arn)]
                  + placement(scope, arn, nodegroup.get("subnets") or [], [remote_access] if remote_access else [])))
    return items


UNITS = [Unit("eks.clusters", "eks", ("AWS::EKS::Cluster", "AWS::EKS::Nodegroup"), get_eks, transform_eks)]
