"""RDS DB instances and DB clusters of every engine, with DocumentDB and Neptune among them.

DocumentDB and Neptune are managed through the RDS API: one DescribeDBInstances and one
DescribeDBClusters sweep return every engine's databases, and the engine ("docdb", "neptune")
decides the CloudFormation type: one spec describes the instances of all three types, another the
clusters. Aurora keeps storage on the cluster (instances report 1 GiB of "aurora" storage);
Multi-AZ DB clusters (non-Aurora) carry an instance class and storage of their own.
"""
from __future__ import annotations

from dataclasses import replace

from services.collector.discovery._spec import (
    Link,
    Spec,
    arn_or_id,
    count,
    each,
    listing,
    named,
    placed,
    tags_at,
    timestamp,
    unit,
)

# Engines whose databases CloudFormation types under another namespace than AWS::RDS.
NAMESPACE = {"docdb": "AWS::DocDB", "neptune": "AWS::Neptune"}
INSTANCE_TYPES = ("AWS::RDS::DBInstance", "AWS::DocDB::DBInstance", "AWS::Neptune::DBInstance")
CLUSTER_TYPES = ("AWS::RDS::DBCluster", "AWS::DocDB::DBCluster", "AWS::Neptune::DBCluster")
PAGE = 100  # MaxRecords: 20 to 100


def cfn_type(engine: str, kind: str) -> str:
    return f"{NAMESPACE.get(engine, 'AWS::RDS')}::{kind}"


def for_engines(spec: Spec, types: tuple[str, ...], kind: str) -> list[Spec]:
    """`spec` once per type, each describing the databases whose engine has that type."""
    return [replace(spec, type=cfn, where=lambda db, scope, cfn=cfn: cfn_type(db["Engine"], kind) == cfn)
            for cfn in types]


# A replica's source is an identifier in the same region, or an ARN when it is elsewhere.
def instance_arn(path: str):
    return arn_or_id(path, "rds", "db:{}")


def cluster_arn(path: str):
    return arn_or_id(path, "rds", "cluster:{}")


DB_INSTANCE = Spec(
    "AWS::RDS::DBInstance", arn="DBInstanceArn", name="DBInstanceIdentifier", tags=tags_at("TagList"),
    attributes={
        "engine": "Engine", "engineVersion": "EngineVersion",
        "instanceClass": "DBInstanceClass", "multiAz": "MultiAZ",
        **named("StorageType", "AllocatedStorage", "Iops", "StorageThroughput"),
        "licenseModel": "LicenseModel", "status": "DBInstanceStatus",
        "availabilityZone": "AvailabilityZone",
        "secondaryAvailabilityZone": "SecondaryAvailabilityZone",
        "vpcId": "DBSubnetGroup.VpcId", "dbClusterIdentifier": "DBClusterIdentifier",
        "publiclyAccessible": "PubliclyAccessible", "storageEncrypted": "StorageEncrypted",
        "instanceCreateTime": timestamp("InstanceCreateTime"),
    },
    # Keep it simple: every subnet of the instance's subnet group contains it.
    edges=(*placed(each("DBSubnetGroup.Subnets", "SubnetIdentifier"), each("VpcSecurityGroups", "VpcSecurityGroupId")),
           Link("replica_of", instance_arn("ReadReplicaSourceDBInstanceIdentifier")),
           Link("replica_of", cluster_arn("ReadReplicaSourceDBClusterIdentifier")),
           Link("member_of", cluster_arn("DBClusterIdentifier"))))


def writer(cluster: dict, scope) -> str | None:
    writers = [member["DBInstanceIdentifier"] for member in cluster.get("DBClusterMembers", [])
               if member.get("IsClusterWriter")]
    return writers[0] if writers else None


DB_CLUSTER = Spec(
    "AWS::RDS::DBCluster", arn="DBClusterArn", name="DBClusterIdentifier", tags=tags_at("TagList"),
    attributes={
        **named("Engine", "EngineVersion", "EngineMode", "Status"),
        "multiAz": "MultiAZ", "instanceClass": "DBClusterInstanceClass",
        **named("StorageType", "AllocatedStorage", "Iops", "StorageThroughput"),
        "serverlessV2MinCapacity": "ServerlessV2ScalingConfiguration.MinCapacity",
        "serverlessV2MaxCapacity": "ServerlessV2ScalingConfiguration.MaxCapacity",
        "capacity": "Capacity",  # Aurora Serverless v1's current ACUs
        "availabilityZones": "AvailabilityZones",
        "memberCount": count("DBClusterMembers"), "writer": writer,
        "storageEncrypted": "StorageEncrypted",
        "clusterCreateTime": timestamp("ClusterCreateTime"),
    },
    # The cluster names its subnet group but not its subnets: its instances are placed instead.
    edges=(*placed(security_groups=each("VpcSecurityGroups", "VpcSecurityGroupId")),
           Link("replica_of", cluster_arn("ReplicationSourceIdentifier"))))

UNITS = [
    unit("rds.instances", "rds", listing("describe_db_instances", "DBInstances", page_size=PAGE),
         *for_engines(DB_INSTANCE, INSTANCE_TYPES, "DBInstance")),
    unit("rds.clusters", "rds", listing("describe_db_clusters", "DBClusters", page_size=PAGE),
         *for_engines(DB_CLUSTER, CLUSTER_TYPES, "DBCluster")),
]
