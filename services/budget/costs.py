"""The cost model: what one component costs a month, at AWS on-demand list prices.

    price(component, usage=None, catalog=None) -> Priced

A month is 730 hours. Every result says how it was found (`basis`), and is one of:

- priced: `monthly` USD and the `unit_price` it was computed from;
- free: the component costs nothing by itself (a VPC, a subnet, a security group), and says why;
- unpriced: the catalog has no price for it (a Windows instance, a region the sources do not
  cover, a service not in the catalog); it is never shown as $0.

Prices that depend on usage (requests, data processed, LCUs) use DEFAULT_USAGE, which a caller
overrides per component type: `usage={"AWS::EC2::NatGateway": {"dataGb": 500}}`. docs/budget.md
lists every formula and default.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from services.budget import catalog as catalog_module

HOURS = Decimal(730)
GIB = Decimal(2 ** 30)
MILLION = Decimal(1_000_000)
ZERO = Decimal(0)

PRICED, FREE, UNPRICED = "priced", "free", "unpriced"

Usage = Mapping[str, Mapping[str, float]]

# Usage assumptions, per CloudFormation type (docs/budget.md explains each).
DEFAULT_USAGE: dict[str, dict[str, float]] = {
    "AWS::ElasticLoadBalancingV2::LoadBalancer": {"lcu": 1},            # average LCUs (NLCUs, GLCUs) an hour
    "AWS::ElasticLoadBalancing::LoadBalancer": {"dataGb": 100},         # GB processed a month
    "AWS::EC2::NatGateway": {"dataGb": 100},                            # GB processed a month
    "AWS::EC2::VPCEndpoint": {"dataGb": 100},                           # GB processed a month
    "AWS::EC2::TransitGatewayAttachment": {"dataGb": 100},              # GB sent to the TGW a month
    "AWS::Lambda::Function": {"mRequests": 1, "durationMs": 100},       # million invocations, average ms
    "AWS::DynamoDB::Table": {"mReads": 1, "mWrites": 1},                # million request units (on-demand)
    "AWS::S3::Bucket": {"dataGb": 100, "putRequests": 10_000, "getRequests": 100_000},
    "AWS::CloudFront::Distribution": {"dataGb": 100, "mRequests": 1},   # to the internet; HTTPS requests
    "AWS::SQS::Queue": {"mRequests": 1},
    "AWS::SNS::Topic": {"mRequests": 1},                                # publishes
    "AWS::Kinesis::Stream": {"mPutUnits": 1, "dataGb": 100},            # provisioned: 25 KB units; on-demand: GB in
    "AWS::RDS::DBCluster": {"storageGb": 10, "mIORequests": 10},        # Aurora storage and I/O
    "AWS::ElastiCache::ServerlessCache": {"dataGb": 1},                 # average GB stored
    "AWS::ECS::Task": {"hours": 730},                                   # hours a month a task runs
    "AWS::ECS::Service": {"hours": 730},
    "AWS::ApiGateway::RestApi": {"mRequests": 1},
    "AWS::ApiGatewayV2::Api": {"mRequests": 1},
}

# Components that cost nothing by themselves, and why.
FREE_TYPES: dict[str, str] = {
    "AWS::EC2::VPC": "VPCs are free",
    "AWS::EC2::AvailabilityZone": "availability zones are free",
    "AWS::EC2::Subnet": "subnets are free",
    "AWS::EC2::RouteTable": "route tables are free",
    "AWS::EC2::InternetGateway": "internet gateways are free (data transfer is not modelled)",
    "AWS::EC2::VPCPeeringConnection": "peering connections are free (data transfer is not modelled)",
    "AWS::EC2::TransitGateway": "a transit gateway is priced through its attachments",
    "AWS::EC2::VPNGateway": "virtual private gateways are free (VPN connections are priced)",
    "AWS::EC2::CustomerGateway": "customer gateways are free",
    "AWS::EC2::SecurityGroup": "security groups are free",
    "AWS::EC2::NetworkAcl": "network ACLs are free",
    "AWS::EC2::LaunchTemplate": "launch templates are free",
    "AWS::AutoScaling::AutoScalingGroup": "Auto Scaling is free (its instances are priced as EC2)",
    "AWS::Lambda::EventSourceMapping": "event source mappings are free (invocations are priced on the function)",
    "AWS::ElasticLoadBalancingV2::TargetGroup": "target groups are free (the load balancer is priced)",
    "AWS::ECS::Cluster": "ECS clusters are free (tasks and instances are priced)",
    "AWS::EKS::Nodegroup": "managed node groups are free (their nodes are priced as EC2)",
    "AWS::ElastiCache::ReplicationGroup": "a replication group is priced through its member cache clusters",
    "AWS::EFS::MountTarget": "mount targets are free (the file system is priced)",
    "AWS::Route53::RecordSet": "record sets are free (queries are not modelled)",
    "AWS::SNS::Subscription": "subscriptions are free (deliveries are priced on the topic)",
    "AWS::Events::Rule": "rules are free",
    "AWS::SES::EmailIdentity": "identities are free (sending is not modelled)",
}

# Types the catalog has no prices for yet.
UNPRICED_TYPES: dict[str, str] = {
    "AWS::DirectConnect::Connection": "Direct Connect port prices are not in the catalog",
    "AWS::DocDB::DBCluster": "DocumentDB storage and I/O prices are not in the catalog (its instances are priced)",
    "AWS::Neptune::DBCluster": "Neptune storage and I/O prices are not in the catalog (its instances are priced)",
    "AWS::Cassandra::Keyspace": "Keyspaces prices are not in the catalog",
    "AWS::Cassandra::Table": "Keyspaces prices are not in the catalog",
    "AWS::Timestream::Database": "Timestream prices are not in the catalog",
    "AWS::Timestream::Table": "Timestream prices are not in the catalog",
    "AWS::FSx::FileSystem": "FSx prices are not in the catalog",
    "AWS::Glacier::Vault": "Glacier vault sizes are not discovered",
    "AWS::ECR::Repository": "ECR repository sizes are not discovered",
    "AWS::WAFv2::WebACL": "WAF prices are not in the catalog",
    "AWS::Events::EventBus": "EventBridge event prices are not in the catalog",
}

# Cloudcraft's budget categories and component types, per CloudFormation type.
KINDS: dict[str, tuple[str, str, str]] = {  # type -> (catalog service for totals, category, Cloudcraft type)
    "AWS::EC2::Instance": ("ec2", "Compute", "ec2"),
    "AWS::EC2::Volume": ("ebs", "Storage", "ebs"),
    "AWS::RDS::DBInstance": ("rds", "Database", "rds"),
    "AWS::RDS::DBCluster": ("rds", "Database", "aurora"),
    "AWS::DocDB::DBInstance": ("docdb", "Database", "docdb"),
    "AWS::Neptune::DBInstance": ("neptune", "Database", "neptune"),
    "AWS::ElasticLoadBalancingV2::LoadBalancer": ("elb", "Networking", "elb"),
    "AWS::ElasticLoadBalancing::LoadBalancer": ("elb", "Networking", "elb"),
    "AWS::EC2::NatGateway": ("natgateway", "Networking", "natgateway"),
    "AWS::EC2::VPCEndpoint": ("vpc", "Networking", "vpcendpoint"),
    "AWS::EC2::TransitGatewayAttachment": ("vpc", "Networking", "transitgatewayattachment"),
    "AWS::EC2::VPNConnection": ("vpc", "Networking", "vpnconnection"),
    "AWS::Lambda::Function": ("lambda", "Compute", "lambda"),
    "AWS::DynamoDB::Table": ("dynamodb", "Database", "dynamodb"),
    "AWS::S3::Bucket": ("s3", "Storage", "s3"),
    "AWS::ElastiCache::CacheCluster": ("elasticache", "Database", "elasticache"),
    "AWS::ElastiCache::ServerlessCache": ("elasticache", "Database", "elasticache"),
    "AWS::OpenSearchService::Domain": ("opensearch", "Analytics", "es"),
    "AWS::Redshift::Cluster": ("redshift", "Analytics", "redshift"),
    "AWS::EFS::FileSystem": ("efs", "Storage", "efs"),
    "AWS::EKS::Cluster": ("eks", "Containers", "eks"),
    "AWS::ECS::Task": ("fargate", "Containers", "fargate"),
    "AWS::ECS::Service": ("fargate", "Containers", "fargate"),
    "AWS::CloudFront::Distribution": ("cloudfront", "Networking", "cloudfront"),
    "AWS::SQS::Queue": ("sqs", "Application Integration", "sqs"),
    "AWS::SNS::Topic": ("sns", "Application Integration", "sns"),
    "AWS::Kinesis::Stream": ("kinesis", "Analytics", "kinesis"),
    "AWS::Route53::HostedZone": ("route53", "Networking", "route53"),
    "AWS::ApiGateway::RestApi": ("apigateway", "Networking", "apigateway"),
    "AWS::ApiGatewayV2::Api": ("apigateway", "Networking", "apigateway"),
}


@dataclass(frozen=True)
class Component:
    """The parts of a collector Resource (cloudsketch.common.v1.Resource) that pricing reads."""
    arn: str
    type: str
    region: str = ""
    name: str = ""
    tags: Mapping[str, str] = field(default_factory=dict)
    attributes: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_resource(cls, resource) -> Component:
        from google.protobuf.json_format import MessageToDict

        return cls(arn=resource.arn, type=resource.type, region=resource.region, name=resource.name,
                   tags={tag.key: tag.value for tag in resource.tags},
                   attributes=MessageToDict(resource.attributes))


@dataclass(slots=True)
class Priced:
    arn: str
    type: str
    region: str
    name: str
    status: str                        # priced, free or unpriced
    monthly: Decimal | None            # USD a month; None when unpriced, 0 when free
    unit_price: Decimal | None
    basis: str                         # how the price was found, or why there is none
    service: str = ""                  # the catalog service, for totals by service
    vpc: str = ""
    tags: Mapping[str, str] = field(default_factory=dict)
    fields: Mapping[str, Any] = field(default_factory=dict)   # Cloudcraft's budget columns
    drivers: tuple[tuple[str, Any], ...] = ()                 # what sets the price (for change reasons)
    count: int = 1


class _Unpriced(Exception):
    """Raised inside a pricer: the component cannot be priced, for the reason given."""


def _number(value: Any, default: float = 0) -> Decimal:
    if value is None or value == "":
        return Decimal(str(default))
    if isinstance(value, float) and value.is_integer():
        return Decimal(int(value))
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise _Unpriced(f"{value!r} is not a number") from None
    if not number.is_finite():
        raise _Unpriced(f"{value!r} is not a number")
    return number


@functools.lru_cache(maxsize=4096)
def _fmt(value: Decimal) -> str:
    """A Decimal without exponent or trailing zeros ("0.096", "100")."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


