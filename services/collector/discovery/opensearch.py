"""OpenSearch Service domains (OpenSearch and legacy Elasticsearch engines alike).

ListDomainNames answers in one call (no pagination); DescribeDomains takes at most five names,
so domains are described in batches of five. Tags come from the sync engine's tagging call.
"""
from __future__ import annotations

from services.collector.discovery import Context
from services.collector.discovery._shared import chunks, flatten
from services.collector.discovery._spec import Spec, at, only_if, placed, unit

BATCH = 5  # DescribeDomains' limit on DomainNames


def get_domains(ctx: Context) -> list[dict]:
    names = [domain["DomainName"] for domain in ctx.paginate("list_domain_names", "DomainNames")]
    return flatten(ctx.map(lambda batch: ctx.client.describe_domains(DomainNames=batch)["DomainStatusList"],
                           chunks(names, BATCH)))


DEDICATED, WARM, EBS = "ClusterConfig.DedicatedMasterEnabled", "ClusterConfig.WarmEnabled", "EBSOptions.EBSEnabled"

DOMAIN = Spec(
    "AWS::OpenSearchService::Domain", arn="ARN", name="DomainName",
    attributes={
        "engineVersion": "EngineVersion", "status": "DomainProcessingStatus",
        "instanceType": "ClusterConfig.InstanceType", "instanceCount": "ClusterConfig.InstanceCount",
        "dedicatedMasterType": only_if(DEDICATED, "ClusterConfig.DedicatedMasterType"),
        "dedicatedMasterCount": only_if(DEDICATED, "ClusterConfig.DedicatedMasterCount"),
        "warmType": only_if(WARM, "ClusterConfig.WarmType"),
        "warmCount": only_if(WARM, "ClusterConfig.WarmCount"),
        "zoneAwarenessEnabled": "ClusterConfig.ZoneAwarenessEnabled",
        "multiAZWithStandbyEnabled": "ClusterConfig.MultiAZWithStandbyEnabled",
        # Storage per data node; without EBS the instance store is part of the instance price.
        "volumeType": only_if(EBS, "EBSOptions.VolumeType"),
        "volumeSize": only_if(EBS, "EBSOptions.VolumeSize"),
        "iops": only_if(EBS, "EBSOptions.Iops"),
        "throughput": only_if(EBS, "EBSOptions.Throughput"),
        "vpcId": "VPCOptions.VPCId", "availabilityZones": "VPCOptions.AvailabilityZones",
    },
    edges=placed(at("VPCOptions.SubnetIds", []), at("VPCOptions.SecurityGroupIds", [])))

UNITS = [unit("opensearch.domains", "opensearch", get_domains, DOMAIN)]
