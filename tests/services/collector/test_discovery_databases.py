"""ElastiCache, OpenSearch, Redshift, DynamoDB, Keyspaces and Timestream discovery
(services/collector/discovery/): transforms against responses shaped like each API reference's
examples, and get + transform against moto where moto implements the API."""
from __future__ import annotations

import json
from dataclasses import asdict

from services.collector.discovery import Context, dynamodb, elasticache, keyspaces, opensearch, redshift, timestream
from services.collector.model import Edge, Item
from tests.services.collector.harness import (
    CREATED,
    CREATED_ISO,
    HOSTILE,
    SCOPE,
    by_arn,
    check_items,
    run,
    run_unit,
    sg_arn,
    subnet_arn,
    transform,
)

# --- ElastiCache -------------------------------------------------------------------------------

CLUSTERS_UNIT, GROUPS_UNIT, SERVERLESS_UNIT = elasticache.UNITS
EC_ARN = "arn:aws:elasticache:us-east-1:123456789012:"


def cache_cluster(cluster_id: str, engine: str, **fields) -> dict:
    return {
        "CacheClusterId": cluster_id, "ClientDownloadLandingPage": "https://console.aws.amazon.com/elasticache/home",
        "CacheNodeType": "cache.r6g.large", "Engine": engine, "EngineVersion": "7.1.0",
        "CacheClusterStatus": "available", "NumCacheNodes": 1, "PreferredAvailabilityZone": "us-east-1a",
        "CacheClusterCreateTime": CREATED, "PreferredMaintenanceWindow": "sat:08:00-sat:09:00",
        "PendingModifiedValues": {}, "CacheSecurityGroups": [],
        "CacheParameterGroup": {"CacheParameterGroupName": "default.redis7", "ParameterApplyStatus": "in-sync",
                                "CacheNodeIdsToReboot": []},
        "CacheSubnetGroupName": "cache-private", "AutoMinorVersionUpgrade": True,
        "SecurityGroups": [{"SecurityGroupId": "sg-0cache111", "Status": "active"}],
        "SnapshotRetentionLimit": 0, "SnapshotWindow": "06:30-07:30", "AuthTokenEnabled": True,
        "AuthTokenLastModifiedDate": CREATED, "TransitEncryptionEnabled": True, "AtRestEncryptionEnabled": True,
        "ARN": EC_ARN + f"cluster:{cluster_id}", "ReplicationGroupLogDeliveryEnabled": False,
        "LogDeliveryConfigurations": [], "NetworkType": "ipv4", "IpDiscovery": "ipv4", **fields,
    }