class _Context:
    __slots__ = ("component", "attrs", "region", "catalog", "usage")

    def __init__(self, component: Component, catalog: catalog_module.Catalog, usage: Mapping[str, float]):
        self.component = component
        self.attrs = component.attributes
        self.region = component.region
        self.catalog = catalog
        self.usage = usage

    def rate(self, service: str, dimension: str, region: str | None = None) -> Decimal:
        region = region or self.region
        price = self.catalog.prices.get((service, dimension, region))
        if price is None:
            raise _Unpriced(f"no {service} {dimension} price for {region or 'an unknown region'} in the catalog")
        return price

    def use(self, key: str) -> Decimal:
        return _number(self.usage.get(key))


Result = tuple[Decimal, Decimal, str, dict, tuple]  # monthly, unit price, basis, Cloudcraft fields, drivers


# --- Pricers (one per type) ----------------------------------------------------------------------


def _split_type(instance_type: str) -> tuple[str, str]:
    family, _, size = instance_type.partition(".")
    return family, size


STOPPED = frozenset({"stopped", "stopping", "shutting-down", "terminated"})


def _ec2_instance(ctx: _Context) -> Result | str:
    attrs = ctx.attrs
    instance_type = attrs.get("instanceType") or ""
    if attrs.get("state") in STOPPED:
        return f"instance is {attrs['state']}: no compute charge (its volumes are priced)"
    if attrs.get("lifecycle") == "spot":
        raise _Unpriced("spot instance: spot prices are not in the catalog")
    if attrs.get("tenancy", "default") != "default":
        raise _Unpriced(f"{attrs['tenancy']} tenancy: only shared-tenancy prices are in the catalog")
    platform = attrs.get("platform") or "Linux/UNIX"
    if platform != "Linux/UNIX":
        raise _Unpriced(f"platform {platform}: only Linux on-demand prices are in the catalog")
    rate = ctx.rate("ec2", instance_type)
    family, size = _split_type(instance_type)
    return (rate * HOURS, rate, f"ec2 {instance_type} {ctx.region} on-demand {_fmt(rate)}/h x 730 h",
            {"instanceType": family, "instanceSize": size, "platform": "linux"}, (("instanceType", instance_type),))


