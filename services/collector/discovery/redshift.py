"""Redshift provisioned clusters (node type and count price them; RA3 storage is billed apart).

Clusters name their subnet group, not its subnets: one DescribeClusterSubnetGroups sweep places
them, made only in regions that have clusters.
"""
from __future__ import annotations

from services.collector.discovery import Context, Unit
from services.collector.discovery._shared import attributes, placement
from services.collector.model import Item, Scope, iso, tags_of

PAGE = 100  # MaxRecords: 20 to 100


def get_clusters(ctx: Context) -> dict:
    clusters = ctx.paginate("describe_clusters", "Clusters", page_size=PAGE)
    groups = ctx.paginate("describe_cluster_subnet_groups", "ClusterSubnetGroups", page_size=PAGE) if clusters else []
    return {"clusters": clusters, "subnet_groups": groups}


def transform_clusters(raw: dict, scope: Scope) -> list[Item]:
    subnets = {group["ClusterSubnetGroupName"]: [subnet["SubnetIdentifier"] for subnet in group.get("Subnets", [])]
               for group in raw["subnet_groups"]}
    items = []
    for cluster in raw["clusters"]:
        arn = scope.arn("redshift", f"cluster:{cluster['ClusterIdentifier']}")  # the response has no ARN
        items.append(Item(
            arn=arn, type="AWS::Redshift::Cluster", name=cluster["ClusterIdentifier"], region=scope.region,
            tags=tags_of(cluster.get("Tags")),
            attributes=attributes(
                nodeType=cluster.get("NodeType"), numberOfNodes=cluster.get("NumberOfNodes"),
                status=cluster.get("ClusterStatus"), clusterVersion=cluster.get("ClusterVersion"),
                availabilityZone=cluster.get("AvailabilityZone"), multiAz=cluster.get("MultiAZ"),
                totalStorageCapacityInMegaBytes=cluster.get("TotalStorageCapacityInMegaBytes"),
                vpcId=cluster.get("VpcId"), publiclyAccessible=cluster.get("PubliclyAccessible"),
                encrypted=cluster.get("Encrypted"), clusterCreateTime=iso(cluster.get("ClusterCreateTime"))),
            edges=placement(scope, arn, subnets.get(cluster.get("ClusterSubnetGroupName"), []),
                            [group["VpcSecurityGroupId"] for group in cluster.get("VpcSecurityGroups", [])])))
    return items


UNITS = [Unit("redshift.clusters", "redshift", ("AWS::Redshift::Cluster",), get_clusters, transform_clusters)]
