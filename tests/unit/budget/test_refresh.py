"""`cloudsketch prices refresh` against the Price List API's get_products. moto does not implement
the pricing service, so the responses are stubbed with botocore's Stubber, in the API's documented
shape (PriceList: one JSON document per product, on-demand terms with pricePerUnit.USD)."""
from __future__ import annotations

import gzip
import json
from decimal import Decimal

import boto3
import pytest
from botocore.stub import Stubber

from services import cli
from services.budget import catalog, refresh


def product(family: str, attributes: dict, usd: str, unit: str = "Hrs", sku: str = "SKU1") -> str:
    return json.dumps({
        "product": {"productFamily": family, "attributes": attributes, "sku": sku},
        "serviceCode": "AmazonEC2",
        "terms": {"OnDemand": {f"{sku}.JRTCKXETXF": {
            "offerTermCode": "JRTCKXETXF", "sku": sku, "effectiveDate": "2025-11-01T00:00:00Z",
            "priceDimensions": {f"{sku}.JRTCKXETXF.6YS6EN2CT7": {
                "unit": unit, "beginRange": "0", "endRange": "Inf", "description": "test",
                "pricePerUnit": {"USD": usd}}}}}},
        "version": "20251101000000", "publicationDate": "2025-11-01T00:00:00Z"})


EC2_PAGE_1 = [product("Compute Instance", {"instanceType": "m5.large", "regionCode": "us-east-1",
                                           "operatingSystem": "Linux", "tenancy": "Shared"}, "0.0990000000")]
EC2_PAGE_2 = [product("Compute Instance", {"instanceType": "m9.large", "regionCode": "eu-west-1"}, "0.2000000000",
                      sku="SKU2"),
              product("Compute Instance", {"instanceType": "m5.large", "location": "Somewhere"}, "9", sku="SKU3")]
RESPONSES = {  # query index -> PriceList pages
    0: [EC2_PAGE_1, EC2_PAGE_2],
    1: [[product("Storage", {"volumeApiName": "gp3", "regionCode": "us-east-1"}, "0.0790000000", "GB-Mo")]],
    4: [[product("NAT Gateway", {"usagetype": "USE1-NatGateway-Hours", "regionCode": "us-east-1"}, "0.0460000000"),
         product("NAT Gateway", {"usagetype": "USE1-NatGateway-Bytes", "regionCode": "us-east-1"}, "0.0460000000",
                 "GB", sku="SKU4")]],
    5: [[product("Database Instance", {"instanceType": "db.t3.micro", "regionCode": "us-east-1",
                                       "databaseEngine": "MySQL", "deploymentOption": "Multi-AZ"}, "0.0350000000")]],
    6: [[product("Load Balancer-Application", {"usagetype": "LoadBalancerUsage", "regionCode": "us-east-1"}, "0.0230"),
         product("Load Balancer-Application", {"usagetype": "USE1-LCUUsage", "regionCode": "us-east-1"}, "0.0081",
                 sku="SKU5")]],
    7: [[product("Compute", {"usagetype": "USE1-AmazonEKS-Hours:perCluster", "regionCode": "us-east-1"}, "0.10")]],
}


@pytest.fixture()
def stubbed():
    client = boto3.client("pricing", region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
    stubber = Stubber(client)
    for index, query in enumerate(refresh.QUERIES):
        pages = RESPONSES.get(index, [[]])
        filters = [{"Type": "TERM_MATCH", "Field": field, "Value": value} for field, value in query.filters]
        for number, page in enumerate(pages):
            response = {"PriceList": page, "FormatVersion": "aws_v1"}
            params = {"ServiceCode": query.service_code, "Filters": filters, "FormatVersion": "aws_v1"}
            if number + 1 < len(pages):
                response["NextToken"] = f"page-{number + 2}"
            if number:
                params["NextToken"] = f"page-{number + 1}"
            stubber.add_response("get_products", response, params)
    with stubber:
        yield client
    stubber.assert_no_pending_responses()


def test_refresh_lays_the_api_prices_over_the_catalog(stubbed, tmp_path):
    out = tmp_path / "catalog.json.gz"
    count = refresh.refresh(stubbed, catalog.DEFAULT_PATH, out)
    assert count == 9  # the product without a regionCode is skipped
    refreshed = catalog.load(out)
    assert refreshed.get("ec2", "m5.large", "us-east-1") == Decimal("0.099")
    assert refreshed.get("ec2", "m9.large", "eu-west-1") == Decimal("0.2")        # from the second page
    assert refreshed.get("ebs", "gp3", "us-east-1") == Decimal("0.079")
    assert refreshed.get("natgateway", "gb", "us-east-1") == Decimal("0.046")
    assert refreshed.get("rds", "mysql|db.t3.micro|multi", "us-east-1") == Decimal("0.035")
    assert refreshed.get("elb", "application-lcu", "us-east-1") == Decimal("0.0081")
    assert refreshed.get("eks", "cluster-hour", "us-east-1") == Decimal("0.1")
    # Prices the API did not return stay as packaged.
    assert refreshed.get("ec2", "m5.large", "eu-west-1") == catalog.default().get("ec2", "m5.large", "eu-west-1")
    names = [source["name"] for source in refreshed.sources]
    assert names == ["aws-price-watcher", "ebs-pricing", "aws-price", "AWS Price List API"]
    assert "ec2" in refreshed.sources[-1]["covers"]


def test_an_empty_answer_leaves_the_catalog_alone(tmp_path):
    client = boto3.client("pricing", region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
    with Stubber(client) as stubber:
        for _ in refresh.QUERIES:
            stubber.add_response("get_products", {"PriceList": [], "FormatVersion": "aws_v1"})
        with pytest.raises(RuntimeError, match="no prices"):
            refresh.refresh(client, catalog.DEFAULT_PATH, tmp_path / "catalog.json.gz")
    assert not (tmp_path / "catalog.json.gz").exists()


def test_the_command_without_credentials_says_so(monkeypatch, tmp_path, capfd):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                 "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                 "AWS_WEB_IDENTITY_TOKEN_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    out = tmp_path / "catalog.json.gz"
    assert cli.main(["prices", "refresh", "--out", str(out)]) == 2
    assert "no AWS credentials found" in capfd.readouterr().err
    assert not out.exists()


def test_the_packaged_catalog_is_untouched_by_the_tests():
    with gzip.open(catalog.DEFAULT_PATH) as handle:
        document = json.load(handle)
    assert "AWS Price List API" not in [source["name"] for source in document["sources"]]
