"""Builds the budget's price catalog (services/budget/data/catalog.json.gz) from AWS public list
prices.

    python -m services.budget.catalog_build [SOURCE_DIR] [--out PATH]

SOURCE_DIR holds the raw price files as their upstream projects publish them (default:
../shared/pricing relative to the repository): aws-price-watcher/ (the feeds behind the
aws.amazon.com pricing pages), ebs-pricing/ebs_pricing.json and aws-price/ (NAT gateway prices and
the location-name -> region-code map). They are read, never copied: the catalog keeps only the
dimensions that the cost model (costs.py) uses, for every AWS region the sources name.

The catalog's shape (docs/budget.md):

    {"format": 1, "built": "<date>", "sources": [{"name", "licence", "date", "covers"}],
     "prices": {service: {dimension: {region: "price"}}}}

Prices stay decimal strings (USD, as published): the cost model computes with Decimal.
"""
from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEFAULT_SOURCE = REPO.parent / "shared" / "pricing"
DEFAULT_OUT = Path(__file__).resolve().parent / "data" / "catalog.json.gz"
FORMAT = 1
GLOBAL = "global"  # the region of prices that are the same everywhere

SOURCES = (
    {"name": "aws-price-watcher", "licence": "MIT", "date": "2025-06-18",
     "covers": "EC2, RDS, Aurora, DocumentDB, Neptune, ELB, Lambda, DynamoDB, ElastiCache, EFS, EKS, Fargate, S3, "
               "CloudFront, SQS, "
               "SNS, Kinesis, OpenSearch, Redshift, Route 53, API Gateway, VPC"},
    {"name": "ebs-pricing", "licence": "MIT", "date": "2022-02-10", "covers": "EBS volumes"},
    {"name": "aws-price", "licence": "MIT", "date": "2025-10-28", "covers": "NAT gateways; location names"},
)

Prices = dict[str, dict[str, dict[str, str]]]  # service -> dimension -> region -> price


class SourceError(Exception):
    """A source file is missing or has an unexpected shape."""


def _load(path: Path):
    try:
        with path.open(encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError) as exc:
        raise SourceError(f"cannot read price source {path}: {exc}") from exc


class Locations:
    """AWS location names ("US East (N. Virginia)") -> region codes, regions only."""

    def __init__(self, table: dict):
        self.codes = {name: entry["code"] for name, entry in table.items() if entry.get("type") == "AWS Region"}

    def region(self, key: str) -> str | None:
        """The region of a price key: a location name, optionally followed by " (attributes)"."""
        if key in self.codes:
            return self.codes[key]
        if key == "Any":  # global prices (Route 53)
            return GLOBAL
        cut = key.find(") (")
        return self.codes.get(key[:cut + 1]) if cut > 0 else None


def _norm(price: str) -> str:
    """"0.0960000000" -> "0.096": the same decimal, shorter."""
    text = price.strip()
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


class Builder:
    def __init__(self, locations: Locations):
        self.locations = locations
        self.prices: Prices = {}

    def put(self, service: str, dimension: str, region: str, price: str) -> None:
        self.prices.setdefault(service, {}).setdefault(dimension, {})[region] = _norm(price)

    def metric(self, service: str, dimension: str, by_location: dict[str, str]) -> None:
        """Every region's price of one metric (the first listed wins when a region repeats)."""
        for key, price in by_location.items():
            region = self.locations.region(key)
            if region and region not in self.prices.get(service, {}).get(dimension, {}):
                self.put(service, dimension, region, price)

    def metrics(self, service: str, feed: dict, names: dict[str, str], required: bool = True) -> None:
        """dimension <- feed[metric] for each (dimension, metric) pair."""
        for dimension, metric in names.items():
            if metric not in feed:
                if required:
                    raise SourceError(f"{service}: the metric {metric!r} is missing from its source")
                continue
            self.metric(service, dimension, feed[metric])

    def keyed(self, service: str, feed: dict, dimension_of: Callable[[str], str | None]) -> int:
        """Every metric whose name dimension_of understands; returns how many it took."""
        taken = 0
        for metric, by_location in feed.items():
            dimension = dimension_of(metric)
            if dimension:
                self.metric(service, dimension, by_location)
                taken += 1
        return taken


# --- Per source ----------------------------------------------------------------------------------

EC2 = re.compile(r"^OnDemand Linux-instancetype-(?P<type>[a-z0-9-]+\.[a-z0-9-]+)$")
RDS = re.compile(r"^Database Instance (?P<engine>MySQL|PostgreSQL|MariaDB) No license required db (?P<cls>\S+) "
                 r".*?(?P<az>Single-AZ|Multi-AZ readable standbys|Multi-AZ) (Current|Previous) Generation$")
