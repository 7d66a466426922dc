"""services/collector/discovery/rds.py: DB instances and clusters of every engine (RDS, Aurora,
DocumentDB, Neptune), their transforms against responses shaped like the RDS API reference, and
get + transform against moto."""
from __future__ import annotations

import json
from dataclasses import asdict

from services.collector.discovery import rds
from services.collector.model import Edge, Item
from tests.services.collector.harness import CREATED, HOSTILE, SCOPE, check_items, run, sg_arn, subnet_arn, transform

INSTANCES, CLUSTERS = rds.UNITS
SUBNET_GROUP = {
    "DBSubnetGroupName": "prod-db", "DBSubnetGroupDescription": "prod databases", "VpcId": "vpc-0a1b2c3d",
    "SubnetGroupStatus": "Complete",
    "Subnets": [
        {"SubnetIdentifier": "subnet-0aaa1111", "SubnetAvailabilityZone": {"Name": "us-east-1a"},
         "SubnetOutpost": {}, "SubnetStatus": "Active"},
        {"SubnetIdentifier": "subnet-0bbb2222", "SubnetAvailabilityZone": {"Name": "us-east-1b"},
         "SubnetOutpost": {}, "SubnetStatus": "Active"},
    ],
}


def db_instance(identifier: str, engine: str, **fields) -> dict:
    """A DBInstance as DescribeDBInstances returns it (fields a DB instance always has)."""
    return {
        "DBInstanceIdentifier": identifier, "DBInstanceClass": "db.m6g.large", "Engine": engine,
        "DBInstanceStatus": "available", "MasterUsername": "dbadmin",
        "Endpoint": {"Address": f"{identifier}.c9akciq32.us-east-1.rds.amazonaws.com", "Port": 3306,
                     "HostedZoneId": "Z2R2ITUGPM61AM"},
        "AllocatedStorage": 100, "InstanceCreateTime": CREATED, "PreferredBackupWindow": "03:00-03:30",
        "BackupRetentionPeriod": 7, "DBSecurityGroups": [],
        "VpcSecurityGroups": [{"VpcSecurityGroupId": "sg-0db11111", "Status": "active"}],
        "DBParameterGroups": [{"DBParameterGroupName": "default.mysql8.0", "ParameterApplyStatus": "in-sync"}],
        "AvailabilityZone": "us-east-1a", "DBSubnetGroup": SUBNET_GROUP,
        "PreferredMaintenanceWindow": "sun:05:00-sun:05:30", "PendingModifiedValues": {}, "MultiAZ": False,
        "EngineVersion": "8.0.35", "AutoMinorVersionUpgrade": True, "ReadReplicaDBInstanceIdentifiers": [],
        "LicenseModel": "general-public-license", "OptionGroupMemberships": [], "PubliclyAccessible": False,
        "StorageType": "gp3", "DbInstancePort": 0, "StorageEncrypted": True,
        "KmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "DbiResourceId": "db-ABCDEFGHIJKLMNOPQRSTUVWXY0", "CACertificateIdentifier": "rds-ca-rsa2048-g1",
        "DBInstanceArn": f"arn:aws:rds:us-east-1:123456789012:db:{identifier}",
        "MasterUserSecret": {"SecretArn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-1-AbCdEf",
                             "SecretStatus": "active"},
        "TagList": [], **fields,
    }