def _ebs_volume(ctx: _Context) -> Result:
    attrs = ctx.attrs
    kind = attrs.get("volumeType") or "gp2"
    size = _number(attrs.get("size"))
    iops = _number(attrs.get("iops"))
    throughput = _number(attrs.get("throughput"))
    gb = ctx.rate("ebs", kind)
    monthly = size * gb
    parts = [f"{_fmt(size)} GiB x {_fmt(gb)}"]
    if kind == "gp3":
        extra_iops = max(ZERO, iops - 3000)
        extra_throughput = max(ZERO, throughput - 125)
        if extra_iops:
            iops_rate = ctx.rate("ebs", "gp3-iops")
            monthly += extra_iops * iops_rate
            parts.append(f"{_fmt(extra_iops)} IOPS above 3000 x {_fmt(iops_rate)}")
        if extra_throughput:
            mibps_rate = ctx.rate("ebs", "gp3-throughput-gibps") / 1024
            monthly += extra_throughput * mibps_rate
            parts.append(f"{_fmt(extra_throughput)} MiB/s above 125 x {_fmt(mibps_rate)}")
    elif kind == "io1":
        iops_rate = ctx.rate("ebs", "io1-iops")
        monthly += iops * iops_rate
        parts.append(f"{_fmt(iops)} IOPS x {_fmt(iops_rate)}")
    elif kind == "io2":
        tiers = ((Decimal(32000), "io2-iops"), (Decimal(32000), "io2-iops-tier2"), (None, "io2-iops-tier3"))
        left = iops
        for width, dimension in tiers:
            step = left if width is None else min(left, width)
            if step > 0:
                iops_rate = ctx.rate("ebs", dimension)
                monthly += step * iops_rate
                parts.append(f"{_fmt(step)} IOPS x {_fmt(iops_rate)}")
            left -= step
    fields = {"volume": kind, "storage": int(size), "iops": int(iops) if iops else ""}
    return (monthly, gb, f"ebs {kind} {ctx.region} " + " + ".join(parts) + " per month", fields,
            (("volumeType", kind), ("size", int(size)), ("iops", int(iops)), ("throughput", int(throughput))))


RDS_ENGINES = {"mysql": "mysql", "postgres": "postgres", "mariadb": "mariadb",
               "aurora": "aurora-mysql", "aurora-mysql": "aurora-mysql", "aurora-postgresql": "aurora-postgresql"}


def _rds_storage(ctx: _Context, az: str) -> tuple[Decimal, list[str]]:
    attrs = ctx.attrs
    kind = attrs.get("storageType") or "gp2"
    size = _number(attrs.get("allocatedStorage"))
    iops = _number(attrs.get("iops"))
    throughput = _number(attrs.get("storageThroughput"))
    gb = ctx.rate("rds-storage", f"{kind}|{az}")
    monthly = size * gb
    parts = [f"{_fmt(size)} GiB {kind} x {_fmt(gb)}"]
    if kind in ("io1", "io2"):
        iops_rate = ctx.rate("rds-storage", f"io-iops|{az}")
        monthly += iops * iops_rate
        parts.append(f"{_fmt(iops)} IOPS x {_fmt(iops_rate)}")
    elif kind == "gp3":
        # gp3 includes 3,000 IOPS and 125 MiB/s below 400 GiB, 12,000 and 500 from 400 GiB.
        base_iops, base_throughput = (12000, 500) if size >= 400 else (3000, 125)
        extra_iops, extra_throughput = max(ZERO, iops - base_iops), max(ZERO, throughput - base_throughput)
        if extra_iops:
            rate = ctx.rate("rds-storage", f"gp3-iops|{az}")
            monthly += extra_iops * rate
            parts.append(f"{_fmt(extra_iops)} IOPS above {base_iops} x {_fmt(rate)}")
        if extra_throughput:
            rate = ctx.rate("rds-storage", f"gp3-throughput|{az}")
            monthly += extra_throughput * rate
            parts.append(f"{_fmt(extra_throughput)} MiB/s above {base_throughput} x {_fmt(rate)}")
    return monthly, parts