AURORA = re.compile(r"^\[[^\]]*\] Database Instance Aurora (?P<engine>MySQL|PostgreSQL) No license required "
                    r"(?P<io>Aurora IO Optimization Mode )?db (?P<cls>\S+) .*Single-AZ (Current|Previous) Generation$")
CACHE = re.compile(r"^\[OnDemand Cache Instance [^\]]*\] OnDemand Cache Instance .*?cache (?P<node>\S+) "
                   r"(?P<engine>Valkey|Redis|Memcached) (Current|Previous) Generation$")
SEARCH = re.compile(r"^(?P<family>[a-z0-9]+) (?P<size>[a-z0-9]+)\.search - [^-]+ - OnDemand - ")
REDSHIFT = re.compile(r"^\[OnDemand Compute Instance [^\]]*\] (?P<family>[a-z0-9]+) (?P<size>[a-z0-9]+) OnDemand ")
DOCDB = re.compile(r"^\[[^\]]*OnDemand(?: NVMe SSD)?\] OnDemand-instancetype-(?P<cls>db\.\S+?)(?: NVMe SSD)?$")
NEPTUNE = re.compile(r"^\[Neptune [^\]]+\] Neptune .* db (?P<cls>\S+)$")  # IO-optimized rows end otherwise
ENGINES = {"MySQL": "mysql", "PostgreSQL": "postgres", "MariaDB": "mariadb"}
AZ = {"Single-AZ": "single", "Multi-AZ": "multi", "Multi-AZ readable standbys": "multi-readable"}

