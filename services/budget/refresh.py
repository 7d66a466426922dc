"""`cloudsketch prices refresh`: rebuilds the price catalog from the AWS Price List API.

The Price List API (boto3's `pricing` client; its endpoint is in us-east-1) answers get_products
with one JSON document per product: its attributes (instanceType, regionCode, ...) and its
on-demand terms (priceDimensions with pricePerUnit.USD). QUERIES asks for the dimensions that
change most often (EC2, EBS, RDS, load balancers, NAT gateways, EKS), filtered on the server;
every price found replaces the packaged catalog's, every other price stays as packaged, and the
catalog records the API as a source with the date of the refresh.

It needs AWS credentials (any identity with pricing:GetProducts); without them it stops with a
clear message and the packaged catalog stays in use.
"""
from __future__ import annotations

import datetime as dt
import gzip
import json
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from services.budget import catalog as catalog_module
from services.budget import catalog_build

Dimension = tuple[str, str]  # (catalog service, dimension)


def _term(field: str, value: str) -> dict:
    return {"Type": "TERM_MATCH", "Field": field, "Value": value}


@dataclass(frozen=True)
class Query:
    service_code: str
    filters: tuple[tuple[str, str], ...]
    dimension: Callable[[dict, str], Dimension | None]  # (product attributes, usage unit) -> catalog key


def _ec2(attrs: dict, unit: str) -> Dimension | None:
    return ("ec2", attrs["instanceType"]) if attrs.get("instanceType") and unit == "Hrs" else None


EBS_IOPS = {"gp3": "gp3-iops", "io1": "io1-iops", "io2": "io2-iops"}


def _ebs(attrs: dict, unit: str) -> Dimension | None:
    volume = attrs.get("volumeApiName")
    if not volume:
        return None
    family = attrs.get("productFamily", "")
    if family == "Storage":
        return "ebs", volume
    if family == "System Operation" and volume in EBS_IOPS and attrs.get("group") in ("EBS IOPS", "EBS IOPS Tier 1"):
        return "ebs", EBS_IOPS[volume]
    if family == "Provisioned Throughput" and volume == "gp3":
        return "ebs", "gp3-throughput-gibps"
    return None


RDS_ENGINES = {"MySQL": "mysql", "PostgreSQL": "postgres", "MariaDB": "mariadb",
               "Aurora MySQL": "aurora-mysql", "Aurora PostgreSQL": "aurora-postgresql"}
RDS_AZ = {"Single-AZ": "single", "Multi-AZ": "multi"}


def _rds(attrs: dict, unit: str) -> Dimension | None:
    engine, az = RDS_ENGINES.get(attrs.get("databaseEngine", "")), RDS_AZ.get(attrs.get("deploymentOption", ""))
    if not engine or not az or unit != "Hrs" or not attrs.get("instanceType"):
        return None
    if engine.startswith("aurora"):
        if az != "single":
            return None
        if "IO Optimization" in attrs.get("storage", "") or attrs.get("volumeType") == "IO Optimized-Aurora":
            engine += "-io-optimized"
    return "rds", f"{engine}|{attrs['instanceType']}|{az}"


ELB_USAGE = {"LoadBalancerUsage": "hour", "LCUUsage": "lcu"}
ELB_FAMILY = {"Load Balancer-Application": "application", "Load Balancer-Network": "network",
              "Load Balancer-Gateway": "gateway"}


def _elb(attrs: dict, unit: str) -> Dimension | None:
    kind = ELB_FAMILY.get(attrs.get("productFamily", ""))
    usage = next((suffix for marker, suffix in ELB_USAGE.items() if attrs.get("usagetype", "").endswith(marker)), None)
    return ("elb", f"{kind}-{usage}") if kind and usage else None


def _nat(attrs: dict, unit: str) -> Dimension | None:
    usage = attrs.get("usagetype", "")
    if usage.endswith("NatGateway-Hours"):
        return "natgateway", "hour"
    if usage.endswith("NatGateway-Bytes"):
        return "natgateway", "gb"
    return None


def _eks(attrs: dict, unit: str) -> Dimension | None:
    return ("eks", "cluster-hour") if attrs.get("usagetype", "").endswith("AmazonEKS-Hours:perCluster") else None