def _rds_instance(ctx: _Context) -> Result | str:
    attrs = ctx.attrs
    engine = attrs.get("engine") or ""
    key = RDS_ENGINES.get(engine)
    if key is None:
        raise _Unpriced(f"engine {engine or 'unknown'}: only MySQL, PostgreSQL, MariaDB and Aurora prices are "
                        "in the catalog")
    instance_class = attrs.get("instanceClass") or ""
    if instance_class == "db.serverless":
        return "Aurora Serverless v2 capacity is priced on its cluster"
    aurora = key.startswith("aurora")
    az = "multi" if attrs.get("multiAz") and not aurora else "single"
    if aurora and attrs.get("storageType") == "aurora-iopt1":
        key += "-io-optimized"
    rate = ctx.rate("rds", f"{key}|{instance_class}|{az}")
    monthly = rate * HOURS
    deployment = "Multi-AZ" if az == "multi" else "Single-AZ"
    basis = f"rds {key} {instance_class} {ctx.region} {deployment} {_fmt(rate)}/h x 730 h"
    storage = ""
    if not aurora:
        storage_cost, parts = _rds_storage(ctx, az)
        monthly += storage_cost
        basis += " + " + " + ".join(parts) + " per month"
        storage = int(_number(attrs.get("allocatedStorage")))
    family, size = _split_type(instance_class.removeprefix("db."))
    fields = {"instanceType": family, "instanceSize": size, "engine": engine, "storage": storage,
              "role": "multi-az" if az == "multi" else "single-az"}
    return (monthly, rate, basis, fields,
            (("instanceClass", instance_class), ("engine", engine), ("multiAz", az == "multi"),
             ("storage", storage)))


def _rds_cluster(ctx: _Context) -> Result | str:
    attrs = ctx.attrs
    engine = attrs.get("engine") or ""
    key = RDS_ENGINES.get(engine)
    if key is None or not key.startswith("aurora"):
        return "a Multi-AZ DB cluster is priced through its DB instances"
    if attrs.get("engineMode") == "serverless":
        raise _Unpriced("Aurora Serverless v1 prices are not in the catalog")
    io_optimized = attrs.get("storageType") == "aurora-iopt1"
    storage_gb = ctx.use("storageGb")
    storage_rate = ctx.rate("aurora-storage", "storage-io-optimized" if io_optimized else "storage")
    monthly = storage_gb * storage_rate
    parts = [f"{_fmt(storage_gb)} GB x {_fmt(storage_rate)}"]
    if not io_optimized:
        io = ctx.use("mIORequests")
        io_rate = ctx.rate("aurora-storage", "io-request")
        monthly += io * MILLION * io_rate
        parts.append(f"{_fmt(io)}M I/O x {_fmt(io_rate)}")
    if attrs.get("serverlessV2MinCapacity") is not None:
        acu = _number(ctx.usage.get("acu", attrs.get("serverlessV2MinCapacity")))
        acu_rate = ctx.rate("aurora-storage", f"serverless-v2-acu|{key}")
        monthly += acu * acu_rate * HOURS
        parts.append(f"{_fmt(acu)} ACU x {_fmt(acu_rate)}/h x 730 h")
    basis = f"aurora {key} {ctx.region} " + " + ".join(parts) + " per month (instances priced separately)"
    return (monthly, storage_rate, basis, {"engine": engine, "storage": _fmt(storage_gb)},
            (("engine", engine), ("storageType", attrs.get("storageType") or "aurora"),
             ("serverlessV2MinCapacity", attrs.get("serverlessV2MinCapacity"))))


def _db_instance(service: str, label: str):
    """DocumentDB and Neptune instances: per hour x 730 (standard storage configuration; the
    cluster's storage and I/O are not in the catalog)."""
    def pricer(ctx: _Context) -> Result:
        instance_class = ctx.attrs.get("instanceClass") or ""
        rate = ctx.rate(service, instance_class)
        family, size = _split_type(instance_class.removeprefix("db."))
        return (rate * HOURS, rate, f"{service} {instance_class} {ctx.region} {_fmt(rate)}/h x 730 h",
                {"instanceType": family, "instanceSize": size, "engine": label},
                (("instanceClass", instance_class),))
    return pricer


def _load_balancer(ctx: _Context) -> Result:
    classic = ctx.component.type == "AWS::ElasticLoadBalancing::LoadBalancer"
    kind = "classic" if classic else ctx.attrs.get("type") or "application"
    if classic:
        hour, gb = ctx.rate("elb", "classic-hour"), ctx.rate("elb", "classic-gb")
        data = ctx.use("dataGb")
        return (hour * HOURS + data * gb, hour,
                f"elb classic {ctx.region} {_fmt(hour)}/h x 730 h + {_fmt(data)} GB x {_fmt(gb)}",
                {"instanceType": "classic", "dataGb": _fmt(data)}, (("type", kind),))
    hour, lcu_rate = ctx.rate("elb", f"{kind}-hour"), ctx.rate("elb", f"{kind}-lcu")
    lcu = ctx.use("lcu")
    return (hour * HOURS + lcu * lcu_rate * HOURS, hour,
            f"elb {kind} {ctx.region} {_fmt(hour)}/h x 730 h + {_fmt(lcu)} LCU x {_fmt(lcu_rate)}/h x 730 h",
            {"instanceType": kind}, (("type", kind),))


def _nat_gateway(ctx: _Context) -> Result:
    hour, gb = ctx.rate("natgateway", "hour"), ctx.rate("natgateway", "gb")
    data = ctx.use("dataGb")
    return (hour * HOURS + data * gb, hour,
            f"natgateway {ctx.region} {_fmt(hour)}/h x 730 h + {_fmt(data)} GB x {_fmt(gb)}",
            {"dataGb": _fmt(data)}, ())