DESCRIBE_CACHE_CLUSTERS = {"CacheClusters": [
    cache_cluster("carts-001", "redis", ReplicationGroupId="carts"),
    cache_cluster("carts-002", "redis", ReplicationGroupId="carts", PreferredAvailabilityZone="us-east-1b"),
    cache_cluster("sessions", "memcached", CacheNodeType="cache.t4g.small", NumCacheNodes=3, EngineVersion="1.6.22",
                  PreferredAvailabilityZone="Multiple", AuthTokenEnabled=False,
                  ConfigurationEndpoint={"Address": "sessions.abc123.cfg.use1.cache.amazonaws.com", "Port": 11211}),
]}
DESCRIBE_CACHE_SUBNET_GROUPS = {"CacheSubnetGroups": [{
    "CacheSubnetGroupName": "cache-private", "CacheSubnetGroupDescription": "private", "VpcId": "vpc-0a1b2c3d",
    "Subnets": [{"SubnetIdentifier": "subnet-0aaa1111", "SubnetAvailabilityZone": {"Name": "us-east-1a"},
                 "SupportedNetworkTypes": ["ipv4"]},
                {"SubnetIdentifier": "subnet-0bbb2222", "SubnetAvailabilityZone": {"Name": "us-east-1b"},
                 "SupportedNetworkTypes": ["ipv4"]}],
    "ARN": EC_ARN + "subnetgroup:cache-private", "SupportedNetworkTypes": ["ipv4"],
}]}
DESCRIBE_REPLICATION_GROUPS = {"ReplicationGroups": [{
    "ReplicationGroupId": "carts", "Description": HOSTILE,
    "GlobalReplicationGroupInfo": {}, "Status": "available", "PendingModifiedValues": {},
    "MemberClusters": ["carts-001", "carts-002"],
    "NodeGroups": [{"NodeGroupId": "0001", "Status": "available",
                    "PrimaryEndpoint": {"Address": "master.carts.abc123.use1.cache.amazonaws.com", "Port": 6379},
                    "ReaderEndpoint": {"Address": "replica.carts.abc123.use1.cache.amazonaws.com", "Port": 6379},
                    "NodeGroupMembers": [
                        {"CacheClusterId": "carts-001", "CacheNodeId": "0001",
                         "PreferredAvailabilityZone": "us-east-1a", "CurrentRole": "primary"},
                        {"CacheClusterId": "carts-002", "CacheNodeId": "0001",
                         "PreferredAvailabilityZone": "us-east-1b", "CurrentRole": "replica"}]}],
    "SnapshottingClusterId": "carts-002", "AutomaticFailover": "enabled", "MultiAZ": "enabled",
    "SnapshotRetentionLimit": 1, "SnapshotWindow": "06:30-07:30", "ClusterEnabled": False,
    "CacheNodeType": "cache.r6g.large", "AuthTokenEnabled": True, "TransitEncryptionEnabled": True,
    "AtRestEncryptionEnabled": True, "ARN": EC_ARN + "replicationgroup:carts", "LogDeliveryConfigurations": [],
    "ReplicationGroupCreateTime": CREATED, "DataTiering": "disabled", "AutoMinorVersionUpgrade": True,
    "NetworkType": "ipv4", "IpDiscovery": "ipv4", "ClusterMode": "disabled", "Engine": "redis",
}]}
DESCRIBE_SERVERLESS_CACHES = {"ServerlessCaches": [{
    "ServerlessCacheName": "catalog", "Description": "product catalog", "CreateTime": CREATED,
    "Status": "available", "Engine": "valkey", "MajorEngineVersion": "8", "FullEngineVersion": "8.0",
    "CacheUsageLimits": {"DataStorage": {"Maximum": 10, "Minimum": 1, "Unit": "GB"},
                         "ECPUPerSecond": {"Maximum": 5000, "Minimum": 1000}},
    "SecurityGroupIds": ["sg-0cache111"],
    "Endpoint": {"Address": "catalog-abc123.serverless.use1.cache.amazonaws.com", "Port": 6379},
    "ReaderEndpoint": {"Address": "catalog-abc123.serverless.use1.cache.amazonaws.com", "Port": 6380},
    "ARN": EC_ARN + "serverlesscache:catalog", "UserGroupId": "catalog-users",
    "SubnetIds": ["subnet-0aaa1111", "subnet-0bbb2222"], "SnapshotRetentionLimit": 1, "DailySnapshotTime": "04:00",
}]}


def test_transform_cache_clusters():
    raw = {"clusters": DESCRIBE_CACHE_CLUSTERS["CacheClusters"],
           "subnet_groups": DESCRIBE_CACHE_SUBNET_GROUPS["CacheSubnetGroups"]}
    items = by_arn(transform("elasticache.clusters", raw, SCOPE))
    check_items(CLUSTERS_UNIT, list(items.values()))
    node = EC_ARN + "cluster:carts-001"
    assert items[node] == Item(
        arn=node, type="AWS::ElastiCache::CacheCluster", name="carts-001", region="us-east-1",
        attributes={"engine": "redis", "engineVersion": "7.1.0", "cacheNodeType": "cache.r6g.large",
                    "numCacheNodes": 1, "status": "available", "preferredAvailabilityZone": "us-east-1a",
                    "replicationGroupId": "carts", "transitEncryptionEnabled": True, "atRestEncryptionEnabled": True,
                    "cacheClusterCreateTime": CREATED_ISO},
        edges=[Edge("contains", subnet_arn("subnet-0aaa1111"), node),
               Edge("contains", subnet_arn("subnet-0bbb2222"), node),
               Edge("secured_by", node, sg_arn("sg-0cache111")),
               Edge("member_of", node, EC_ARN + "replicationgroup:carts")])
    sessions = items[EC_ARN + "cluster:sessions"]
    assert (sessions.attributes["engine"], sessions.attributes["numCacheNodes"]) == ("memcached", 3)
    assert [edge.type for edge in sessions.edges] == ["contains", "contains", "secured_by"]
    assert "amazonaws.com" not in json.dumps([asdict(item) for item in items.values()])