def db_cluster(identifier: str, engine: str, members: list[tuple[str, bool]], **fields) -> dict:
    """A DBCluster as DescribeDBClusters returns it."""
    return {
        "AllocatedStorage": 1, "AvailabilityZones": ["us-east-1a", "us-east-1b", "us-east-1c"],
        "BackupRetentionPeriod": 7, "DBClusterIdentifier": identifier,
        "DBClusterParameterGroup": f"default.{engine}", "DBSubnetGroup": "prod-db", "Status": "available",
        "EarliestRestorableTime": CREATED, "Endpoint": f"{identifier}.cluster-c9akciq32.us-east-1.rds.amazonaws.com",
        "ReaderEndpoint": f"{identifier}.cluster-ro-c9akciq32.us-east-1.rds.amazonaws.com", "MultiAZ": True,
        "Engine": engine, "EngineVersion": "15.4", "LatestRestorableTime": CREATED, "Port": 5432,
        "MasterUsername": "dbadmin", "PreferredBackupWindow": "03:00-03:30",
        "PreferredMaintenanceWindow": "sun:05:00-sun:05:30", "ReadReplicaIdentifiers": [],
        "DBClusterMembers": [{"DBInstanceIdentifier": name, "IsClusterWriter": writer,
                              "DBClusterParameterGroupStatus": "in-sync", "PromotionTier": 1}
                             for name, writer in members],
        "VpcSecurityGroups": [{"VpcSecurityGroupId": "sg-0db11111", "Status": "active"}],
        "HostedZoneId": "Z2R2ITUGPM61AM", "StorageEncrypted": True,
        "DbClusterResourceId": "cluster-ABCDEFGHIJKLMNOPQRSTUVWXY0",
        "DBClusterArn": f"arn:aws:rds:us-east-1:123456789012:cluster:{identifier}",
        "AssociatedRoles": [], "IAMDatabaseAuthenticationEnabled": False, "ClusterCreateTime": CREATED,
        "EngineMode": "provisioned", "DeletionProtection": True, "HttpEndpointEnabled": False,
        "CopyTagsToSnapshot": True, "CrossAccountClone": False, "DomainMemberships": [], "TagList": [],
        **fields,
    }


def arn(kind: str, name: str) -> str:
    return f"arn:aws:rds:us-east-1:123456789012:{kind}:{name}"


DESCRIBE_DB_INSTANCES = {"DBInstances": [
    db_instance("orders", "mysql", MultiAZ=True, SecondaryAvailabilityZone="us-east-1b", Iops=3000,
                StorageThroughput=125, ReadReplicaDBInstanceIdentifiers=["orders-replica"],
                TagList=[{"Key": "Name", "Value": HOSTILE}, {"Key": "team", "Value": "checkout"}]),
    db_instance("orders-replica", "mysql", ReadReplicaSourceDBInstanceIdentifier="orders", StorageType="gp2"),
    # A replica in this region of a database in another region names its source by ARN.
    db_instance("orders-dr", "mysql", ReadReplicaSourceDBInstanceIdentifier=arn("db", "orders-west")
                .replace("us-east-1", "us-west-2")),
    db_instance("aurora-prod-1", "aurora-postgresql", DBInstanceClass="db.r6g.large", AllocatedStorage=1,
                StorageType="aurora", DBClusterIdentifier="aurora-prod", EngineVersion="15.4", PromotionTier=1),
    db_instance("aurora-prod-2", "aurora-postgresql", DBInstanceClass="db.serverless", AllocatedStorage=1,
                StorageType="aurora", DBClusterIdentifier="aurora-prod", EngineVersion="15.4",
                AvailabilityZone="us-east-1b"),
    db_instance("docs-1", "docdb", DBInstanceClass="db.r6g.large", AllocatedStorage=1, StorageType="aurora",
                DBClusterIdentifier="docs", EngineVersion="5.0.0"),
    db_instance("graph-1", "neptune", DBInstanceClass="db.r6g.xlarge", AllocatedStorage=1, StorageType="aurora",
                DBClusterIdentifier="graph", EngineVersion="1.3.2.1"),
]}

DESCRIBE_DB_CLUSTERS = {"DBClusters": [
    db_cluster("aurora-prod", "aurora-postgresql", [("aurora-prod-1", True), ("aurora-prod-2", False)],
               StorageType="aurora-iopt1", ServerlessV2ScalingConfiguration={"MinCapacity": 0.5, "MaxCapacity": 16.0},
               TagList=[{"Key": "team", "Value": "checkout"}]),
    # A cross-region Aurora replica cluster names its source cluster by ARN.
    db_cluster("aurora-dr", "aurora-postgresql", [],
               ReplicationSourceIdentifier="arn:aws:rds:us-west-2:123456789012:cluster:aurora-west"),
    db_cluster("docs", "docdb", [("docs-1", True)], EngineVersion="5.0.0", Port=27017),
    db_cluster("graph", "neptune", [("graph-1", True)], EngineVersion="1.3.2.1", Port=8182),
    # A Multi-AZ DB cluster (not Aurora) has an instance class and storage of its own.
    db_cluster("ledger", "postgres", [("ledger-1", True)], DBClusterInstanceClass="db.m6gd.large",
               StorageType="io1", AllocatedStorage=400, Iops=8000),
]}

PLACED = [Edge("contains", subnet_arn("subnet-0aaa1111"), arn("db", "orders")),
          Edge("contains", subnet_arn("subnet-0bbb2222"), arn("db", "orders")),
          Edge("secured_by", arn("db", "orders"), sg_arn("sg-0db11111"))]