RDS_STORAGE = {  # dimension -> metric (rds-storage.json): GB-month, IOPS-month, MBps-month
    "gp2|single": "Database Storage Single AZ General Purpose",
    "gp2|multi": "Database Storage Multi AZ General Purpose",
    "gp3|single": "Database Storage Single AZ General Purpose-GP3",
    "gp3|multi": "Database Storage Multi AZ General Purpose-GP3",
    "io1|single": "Database Storage Single AZ Provisioned IOPS",
    "io1|multi": "Database Storage Multi AZ Provisioned IOPS",
    "io2|single": "Database Storage Single AZ Provisioned IOPS-IO2",
    "io2|multi": "Database Storage Multi AZ Provisioned IOPS-IO2",
    "standard|single": "Database Storage Single AZ Magnetic",
    "standard|multi": "Database Storage Multi AZ Magnetic",
    "io-iops|single": "Provisioned IOPS Single AZ",
    "io-iops|multi": "Provisioned IOPS Multi AZ",
    "gp3-iops|single": "Provisioned GP3 IOPS Single AZ",
    "gp3-iops|multi": "Provisioned GP3 IOPS Multi AZ",
    "gp3-throughput|single": "Provisioned Throughput Single AZ",
    "gp3-throughput|multi": "Provisioned Throughput Multi AZ",
}
AURORA_STORAGE = {  # rds-aurora-storage.json / rds-storage.json
    "storage": "Database Storage Single AZ General Purpose-Aurora",
    "storage-io-optimized": "Any IO Optimized Aurora",
    "io-request": "System Operation Aurora I O Operation",
    "serverless-v2-acu|aurora-mysql": "Aurora MySQL ServerlessV2",
    "serverless-v2-acu|aurora-postgresql": "Aurora PostgreSQL ServerlessV2",
}
SIMPLE = {  # source file -> (catalog service, {dimension: metric})
    "elb.json": ("elb", {
        "application-hour": "Application Load Balancer Hours", "application-lcu": "Application Load Balancer LCU Hours",
        "network-hour": "Network Load Balancer Hours", "network-lcu": "Network Load Balancer LCU Hours",
        "gateway-hour": "Gateway Load Balancer Hours", "gateway-lcu": "Gateway Load Balancer LCU Hours",
        "classic-hour": "Classic Load Balancer Hours", "classic-gb": "Classic Load Balancer Data"}),
    "eks.json": ("eks", {"cluster-hour": "Compute per Hours"}),
    "ecs.json": ("fargate", {
        "vcpu-hour": "perCPU per hour", "gb-hour": "perGB per hour",
        "arm-vcpu-hour": "ARM perCPU per hour", "arm-gb-hour": "ARM perGB per hour"}),
    "lambda.json": ("lambda", {
        "request": "Lambda Requests", "gb-second": "Lambda Duration",
        "arm-request": "Lambda Requests-ARM", "arm-gb-second": "Lambda Duration-ARM"}),
    "dynamodb.json": ("dynamodb", {
        "read-request": "PayPerRequest Read Request Units", "write-request": "PayPerRequest Write Request Units",
        "rcu-hour": "Provisioned Read Units", "wcu-hour": "Provisioned Write Units",
        "storage": "Data Storage Indexed GB-Mo",
        "ia-read-request": "PayPerRequest Read Request Units IA",
        "ia-write-request": "PayPerRequest Write Request Units IA",
        "ia-rcu-hour": "Provisioned Read Units IA", "ia-wcu-hour": "Provisioned Write Units IA",
        "ia-storage": "Data Storage Indexed - IA GB-Mo"}),
    "efs.json": ("efs", {
        "standard": "General Purpose Storage GB Mo", "ia": "Infrequent Access Storage GB Mo",
        "archive": "Archive Storage GB Mo", "one-zone": "One Zone General Purpose Storage GB Mo",
        "one-zone-ia": "One Zone Infrequent Access Storage GB Mo", "throughput-mibps": "Throughput Provisioned"}),
    "s3.json": ("s3", {
        "standard": "Standard Storage First 50 TB per GB Mo",
        "put-request": "PUT COPY/POST or LIST requests per Requests",
        "get-request": "GET and all other requests per Requests"}),
    "queueservice.json": ("sqs", {"standard-request": "Standard per Requests",
                                  "fifo-request": "FIFO first-in first-out per Requests"}),
    "sns.json": ("sns", {"request": "Amazon SNS API Requests"}),
    "kinesis.json": ("kinesis", {
        "shard-hour": "Provisioned shard hour per ShardHour", "put-unit": "Payload Units per PutRequest",
        "on-demand-stream-hour": "OnDemandStreamHr per StreamHr",
        "on-demand-ingest-gb": "OnDemandDataIngested per GB"}),
    "vpc.json": ("vpc", {
        "endpoint-hour": "Hourly charge for VPC Endpoints per Hrs",
        "endpoint-gb": "Charge for per GB data processed by VPC Endpoints per GB from 0 to 1048576",
        "gwlb-endpoint-hour": "Hourly charge for AWS Gateway Load Balancer VPC Endpoint per Hrs",
        "tgw-vpc-hour": "Hourly charge for Transit Gateway VPC Attachments per hour",
        "tgw-vpn-hour": "Hourly charge for Transit Gateway Site to-Site VPN attachments per hour",
        "tgw-dx-hour": "Hourly charge for Transit Gateway AWS Direct Connect Gateway attachments per hour",
        "tgw-peering-hour": "Hourly charge for Transit Gateway Peering Attachments per hour",
        "tgw-connect-hour": "Hourly charge for Transit Gateway Connect attachments per hour",
        "tgw-gb": "Charge for per GB data processed by AWS Transit Gateways for VPC attachments per GigaBytes",
        "vpn-hour": "CreateVpnConnection per Hrs"}),
    "route53.json": ("route53", {"hosted-zone-month": "DNS Zone first 25"}),
    "apigateway.json": ("apigateway", {
        "rest-request": "API Calls Number of up to 333 million",
        "http-request": "ApiGatewayHttpApi First 300 million"}),
    "elasticache.json": ("elasticache", {
        "serverless-gb-hour|redis": "OnDemand ElastiCache Serverless Redis per GB-Hours",
        "serverless-gb-hour|valkey": "OnDemand ElastiCache Serverless Valkey per GB-Hours",
        "serverless-gb-hour|memcached": "OnDemand ElastiCache Serverless Memcached per GB-Hours"}),
}
# CloudFront prices by edge location group ("United States", "EU", ...), not by region: the catalog
# keeps them under the group's name. Data transfer out: the first 10 TB a month tier.
CLOUDFRONT_GB = re.compile(r"^\[Regional DT to Internet First 10 TB\] "
                           r".*;Regional DT from (?P<group>.+) to Internet First 10 TB$")
CLOUDFRONT_HTTPS = re.compile(r"^Request HTTPS Methods from (?P<group>.+)$")


