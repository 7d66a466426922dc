"""ElastiCache cache clusters, replication groups and serverless caches.

A replication group's nodes are cache clusters of their own (DescribeCacheClusters lists them
too): each says which group it belongs to (cluster -member_of-> replication group), and is placed
in the subnets of its cache subnet group. Tags come from the sync engine's tagging call.
"""
from __future__ import annotations

from services.collector.discovery import Context, Unit
from services.collector.discovery._shared import attributes, placement
from services.collector.model import Edge, Item, Scope, iso

PAGE = 100  # MaxRecords: 20 to 100
SERVERLESS_PAGE = 50  # DescribeServerlessCaches documents 50 as its default and no larger maximum


def replication_group_arn(scope: Scope, group_id: str) -> str:
    return scope.arn("elasticache", f"replicationgroup:{group_id}")


def get_clusters(ctx: Context) -> dict:
    clusters = ctx.paginate("describe_cache_clusters", "CacheClusters", page_size=PAGE)
    # Subnet groups only matter to place clusters: a region without clusters needs no second call.
    groups = ctx.paginate("describe_cache_subnet_groups", "CacheSubnetGroups", page_size=PAGE) if clusters else []
    return {"clusters": clusters, "subnet_groups": groups}


def transform_clusters(raw: dict, scope: Scope) -> list[Item]:
    subnets = {group["CacheSubnetGroupName"]: [subnet["SubnetIdentifier"] for subnet in group.get("Subnets", [])]
               for group in raw["subnet_groups"]}
    items = []
    for cluster in raw["clusters"]:
        arn = cluster["ARN"]
        edges = placement(scope, arn, subnets.get(cluster.get("CacheSubnetGroupName"), []),
                          [group["SecurityGroupId"] for group in cluster.get("SecurityGroups", [])])
        if cluster.get("ReplicationGroupId"):
            edges.append(Edge("member_of", arn, replication_group_arn(scope, cluster["ReplicationGroupId"])))
        items.append(Item(
            arn=arn, type="AWS::ElastiCache::CacheCluster", name=cluster["CacheClusterId"], region=scope.region,
            attributes=attributes(
                engine=cluster.get("Engine"), engineVersion=cluster.get("EngineVersion"),
                cacheNodeType=cluster.get("CacheNodeType"), numCacheNodes=cluster.get("NumCacheNodes"),
                status=cluster.get("CacheClusterStatus"),
                preferredAvailabilityZone=cluster.get("PreferredAvailabilityZone"),
                replicationGroupId=cluster.get("ReplicationGroupId"),
                transitEncryptionEnabled=cluster.get("TransitEncryptionEnabled"),
                atRestEncryptionEnabled=cluster.get("AtRestEncryptionEnabled"),
                cacheClusterCreateTime=iso(cluster.get("CacheClusterCreateTime"))),
            edges=edges))
    return items


def get_replication_groups(ctx: Context) -> list[dict]:
    return ctx.paginate("describe_replication_groups", "ReplicationGroups", page_size=PAGE)


def transform_replication_groups(groups: list[dict], scope: Scope) -> list[Item]:
    return [Item(
        arn=group["ARN"], type="AWS::ElastiCache::ReplicationGroup", name=group["ReplicationGroupId"],
        region=scope.region,
        attributes=attributes(
            engine=group.get("Engine"), cacheNodeType=group.get("CacheNodeType"), status=group.get("Status"),
            clusterEnabled=group.get("ClusterEnabled"), numNodeGroups=len(group.get("NodeGroups", [])),
            numCacheClusters=len(group.get("MemberClusters", [])), multiAz=group.get("MultiAZ"),
            automaticFailover=group.get("AutomaticFailover"), dataTiering=group.get("DataTiering"),
            globalReplicationGroupId=(group.get("GlobalReplicationGroupInfo") or {}).get("GlobalReplicationGroupId"),
            transitEncryptionEnabled=group.get("TransitEncryptionEnabled"),
            atRestEncryptionEnabled=group.get("AtRestEncryptionEnabled"),
            replicationGroupCreateTime=iso(group.get("ReplicationGroupCreateTime"))))
        for group in groups]


def get_serverless_caches(ctx: Context) -> list[dict]:
    return ctx.paginate("describe_serverless_caches", "ServerlessCaches", page_size=SERVERLESS_PAGE)


def transform_serverless_caches(caches: list[dict], scope: Scope) -> list[Item]:
    items = []
    for cache in caches:
        limits = cache.get("CacheUsageLimits") or {}
        storage = limits.get("DataStorage") or {}
        items.append(Item(
            arn=cache["ARN"], type="AWS::ElastiCache::ServerlessCache", name=cache["ServerlessCacheName"],
            region=scope.region,
            attributes=attributes(
                engine=cache.get("Engine"), majorEngineVersion=cache.get("MajorEngineVersion"),
                status=cache.get("Status"),
                # Usage limits bound the bill (serverless is priced per GB-hour and ECPU).
                dataStorageMaximum=storage.get("Maximum"), dataStorageUnit=storage.get("Unit"),
                ecpuPerSecondMaximum=(limits.get("ECPUPerSecond") or {}).get("Maximum"),
                createTime=iso(cache.get("CreateTime"))),
            edges=placement(scope, cache["ARN"], cache.get("SubnetIds", []), cache.get("SecurityGroupIds", []))))
    return items


UNITS = [
    Unit("elasticache.clusters", "elasticache", ("AWS::ElastiCache::CacheCluster",),
         get_clusters, transform_clusters),
    Unit("elasticache.replication_groups", "elasticache", ("AWS::ElastiCache::ReplicationGroup",),
         get_replication_groups, transform_replication_groups),
    Unit("elasticache.serverless_caches", "elasticache", ("AWS::ElastiCache::ServerlessCache",),
         get_serverless_caches, transform_serverless_caches),
]
