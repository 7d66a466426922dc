"""RDS DB instances and DB clusters of every engine, with DocumentDB and Neptune among them.

DocumentDB and Neptune are managed through the RDS API: one DescribeDBInstances and one
DescribeDBClusters sweep return every engine's databases, and the engine ("docdb", "neptune")
decides the CloudFormation type. Aurora keeps storage on the cluster (instances report 1 GiB of
"aurora" storage); Multi-AZ DB clusters (non-Aurora) carry an instance class and storage of their
own.
"""
from __future__ import annotations

from services.collector.discovery import Context, Unit
from services.collector.discovery._shared import attributes, placement
from services.collector.model import Edge, Item, Scope, iso, tags_of

# Engines whose databases CloudFormation types under another namespace than AWS::RDS.
NAMESPACE = {"docdb": "AWS::DocDB", "neptune": "AWS::Neptune"}
INSTANCE_TYPES = ("AWS::RDS::DBInstance", "AWS::DocDB::DBInstance", "AWS::Neptune::DBInstance")
CLUSTER_TYPES = ("AWS::RDS::DBCluster", "AWS::DocDB::DBCluster", "AWS::Neptune::DBCluster")
PAGE = 100  # MaxRecords: 20 to 100


def cfn_type(engine: str, kind: str) -> str:
    return f"{NAMESPACE.get(engine, 'AWS::RDS')}::{kind}"


def instance_arn(scope: Scope, identifier: str) -> str:
    """A replica's source is an identifier in the same region, or an ARN when it is elsewhere."""
    return identifier if identifier.startswith("arn:") else scope.arn("rds", f"db:{identifier}")


def cluster_arn(scope: Scope, identifier: str) -> str:
    return identifier if identifier.startswith("arn:") else scope.arn("rds", f"cluster:{identifier}")


def get_instances(ctx: Context) -> list[dict]:
    return ctx.paginate("describe_db_instances", "DBInstances", page_size=PAGE)


def transform_instances(instances: list[dict], scope: Scope) -> list[Item]:
    items = []
    for db in instances:
        arn = db["DBInstanceArn"]
        subnet_group = db.get("DBSubnetGroup") or {}
        # Keep it simple: every subnet of the instance's subnet group contains it.
        edges = placement(scope, arn, [subnet["SubnetIdentifier"] for subnet in subnet_group.get("Subnets", [])],
                          [group["VpcSecurityGroupId"] for group in db.get("VpcSecurityGroups", [])])
        if db.get("ReadReplicaSourceDBInstanceIdentifier"):
            edges.append(Edge("replica_of", arn, instance_arn(scope, db["ReadReplicaSourceDBInstanceIdentifier"])))
        if db.get("ReadReplicaSourceDBClusterIdentifier"):
            edges.append(Edge("replica_of", arn, cluster_arn(scope, db["ReadReplicaSourceDBClusterIdentifier"])))
        if db.get("DBClusterIdentifier"):
            edges.append(Edge("member_of", arn, cluster_arn(scope, db["DBClusterIdentifier"])))
        items.append(Item(
            arn=arn, type=cfn_type(db["Engine"], "DBInstance"), name=db["DBInstanceIdentifier"],
            region=scope.region, tags=tags_of(db.get("TagList")),
            attributes=attributes(
                engine=db["Engine"], engineVersion=db.get("EngineVersion"),
                instanceClass=db.get("DBInstanceClass"), multiAz=db.get("MultiAZ"),
                storageType=db.get("StorageType"), allocatedStorage=db.get("AllocatedStorage"),
                iops=db.get("Iops"), storageThroughput=db.get("StorageThroughput"),
                licenseModel=db.get("LicenseModel"), status=db.get("DBInstanceStatus"),
                availabilityZone=db.get("AvailabilityZone"),
                secondaryAvailabilityZone=db.get("SecondaryAvailabilityZone"),
                vpcId=subnet_group.get("VpcId"), dbClusterIdentifier=db.get("DBClusterIdentifier"),
                publiclyAccessible=db.get("PubliclyAccessible"), storageEncrypted=db.get("StorageEncrypted"),
                instanceCreateTime=iso(db.get("InstanceCreateTime"))),
            edges=edges))
    return items


def get_clusters(ctx: Context) -> list[dict]:
    return ctx.paginate("describe_db_clusters", "DBClusters", page_size=PAGE)


def transform_clusters(clusters: list[dict], scope: Scope) -> list[Item]:
    items = []
    for cluster in clusters:
        arn = cluster["DBClusterArn"]
        # The cluster names its subnet group but not its subnets: its instances are placed instead.
        edges = placement(scope, arn, security_group_ids=[group["VpcSecurityGroupId"]
                                                          for group in cluster.get("VpcSecurityGroups", [])])
        if cluster.get("ReplicationSourceIdentifier"):
            edges.append(Edge("replica_of", arn, cluster_arn(scope, cluster["ReplicationSourceIdentifier"])))
        scaling = cluster.get("ServerlessV2ScalingConfiguration") or {}
        writers = [member["DBInstanceIdentifier"] for member in cluster.get("DBClusterMembers", [])
                   if member.get("IsClusterWriter")]
        items.append(Item(
            arn=arn, type=cfn_type(cluster["Engine"], "DBCluster"), name=cluster["DBClusterIdentifier"],
            region=scope.region, tags=tags_of(cluster.get("TagList")),
            attributes=attributes(
                engine=cluster["Engine"], engineVersion=cluster.get("EngineVersion"),
                engineMode=cluster.get("EngineMode"), status=cluster.get("Status"),
                multiAz=cluster.get("MultiAZ"), instanceClass=cluster.get("DBClusterInstanceClass"),
                storageType=cluster.get("StorageType"), allocatedStorage=cluster.get("AllocatedStorage"),
                iops=cluster.get("Iops"), storageThroughput=cluster.get("StorageThroughput"),
                serverlessV2MinCapacity=scaling.get("MinCapacity"),
                serverlessV2MaxCapacity=scaling.get("MaxCapacity"),
                capacity=cluster.get("Capacity"),  # Aurora Serverless v1's current ACUs
                availabilityZones=cluster.get("AvailabilityZones"),
                memberCount=len(cluster.get("DBClusterMembers", [])), writer=writers[0] if writers else None,
                storageEncrypted=cluster.get("StorageEncrypted"),
                clusterCreateTime=iso(cluster.get("ClusterCreateTime"))),
            edges=edges))
    return items


UNITS = [
    Unit("rds.instances", "rds", INSTANCE_TYPES, get_instances, transform_instances),
    Unit("rds.clusters", "rds", CLUSTER_TYPES, get_clusters, transform_clusters),
]