def test_transform_replication_groups_and_serverless_caches():
    [group] = transform("elasticache.replication_groups", DESCRIBE_REPLICATION_GROUPS["ReplicationGroups"], SCOPE)
    check_items(GROUPS_UNIT, [group])
    assert group == Item(
        arn=EC_ARN + "replicationgroup:carts", type="AWS::ElastiCache::ReplicationGroup", name="carts",
        region="us-east-1",
        attributes={"engine": "redis", "cacheNodeType": "cache.r6g.large", "status": "available",
                    "clusterEnabled": False, "numNodeGroups": 1, "numCacheClusters": 2, "multiAz": "enabled",
                    "automaticFailover": "enabled", "dataTiering": "disabled", "transitEncryptionEnabled": True,
                    "atRestEncryptionEnabled": True, "replicationGroupCreateTime": CREATED_ISO})
    [cache] = transform("elasticache.serverless_caches", DESCRIBE_SERVERLESS_CACHES["ServerlessCaches"], SCOPE)
    check_items(SERVERLESS_UNIT, [cache])
    assert cache == Item(
        arn=EC_ARN + "serverlesscache:catalog", type="AWS::ElastiCache::ServerlessCache", name="catalog",
        region="us-east-1",
        attributes={"engine": "valkey", "majorEngineVersion": "8", "status": "available", "dataStorageMaximum": 10,
                    "dataStorageUnit": "GB", "ecpuPerSecondMaximum": 5000, "createTime": CREATED_ISO},
        edges=[Edge("contains", subnet_arn("subnet-0aaa1111"), cache.arn),
               Edge("contains", subnet_arn("subnet-0bbb2222"), cache.arn),
               Edge("secured_by", cache.arn, sg_arn("sg-0cache111"))])


def test_elasticache_against_moto(aws, vpc):
    # moto does not implement DescribeServerlessCaches (transform tested above only), and does not
    # list a replication group's nodes as cache clusters (member_of is tested above only).
    client = aws.client("elasticache")
    client.create_cache_subnet_group(CacheSubnetGroupName="cache-private", CacheSubnetGroupDescription="private",
                                     SubnetIds=vpc.subnets)
    client.create_cache_cluster(CacheClusterId="sessions", Engine="memcached", CacheNodeType="cache.t4g.small",
                                NumCacheNodes=3, CacheSubnetGroupName="cache-private", SecurityGroupIds=[vpc.group])
    client.create_replication_group(ReplicationGroupId="carts", ReplicationGroupDescription=HOSTILE, Engine="redis",
                                    CacheNodeType="cache.r6g.large", NumCacheClusters=2,
                                    CacheSubnetGroupName="cache-private", SecurityGroupIds=[vpc.group])
    clusters, _ = run(CLUSTERS_UNIT, client)
    sessions = clusters[EC_ARN + "cluster:sessions"]
    assert (sessions.type, sessions.name, sessions.attributes["cacheNodeType"], sessions.attributes["numCacheNodes"]) \
        == ("AWS::ElastiCache::CacheCluster", "sessions", "cache.t4g.small", 3)
    assert sorted(edge.source for edge in sessions.edges if edge.type == "contains") == sorted(
        subnet_arn(subnet) for subnet in vpc.subnets)
    groups, _ = run(GROUPS_UNIT, client)
    group = groups[EC_ARN + "replicationgroup:carts"]
    assert (group.type, group.name, group.attributes["engine"], group.attributes["cacheNodeType"]) == (
        "AWS::ElastiCache::ReplicationGroup", "carts", "redis", "cache.r6g.large")


def test_cache_clusters_skip_subnet_groups_in_an_empty_region(aws):
    items, actions = run_unit(CLUSTERS_UNIT, aws.client("elasticache"), SCOPE)
    assert (items, actions) == ([], ["elasticache:DescribeCacheClusters"])


# --- OpenSearch --------------------------------------------------------------------------------

DOMAINS_UNIT = opensearch.UNITS[0]
DOMAIN_ARN = "arn:aws:es:us-east-1:123456789012:domain/"


def domain_status(name: str, **fields) -> dict:
    return {
        "DomainId": f"123456789012/{name}", "DomainName": name, "ARN": DOMAIN_ARN + name, "Created": True,
        "Deleted": False, "Endpoints": {"vpc": f"vpc-{name}-abc123.us-east-1.es.amazonaws.com"},
        "Processing": False, "UpgradeProcessing": False, "EngineVersion": "OpenSearch_2.11",
        "ClusterConfig": {"InstanceType": "r6g.large.search", "InstanceCount": 3, "DedicatedMasterEnabled": True,
                          "ZoneAwarenessEnabled": True, "ZoneAwarenessConfig": {"AvailabilityZoneCount": 3},
                          "DedicatedMasterType": "m6g.large.search", "DedicatedMasterCount": 3,
                          "WarmEnabled": False, "ColdStorageOptions": {"Enabled": False},
                          "MultiAZWithStandbyEnabled": False},
        "EBSOptions": {"EBSEnabled": True, "VolumeType": "gp3", "VolumeSize": 200, "Iops": 3000, "Throughput": 125},
        "AccessPolicies": '{"Version":"2012-10-17","Statement":[]}',
        "VPCOptions": {"VPCId": "vpc-0a1b2c3d", "SubnetIds": ["subnet-0aaa1111", "subnet-0bbb2222"],
                       "AvailabilityZones": ["us-east-1a", "us-east-1b"], "SecurityGroupIds": ["sg-0search11"]},
        "EncryptionAtRestOptions": {"Enabled": True},
        "AdvancedSecurityOptions": {"Enabled": True, "InternalUserDatabaseEnabled": True},
        "DomainProcessingStatus": "Active", **fields,
    }


