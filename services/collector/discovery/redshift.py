"""Redshift provisioned clusters (node type and count price them; RA3 storage is billed apart).

Clusters name their subnet group, not its subnets: one DescribeClusterSubnetGroups sweep places
them, made only in regions that have clusters.
"""
from __future__ import annotations

from services.collector.discovery import Context
from services.collector.discovery._shared import clusters_with_subnet_groups, in_subnet_groups
from services.collector.discovery._spec import Spec, arn_in, each, named, placed, tags_at, timestamp, unit

PAGE = 100  # MaxRecords: 20 to 100


def get_clusters(ctx: Context) -> dict:
    return clusters_with_subnet_groups(ctx, ("describe_clusters", "Clusters"),
                                       ("describe_cluster_subnet_groups", "ClusterSubnetGroups"), PAGE)


CLUSTER = Spec(
    "AWS::Redshift::Cluster", arn=arn_in("redshift", "cluster:{ClusterIdentifier}"),  # the response has no ARN
    name="ClusterIdentifier", tags=tags_at(), records=in_subnet_groups("ClusterSubnetGroupName"),
    attributes={
        "nodeType": "NodeType", "numberOfNodes": "NumberOfNodes",
        "status": "ClusterStatus", "clusterVersion": "ClusterVersion",
        "availabilityZone": "AvailabilityZone", "multiAz": "MultiAZ",
        **named("TotalStorageCapacityInMegaBytes", "VpcId", "PubliclyAccessible"),
        "encrypted": "Encrypted", "clusterCreateTime": timestamp("ClusterCreateTime"),
    },
    edges=placed("_subnets", each("VpcSecurityGroups", "VpcSecurityGroupId")))

UNITS = [unit("redshift.clusters", "redshift", get_clusters, CLUSTER)]
