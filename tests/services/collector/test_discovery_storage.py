"""S3, EFS, FSx and Glacier discovery (services/collector/discovery/): transforms against
responses shaped like each API reference's examples, and get + transform against moto (S3's
AWS-only answers, which moto does not give, through botocore's Stubber)."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from services.collector.discovery import Context, efs, fsx, glacier, s3
from services.collector.model import Edge, Item
from tests.services.collector.harness import HOSTILE, SCOPE, by_arn, check_items, run, run_unit, subnet_arn, transform

CREATED = datetime(2024, 3, 5, 14, 22, 7, tzinfo=UTC)
CREATED_ISO = "2024-03-05T14:22:07+00:00"


# --- S3 ----------------------------------------------------------------------------------------

BUCKETS_UNIT = s3.UNITS[0]
THUMBS = "arn:aws:lambda:us-east-1:123456789012:function:thumbs"
UPLOADS_QUEUE = "arn:aws:sqs:us-east-1:123456789012:uploads"
UPLOADS_TOPIC = "arn:aws:sns:us-east-1:123456789012:uploads"
NOTIFICATION = {
    "TopicConfigurations": [{"Id": "removed", "TopicArn": UPLOADS_TOPIC, "Events": ["s3:ObjectRemoved:*"]}],
    "QueueConfigurations": [{"Id": "created", "QueueArn": UPLOADS_QUEUE, "Events": ["s3:ObjectCreated:*"]}],
    # Two configurations to one function (one through an alias): one edge, to the function.
    "LambdaFunctionConfigurations": [
        {"Id": "jpg", "LambdaFunctionArn": THUMBS + ":live", "Events": ["s3:ObjectCreated:Put"],
         "Filter": {"Key": {"FilterRules": [{"Name": "Suffix", "Value": ".jpg"}]}}},
        {"Id": "png", "LambdaFunctionArn": THUMBS, "Events": ["s3:ObjectCreated:Put"],
         "Filter": {"Key": {"FilterRules": [{"Name": "Suffix", "Value": ".png"}]}}}],
    "EventBridgeConfiguration": {},
}


def test_transform_buckets():
    raw = [
        {"Name": "assets", "CreationDate": CREATED, "BucketRegion": "us-east-1",
         "TagSet": [{"Key": "team", "Value": HOSTILE}], "Notification": NOTIFICATION},
        # Regions as GetBucketLocation gives them when ListBuckets did not: legacy "EU", none for us-east-1.
        {"Name": "eu-logs", "CreationDate": CREATED, "BucketRegion": None, "LocationConstraint": "EU",
         "TagSet": [], "Notification": {}},
        {"Name": "old-site", "CreationDate": CREATED, "BucketRegion": None, "LocationConstraint": None,
         "TagSet": [], "Notification": {}},
        {"Name": "tokyo-media", "CreationDate": CREATED, "BucketRegion": None, "LocationConstraint": "ap-northeast-1",
         "TagSet": [], "Notification": {"EventBridgeConfiguration": {}}},
    ]
    items = by_arn(transform("s3.buckets", raw, SCOPE))
    check_items(BUCKETS_UNIT, list(items.values()))
    assert items["arn:aws:s3:::assets"] == Item(
        arn="arn:aws:s3:::assets", type="AWS::S3::Bucket", name="assets", region="us-east-1",
        tags={"team": HOSTILE}, attributes={"creationDate": CREATED_ISO},
        edges=[Edge("triggers", "arn:aws:s3:::assets", UPLOADS_TOPIC),
               Edge("triggers", "arn:aws:s3:::assets", UPLOADS_QUEUE),
               Edge("triggers", "arn:aws:s3:::assets", THUMBS),
               Edge("triggers", "arn:aws:s3:::assets", "arn:aws:events:us-east-1:123456789012:event-bus/default")])
    assert {arn: item.region for arn, item in items.items()} == {
        "arn:aws:s3:::assets": "us-east-1", "arn:aws:s3:::eu-logs": "eu-west-1",
        "arn:aws:s3:::old-site": "us-east-1", "arn:aws:s3:::tokyo-media": "ap-northeast-1"}
    # EventBridge notifications go to the default bus of the bucket's own region.
    assert items["arn:aws:s3:::tokyo-media"].edges == [
        Edge("triggers", "arn:aws:s3:::tokyo-media", "arn:aws:events:ap-northeast-1:123456789012:event-bus/default")]


def test_s3_against_moto(aws):
    sqs, sns = aws.client("sqs"), aws.client("sns")
    queue_url = sqs.create_queue(QueueName="uploads")["QueueUrl"]
    queue = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    topic = sns.create_topic(Name="uploads")["TopicArn"]
    client = aws.client("s3")
    client.create_bucket(Bucket="assets")
    client.create_bucket(Bucket="eu-logs", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    client.put_bucket_tagging(Bucket="assets", Tagging={"TagSet": [{"Key": "team", "Value": HOSTILE}]})
    client.put_bucket_notification_configuration(Bucket="assets", NotificationConfiguration={
        "QueueConfigurations": [{"QueueArn": queue, "Events": ["s3:ObjectCreated:*"]}],
        "TopicConfigurations": [{"TopicArn": topic, "Events": ["s3:ObjectRemoved:*"]}],
        "LambdaFunctionConfigurations": [{"LambdaFunctionArn": THUMBS + ":live", "Events": ["s3:ObjectCreated:*"]}]})

    buckets, actions = run(BUCKETS_UNIT, client)
    # moto's ListBuckets gives no BucketRegion, so each bucket's location is asked for.
    assert sorted(actions) == sorted(["s3:ListAllMyBuckets"] + 2 * ["s3:GetBucketLocation", "s3:GetBucketTagging",
                                                                    "s3:GetBucketNotification"])
    assets, logs = buckets["arn:aws:s3:::assets"], buckets["arn:aws:s3:::eu-logs"]
    assert (assets.type, assets.name, assets.region, assets.tags) == (
        "AWS::S3::Bucket", "assets", "us-east-1", {"team": HOSTILE})
    assert sorted(assets.edges) == sorted(Edge("triggers", assets.arn, target) for target in (queue, topic, THUMBS))
    assert (logs.region, logs.tags, logs.edges) == ("eu-west-1", {}, [])  # untagged: NoSuchTagSet is no error


def test_s3_uses_the_region_that_listbuckets_gives(aws):
    # A paginated ListBuckets (MaxBuckets given) names each bucket's region on AWS: no
    # GetBucketLocation then. A bucket deleted after the listing is left out.
    client = aws.client("s3")
    stub = Stubber(client)
    stub.add_response("list_buckets", {"Buckets": [
        {"Name": "assets", "CreationDate": CREATED, "BucketRegion": "eu-central-1"},
        {"Name": "gone", "CreationDate": CREATED, "BucketRegion": "us-east-1"}]}, {"MaxBuckets": 10000})
    stub.add_client_error("get_bucket_tagging", "NoSuchTagSet", http_status_code=404,
                          expected_params={"Bucket": "assets"})
    stub.add_response("get_bucket_notification_configuration", {"EventBridgeConfiguration": {}}, {"Bucket": "assets"})
    stub.add_client_error("get_bucket_tagging", "NoSuchBucket", http_status_code=404,
                          expected_params={"Bucket": "gone"})
    stub.add_client_error("get_bucket_notification_configuration", "NoSuchBucket", http_status_code=404,
                          expected_params={"Bucket": "gone"})
    with stub:
        items, actions = run_unit(BUCKETS_UNIT, client, SCOPE)
        stub.assert_no_pending_responses()
    assert items == [Item(arn="arn:aws:s3:::assets", type="AWS::S3::Bucket", name="assets", region="eu-central-1",
                          attributes={"creationDate": CREATED_ISO},
                          edges=[Edge("triggers", "arn:aws:s3:::assets",
                                      "arn:aws:events:eu-central-1:123456789012:event-bus/default")])]
    assert "s3:GetBucketLocation" not in actions


def test_s3_propagates_other_errors(aws):
    # Only "deleted since listed" and "no tags" are answers; the engine makes AccessDenied a gap.
    client = aws.client("s3")
    stub = Stubber(client)
    stub.add_response("list_buckets", {"Buckets": [{"Name": "locked", "CreationDate": CREATED,
                                                    "BucketRegion": "us-east-1"}]})
    stub.add_client_error("get_bucket_tagging", "AccessDenied", http_status_code=403)
    with stub, pytest.raises(ClientError) as raised:
        s3.get_buckets(Context(client, SCOPE))
    assert raised.value.response["Error"]["Code"] == "AccessDenied"


# --- EFS ---------------------------------------------------------------------------------------

EFS_UNIT = efs.UNITS[0]
FS_ARN = "arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/"
MT_ARN = "arn:aws:elasticfilesystem:us-east-1:123456789012:mount-target/"


def file_system(fs_id: str, **fields) -> dict:
    return {
        "OwnerId": "123456789012", "CreationToken": "console-abc", "FileSystemId": fs_id,
        "FileSystemArn": FS_ARN + fs_id, "CreationTime": CREATED, "LifeCycleState": "available",
        "NumberOfMountTargets": 0,
        "SizeInBytes": {"Value": 6144, "Timestamp": CREATED, "ValueInIA": 0, "ValueInStandard": 6144,
                        "ValueInArchive": 0},
        "PerformanceMode": "generalPurpose", "Encrypted": True,
        "KmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/abcd", "ThroughputMode": "bursting",
        "Tags": [], "FileSystemProtection": {"ReplicationOverwriteProtection": "ENABLED"}, **fields,
    }


def test_transform_file_systems_and_mount_targets():
    raw = {
        "file_systems": [
            file_system("fs-0shared1", Name="shared", NumberOfMountTargets=2, ThroughputMode="provisioned",
                        ProvisionedThroughputInMibps=128.0, Tags=[{"Key": "Name", "Value": "shared"},
                                                                  {"Key": "env", "Value": HOSTILE}],
                        SizeInBytes={"Value": 53687091200, "Timestamp": CREATED, "ValueInIA": 10737418240,
                                     "ValueInStandard": 42949672960, "ValueInArchive": 0}),
            file_system("fs-0onezone", AvailabilityZoneName="us-east-1a", AvailabilityZoneId="use1-az1"),
            file_system("fs-0deleted", LifeCycleState="deleted"),
        ],
        "mount_targets": [
            {"OwnerId": "123456789012", "MountTargetId": f"fsmt-0{zone}", "FileSystemId": "fs-0shared1",
             "SubnetId": subnet, "LifeCycleState": "available", "IpAddress": "10.0.1.25",
             "NetworkInterfaceId": f"eni-0{zone}", "AvailabilityZoneId": "use1-az1",
             "AvailabilityZoneName": f"us-east-1{zone}", "VpcId": "vpc-0a1b2c3d"}
            for zone, subnet in (("a", "subnet-0aaa1111"), ("b", "subnet-0bbb2222"))],
    }
    items = by_arn(transform("efs.file_systems", raw, SCOPE))
    check_items(EFS_UNIT, list(items.values()))
    assert sorted(items) == sorted([FS_ARN + "fs-0shared1", FS_ARN + "fs-0onezone", MT_ARN + "fsmt-0a",
                                    MT_ARN + "fsmt-0b"])  # the deleted file system is left out
    assert items[FS_ARN + "fs-0shared1"] == Item(
        arn=FS_ARN + "fs-0shared1", type="AWS::EFS::FileSystem", name="shared", region="us-east-1",
        tags={"Name": "shared", "env": HOSTILE},
        attributes={"fileSystemId": "fs-0shared1", "lifeCycleState": "available", "sizeInBytes": 53687091200,
                    "sizeInStandard": 42949672960, "sizeInIA": 10737418240, "sizeInArchive": 0,
                    "performanceMode": "generalPurpose", "throughputMode": "provisioned",
                    "provisionedThroughputInMibps": 128.0, "numberOfMountTargets": 2, "encrypted": True,
                    "creationTime": CREATED_ISO})
    assert (items[FS_ARN + "fs-0onezone"].name, items[FS_ARN + "fs-0onezone"].attributes["availabilityZone"]) == (
        "fs-0onezone", "us-east-1a")
    assert items[MT_ARN + "fsmt-0a"] == Item(
        arn=MT_ARN + "fsmt-0a", type="AWS::EFS::MountTarget", name="fsmt-0a", region="us-east-1",
        attributes={"fileSystemId": "fs-0shared1", "lifeCycleState": "available", "availabilityZone": "us-east-1a",
                    "vpcId": "vpc-0a1b2c3d"},
        edges=[Edge("contains", subnet_arn("subnet-0aaa1111"), MT_ARN + "fsmt-0a"),
               Edge("attached_to", MT_ARN + "fsmt-0a", FS_ARN + "fs-0shared1")])


def test_efs_against_moto(aws, vpc):
    client = aws.client("efs")
    shared = client.create_file_system(CreationToken="shared", ThroughputMode="elastic", Encrypted=True,
                                       Tags=[{"Key": "Name", "Value": HOSTILE}])["FileSystemId"]
    client.create_file_system(CreationToken="unmounted")
    targets = [client.create_mount_target(FileSystemId=shared, SubnetId=subnet)["MountTargetId"]
               for subnet in vpc.subnets]
    found, actions = run(EFS_UNIT, client)
    # Mount targets are asked for only where a file system has any.
    assert actions == ["elasticfilesystem:DescribeFileSystems", "elasticfilesystem:DescribeMountTargets"]
    fs = found[FS_ARN + shared]
    assert (fs.type, fs.name, fs.attributes["throughputMode"], fs.attributes["numberOfMountTargets"]) == (
        "AWS::EFS::FileSystem", HOSTILE, "elastic", 2)
    for target, subnet in zip(targets, vpc.subnets, strict=False):
        assert found[MT_ARN + target].edges == [Edge("contains", subnet_arn(subnet), MT_ARN + target),
                                                Edge("attached_to", MT_ARN + target, fs.arn)]
    assert sum(item.type == "AWS::EFS::FileSystem" for item in found.values()) == 2


# --- FSx ---------------------------------------------------------------------------------------

FSX_UNIT = fsx.UNITS[0]
FSX_ARN = "arn:aws:fsx:us-east-1:123456789012:file-system/"


def fsx_file_system(fs_id: str, fs_type: str, **fields) -> dict:
    return {
        "OwnerId": "123456789012", "CreationTime": CREATED, "FileSystemId": fs_id, "FileSystemType": fs_type,
        "Lifecycle": "AVAILABLE", "StorageCapacity": 1200, "StorageType": "SSD", "VpcId": "vpc-0a1b2c3d",
        "SubnetIds": ["subnet-0aaa1111"], "NetworkInterfaceIds": ["eni-0fsx11111"],
        "DNSName": f"{fs_id}.fsx.us-east-1.amazonaws.com", "KmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/abcd",
        "ResourceARN": FSX_ARN + fs_id, "Tags": [], **fields,
    }


def test_transform_fsx_file_systems():
    windows = fsx_file_system(
        "fs-0win11111", "WINDOWS", StorageCapacity=300, SubnetIds=["subnet-0aaa1111", "subnet-0bbb2222"],
        Tags=[{"Key": "Name", "Value": HOSTILE}],
        WindowsConfiguration={"ActiveDirectoryId": "d-1234567890", "DeploymentType": "MULTI_AZ_1",
                              "PreferredSubnetId": "subnet-0aaa1111", "ThroughputCapacity": 32,
                              "SelfManagedActiveDirectoryConfiguration": {"DomainName": "corp.example.com",
                                                                          "UserName": "fsxadmin"},
                              "AutomaticBackupRetentionDays": 7})
    lustre = fsx_file_system("fs-0lus11111", "LUSTRE", FileSystemTypeVersion="2.15",
                             LustreConfiguration={"DeploymentType": "PERSISTENT_2", "PerUnitStorageThroughput": 250,
                                                  "MountName": "abcdefgh", "DataCompressionType": "LZ4"})
    ontap = fsx_file_system("fs-0ont11111", "ONTAP", StorageCapacity=1024,
                            OntapConfiguration={"DeploymentType": "SINGLE_AZ_2", "ThroughputCapacity": 384,
                                                "DiskIopsConfiguration": {"Mode": "USER_PROVISIONED", "Iops": 6000}})
    items = by_arn(transform("fsx.file_systems", [windows, lustre, ontap], SCOPE))
    check_items(FSX_UNIT, list(items.values()))
    assert items[FSX_ARN + "fs-0win11111"] == Item(
        arn=FSX_ARN + "fs-0win11111", type="AWS::FSx::FileSystem", name=HOSTILE, region="us-east-1",
        tags={"Name": HOSTILE},
        attributes={"fileSystemId": "fs-0win11111", "fileSystemType": "WINDOWS", "lifecycle": "AVAILABLE",
                    "storageCapacity": 300, "storageType": "SSD", "deploymentType": "MULTI_AZ_1",
                    "throughputCapacity": 32, "vpcId": "vpc-0a1b2c3d", "creationTime": CREATED_ISO},
        edges=[Edge("contains", subnet_arn("subnet-0aaa1111"), FSX_ARN + "fs-0win11111"),
               Edge("contains", subnet_arn("subnet-0bbb2222"), FSX_ARN + "fs-0win11111")])
    assert items[FSX_ARN + "fs-0lus11111"].attributes == {
        "fileSystemId": "fs-0lus11111", "fileSystemType": "LUSTRE", "fileSystemTypeVersion": "2.15",
        "lifecycle": "AVAILABLE", "storageCapacity": 1200, "storageType": "SSD", "deploymentType": "PERSISTENT_2",
        "perUnitStorageThroughput": 250, "vpcId": "vpc-0a1b2c3d", "creationTime": CREATED_ISO}
    ontap_item = items[FSX_ARN + "fs-0ont11111"]
    assert (ontap_item.name, ontap_item.attributes["throughputCapacity"], ontap_item.attributes["iops"]) == (
        "fs-0ont11111", 384, 6000)
    assert "fsxadmin" not in str([item.attributes for item in items.values()])


def test_fsx_against_moto(aws, vpc):
    client = aws.client("fsx")
    fs_id = client.create_file_system(
        FileSystemType="LUSTRE", StorageCapacity=1200, StorageType="SSD", SubnetIds=[vpc.subnets[0]],
        LustreConfiguration={"DeploymentType": "PERSISTENT_2", "PerUnitStorageThroughput": 125},
        Tags=[{"Key": "Name", "Value": "scratch"}])["FileSystem"]["FileSystemId"]
    fs = run(FSX_UNIT, client)[0][FSX_ARN + fs_id]
    assert (fs.type, fs.name, fs.tags) == ("AWS::FSx::FileSystem", "scratch", {"Name": "scratch"})
    assert {k: fs.attributes[k] for k in ("fileSystemType", "storageCapacity", "deploymentType",
                                          "perUnitStorageThroughput")} == {
        "fileSystemType": "LUSTRE", "storageCapacity": 1200, "deploymentType": "PERSISTENT_2",
        "perUnitStorageThroughput": 125}
    assert fs.edges == [Edge("contains", subnet_arn(vpc.subnets[0]), fs.arn)]


# --- Glacier -----------------------------------------------------------------------------------

GLACIER_UNIT = glacier.UNITS[0]
VAULT_ARN = "arn:aws:glacier:us-east-1:123456789012:vaults/"


def test_transform_vaults():
    list_vaults = {"VaultList": [
        {"VaultARN": VAULT_ARN + "examplevault", "VaultName": "examplevault",
         "CreationDate": "2012-02-20T17:01:45.198Z", "LastInventoryDate": "2012-03-20T17:03:43.221Z",
         "NumberOfArchives": 133, "SizeInBytes": 8315445},
        {"VaultARN": VAULT_ARN + "new", "VaultName": "new", "CreationDate": "2024-03-05T14:22:07.000Z",
         "NumberOfArchives": 0, "SizeInBytes": 0},
    ]}
    items = by_arn(transform("glacier.vaults", list_vaults["VaultList"], SCOPE))
    check_items(GLACIER_UNIT, list(items.values()))
    assert items == {
        VAULT_ARN + "examplevault": Item(
            arn=VAULT_ARN + "examplevault", type="AWS::Glacier::Vault", name="examplevault", region="us-east-1",
            attributes={"sizeInBytes": 8315445, "numberOfArchives": 133, "creationDate": "2012-02-20T17:01:45.198Z",
                        "lastInventoryDate": "2012-03-20T17:03:43.221Z"}),
        VAULT_ARN + "new": Item(arn=VAULT_ARN + "new", type="AWS::Glacier::Vault", name="new", region="us-east-1",
                                attributes={"sizeInBytes": 0, "numberOfArchives": 0,
                                            "creationDate": "2024-03-05T14:22:07.000Z"}),
    }


def test_glacier_against_moto(aws):
    client = aws.client("glacier")
    for name in ("archive", "backups"):
        client.create_vault(vaultName=name)
    vaults, _ = run(GLACIER_UNIT, client)
    assert {arn: (item.type, item.name) for arn, item in vaults.items()} == {
        VAULT_ARN + "archive": ("AWS::Glacier::Vault", "archive"),
        VAULT_ARN + "backups": ("AWS::Glacier::Vault", "backups")}
