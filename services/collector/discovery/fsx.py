"""FSx file systems of every type (Windows File Server, Lustre, NetApp ONTAP, OpenZFS).

The budget needs the type, storage capacity and type, deployment type and throughput, which sit
in a per-type configuration block.
"""
from __future__ import annotations

from services.collector.discovery import Context, Unit
from services.collector.discovery._shared import attributes, name_of, placement
from services.collector.model import Item, Scope, iso, tags_of

# MaxResults: the model allows up to 2^31-1 and FSx caps it at its own page size.
PAGE = 2147483647
CONFIGURATION = {"WINDOWS": "WindowsConfiguration", "LUSTRE": "LustreConfiguration",
                 "ONTAP": "OntapConfiguration", "OPENZFS": "OpenZFSConfiguration"}


def get_file_systems(ctx: Context) -> list[dict]:
    return ctx.paginate("describe_file_systems", "FileSystems", page_size=PAGE)


def transform_file_systems(file_systems: list[dict], scope: Scope) -> list[Item]:
    items = []
    for fs in file_systems:
        tags = tags_of(fs.get("Tags"))
        config = fs.get(CONFIGURATION.get(fs["FileSystemType"], "")) or {}
        items.append(Item(
            arn=fs["ResourceARN"], type="AWS::FSx::FileSystem", name=name_of(tags, fs["FileSystemId"]),
            region=scope.region, tags=tags,
            attributes=attributes(
                fileSystemId=fs["FileSystemId"], fileSystemType=fs["FileSystemType"],
                fileSystemTypeVersion=fs.get("FileSystemTypeVersion"), lifecycle=fs.get("Lifecycle"),
                storageCapacity=fs.get("StorageCapacity"), storageType=fs.get("StorageType"),
                deploymentType=config.get("DeploymentType"),
                throughputCapacity=config.get("ThroughputCapacity"),  # Windows, ONTAP, OpenZFS
                perUnitStorageThroughput=config.get("PerUnitStorageThroughput"),  # Lustre, MB/s per TiB
                iops=(config.get("DiskIopsConfiguration") or {}).get("Iops"),
                vpcId=fs.get("VpcId"), creationTime=iso(fs.get("CreationTime"))),
            # Security groups sit on the network interfaces, which this listing does not describe.
            edges=placement(scope, fs["ResourceARN"], fs.get("SubnetIds", []))))
    return items


UNITS = [Unit("fsx.file_systems", "fsx", ("AWS::FSx::FileSystem",), get_file_systems, transform_file_systems)]