def test_transform_instances():
    items = {item.arn: item for item in transform("rds.instances", DESCRIBE_DB_INSTANCES["DBInstances"], SCOPE)}
    check_items(INSTANCES, list(items.values()))
    assert items[arn("db", "orders")] == Item(
        arn=arn("db", "orders"), type="AWS::RDS::DBInstance", name="orders", region="us-east-1",
        tags={"Name": HOSTILE, "team": "checkout"},
        attributes={"engine": "mysql", "engineVersion": "8.0.35", "instanceClass": "db.m6g.large", "multiAz": True,
                    "storageType": "gp3", "allocatedStorage": 100, "iops": 3000, "storageThroughput": 125,
                    "licenseModel": "general-public-license", "status": "available",
                    "availabilityZone": "us-east-1a", "secondaryAvailabilityZone": "us-east-1b",
                    "vpcId": "vpc-0a1b2c3d", "publiclyAccessible": False, "storageEncrypted": True,
                    "instanceCreateTime": "2024-03-05T14:22:07.312000+00:00"},
        edges=PLACED)
    replica = arn("db", "orders-replica")
    assert items[replica].edges[-1] == Edge("replica_of", replica, arn("db", "orders"))
    assert items[replica].attributes["storageType"] == "gp2"
    assert items[arn("db", "orders-dr")].edges[-1] == Edge(
        "replica_of", arn("db", "orders-dr"), "arn:aws:rds:us-west-2:123456789012:db:orders-west")

    aurora = items[arn("db", "aurora-prod-2")]
    assert (aurora.type, aurora.attributes["instanceClass"], aurora.attributes["dbClusterIdentifier"]) == (
        "AWS::RDS::DBInstance", "db.serverless", "aurora-prod")
    assert aurora.edges[-1] == Edge("member_of", aurora.arn, arn("cluster", "aurora-prod"))
    docs, graph = items[arn("db", "docs-1")], items[arn("db", "graph-1")]
    assert (docs.type, docs.attributes["engine"]) == ("AWS::DocDB::DBInstance", "docdb")
    assert (graph.type, graph.attributes["engine"]) == ("AWS::Neptune::DBInstance", "neptune")
    assert docs.edges[-1] == Edge("member_of", docs.arn, arn("cluster", "docs"))
    assert graph.edges[-1] == Edge("member_of", graph.arn, arn("cluster", "graph"))


def test_transform_clusters():
    items = {item.arn: item for item in transform("rds.clusters", DESCRIBE_DB_CLUSTERS["DBClusters"], SCOPE)}
    check_items(CLUSTERS, list(items.values()))
    assert items[arn("cluster", "aurora-prod")] == Item(
        arn=arn("cluster", "aurora-prod"), type="AWS::RDS::DBCluster", name="aurora-prod", region="us-east-1",
        tags={"team": "checkout"},
        attributes={"engine": "aurora-postgresql", "engineVersion": "15.4", "engineMode": "provisioned",
                    "status": "available", "multiAz": True, "storageType": "aurora-iopt1", "allocatedStorage": 1,
                    "serverlessV2MinCapacity": 0.5, "serverlessV2MaxCapacity": 16.0,
                    "availabilityZones": ["us-east-1a", "us-east-1b", "us-east-1c"], "memberCount": 2,
                    "writer": "aurora-prod-1", "storageEncrypted": True,
                    "clusterCreateTime": "2024-03-05T14:22:07.312000+00:00"},
        edges=[Edge("secured_by", arn("cluster", "aurora-prod"), sg_arn("sg-0db11111"))])
    assert items[arn("cluster", "aurora-dr")].edges[-1] == Edge(
        "replica_of", arn("cluster", "aurora-dr"), "arn:aws:rds:us-west-2:123456789012:cluster:aurora-west")
    assert items[arn("cluster", "aurora-dr")].attributes["memberCount"] == 0
    assert "writer" not in items[arn("cluster", "aurora-dr")].attributes
    assert {a: (items[a].type, items[a].name) for a in (arn("cluster", "docs"), arn("cluster", "graph"))} == {
        arn("cluster", "docs"): ("AWS::DocDB::DBCluster", "docs"),
        arn("cluster", "graph"): ("AWS::Neptune::DBCluster", "graph")}
    ledger = items[arn("cluster", "ledger")].attributes
    assert (ledger["instanceClass"], ledger["storageType"], ledger["allocatedStorage"], ledger["iops"]) == (
        "db.m6gd.large", "io1", 400, 8000)


