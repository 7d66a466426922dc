"""OpenSearch Service domains (OpenSearch and legacy Elasticsearch engines alike).

ListDomainNames answers in one call (no pagination); DescribeDomains takes at most five names,
so domains are described in batches of five. Tags come from the sync engine's tagging call.
"""
from __future__ import annotations

from services.collector.discovery import Context, Unit
from services.collector.discovery._shared import attributes, chunks, flatten, placement
from services.collector.model import Item, Scope

BATCH = 5  # DescribeDomains' limit on DomainNames


def get_domains(ctx: Context) -> list[dict]:
    names = [domain["DomainName"] for domain in ctx.paginate("list_domain_names", "DomainNames")]
    return flatten(ctx.map(lambda batch: ctx.client.describe_domains(DomainNames=batch)["DomainStatusList"],
                           chunks(names, BATCH)))


def transform_domains(domains: list[dict], scope: Scope) -> list[Item]:
    items = []
    for domain in domains:
        cluster = domain.get("ClusterConfig") or {}
        ebs = domain.get("EBSOptions") or {}
        vpc = domain.get("VPCOptions") or {}
        dedicated = cluster.get("DedicatedMasterEnabled")
        warm = cluster.get("WarmEnabled")
        ebs_enabled = ebs.get("EBSEnabled")
        items.append(Item(
            arn=domain["ARN"], type="AWS::OpenSearchService::Domain", name=domain["DomainName"], region=scope.region,
            attributes=attributes(
                engineVersion=domain.get("EngineVersion"), status=domain.get("DomainProcessingStatus"),
                instanceType=cluster.get("InstanceType"), instanceCount=cluster.get("InstanceCount"),
                dedicatedMasterType=cluster.get("DedicatedMasterType") if dedicated else None,
                dedicatedMasterCount=cluster.get("DedicatedMasterCount") if dedicated else None,
                warmType=cluster.get("WarmType") if warm else None,
                warmCount=cluster.get("WarmCount") if warm else None,
                zoneAwarenessEnabled=cluster.get("ZoneAwarenessEnabled"),
                multiAZWithStandbyEnabled=cluster.get("MultiAZWithStandbyEnabled"),
                # Storage per data node; without EBS the instance store is part of the instance price.
                volumeType=ebs.get("VolumeType") if ebs_enabled else None,
                volumeSize=ebs.get("VolumeSize") if ebs_enabled else None,
                iops=ebs.get("Iops") if ebs_enabled else None,
                throughput=ebs.get("Throughput") if ebs_enabled else None,
                vpcId=vpc.get("VPCId"), availabilityZones=vpc.get("AvailabilityZones")),
            edges=placement(scope, domain["ARN"], vpc.get("SubnetIds", []), vpc.get("SecurityGroupIds", []))))
    return items


UNITS = [Unit("opensearch.domains", "opensearch", ("AWS::OpenSearchService::Domain",), get_domains, transform_domains)]
