"""Totals by group, periods, currencies, what changed between two priced sets, and the exports."""
from __future__ import annotations

import csv
import io
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from services.budget import export, totals
from services.budget.costs import Component, price


def comp(arn, cfn_type, region="us-east-1", tags=None, **attributes):
    return Component(arn=arn, type=cfn_type, region=region, name=arn.rsplit("/", 1)[-1], tags=tags or {},
                     attributes=attributes)


WEB = comp("arn:i/web", "AWS::EC2::Instance", instanceType="m5.large", vpcId="vpc-a", tags={"team": "blue"})
DB = comp("arn:db/main", "AWS::RDS::DBInstance", region="eu-west-1", engine="mysql", instanceClass="db.t3.micro",
          multiAz=False, storageType="gp2", allocatedStorage=20, vpcId="vpc-b", tags={"team": "red"})
NAT = comp("arn:nat/1", "AWS::EC2::NatGateway", vpcId="vpc-a")
VPC = comp("arn:vpc/a", "AWS::EC2::VPC", vpcId="vpc-a")
WINDOWS = comp("arn:i/win", "AWS::EC2::Instance", instanceType="m5.large", platform="Windows")

WEB_M = D("0.096") * 730                       # 70.08
DB_M = D("0.018") * 730 + 20 * D("0.127")      # eu-west-1 db.t3.micro Single-AZ + 20 GiB gp2 = 15.68
NAT_M = D("0.045") * 730 + 100 * D("0.045")    # 37.35


@pytest.fixture()
def items():
    return [price(x) for x in (WEB, DB, NAT, VPC, WINDOWS)]


def test_totals_by_service_region_vpc_and_tag(items):
    assert totals.totals(items, "service") == {"ec2": WEB_M, "natgateway": NAT_M, "rds": DB_M}
    assert totals.totals(items, "region") == {"eu-west-1": DB_M, "us-east-1": WEB_M + NAT_M}
    assert totals.totals(items, "vpc") == {"vpc-a": WEB_M + NAT_M, "vpc-b": DB_M}
    assert totals.totals(items, "tag:team") == {"(untagged)": NAT_M, "blue": WEB_M, "red": DB_M}
    assert totals.total(items) == WEB_M + DB_M + NAT_M
    assert [item.arn for item in totals.unpriced(items)] == ["arn:i/win"]
    with pytest.raises(totals.BudgetError, match="cannot group by"):
        totals.totals(items, "colour")


@pytest.mark.parametrize("period, expected", [
    ("h", D("0.10")), ("d", D("2.30")), ("w", D("16.13")), ("m", D("70.08")), ("y", D("840.96")),
])
def test_periods(period, expected):
    assert totals.money(totals.convert(WEB_M, period)) == expected  # 0.096/h: x24, x168, x730, x8760
    assert totals.convert(WEB_M, "h") == D("0.096")  # exact before rounding to the cent


def test_currencies_at_default_and_overridden_rates(monkeypatch):
    monkeypatch.delenv("CLOUDSKETCH_CURRENCY_RATES", raising=False)
    assert set(totals.CURRENCIES) == {"USD", "AUD", "CHF", "DKK", "EUR", "GBP", "HKD", "JPY", "NOK", "NZD", "SEK",
                                      "ZAR"}
    eur = totals.DEFAULT_RATES["EUR"]
    assert totals.convert(D("100"), "m", "EUR") == 100 * eur
    monkeypatch.setenv("CLOUDSKETCH_CURRENCY_RATES", "EUR=0.5, gbp=0.25")
    assert totals.convert(D("100"), "m", "EUR") == D("50.0")
    assert totals.convert(D("100"), "y", "GBP") == D("300.00")
    assert totals.convert(D("100"), "m", "JPY") == 100 * totals.DEFAULT_RATES["JPY"]
    with pytest.raises(totals.BudgetError, match="not one of"):
        totals.convert(D("1"), "m", "XYZ")
    with pytest.raises(totals.BudgetError, match="period"):
        totals.convert(D("1"), "fortnight")
    with pytest.raises(totals.BudgetError, match="CODE=NUMBER"):
        totals.currency_rates("EUR=lots")
    with pytest.raises(totals.BudgetError, match="not one of"):
        totals.currency_rates("BTC=0.00001")