def test_transforms_keep_no_secrets_or_endpoints():
    items = (transform("rds.instances", DESCRIBE_DB_INSTANCES["DBInstances"], SCOPE)
             + transform("rds.clusters", DESCRIBE_DB_CLUSTERS["DBClusters"], SCOPE))
    stored = json.dumps([asdict(item) for item in items])
    for kept_out in ("dbadmin", "secretsmanager", "rds.amazonaws.com", "kms", "db-ABCDEFG"):
        assert kept_out not in stored


def test_get_and_transform_against_moto(aws, vpc):
    client = aws.client("rds")
    client.create_db_subnet_group(DBSubnetGroupName="prod-db", DBSubnetGroupDescription="prod", SubnetIds=vpc.subnets)
    client.create_db_instance(
        DBInstanceIdentifier="orders", Engine="mysql", DBInstanceClass="db.t3.micro", AllocatedStorage=20,
        StorageType="gp3", MultiAZ=True, MasterUsername="dbadmin", MasterUserPassword="not-stored-1",
        DBSubnetGroupName="prod-db", VpcSecurityGroupIds=[vpc.group], Tags=[{"Key": "Name", "Value": HOSTILE}])
    client.create_db_instance_read_replica(DBInstanceIdentifier="orders-replica", SourceDBInstanceIdentifier="orders")
    client.create_db_cluster(DBClusterIdentifier="aurora-prod", Engine="aurora-postgresql", MasterUsername="dbadmin",
                             MasterUserPassword="not-stored-1", DBSubnetGroupName="prod-db",
                             VpcSecurityGroupIds=[vpc.group])
    client.create_db_instance(DBInstanceIdentifier="aurora-prod-1", Engine="aurora-postgresql",
                              DBInstanceClass="db.r6g.large", DBClusterIdentifier="aurora-prod")
    # Neptune through the RDS API, as AWS allows. moto refuses the engine "docdb" (and has no
    # DocumentDB service): DocumentDB is covered by the transform tests above only.
    client.create_db_cluster(DBClusterIdentifier="graph", Engine="neptune")
    client.create_db_instance(DBInstanceIdentifier="graph-1", Engine="neptune", DBInstanceClass="db.r6g.large",
                              DBClusterIdentifier="graph")

    instances, _ = run(INSTANCES, client)
    orders = instances[arn("db", "orders")]
    assert (orders.type, orders.name, orders.tags) == ("AWS::RDS::DBInstance", "orders", {"Name": HOSTILE})
    keys = ("engine", "instanceClass", "multiAz", "storageType", "allocatedStorage")
    assert {k: orders.attributes[k] for k in keys} == {
        "engine": "mysql", "instanceClass": "db.t3.micro", "multiAz": True, "storageType": "gp3",
        "allocatedStorage": 20}
    assert sorted(orders.edges) == sorted(
        [Edge("contains", subnet_arn(subnet), orders.arn) for subnet in vpc.subnets]
        + [Edge("secured_by", orders.arn, sg_arn(vpc.group))])
    assert Edge("replica_of", arn("db", "orders-replica"), orders.arn) in instances[arn("db", "orders-replica")].edges
    assert Edge("member_of", arn("db", "aurora-prod-1"), arn("cluster", "aurora-prod")) in \
        instances[arn("db", "aurora-prod-1")].edges
    assert instances[arn("db", "graph-1")].type == "AWS::Neptune::DBInstance"
    assert Edge("member_of", arn("db", "graph-1"), arn("cluster", "graph")) in instances[arn("db", "graph-1")].edges

    clusters, _ = run(CLUSTERS, client)
    assert {a: (item.type, item.attributes.get("writer")) for a, item in clusters.items()} == {
        arn("cluster", "aurora-prod"): ("AWS::RDS::DBCluster", "aurora-prod-1"),
        arn("cluster", "graph"): ("AWS::Neptune::DBCluster", "graph-1")}
    aurora = clusters[arn("cluster", "aurora-prod")]
    assert Edge("secured_by", aurora.arn, sg_arn(vpc.group)) in aurora.edges
    stored = json.dumps([asdict(item) for item in [*instances.values(), *clusters.values()]])
    assert "not-stored-1" not in stored and "dbadmin" not in stored
