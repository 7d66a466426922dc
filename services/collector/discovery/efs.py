"""EFS file systems and their mount targets.

DescribeMountTargets needs a file system id, so mount targets are listed per file system, and
only for file systems that have any (NumberOfMountTargets). A mount target is where a file system
enters a subnet: subnet -contains-> mount target -attached_to-> file system.
"""
from __future__ import annotations

from services.collector.discovery import Context, Unit
from services.collector.discovery._shared import attributes, flatten, placement, unless_error
from services.collector.model import Edge, Item, Scope, iso, tags_of

PAGE = 100  # the page size EFS applies whatever MaxItems asks
GONE = ("FileSystemNotFound",)  # deleted since it was listed


def get_file_systems(ctx: Context) -> dict:
    file_systems = ctx.paginate("describe_file_systems", "FileSystems", page_size=PAGE)
    mounted = [fs["FileSystemId"] for fs in file_systems if fs.get("NumberOfMountTargets")]
    pages = ctx.map(lambda fs_id: unless_error(GONE, ctx.paginate, "describe_mount_targets", "MountTargets",
                                               page_size=PAGE, FileSystemId=fs_id, default=[]), mounted)
    return {"file_systems": file_systems, "mount_targets": flatten(pages)}


def mount_target_arn(scope: Scope, mount_target_id: str) -> str:
    """cloudsketch's synthetic ARN for a mount target (AWS gives none)."""
    return scope.arn("elasticfilesystem", f"mount-target/{mount_target_id}")


def transform_file_systems(raw: dict, scope: Scope) -> list[Item]:
    items = []
    arns = {}
    for fs in raw["file_systems"]:
        if fs.get("LifeCycleState") == "deleted":  # listed for a while after deletion
            continue
        arns[fs["FileSystemId"]] = fs["FileSystemArn"]
        size = fs.get("SizeInBytes") or {}
        items.append(Item(
            arn=fs["FileSystemArn"], type="AWS::EFS::FileSystem", name=fs.get("Name") or fs["FileSystemId"],
            region=scope.region, tags=tags_of(fs.get("Tags")),
            attributes=attributes(
                fileSystemId=fs["FileSystemId"], lifeCycleState=fs.get("LifeCycleState"),
                # Metered size per storage class: what the budget bills per GB-month.
                sizeInBytes=size.get("Value"), sizeInStandard=size.get("ValueInStandard"),
                sizeInIA=size.get("ValueInIA"), sizeInArchive=size.get("ValueInArchive"),
                performanceMode=fs.get("PerformanceMode"), throughputMode=fs.get("ThroughputMode"),
                provisionedThroughputInMibps=fs.get("ProvisionedThroughputInMibps"),
                # One Zone file systems name their zone; Regional ones do not.
                availabilityZone=fs.get("AvailabilityZoneName"),
                numberOfMountTargets=fs.get("NumberOfMountTargets"), encrypted=fs.get("Encrypted"),
                creationTime=iso(fs.get("CreationTime")))))
    for target in raw["mount_targets"]:
        if target.get("LifeCycleState") == "deleted":
            continue
        arn = mount_target_arn(scope, target["MountTargetId"])
        edges = placement(scope, arn, [target["SubnetId"]])
        if target["FileSystemId"] in arns:
            edges.append(Edge("attached_to", arn, arns[target["FileSystemId"]]))
        items.append(Item(
            arn=arn, type="AWS::EFS::MountTarget", name=target["MountTargetId"], region=scope.region,
            attributes=attributes(fileSystemId=target["FileSystemId"], lifeCycleState=target.get("LifeCycleState"),
                                  availabilityZone=target.get("AvailabilityZoneName"), vpcId=target.get("VpcId")),
            edges=edges))
    return items


UNITS = [Unit("efs.file_systems", "efs", ("AWS::EFS::FileSystem", "AWS::EFS::MountTarget"),
              get_file_systems, transform_file_systems)]