def _vpc_endpoint(ctx: _Context) -> Result | str:
    kind = ctx.attrs.get("vpcEndpointType") or "Interface"
    if kind == "Gateway":
        return "gateway endpoints (S3, DynamoDB) are free"
    zones = max(1, int(_number(ctx.attrs.get("networkInterfaceCount"), 1)))
    dimension = "gwlb-endpoint-hour" if kind == "GatewayLoadBalancer" else "endpoint-hour"
    hour = ctx.rate("vpc", dimension)
    monthly = hour * HOURS * zones
    basis = f"vpcendpoint {kind} {ctx.region} {zones} ENI x {_fmt(hour)}/h x 730 h"
    data = ZERO
    if kind != "GatewayLoadBalancer":
        data, gb = ctx.use("dataGb"), ctx.rate("vpc", "endpoint-gb")
        monthly += data * gb
        basis += f" + {_fmt(data)} GB x {_fmt(gb)}"
    return monthly, hour, basis, {"dataGb": _fmt(data)}, (("vpcEndpointType", kind), ("zones", zones))


TGW_ATTACHMENTS = {"vpc": "tgw-vpc-hour", "vpn": "tgw-vpn-hour", "direct-connect-gateway": "tgw-dx-hour",
                   "peering": "tgw-peering-hour", "connect": "tgw-connect-hour"}


def _tgw_attachment(ctx: _Context) -> Result:
    kind = ctx.attrs.get("resourceType") or "vpc"
    dimension = TGW_ATTACHMENTS.get(kind)
    if dimension is None:
        raise _Unpriced(f"transit gateway {kind} attachments are not in the catalog")
    hour, gb = ctx.rate("vpc", dimension), ctx.rate("vpc", "tgw-gb")
    data = ctx.use("dataGb")
    return (hour * HOURS + data * gb, hour,
            f"transitgateway {kind} attachment {ctx.region} {_fmt(hour)}/h x 730 h + {_fmt(data)} GB x {_fmt(gb)}",
            {"dataGb": _fmt(data)}, (("resourceType", kind),))


def _vpn_connection(ctx: _Context) -> Result:
    hour = ctx.rate("vpc", "vpn-hour")
    return hour * HOURS, hour, f"vpn connection {ctx.region} {_fmt(hour)}/h x 730 h", {}, ()


def _lambda(ctx: _Context) -> Result:
    arm = "arm64" in (ctx.attrs.get("architectures") or ())
    prefix = "arm-" if arm else ""
    request, gb_second = ctx.rate("lambda", prefix + "request"), ctx.rate("lambda", prefix + "gb-second")
    memory = _number(ctx.attrs.get("memorySize"), 128)
    requests, duration = ctx.use("mRequests"), ctx.use("durationMs")
    seconds = requests * MILLION * duration / 1000 * memory / 1024
    monthly = requests * MILLION * request + seconds * gb_second
    return (monthly, gb_second,
            f"lambda {'arm64' if arm else 'x86_64'} {ctx.region} {_fmt(requests)}M requests x {_fmt(request)} + "
            f"{_fmt(requests)}M x {_fmt(duration)} ms x {_fmt(memory)} MB = {_fmt(seconds)} GB-s x {_fmt(gb_second)} "
            "(no free tier)",
            {"memory": int(memory), "mRequests": _fmt(requests), "computeDuration": _fmt(duration)},
            (("memorySize", int(memory)), ("architecture", "arm64" if arm else "x86_64")))


def _dynamodb(ctx: _Context) -> Result:
    attrs = ctx.attrs
    ia = attrs.get("tableClass") == "STANDARD_INFREQUENT_ACCESS"
    prefix = "ia-" if ia else ""
    storage_gb = _number(attrs.get("tableSizeBytes")) / GIB
    storage_rate = ctx.rate("dynamodb", prefix + "storage")
    monthly = storage_gb * storage_rate
    storage_part = f"{_fmt(round(storage_gb, 6))} GB x {_fmt(storage_rate)}"
    if attrs.get("billingMode") == "PAY_PER_REQUEST":
        reads, writes = ctx.use("mReads"), ctx.use("mWrites")
        read, write = ctx.rate("dynamodb", prefix + "read-request"), ctx.rate("dynamodb", prefix + "write-request")
        monthly += reads * MILLION * read + writes * MILLION * write
        return (monthly, write,
                f"dynamodb on-demand {ctx.region} {_fmt(reads)}M reads x {_fmt(read)} + {_fmt(writes)}M writes x "
                f"{_fmt(write)} + {storage_part}",
                {"readUnits": _fmt(reads), "writeUnits": _fmt(writes), "dataGb": _fmt(round(storage_gb, 3))},
                (("billingMode", "PAY_PER_REQUEST"),))
    rcu = _number(attrs.get("readCapacityUnits")) + _number(attrs.get("gsiReadCapacityUnits"))
    wcu = _number(attrs.get("writeCapacityUnits")) + _number(attrs.get("gsiWriteCapacityUnits"))
    rcu_rate, wcu_rate = ctx.rate("dynamodb", prefix + "rcu-hour"), ctx.rate("dynamodb", prefix + "wcu-hour")
    monthly += (rcu * rcu_rate + wcu * wcu_rate) * HOURS
    return (monthly, wcu_rate,
            f"dynamodb provisioned {ctx.region} ({_fmt(rcu)} RCU x {_fmt(rcu_rate)} + {_fmt(wcu)} WCU x "
            f"{_fmt(wcu_rate)})/h x 730 h + {storage_part}",
            {"readUnits": int(rcu), "writeUnits": int(wcu), "dataGb": _fmt(round(storage_gb, 3))},
            (("billingMode", "PROVISIONED"), ("rcu", int(rcu)), ("wcu", int(wcu))))