def test_transform_domains():
    logs = domain_status("logs")
    legacy = domain_status("legacy-search", EngineVersion="Elasticsearch_7.10", VPCOptions={},
                           ClusterConfig={"InstanceType": "i3.xlarge.elasticsearch", "InstanceCount": 2,
                                          "DedicatedMasterEnabled": False, "ZoneAwarenessEnabled": False,
                                          "WarmEnabled": True, "WarmType": "ultrawarm1.medium.search", "WarmCount": 2},
                           EBSOptions={"EBSEnabled": False})
    items = by_arn(transform("opensearch.domains", [logs, legacy], SCOPE))
    check_items(DOMAINS_UNIT, list(items.values()))
    assert items[DOMAIN_ARN + "logs"] == Item(
        arn=DOMAIN_ARN + "logs", type="AWS::OpenSearchService::Domain", name="logs", region="us-east-1",
        attributes={"engineVersion": "OpenSearch_2.11", "status": "Active", "instanceType": "r6g.large.search",
                    "instanceCount": 3, "dedicatedMasterType": "m6g.large.search", "dedicatedMasterCount": 3,
                    "zoneAwarenessEnabled": True, "multiAZWithStandbyEnabled": False, "volumeType": "gp3",
                    "volumeSize": 200, "iops": 3000, "throughput": 125, "vpcId": "vpc-0a1b2c3d",
                    "availabilityZones": ["us-east-1a", "us-east-1b"]},
        edges=[Edge("contains", subnet_arn("subnet-0aaa1111"), DOMAIN_ARN + "logs"),
               Edge("contains", subnet_arn("subnet-0bbb2222"), DOMAIN_ARN + "logs"),
               Edge("secured_by", DOMAIN_ARN + "logs", sg_arn("sg-0search11"))])
    # A public domain on instance storage with UltraWarm nodes: no EBS, no placement.
    assert items[DOMAIN_ARN + "legacy-search"].attributes == {
        "engineVersion": "Elasticsearch_7.10", "status": "Active", "instanceType": "i3.xlarge.elasticsearch",
        "instanceCount": 2, "warmType": "ultrawarm1.medium.search", "warmCount": 2, "zoneAwarenessEnabled": False}
    assert items[DOMAIN_ARN + "legacy-search"].edges == []


def test_opensearch_against_moto_in_batches_of_five(aws, vpc):
    client = aws.client("opensearch")
    names = [f"logs-{n}" for n in range(7)]
    for name in names:
        client.create_domain(DomainName=name, EngineVersion="OpenSearch_2.11",
                             ClusterConfig={"InstanceType": "r6g.large.search", "InstanceCount": 2},
                             EBSOptions={"EBSEnabled": True, "VolumeType": "gp3", "VolumeSize": 100},
                             VPCOptions={"SubnetIds": vpc.subnets, "SecurityGroupIds": [vpc.group]})
    domains, actions = run(DOMAINS_UNIT, client)
    assert actions == ["es:ListDomainNames", "es:DescribeDomains", "es:DescribeDomains"]  # 7 domains: 5 + 2
    assert sorted(domains) == sorted(DOMAIN_ARN + name for name in names)
    domain = domains[DOMAIN_ARN + "logs-0"]
    assert {k: domain.attributes[k] for k in ("instanceType", "instanceCount", "volumeType", "volumeSize")} == {
        "instanceType": "r6g.large.search", "instanceCount": 2, "volumeType": "gp3", "volumeSize": 100}
    assert sorted(domain.edges) == sorted([Edge("contains", subnet_arn(s), domain.arn) for s in vpc.subnets]
                                          + [Edge("secured_by", domain.arn, sg_arn(vpc.group))])


# --- Redshift ----------------------------------------------------------------------------------

