"""EFS file systems and their mount targets.

DescribeMountTargets needs a file system id, so mount targets are listed per file system, and
only for file systems that have any (NumberOfMountTargets). A mount target is where a file system
enters a subnet: subnet -contains-> mount target -attached_to-> file system.
"""
from __future__ import annotations

from services.collector.discovery import Context
from services.collector.discovery._shared import flatten, unless_error
from services.collector.discovery._spec import (
    Link,
    Spec,
    alive,
    arn_in,
    first_of,
    named,
    placed,
    tags_at,
    timestamp,
    unit,
)

PAGE = 100  # the page size EFS applies whatever MaxItems asks
GONE = ("FileSystemNotFound",)  # deleted since it was listed


def get_file_systems(ctx: Context) -> dict:
    file_systems = ctx.paginate("describe_file_systems", "FileSystems", page_size=PAGE)
    mounted = [fs["FileSystemId"] for fs in file_systems if fs.get("NumberOfMountTargets")]
    pages = ctx.map(lambda fs_id: unless_error(GONE, ctx.paginate, "describe_mount_targets", "MountTargets",
                                               page_size=PAGE, FileSystemId=fs_id, default=[]), mounted)
    return {"file_systems": file_systems, "mount_targets": flatten(pages)}


LISTED = alive("LifeCycleState")   # deleted file systems and mount targets are listed for a while


def mount_targets(raw: dict) -> list[dict]:
    """The mount targets, each with "_fileSystemArn": its file system's ARN, where that is an item."""
    arns = {fs["FileSystemId"]: fs["FileSystemArn"] for fs in raw["file_systems"] if LISTED(fs, None)}
    return [{**target, "_fileSystemArn": arns.get(target["FileSystemId"])} for target in raw["mount_targets"]]


FILE_SYSTEM = Spec(
    "AWS::EFS::FileSystem", arn="FileSystemArn", name=first_of("Name", "FileSystemId"), tags=tags_at(),
    records="file_systems", where=LISTED,
    attributes={
        "fileSystemId": "FileSystemId", "lifeCycleState": "LifeCycleState",
        # Metered size per storage class: what the budget bills per GB-month.
        "sizeInBytes": "SizeInBytes.Value", "sizeInStandard": "SizeInBytes.ValueInStandard",
        "sizeInIA": "SizeInBytes.ValueInIA", "sizeInArchive": "SizeInBytes.ValueInArchive",
        **named("PerformanceMode", "ThroughputMode", "ProvisionedThroughputInMibps"),
        # One Zone file systems name their zone; Regional ones do not.
        "availabilityZone": "AvailabilityZoneName",
        "numberOfMountTargets": "NumberOfMountTargets", "encrypted": "Encrypted",
        "creationTime": timestamp("CreationTime"),
    })

# cloudsketch's synthetic ARN for a mount target (AWS gives none).
MOUNT_TARGET = Spec(
    "AWS::EFS::MountTarget", arn=arn_in("elasticfilesystem", "mount-target/{MountTargetId}"), name="MountTargetId",
    records=mount_targets, where=LISTED,
    attributes={"fileSystemId": "FileSystemId", "lifeCycleState": "LifeCycleState",
                "availabilityZone": "AvailabilityZoneName", "vpcId": "VpcId"},
    edges=(*placed("SubnetId"), Link("attached_to", "_fileSystemArn")))

UNITS = [unit("efs.file_systems", "efs", get_file_systems, FILE_SYSTEM, MOUNT_TARGET)]