def test_what_changed_between_two_priced_sets():
    volume = comp("arn:vol/1", "AWS::EC2::Volume", volumeType="gp3", size=100, iops=3000, throughput=125)
    bigger = comp("arn:vol/1", "AWS::EC2::Volume", volumeType="gp3", size=500, iops=3000, throughput=125)
    resized = comp("arn:i/web", "AWS::EC2::Instance", instanceType="m5.xlarge", vpcId="vpc-a")
    before = {x.arn: price(x) for x in (WEB, volume, DB, VPC)}
    after = {x.arn: price(x) for x in (resized, bigger, NAT, VPC, comp("arn:subnet/new", "AWS::EC2::Subnet"))}
    found = {change.arn: change for change in totals.changes(before, after)}
    assert set(found) == {"arn:i/web", "arn:vol/1", "arn:nat/1", "arn:db/main"}  # unchanged and free: nothing
    assert found["arn:i/web"].reason == "m5.large -> m5.xlarge"
    assert found["arn:i/web"].delta == (D("0.192") - D("0.096")) * 730
    assert found["arn:vol/1"].reason == "gp3 100 -> 500 GiB"
    assert found["arn:vol/1"].delta == 400 * D("0.08")
    assert found["arn:nat/1"].reason == "new NAT gateway" and found["arn:nat/1"].before is None
    assert found["arn:db/main"].reason == "removed" and found["arn:db/main"].delta == -DB_M


def test_a_change_of_status_says_why():
    stopped = comp("arn:i/web", "AWS::EC2::Instance", instanceType="m5.large", state="stopped")
    [change] = totals.changes({WEB.arn: price(WEB)}, {WEB.arn: price(stopped)})
    assert change.reason.startswith("priced -> free (instance is stopped")
    assert change.delta == -WEB_M and change.after == 0
    windows = comp("arn:i/web", "AWS::EC2::Instance", instanceType="m5.large", platform="Windows")
    [change] = totals.changes({WEB.arn: price(WEB)}, {WEB.arn: price(windows)})
    assert change.reason.startswith("priced -> unpriced (platform Windows")
    assert change.after is None and change.delta == -WEB_M


def test_a_budget_updates_its_totals_from_changes():
    budget = totals.Budget()
    budget.apply([WEB, DB, NAT, VPC, WINDOWS])
    assert budget.total == WEB_M + DB_M + NAT_M
    changed = budget.apply([comp("arn:i/web", "AWS::EC2::Instance", instanceType="m5.xlarge")], removed=["arn:nat/1"])
    assert [change.reason for change in changed] == ["m5.large -> m5.xlarge", "removed"]
    assert budget.total == D("0.192") * 730 + DB_M
    assert budget.by_service == {"ec2": D("0.192") * 730, "rds": DB_M, "natgateway": 0}
    assert budget.total == totals.total(budget.items.values())


def test_csv_starts_with_cloudcraft_header_then_cloudsketch_columns(items):
    text = export.to_csv(items, currency="USD", period="m")
    header = text.splitlines()[0]
    assert header == ("category,type,region,count,unitPrice,cost,instanceType,instanceSize,platform,role,engine,"
                      "storage,dataGb,snapshots,volume,iops,memory,mRequests,computeDuration,readUnits,writeUnits,"
                      "readConsistency,shards,putUnits,extendedRetention,emailsOut,requests,notifications,"
                      "notificationType,cache,apiCalls,tier,instance,id,name,currency,period,basis,priced")
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(text))}
    assert rows["arn:i/web"]["cost"] == "70.08" and rows["arn:i/web"]["unitPrice"] == "0.096"
    assert rows["arn:i/web"]["instanceType"] == "m5" and rows["arn:i/web"]["instanceSize"] == "large"
    assert rows["arn:db/main"]["engine"] == "mysql" and rows["arn:db/main"]["storage"] == "20"
    assert rows["arn:i/win"]["priced"] == "no" and rows["arn:i/win"]["cost"] == ""
    assert rows["arn:vpc/a"]["priced"] == "free" and rows["arn:vpc/a"]["cost"] == "0.00"
    assert rows["arn:nat/1"]["basis"] == "natgateway us-east-1 0.045/h x 730 h + 100 GB x 0.045"


def test_csv_in_another_currency_and_period(items):
    rates = totals.currency_rates("EUR=0.5")
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(export.to_csv(items, "EUR", "y", rates)))}
    assert rows["arn:i/web"]["cost"] == str(totals.money(WEB_M * 12 * D("0.5")))  # 420.48
    assert rows["arn:i/web"]["currency"] == "EUR" and rows["arn:i/web"]["period"] == "y"


def test_xlsx_holds_the_rows_and_a_totals_sheet(items, tmp_path):
    path = tmp_path / "budget.xlsx"
    export.to_xlsx(items, path)
    book = load_workbook(path)
    assert book.sheetnames == ["Budget", "Totals"]
    sheet = list(book["Budget"].values)
    assert list(sheet[0]) == list(export.COLUMNS)
    by_id = {row[export.COLUMNS.index("id")]: row for row in sheet[1:]}
    assert by_id["arn:i/web"][export.COLUMNS.index("cost")] == 70.08
    assert by_id["arn:i/win"][export.COLUMNS.index("priced")] == "no"
    summary = {(row[0], row[1]): row[2] for row in book["Totals"].values}
    assert summary[("service", "ec2")] == 70.08
    assert summary[("region", "eu-west-1")] == float(totals.money(DB_M))
    assert summary[("total", None)] == float(totals.money(WEB_M + DB_M + NAT_M))
    assert summary[("unpriced components", None)] == 1