def _s3(ctx: _Context) -> Result:
    gb, put, get = ctx.rate("s3", "standard"), ctx.rate("s3", "put-request"), ctx.rate("s3", "get-request")
    data, puts, gets = ctx.use("dataGb"), ctx.use("putRequests"), ctx.use("getRequests")
    return (data * gb + puts * put + gets * get, gb,
            f"s3 standard {ctx.region} {_fmt(data)} GB x {_fmt(gb)} + {_fmt(puts)} PUT x {_fmt(put)} + "
            f"{_fmt(gets)} GET x {_fmt(get)}",
            {"storage": _fmt(data), "tier": "standard", "requests": _fmt(puts + gets)}, ())


def _cache_cluster(ctx: _Context) -> Result:
    engine = (ctx.attrs.get("engine") or "redis").lower()
    node = ctx.attrs.get("cacheNodeType") or ""
    nodes = _number(ctx.attrs.get("numCacheNodes"), 1)
    rate = ctx.rate("elasticache", f"{engine}|{node}")
    family, size = _split_type(node.removeprefix("cache."))
    return (rate * HOURS * nodes, rate,
            f"elasticache {engine} {node} {ctx.region} {_fmt(nodes)} node x {_fmt(rate)}/h x 730 h",
            {"instanceType": family, "instanceSize": size, "engine": engine},
            (("cacheNodeType", node), ("nodes", int(nodes))))


def _serverless_cache(ctx: _Context) -> Result:
    engine = (ctx.attrs.get("engine") or "valkey").lower()
    rate = ctx.rate("elasticache", f"serverless-gb-hour|{engine}")
    data = ctx.use("dataGb")
    return (rate * data * HOURS, rate,
            f"elasticache serverless {engine} {ctx.region} {_fmt(data)} GB x {_fmt(rate)}/h x 730 h "
            "(ECPUs not modelled)", {"engine": engine, "storage": _fmt(data)}, (("engine", engine),))


def _opensearch(ctx: _Context) -> Result:
    attrs = ctx.attrs
    monthly, parts, first = ZERO, [], None
    for type_key, count_key in (("instanceType", "instanceCount"), ("dedicatedMasterType", "dedicatedMasterCount"),
                                ("warmType", "warmCount")):
        if attrs.get(type_key):
            count = _number(attrs.get(count_key), 1)
            rate = ctx.rate("opensearch", attrs[type_key])
            monthly += rate * count * HOURS
            parts.append(f"{_fmt(count)} x {attrs[type_key]} {_fmt(rate)}/h")
            first = first if first is not None else rate
    if first is None:
        raise _Unpriced("the domain names no instance type")
    family, size = _split_type(attrs["instanceType"])
    return (monthly, first,
            f"opensearch {ctx.region} ({' + '.join(parts)}) x 730 h (EBS storage not in the catalog)",
            {"instanceType": family, "instanceSize": size.removesuffix(".search"),
             "storage": attrs.get("volumeSize", "")},
            (("instanceType", attrs["instanceType"]), ("instanceCount", attrs.get("instanceCount"))))


def _redshift(ctx: _Context) -> Result:
    node = ctx.attrs.get("nodeType") or ""
    nodes = _number(ctx.attrs.get("numberOfNodes"), 1)
    rate = ctx.rate("redshift", node)
    family, size = _split_type(node)
    return (rate * nodes * HOURS, rate,
            f"redshift {node} {ctx.region} {_fmt(nodes)} node x {_fmt(rate)}/h x 730 h (managed storage not modelled)",
            {"instanceType": family, "instanceSize": size}, (("nodeType", node), ("nodes", int(nodes))))


def _efs(ctx: _Context) -> Result:
    attrs = ctx.attrs
    one_zone = bool(attrs.get("availabilityZone"))
    standard_gb = _number(attrs.get("sizeInStandard", attrs.get("sizeInBytes"))) / GIB
    ia_gb = _number(attrs.get("sizeInIA")) / GIB
    archive_gb = _number(attrs.get("sizeInArchive")) / GIB
    standard = ctx.rate("efs", "one-zone" if one_zone else "standard")
    ia = ctx.rate("efs", "one-zone-ia" if one_zone else "ia")
    monthly = standard_gb * standard + ia_gb * ia
    basis = (f"efs {'one zone' if one_zone else 'regional'} {ctx.region} {_fmt(round(standard_gb, 3))} GB x "
             f"{_fmt(standard)} + {_fmt(round(ia_gb, 3))} GB IA x {_fmt(ia)}")
    if archive_gb:
        archive = ctx.rate("efs", "archive")
        monthly += archive_gb * archive
        basis += f" + {_fmt(round(archive_gb, 3))} GB archive x {_fmt(archive)}"
    if attrs.get("throughputMode") == "provisioned":
        # Billed above the throughput the storage earns: 50 KiB/s per GiB stored in Standard.
        earned = standard_gb * Decimal(50) / 1024
        extra = max(ZERO, _number(attrs.get("provisionedThroughputInMibps")) - earned)
        rate = ctx.rate("efs", "throughput-mibps")
        monthly += extra * rate
        basis += f" + {_fmt(round(extra, 3))} MiB/s provisioned x {_fmt(rate)}"
    return (monthly, standard, basis, {"storage": _fmt(round(standard_gb + ia_gb + archive_gb, 3))},
            (("throughputMode", attrs.get("throughputMode")),))


def _eks(ctx: _Context) -> Result:
    hour = ctx.rate("eks", "cluster-hour")
    return hour * HOURS, hour, f"eks cluster {ctx.region} {_fmt(hour)}/h x 730 h", {}, ()