REDSHIFT_UNIT = redshift.UNITS[0]
REDSHIFT_ARN = "arn:aws:redshift:us-east-1:123456789012:cluster:"
DESCRIBE_CLUSTERS = {"Clusters": [{
    "ClusterIdentifier": "warehouse", "NodeType": "ra3.4xlarge", "ClusterStatus": "available",
    "ClusterAvailabilityStatus": "Available", "MasterUsername": "awsuser", "DBName": "dev",
    "Endpoint": {"Address": "warehouse.abc123.us-east-1.redshift.amazonaws.com", "Port": 5439},
    "ClusterCreateTime": CREATED, "AutomatedSnapshotRetentionPeriod": 1, "ManualSnapshotRetentionPeriod": -1,
    "ClusterSecurityGroups": [], "VpcSecurityGroups": [{"VpcSecurityGroupId": "sg-0dw111111", "Status": "active"}],
    "ClusterParameterGroups": [{"ParameterGroupName": "default.redshift-1.0", "ParameterApplyStatus": "in-sync"}],
    "ClusterSubnetGroupName": "dw-private", "VpcId": "vpc-0a1b2c3d", "AvailabilityZone": "us-east-1a",
    "PreferredMaintenanceWindow": "sat:10:00-sat:10:30", "PendingModifiedValues": {}, "ClusterVersion": "1.0",
    "AllowVersionUpgrade": True, "NumberOfNodes": 4, "PubliclyAccessible": False, "Encrypted": True,
    "ClusterPublicKey": "ssh-rsa AAAAB3NzaC1yc2E Amazon-Redshift",
    "ClusterNodes": [{"NodeRole": "LEADER", "PrivateIPAddress": "10.0.1.10", "PublicIPAddress": ""}],
    "ClusterRevisionNumber": "58000", "Tags": [{"Key": "team", "Value": HOSTILE}], "EnhancedVpcRouting": False,
    "IamRoles": [], "MaintenanceTrackName": "current", "TotalStorageCapacityInMegaBytes": 134217728,
    "MasterPasswordSecretArn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:redshift!warehouse-AbCd",
    "MultiAZ": "Disabled",
}]}
DESCRIBE_CLUSTER_SUBNET_GROUPS = {"ClusterSubnetGroups": [{
    "ClusterSubnetGroupName": "dw-private", "Description": "private", "VpcId": "vpc-0a1b2c3d",
    "SubnetGroupStatus": "Complete",
    "Subnets": [{"SubnetIdentifier": "subnet-0aaa1111", "SubnetAvailabilityZone": {"Name": "us-east-1a"},
                 "SubnetStatus": "Active"},
                {"SubnetIdentifier": "subnet-0bbb2222", "SubnetAvailabilityZone": {"Name": "us-east-1b"},
                 "SubnetStatus": "Active"}],
    "Tags": [],
}]}


def test_transform_redshift_clusters():
    raw = {"clusters": DESCRIBE_CLUSTERS["Clusters"],
           "subnet_groups": DESCRIBE_CLUSTER_SUBNET_GROUPS["ClusterSubnetGroups"]}
    [cluster] = transform("redshift.clusters", raw, SCOPE)
    check_items(REDSHIFT_UNIT, [cluster])
    assert cluster == Item(
        arn=REDSHIFT_ARN + "warehouse", type="AWS::Redshift::Cluster", name="warehouse", region="us-east-1",
        tags={"team": HOSTILE},
        attributes={"nodeType": "ra3.4xlarge", "numberOfNodes": 4, "status": "available", "clusterVersion": "1.0",
                    "availabilityZone": "us-east-1a", "multiAz": "Disabled",
                    "totalStorageCapacityInMegaBytes": 134217728, "vpcId": "vpc-0a1b2c3d",
                    "publiclyAccessible": False, "encrypted": True, "clusterCreateTime": CREATED_ISO},
        edges=[Edge("contains", subnet_arn("subnet-0aaa1111"), REDSHIFT_ARN + "warehouse"),
               Edge("contains", subnet_arn("subnet-0bbb2222"), REDSHIFT_ARN + "warehouse"),
               Edge("secured_by", REDSHIFT_ARN + "warehouse", sg_arn("sg-0dw111111"))])
    assert "awsuser" not in json.dumps(asdict(cluster)) and "secret" not in json.dumps(asdict(cluster))


