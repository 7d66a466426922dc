"""FSx file systems of every type (Windows File Server, Lustre, NetApp ONTAP, OpenZFS).

The budget needs the type, storage capacity and type, deployment type and throughput, which sit
in a per-type configuration block.
"""
from __future__ import annotations

from services.collector.discovery._spec import (
    Spec,
    at,
    listing,
    name_tag_or,
    named,
    placed,
    tags_at,
    timestamp,
    unit,
    value,
)

# MaxResults: the model allows up to 2^31-1 and FSx caps it at its own page size.
PAGE = 2147483647
CONFIGURATION = {"WINDOWS": "WindowsConfiguration", "LUSTRE": "LustreConfiguration",
                 "ONTAP": "OntapConfiguration", "OPENZFS": "OpenZFSConfiguration"}


def configured(path: str):
    """The value at `path` in the file system's per-type configuration block."""
    get = value(path)
    return lambda fs, scope: get(fs.get(CONFIGURATION.get(fs["FileSystemType"], "")) or {}, scope)


FILE_SYSTEM = Spec(
    "AWS::FSx::FileSystem", arn="ResourceARN", name=name_tag_or("FileSystemId"), tags=tags_at(),
    attributes={
        **named("FileSystemId", "FileSystemType", "FileSystemTypeVersion", "Lifecycle", "StorageCapacity",
                "StorageType"),
        "deploymentType": configured("DeploymentType"),
        "throughputCapacity": configured("ThroughputCapacity"),  # Windows, ONTAP, OpenZFS
        "perUnitStorageThroughput": configured("PerUnitStorageThroughput"),  # Lustre, MB/s per TiB
        "iops": configured("DiskIopsConfiguration.Iops"),
        "vpcId": "VpcId", "creationTime": timestamp("CreationTime"),
    },
    # Security groups sit on the network interfaces, which this listing does not describe.
    edges=placed(at("SubnetIds", [])))

UNITS = [unit("fsx.file_systems", "fsx", listing("describe_file_systems", "FileSystems", page_size=PAGE), FILE_SYSTEM)]
