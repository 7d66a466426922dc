"""ElastiCache cache clusters, replication groups and serverless caches.

A replication group's nodes are cache clusters of their own (DescribeCacheClusters lists them
too): each says which group it belongs to (cluster -member_of-> replication group), and is placed
in the subnets of its cache subnet group. Tags come from the sync engine's tagging call.
"""
from __future__ import annotations

from services.collector.discovery import Context
from services.collector.discovery._shared import clusters_with_subnet_groups, in_subnet_groups
from services.collector.discovery._spec import (
    Link,
    Spec,
    arn_in,
    at,
    count,
    each,
    listing,
    named,
    only_if,
    placed,
    timestamp,
    unit,
)

PAGE = 100  # MaxRecords: 20 to 100
SERVERLESS_PAGE = 50  # DescribeServerlessCaches documents 50 as its default and no larger maximum


def get_clusters(ctx: Context) -> dict:
    return clusters_with_subnet_groups(ctx, ("describe_cache_clusters", "CacheClusters"),
                                       ("describe_cache_subnet_groups", "CacheSubnetGroups"), PAGE)


CACHE_CLUSTER = Spec(
    "AWS::ElastiCache::CacheCluster", arn="ARN", name="CacheClusterId",
    records=in_subnet_groups("CacheSubnetGroupName"),
    attributes={
        **named("Engine", "EngineVersion", "CacheNodeType", "NumCacheNodes"),
        "status": "CacheClusterStatus",
        **named("PreferredAvailabilityZone", "ReplicationGroupId", "TransitEncryptionEnabled",
                "AtRestEncryptionEnabled"),
        "cacheClusterCreateTime": timestamp("CacheClusterCreateTime"),
    },
    edges=(*placed("_subnets", each("SecurityGroups", "SecurityGroupId")),
           Link("member_of", only_if("ReplicationGroupId",
                                     arn_in("elasticache", "replicationgroup:{ReplicationGroupId}")))))

REPLICATION_GROUP = Spec(
    "AWS::ElastiCache::ReplicationGroup", arn="ARN", name="ReplicationGroupId",
    attributes={
        **named("Engine", "CacheNodeType", "Status"),
        "clusterEnabled": "ClusterEnabled", "numNodeGroups": count("NodeGroups"),
        "numCacheClusters": count("MemberClusters"), "multiAz": "MultiAZ",
        **named("AutomaticFailover", "DataTiering", "GlobalReplicationGroupInfo.GlobalReplicationGroupId",
                "TransitEncryptionEnabled", "AtRestEncryptionEnabled"),
        "replicationGroupCreateTime": timestamp("ReplicationGroupCreateTime"),
    })

SERVERLESS_CACHE = Spec(
    "AWS::ElastiCache::ServerlessCache", arn="ARN", name="ServerlessCacheName",
    attributes={
        **named("Engine", "MajorEngineVersion", "Status"),
        # Usage limits bound the bill (serverless is priced per GB-hour and ECPU).
        "dataStorageMaximum": "CacheUsageLimits.DataStorage.Maximum",
        "dataStorageUnit": "CacheUsageLimits.DataStorage.Unit",
        "ecpuPerSecondMaximum": "CacheUsageLimits.ECPUPerSecond.Maximum",
        "createTime": timestamp("CreateTime"),
    },
    edges=placed(at("SubnetIds", []), at("SecurityGroupIds", [])))

UNITS = [
    unit("elasticache.clusters", "elasticache", get_clusters, CACHE_CLUSTER),
    unit("elasticache.replication_groups", "elasticache",
         listing("describe_replication_groups", "ReplicationGroups", page_size=PAGE), REPLICATION_GROUP),
    unit("elasticache.serverless_caches", "elasticache",
         listing("describe_serverless_caches", "ServerlessCaches", page_size=SERVERLESS_PAGE), SERVERLESS_CACHE),
]