def test_redshift_against_moto(aws, vpc):
    client = aws.client("redshift")
    client.create_cluster_subnet_group(ClusterSubnetGroupName="dw-private", Description="private",
                                       SubnetIds=vpc.subnets)
    client.create_cluster(ClusterIdentifier="warehouse", ClusterType="multi-node", NodeType="ra3.4xlarge",
                          NumberOfNodes=4, MasterUsername="awsuser", MasterUserPassword="NotStored1",
                          ClusterSubnetGroupName="dw-private", VpcSecurityGroupIds=[vpc.group],
                          Tags=[{"Key": "team", "Value": HOSTILE}])
    cluster = run(REDSHIFT_UNIT, client)[0][REDSHIFT_ARN + "warehouse"]
    assert (cluster.type, cluster.name, cluster.tags) == ("AWS::Redshift::Cluster", "warehouse", {"team": HOSTILE})
    assert (cluster.attributes["nodeType"], cluster.attributes["numberOfNodes"]) == ("ra3.4xlarge", 4)
    assert sorted(cluster.edges) == sorted([Edge("contains", subnet_arn(s), cluster.arn) for s in vpc.subnets]
                                           + [Edge("secured_by", cluster.arn, sg_arn(vpc.group))])
    assert "NotStored1" not in json.dumps(asdict(cluster))


def test_redshift_skips_subnet_groups_in_an_empty_region(aws):
    items, actions = run_unit(REDSHIFT_UNIT, aws.client("redshift"), SCOPE)
    assert (items, actions) == ([], ["redshift:DescribeClusters"])


# --- DynamoDB ----------------------------------------------------------------------------------

TABLES_UNIT = dynamodb.UNITS[0]
TABLE_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/"
STREAM_ARN = TABLE_ARN + "orders/stream/2024-03-05T14:22:07.312"


def describe_table(name: str, **fields) -> dict:
    return {
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}], "TableName": name,
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}], "TableStatus": "ACTIVE",
        "CreationDateTime": CREATED,
        "ProvisionedThroughput": {"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 0, "WriteCapacityUnits": 0},
        "TableSizeBytes": 52428800, "ItemCount": 120000, "TableArn": TABLE_ARN + name,
        "TableId": "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111", "DeletionProtectionEnabled": False, **fields,
    }