QUERIES: tuple[Query, ...] = (
    Query("AmazonEC2", (("productFamily", "Compute Instance"), ("operatingSystem", "Linux"), ("tenancy", "Shared"),
                        ("preInstalledSw", "NA"), ("capacitystatus", "Used"), ("licenseModel", "No License required")),
          _ec2),
    Query("AmazonEC2", (("productFamily", "Storage"),), _ebs),
    Query("AmazonEC2", (("productFamily", "System Operation"),), _ebs),
    Query("AmazonEC2", (("productFamily", "Provisioned Throughput"),), _ebs),
    Query("AmazonEC2", (("productFamily", "NAT Gateway"),), _nat),
    Query("AmazonRDS", (("productFamily", "Database Instance"), ("licenseModel", "No license required")), _rds),
    Query("AWSELB", (), _elb),
    Query("AmazonEKS", (), _eks),
)


def _on_demand_price(document: dict) -> tuple[str, str] | None:
    """(USD price, unit) of a product's first on-demand tier, or None."""
    for term in document.get("terms", {}).get("OnDemand", {}).values():
        dimensions = sorted(term.get("priceDimensions", {}).values(), key=lambda d: float(d.get("beginRange", 0) or 0))
        for dimension in dimensions:
            usd = dimension.get("pricePerUnit", {}).get("USD")
            if usd is not None:
                return usd, dimension.get("unit", "")
    return None


def parse(query: Query, documents: Iterable[str | dict]) -> dict[tuple[str, str, str], str]:
    """The catalog prices in get_products' PriceList entries (JSON strings)."""
    found: dict[tuple[str, str, str], str] = {}
    for raw in documents:
        document = json.loads(raw) if isinstance(raw, str) else raw
        product = document.get("product", {})
        attrs = {**product.get("attributes", {}), "productFamily": product.get("productFamily", "")}
        region = attrs.get("regionCode")
        priced = _on_demand_price(document)
        if not region or priced is None:
            continue
        key = query.dimension(attrs, priced[1])
        if key is not None:
            found[(key[0], key[1], region)] = priced[0]
    return found


def fetch(client, queries: Iterable[Query] = QUERIES) -> dict[tuple[str, str, str], str]:
    """Every price the queries find (client: boto3 `pricing` client)."""
    found: dict[tuple[str, str, str], str] = {}
    paginator = client.get_paginator("get_products")
    for query in queries:
        filters = [_term(field, value) for field, value in query.filters]
        for page in paginator.paginate(ServiceCode=query.service_code, Filters=filters, FormatVersion="aws_v1"):
            found.update(parse(query, page.get("PriceList", [])))
    return found


def merged(base: dict, refreshed: dict[tuple[str, str, str], str], today: str) -> dict:
    """The base catalog document with the refreshed prices laid over it, and the API as a source."""
    prices = {service: {dimension: dict(regions) for dimension, regions in dims.items()}
              for service, dims in base.get("prices", {}).items()}
    for (service, dimension, region), price in refreshed.items():
        prices.setdefault(service, {}).setdefault(dimension, {})[region] = catalog_build._norm(price)
    covered = sorted({service for service, _, _ in refreshed})
    sources = [source for source in base.get("sources", []) if source.get("name") != "AWS Price List API"]
    sources.append({"name": "AWS Price List API", "licence": "AWS public pricing", "date": today,
                    "covers": ", ".join(covered)})
    return catalog_build.catalog_document(prices, sources, built=today)


def refresh(client, base_path: Path, out: Path) -> int:
    """Fetches, merges over the catalog at base_path, writes `out`; returns how many prices came."""
    with gzip.open(base_path, "rb") as handle:
        base = json.load(handle)
    refreshed = fetch(client)
    if not refreshed:
        raise RuntimeError("the Price List API returned no prices; the catalog is unchanged")
    document = merged(base, refreshed, dt.date.today().isoformat())
    catalog_module.Catalog.from_document(document)  # never write a catalog that would not load
    catalog_build.write(document, out)
    return len(refreshed)


def refresh_command(out: str | None = None) -> int:
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    session = boto3.Session()
    if session.get_credentials() is None:
        print("cloudsketch prices refresh: no AWS credentials found (set AWS_PROFILE, or AWS_ACCESS_KEY_ID and "
              "AWS_SECRET_ACCESS_KEY, for an identity allowed pricing:GetProducts); the packaged catalog stays "
              "in use", file=sys.stderr)
        return 2
    target = Path(out) if out else catalog_module.DEFAULT_PATH
    try:
        count = refresh(session.client("pricing", region_name="us-east-1"), catalog_module.DEFAULT_PATH, target)
    except (BotoCoreError, ClientError, RuntimeError) as exc:
        print(f"cloudsketch prices refresh: {exc}", file=sys.stderr)
        return 2
    print(f"refreshed {count:,} prices from the AWS Price List API into {target}")
    return 0