def _watcher(builder: Builder, folder: Path) -> None:
    feed = lambda name: _load(folder / name)  # noqa: E731 - one line per file below
    if not builder.keyed("ec2", feed("ec2.json"),
                         lambda metric: (m := EC2.match(metric)) and m["type"]):
        raise SourceError("ec2.json: no on-demand Linux instance prices")
    for name in ("rds-mysql-ondemand.json", "rds-postgresql-ondemand.json", "rds-mariadb-ondemand.json"):
        # About a third of the rows sit under hashed keys with no instance type: RDS.match skips them.
        builder.keyed("rds", feed(name), lambda metric: (m := RDS.match(metric)) and
                      f"{ENGINES[m['engine']]}|db.{m['cls']}|{AZ[m['az']]}")
    builder.keyed("rds", feed("rds-aurora-ondemand.json"), lambda metric: (m := AURORA.match(metric)) and
                  f"aurora-{ENGINES[m['engine']].replace('postgres', 'postgresql')}"
                  f"{'-io-optimized' if m['io'] else ''}|db.{m['cls']}|single")
    builder.keyed("docdb", feed("docdb.json"), lambda metric: (m := DOCDB.match(metric)) and m["cls"])
    builder.keyed("neptune", feed("neptune.json"), lambda metric: (m := NEPTUNE.match(metric)) and f"db.{m['cls']}")
    builder.metrics("rds-storage", feed("rds-storage.json"), RDS_STORAGE)
    aurora_storage = {**feed("rds-storage.json"), **feed("rds-aurora-storage.json")}
    builder.metrics("aurora-storage", aurora_storage, AURORA_STORAGE)
    builder.keyed("elasticache", feed("elasticache.json"), lambda metric: (m := CACHE.match(metric)) and
                  f"{m['engine'].lower()}|cache.{m['node']}")
    builder.keyed("opensearch", feed("es.json"), lambda metric: (m := SEARCH.match(metric)) and
                  f"{m['family']}.{m['size']}.search")
    builder.keyed("redshift", feed("redshift.json"), lambda metric: (m := REDSHIFT.match(metric)) and
                  f"{m['family']}.{m['size']}")
    for name, (service, names) in SIMPLE.items():
        builder.metrics(service, feed(name), names)
    for metric, by_group in feed("cloudfront.json").items():
        for dimension, pattern in (("gb", CLOUDFRONT_GB), ("https-request", CLOUDFRONT_HTTPS)):
            if match := pattern.match(metric):
                builder.put("cloudfront", dimension, match["group"], next(iter(by_group.values())))
    if "United States" not in builder.prices.get("cloudfront", {}).get("gb", {}):
        raise SourceError("cloudfront.json: no data transfer price for United States")


EBS_FIELDS = {"pricePerGBMonth": "", "pricePerIOPSMonth": "-iops", "pricePerTier1IOPSMonth": "-iops",
              "pricePerTier2IOPSMonth": "-iops-tier2", "pricePerTier3IOPSMonth": "-iops-tier3",
              "pricePerGiBpsMonth": "-throughput-gibps"}


def _ebs(builder: Builder, path: Path) -> None:
    for entry in _load(path):
        if entry.get("rzType") != "region":
            continue
        for volume_type, prices in entry["ebs_prices"].items():
            for field, suffix in EBS_FIELDS.items():
                if "USD" in prices.get(field, {}):  # the China regions are priced in CNY only
                    builder.put("ebs", volume_type + suffix, entry["rzCode"], prices[field]["USD"])


NAT = {"hour": "Hourly charge for NAT Gateways", "gb": "Charge for per GB data processed by NatGateways"}


def _nat(builder: Builder, path: Path) -> None:
    for location, rates in _load(path)["regions"].items():
        region = builder.locations.region(location)
        if region:
            for dimension, metric in NAT.items():
                if metric in rates:
                    builder.put("natgateway", dimension, region, rates[metric]["price"])


def build(source: Path) -> dict:
    """The catalog (a dict, as written) from the raw sources in `source`."""
    builder = Builder(Locations(_load(source / "aws-price" / "locations.json")))
    _watcher(builder, source / "aws-price-watcher")
    _ebs(builder, source / "ebs-pricing" / "ebs_pricing.json")
    _nat(builder, source / "aws-price" / "natgateway.json")
    return catalog_document(builder.prices, SOURCES)


def catalog_document(prices: Prices, sources: Iterable[dict], built: str | None = None) -> dict:
    return {"format": FORMAT, "built": built or dt.date.today().isoformat(), "sources": list(sources),
            "prices": {service: {dimension: dict(sorted(regions.items()))
                                 for dimension, regions in sorted(dimensions.items())}
                       for service, dimensions in sorted(prices.items())}}


def write(document: dict, out: Path) -> int:
    """Writes the catalog gzipped (mtime 0, so the same prices give the same bytes); returns its size."""
    data = json.dumps(document, separators=(",", ":"), sort_keys=False).encode()
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as handle:
        handle.write(data)
    return out.stat().st_size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    try:
        document = build(args.source)
    except SourceError as exc:
        print(f"catalog_build: {exc}", file=sys.stderr)
        return 2
    size = write(document, args.out)
    count = sum(len(regions) for dims in document["prices"].values() for regions in dims.values())
    print(f"wrote {args.out} ({size:,} bytes, {count:,} prices)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