def _fargate(ctx: _Context, count: Decimal, what: str) -> Result | str:
    """Fargate Linux/x86: (vCPU x per vCPU-hour + GB x per GB-hour) x hours x count. cpu is in CPU
    units (1024 a vCPU), memory in MiB, as the collector keeps them."""
    attrs = ctx.attrs
    provider = attrs.get("capacityProviderName") or ""
    providers = attrs.get("capacityProviders") or ()
    if provider == "FARGATE_SPOT" or "FARGATE_SPOT" in providers:
        raise _Unpriced("Fargate Spot prices are not in the catalog")
    if attrs.get("launchType") != "FARGATE" and provider != "FARGATE":
        return f"{what} on EC2 run on instances priced as EC2"
    if attrs.get("cpu") is None or attrs.get("memory") is None:
        raise _Unpriced(f"{what} size unknown (no cpu and memory on its task definition or a running task)")
    vcpu = _number(attrs.get("cpu")) / 1024
    memory_gb = _number(attrs.get("memory")) / 1024
    cpu_rate, gb_rate = ctx.rate("fargate", "vcpu-hour"), ctx.rate("fargate", "gb-hour")
    hours = ctx.use("hours")
    counted = f"{_fmt(count)} task x " if what == "service" else ""
    return ((vcpu * cpu_rate + memory_gb * gb_rate) * hours * count, cpu_rate,
            f"fargate linux/x86 {ctx.region} {counted}({_fmt(vcpu)} vCPU x {_fmt(cpu_rate)} + {_fmt(memory_gb)} GB x "
            f"{_fmt(gb_rate)})/h x {_fmt(hours)} h",
            {"memory": _fmt(memory_gb), "instanceSize": _fmt(vcpu), "instance": int(count)},
            (("cpu", attrs.get("cpu")), ("memory", attrs.get("memory")), ("count", int(count))))


def _ecs_task(ctx: _Context) -> Result | str:
    if str(ctx.attrs.get("group") or "").startswith("service:"):
        return "a service's task is priced on its ECS service (desiredCount x task size)"
    return _fargate(ctx, Decimal(1), "tasks")


def _ecs_service(ctx: _Context) -> Result | str:
    count = _number(ctx.attrs.get("desiredCount"))
    if count == 0:
        return "desiredCount is 0"
    return _fargate(ctx, count, "service")


CLOUDFRONT_GROUP = "United States"


def _cloudfront(ctx: _Context) -> Result:
    gb = ctx.rate("cloudfront", "gb", CLOUDFRONT_GROUP)
    request = ctx.rate("cloudfront", "https-request", CLOUDFRONT_GROUP)
    data, requests = ctx.use("dataGb"), ctx.use("mRequests")
    return (data * gb + requests * MILLION * request, gb,
            f"cloudfront {CLOUDFRONT_GROUP} {_fmt(data)} GB x {_fmt(gb)} + {_fmt(requests)}M HTTPS requests x "
            f"{_fmt(request)}", {"dataGb": _fmt(data), "requests": _fmt(requests * MILLION)}, ())


def _per_million(service: str, label: str, dimension: Callable[[_Context], str]):
    def pricer(ctx: _Context) -> Result:
        chosen = dimension(ctx)
        rate = ctx.rate(service, chosen)
        requests = ctx.use("mRequests")
        return (requests * MILLION * rate, rate,
                f"{label} {chosen} {ctx.region} {_fmt(requests)}M x {_fmt(rate)} (no free tier)",
                {"mRequests": _fmt(requests)}, ((label, chosen),))
    return pricer


def _kinesis(ctx: _Context) -> Result:
    if ctx.attrs.get("streamMode") == "ON_DEMAND":
        hour, gb = ctx.rate("kinesis", "on-demand-stream-hour"), ctx.rate("kinesis", "on-demand-ingest-gb")
        data = ctx.use("dataGb")
        return (hour * HOURS + data * gb, hour,
                f"kinesis on-demand {ctx.region} {_fmt(hour)}/h x 730 h + {_fmt(data)} GB in x {_fmt(gb)}",
                {"dataGb": _fmt(data)}, (("streamMode", "ON_DEMAND"),))
    shards = _number(ctx.attrs.get("openShardCount"), 1)
    shard, put = ctx.rate("kinesis", "shard-hour"), ctx.rate("kinesis", "put-unit")
    units = ctx.use("mPutUnits")
    return (shards * shard * HOURS + units * MILLION * put, shard,
            f"kinesis provisioned {ctx.region} {_fmt(shards)} shard x {_fmt(shard)}/h x 730 h + {_fmt(units)}M PUT "
            f"units x {_fmt(put)}", {"shards": int(shards), "putUnits": _fmt(units)},
            (("streamMode", "PROVISIONED"), ("shards", int(shards))))


def _hosted_zone(ctx: _Context) -> Result:
    # Route 53 is global: the catalog lists its prices under the region "global".
    rate = ctx.rate("route53", "hosted-zone-month", "global")
    return rate, rate, f"route53 hosted zone {_fmt(rate)} per month (first 25 zones; queries not modelled)", {}, ()


def _http_api(ctx: _Context) -> str:
    if (ctx.attrs.get("apiType") or "HTTP") != "HTTP":
        raise _Unpriced("WebSocket API prices are not in the catalog")
    return "http-request"