def test_transform_tables():
    orders = describe_table(
        "orders", BillingModeSummary={"BillingMode": "PAY_PER_REQUEST", "LastUpdateToPayPerRequestDateTime": CREATED},
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        LatestStreamLabel="2024-03-05T14:22:07.312", LatestStreamArn=STREAM_ARN,
        Replicas=[{"RegionName": "eu-west-1", "ReplicaStatus": "ACTIVE"}], GlobalTableVersion="2019.11.21")
    # Made before on-demand existed: no BillingModeSummary. Its stream was turned off (the ARN stays).
    legacy = describe_table(
        "legacy",
        ProvisionedThroughput={"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 25, "WriteCapacityUnits": 10},
        LatestStreamArn=TABLE_ARN + "legacy/stream/2020-01-01T00:00:00.000",
        TableClassSummary={"TableClass": "STANDARD_INFREQUENT_ACCESS"},
        GlobalSecondaryIndexes=[
            {"IndexName": "by-user", "IndexStatus": "ACTIVE", "IndexSizeBytes": 1024, "ItemCount": 10,
             "ProvisionedThroughput": {"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
             "IndexArn": TABLE_ARN + "legacy/index/by-user"},
            {"IndexName": "by-date", "IndexStatus": "ACTIVE",
             "ProvisionedThroughput": {"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 3, "WriteCapacityUnits": 1},
             "IndexArn": TABLE_ARN + "legacy/index/by-date"}])
    items = by_arn(transform("dynamodb.tables", [orders, legacy], SCOPE))
    check_items(TABLES_UNIT, list(items.values()))
    assert items[TABLE_ARN + "orders"] == Item(
        arn=TABLE_ARN + "orders", type="AWS::DynamoDB::Table", name="orders", region="us-east-1",
        attributes={"status": "ACTIVE", "billingMode": "PAY_PER_REQUEST", "readCapacityUnits": 0,
                    "writeCapacityUnits": 0, "globalSecondaryIndexCount": 0, "gsiReadCapacityUnits": 0,
                    "gsiWriteCapacityUnits": 0, "tableSizeBytes": 52428800, "itemCount": 120000,
                    "tableClass": "STANDARD", "latestStreamArn": STREAM_ARN, "streamViewType": "NEW_AND_OLD_IMAGES",
                    "replicaRegions": ["eu-west-1"], "creationDateTime": CREATED_ISO})
    # Provisioned capacity of the table and of its indexes; the turned-off stream is not kept.
    assert items[TABLE_ARN + "legacy"].attributes == {
        "status": "ACTIVE", "billingMode": "PROVISIONED", "readCapacityUnits": 25, "writeCapacityUnits": 10,
        "globalSecondaryIndexCount": 2, "gsiReadCapacityUnits": 8, "gsiWriteCapacityUnits": 6,
        "tableSizeBytes": 52428800, "itemCount": 120000, "tableClass": "STANDARD_INFREQUENT_ACCESS",
        "creationDateTime": CREATED_ISO}


def test_dynamodb_against_moto(aws):
    client = aws.client("dynamodb")
    key = {"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
           "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}
    client.create_table(TableName="orders", BillingMode="PAY_PER_REQUEST",
                        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}, **key)
    client.create_table(TableName="legacy", ProvisionedThroughput={"ReadCapacityUnits": 25, "WriteCapacityUnits": 10},
                        **key)
    tables, actions = run(TABLES_UNIT, client)
    assert actions == ["dynamodb:ListTables", "dynamodb:DescribeTable", "dynamodb:DescribeTable"]
    orders, legacy = tables[TABLE_ARN + "orders"], tables[TABLE_ARN + "legacy"]
    assert (orders.type, orders.name, orders.attributes["billingMode"]) == (
        "AWS::DynamoDB::Table", "orders", "PAY_PER_REQUEST")
    stream = client.describe_table(TableName="orders")["Table"]["LatestStreamArn"]
    assert orders.attributes["latestStreamArn"] == stream
    assert (legacy.attributes["billingMode"], legacy.attributes["readCapacityUnits"],
            legacy.attributes["writeCapacityUnits"]) == ("PROVISIONED", 25, 10)


def test_dynamodb_leaves_out_a_table_deleted_after_listing(aws):
    client = aws.client("dynamodb")
    client.create_table(TableName="orders", BillingMode="PAY_PER_REQUEST",
                        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    real_describe = client.describe_table

    def describe_after_delete(**kwargs):
        client.delete_table(**kwargs)
        return real_describe(**kwargs)

    client.describe_table = describe_after_delete
    assert dynamodb.get_tables(Context(client, SCOPE)) == []


# --- Keyspaces (moto does not implement Amazon Keyspaces: transform only) ----------------------

KEYSPACES_UNIT = keyspaces.UNITS[0]
KS_ARN = "arn:aws:cassandra:us-east-1:123456789012:/keyspace/"


def test_transform_keyspaces():
    raw = {
        "keyspaces": [{"keyspaceName": "shop", "resourceArn": KS_ARN + "shop/", "replicationStrategy": "SINGLE_REGION"},
                      {"keyspaceName": "global_ks", "resourceArn": KS_ARN + "global_ks/",
                       "replicationStrategy": "MULTI_REGION", "replicationRegions": ["us-east-1", "eu-west-1"]}],
        "tables": [{"keyspaceName": "shop", "tableName": "orders", "resourceArn": KS_ARN + "shop/table/orders"}],
    }
    items = by_arn(transform("keyspaces.keyspaces", raw, SCOPE))
    check_items(KEYSPACES_UNIT, list(items.values()))
    assert items == {
        KS_ARN + "shop/": Item(arn=KS_ARN + "shop/", type="AWS::Cassandra::Keyspace", name="shop", region="us-east-1",
                               attributes={"replicationStrategy": "SINGLE_REGION"}),
        KS_ARN + "global_ks/": Item(arn=KS_ARN + "global_ks/", type="AWS::Cassandra::Keyspace", name="global_ks",
                                    region="us-east-1",
                                    attributes={"replicationStrategy": "MULTI_REGION",
                                                "replicationRegions": ["us-east-1", "eu-west-1"]}),
        KS_ARN + "shop/table/orders": Item(
            arn=KS_ARN + "shop/table/orders", type="AWS::Cassandra::Table", name="orders", region="us-east-1",
            attributes={"keyspaceName": "shop"},
            edges=[Edge("contains", KS_ARN + "shop/", KS_ARN + "shop/table/orders")]),
    }


class FakeKeyspaces:
    """Stands in for the keyspaces client (moto has none): answers one page per call and records
    the calls, so the test sees which keyspaces get a ListTables."""
    def __init__(self):
        self.calls = []

    def can_paginate(self, operation):
        return False  # one page each: enough to test which calls are made

    def list_keyspaces(self, **params):
        self.calls.append(("list_keyspaces", params))
        return {"keyspaces": [{"keyspaceName": name, "resourceArn": KS_ARN + name + "/"}
                              for name in ("system", "system_schema", "system_schema_mcs", "shop")]}

    def list_tables(self, **params):
        self.calls.append(("list_tables", params))
        return {"tables": [{"keyspaceName": "shop", "tableName": "orders",
                            "resourceArn": KS_ARN + "shop/table/orders"}]}


def test_keyspaces_get_lists_tables_of_customer_keyspaces_only():
    client = FakeKeyspaces()
    raw = keyspaces.get_keyspaces(Context(client, SCOPE))
    assert [keyspace["keyspaceName"] for keyspace in raw["keyspaces"]] == ["shop"]
    assert client.calls == [("list_keyspaces", {}), ("list_tables", {"keyspaceName": "shop"})]


# --- Timestream --------------------------------------------------------------------------------

TIMESTREAM_UNIT = timestream.UNITS[0]
TS_ARN = "arn:aws:timestream:us-east-1:123456789012:database/"


def test_transform_timestream():
    raw = {
        "databases": [{"Arn": TS_ARN + "metrics", "DatabaseName": "metrics", "TableCount": 1,
                       "KmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/abcd", "CreationTime": CREATED,
                       "LastUpdatedTime": CREATED}],
        "tables": [{"Arn": TS_ARN + "metrics/table/cpu", "TableName": "cpu", "DatabaseName": "metrics",
                    "TableStatus": "ACTIVE",
                    "RetentionProperties": {"MemoryStoreRetentionPeriodInHours": 24,
                                            "MagneticStoreRetentionPeriodInDays": 365},
                    "CreationTime": CREATED, "LastUpdatedTime": CREATED,
                    "MagneticStoreWriteProperties": {"EnableMagneticStoreWrites": False}}],
    }
    items = by_arn(transform("timestream.databases", raw, SCOPE))
    check_items(TIMESTREAM_UNIT, list(items.values()))
    assert items == {
        TS_ARN + "metrics": Item(arn=TS_ARN + "metrics", type="AWS::Timestream::Database", name="metrics",
                                 region="us-east-1", attributes={"tableCount": 1, "creationTime": CREATED_ISO}),
        TS_ARN + "metrics/table/cpu": Item(
            arn=TS_ARN + "metrics/table/cpu", type="AWS::Timestream::Table", name="cpu", region="us-east-1",
            attributes={"databaseName": "metrics", "status": "ACTIVE", "memoryStoreRetentionPeriodInHours": 24,
                        "magneticStoreRetentionPeriodInDays": 365, "creationTime": CREATED_ISO},
            edges=[Edge("contains", TS_ARN + "metrics", TS_ARN + "metrics/table/cpu")]),
    }


def test_timestream_against_moto(aws):
    client = aws.client("timestream-write")
    for n in range(3):
        client.create_database(DatabaseName=f"metrics-{n:02}")
    client.create_table(DatabaseName="metrics-00", TableName="cpu",
                        RetentionProperties={"MemoryStoreRetentionPeriodInHours": 24,
                                             "MagneticStoreRetentionPeriodInDays": 365})
    client.create_table(DatabaseName="metrics-01", TableName="disk")
    items, _ = run(TIMESTREAM_UNIT, client)
    assert sorted(arn for arn, item in items.items() if item.type == "AWS::Timestream::Database") == sorted(
        TS_ARN + f"metrics-{n:02}" for n in range(3))
    cpu = items[TS_ARN + "metrics-00/table/cpu"]
    assert (cpu.type, cpu.name, cpu.attributes["memoryStoreRetentionPeriodInHours"]) == (
        "AWS::Timestream::Table", "cpu", 24)
    assert cpu.edges == [Edge("contains", TS_ARN + "metrics-00", cpu.arn)]
    assert items[TS_ARN + "metrics-01/table/disk"].edges == [
        Edge("contains", TS_ARN + "metrics-01", TS_ARN + "metrics-01/table/disk")]


class PagingTimestream:
    """Pages its answers by NextToken with at most MaxResults each, as Timestream does (moto
    answers everything at once), and records the calls."""
    def __init__(self, databases: int):
        self.databases = [{"Arn": TS_ARN + f"db{n}", "DatabaseName": f"db{n}"} for n in range(databases)]
        self.calls = []

    def can_paginate(self, operation):
        return False  # as botocore: it has no paginator for Timestream's listings

    def list_databases(self, MaxResults, NextToken=None):
        self.calls.append(("list_databases", MaxResults, NextToken))
        start = int(NextToken or 0)
        end = start + MaxResults
        more = {"NextToken": str(end)} if end < len(self.databases) else {}
        return {"Databases": self.databases[start:end], **more}

    def list_tables(self, MaxResults, NextToken=None):
        self.calls.append(("list_tables", MaxResults, NextToken))
        return {"Tables": []}


def test_timestream_get_follows_next_token():
    client = PagingTimestream(databases=45)
    raw = timestream.get_timestream(Context(client, SCOPE))
    assert [database["DatabaseName"] for database in raw["databases"]] == [f"db{n}" for n in range(45)]
    assert client.calls == [("list_databases", 20, None), ("list_databases", 20, "20"), ("list_databases", 20, "40"),
                            ("list_tables", 20, None)]
