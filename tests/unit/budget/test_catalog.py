"""The price catalog: the converter's output, loading it, and the clear error a broken file gives."""
from __future__ import annotations

import gzip
import json
import os
from decimal import Decimal
from pathlib import Path

import pytest

from services.budget import catalog, catalog_build

# The raw sources are not part of the repository (they keep their own licences); the converter's
# tests run where they are present: CLOUDSKETCH_PRICE_SOURCES, else the converter's default.
SOURCES = Path(os.environ.get("CLOUDSKETCH_PRICE_SOURCES") or catalog_build.DEFAULT_SOURCE)
needs_sources = pytest.mark.skipif(not (SOURCES / "aws-price" / "locations.json").exists(),
                                   reason="raw AWS price sources not present")


def test_the_packaged_catalog_names_its_sources_licences_and_dates():
    loaded = catalog.load()
    assert [source["name"] for source in loaded.sources] == ["aws-price-watcher", "ebs-pricing", "aws-price"]
    assert all(source["licence"] == "MIT" and source["date"] for source in loaded.sources)
    assert "aws-price-watcher (2025-06-18)" in loaded.describe()


@pytest.mark.parametrize("key, price", [
    (("ec2", "m5.large", "us-east-1"), "0.096"),
    (("ec2", "t3.micro", "us-east-1"), "0.0104"),
    (("rds", "mysql|db.t3.micro|single", "us-east-1"), "0.017"),
    (("rds", "mysql|db.t3.micro|multi", "us-east-1"), "0.034"),
    (("elb", "application-hour", "us-east-1"), "0.0225"),
    (("elb", "application-lcu", "us-east-1"), "0.008"),
    (("natgateway", "hour", "us-east-1"), "0.045"),
    (("natgateway", "gb", "us-east-1"), "0.045"),
    (("eks", "cluster-hour", "us-east-1"), "0.1"),
    (("ebs", "gp3", "us-east-1"), "0.08"),
    (("ebs", "gp2", "us-east-1"), "0.1"),
    (("s3", "standard", "us-east-1"), "0.023"),
])
def test_spot_checks_match_the_published_us_east_1_prices(key, price):
    assert catalog.default().get(*key) == Decimal(price)


def test_the_catalog_covers_every_region_of_the_sources():
    loaded = catalog.default()
    regions = {region for (service, _, region) in loaded.prices if service == "ec2"}
    assert {"us-east-1", "eu-west-1", "ap-southeast-2", "sa-east-1", "eu-central-1", "af-south-1"} <= regions
    assert len(regions) >= 30
    assert loaded.get("ec2", "m5.large", "no-such-region-1") is None


@needs_sources
def test_the_committed_catalog_is_what_the_converter_makes_from_the_sources():
    built = catalog_build.build(SOURCES)
    with gzip.open(catalog.DEFAULT_PATH) as handle:
        committed = json.load(handle)
    assert built["prices"] == committed["prices"]
    assert built["sources"] == committed["sources"]


@needs_sources
def test_the_converter_writes_a_loadable_catalog(tmp_path):
    out = tmp_path / "catalog.json.gz"
    assert catalog_build.main([str(SOURCES), "--out", str(out)]) == 0
    assert catalog.load(out).get("rds", "postgres|db.m5.large|multi", "eu-west-1") is not None


def test_the_converter_names_a_missing_source(tmp_path, capsys):
    assert catalog_build.main([str(tmp_path), "--out", str(tmp_path / "c.json.gz")]) == 2
    assert "cannot read price source" in capsys.readouterr().err


@pytest.mark.parametrize("content, message", [
    (b"not gzip at all", "is not a readable gzip file"),
    (gzip.compress(b"{truncated"), "is not valid JSON"),
    (gzip.compress(b'{"format": 1}'), "has no 'prices' object"),
    (gzip.compress(b'{"format": 9, "prices": {}}'), "has format 9"),
    (gzip.compress(b'{"format": 1, "prices": {"ec2": {"m5.large": {"us-east-1": "cheap"}}}}'), "malformed price"),
])
def test_a_corrupt_catalog_gives_a_clear_error(tmp_path, content, message):
    path = tmp_path / "catalog.json.gz"
    path.write_bytes(content)
    with pytest.raises(catalog.CatalogError, match=message) as raised:
        catalog.load(path)
    assert str(path) in str(raised.value)


def test_a_missing_catalog_gives_a_clear_error(tmp_path):
    with pytest.raises(catalog.CatalogError, match="does not exist"):
        catalog.load(tmp_path / "absent.json.gz")