PRICERS: dict[str, Callable[[_Context], Result | str]] = {
    "AWS::EC2::Instance": _ec2_instance,
    "AWS::EC2::Volume": _ebs_volume,
    "AWS::RDS::DBInstance": _rds_instance,
    "AWS::RDS::DBCluster": _rds_cluster,
    "AWS::DocDB::DBInstance": _db_instance("docdb", "docdb"),
    "AWS::Neptune::DBInstance": _db_instance("neptune", "neptune"),
    "AWS::ElasticLoadBalancingV2::LoadBalancer": _load_balancer,
    "AWS::ElasticLoadBalancing::LoadBalancer": _load_balancer,
    "AWS::EC2::NatGateway": _nat_gateway,
    "AWS::EC2::VPCEndpoint": _vpc_endpoint,
    "AWS::EC2::TransitGatewayAttachment": _tgw_attachment,
    "AWS::EC2::VPNConnection": _vpn_connection,
    "AWS::Lambda::Function": _lambda,
    "AWS::DynamoDB::Table": _dynamodb,
    "AWS::S3::Bucket": _s3,
    "AWS::ElastiCache::CacheCluster": _cache_cluster,
    "AWS::ElastiCache::ServerlessCache": _serverless_cache,
    "AWS::OpenSearchService::Domain": _opensearch,
    "AWS::Redshift::Cluster": _redshift,
    "AWS::EFS::FileSystem": _efs,
    "AWS::EKS::Cluster": _eks,
    "AWS::ECS::Task": _ecs_task,
    "AWS::ECS::Service": _ecs_service,
    "AWS::CloudFront::Distribution": _cloudfront,
    "AWS::SQS::Queue": _per_million("sqs", "sqs", lambda ctx: "fifo-request" if ctx.attrs.get("fifo") else
                                    "standard-request"),
    "AWS::SNS::Topic": _per_million("sns", "sns", lambda ctx: "request"),
    "AWS::Kinesis::Stream": _kinesis,
    "AWS::Route53::HostedZone": _hosted_zone,
    "AWS::ApiGateway::RestApi": _per_million("apigateway", "apigateway", lambda ctx: "rest-request"),
    "AWS::ApiGatewayV2::Api": _per_million("apigateway", "apigateway", _http_api),
}


def usage_for(cfn_type: str, usage: Usage | None = None) -> dict[str, float]:
    """The usage assumptions for a type: the defaults, overridden by `usage[cfn_type]`."""
    defaults = DEFAULT_USAGE.get(cfn_type, {})
    override = (usage or {}).get(cfn_type)
    return {**defaults, **override} if override else defaults


def _evaluate(component: Component, catalog: catalog_module.Catalog, usage: Usage | None,
              base_fields: dict) -> tuple[str, Decimal | None, Decimal | None, str, dict, tuple]:
    cfn_type = component.type
    if cfn_type in FREE_TYPES:
        return FREE, ZERO, ZERO, f"free: {FREE_TYPES[cfn_type]}", base_fields, ()
    if cfn_type in UNPRICED_TYPES:
        return UNPRICED, None, None, f"unpriced: {UNPRICED_TYPES[cfn_type]}", base_fields, ()
    pricer = PRICERS.get(cfn_type)
    if pricer is None:
        return UNPRICED, None, None, f"unpriced: no cost model for {cfn_type}", base_fields, ()
    try:
        result = pricer(_Context(component, catalog, usage_for(cfn_type, usage)))
    except _Unpriced as reason:
        return UNPRICED, None, None, f"unpriced: {reason}", base_fields, ()
    except (ArithmeticError, TypeError, ValueError) as exc:  # an attribute of an unexpected shape
        return UNPRICED, None, None, f"unpriced: unreadable attributes ({exc})", base_fields, ()
    if isinstance(result, str):
        return FREE, ZERO, ZERO, f"free: {result}", base_fields, ()
    monthly, unit_price, basis, fields, drivers = result
    return PRICED, monthly, unit_price, basis, {**base_fields, **fields}, drivers


# Categories of the types KINDS does not name (free and unpriced ones), by namespace.
CATEGORIES = {"EC2": "Networking", "AutoScaling": "Compute", "Lambda": "Compute", "ECS": "Containers",
              "EKS": "Containers", "ECR": "Containers", "ElasticLoadBalancingV2": "Networking",
              "ElastiCache": "Database", "DocDB": "Database", "Neptune": "Database", "Cassandra": "Database",
              "Timestream": "Database", "EFS": "Storage", "FSx": "Storage", "Glacier": "Storage",
              "Route53": "Networking", "DirectConnect": "Networking", "WAFv2": "Security", "SNS":
              "Application Integration", "Events": "Application Integration", "SES": "Application Integration"}


@functools.lru_cache(maxsize=256)
def _kind(cfn_type: str) -> tuple[str, str, str]:
    """(service for totals, Cloudcraft category, Cloudcraft-style type) of a CloudFormation type."""
    if cfn_type in KINDS:
        return KINDS[cfn_type]
    parts = cfn_type.split("::")
    namespace = parts[1] if len(parts) == 3 else ""
    return namespace.lower() or "other", CATEGORIES.get(namespace, ""), parts[-1].lower() if namespace else ""


def price(component, usage: Usage | None = None, catalog: catalog_module.Catalog | None = None) -> Priced:
    """The monthly price of one component (a Component, or a cloudsketch.common.v1.Resource)."""
    if not isinstance(component, Component):
        component = Component.from_resource(component)
    service, category, kind = _kind(component.type)
    status, monthly, unit_price, basis, fields, drivers = _evaluate(
        component, catalog or catalog_module.default(), usage, {"category": category, "type": kind})
    return Priced(component.arn, component.type, component.region, component.name, status, monthly, unit_price,
                  basis, service, component.attributes.get("vpcId") or "", component.tags, fields, drivers)


def price_all(components, usage: Usage | None = None, catalog: catalog_module.Catalog | None = None) -> list[Priced]:
    catalog = catalog or catalog_module.default()
    return [price(component, usage, catalog) for component in components]
