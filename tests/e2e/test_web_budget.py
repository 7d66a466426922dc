"""The budget page end to end: a real stack (`cloudsketch up` against a moto server holding a small
demo estate), an account connected through the REST API and synced and priced, and headless
Chromium driving /app/budget: the table by group matches the API's totals, the chart has a bar per
service, currency and period switch (from the keyboard too) and survive a reload, the CSV download
is the account's export in the chosen currency and period, the unpriced components are listed
with their reason, and the latest sync's changes are shown. A second test answers the API itself
(Playwright's `page.route`) for the account switch, "still processing", an error and hostile
names. On every step: no console error, no serious or critical axe-core finding, and a screenshot
under var/test-artifacts/web-ui/.
"""
from __future__ import annotations

import csv
import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from services.budget.export import CLOUDCRAFT_COLUMNS
from services.demo import ensure_role
from services.demo_estate import seed
from tests.helpers.web import expect, sign_in

pytestmark = pytest.mark.slow
AWS_ACCOUNT = "456789012345"          # an AWS account of the moto server no other web test uses
REGION = "us-east-1"
SYNC_MS = 240_000                     # an upper bound for a sync (and its pricing) on a busy machine


def wait_state(page, state: str, timeout: int = 30_000) -> None:
    expect(page.locator("#page")).to_have_attribute("data-budget-state", state, timeout=timeout)


def requested(page) -> dict[str, str]:
    url = page.locator("#page").get_attribute("data-budget-request")
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def test_the_budget_page(visit, stack):
    page = visit.page
    sign_in(page)
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    seed(stack["moto"], accounts=(AWS_ACCOUNT,), regions=(REGION,), scale=1)
    parameters = page.request.get("/api/aws/account/iamParameters").json()
    role_arn = ensure_role(stack["moto"], parameters["externalId"], AWS_ACCOUNT, "cloudsketch-readonly",
                           trusted_account_id=parameters["accountId"])
    created = page.request.post("/api/aws/account", headers={"X-CSRF-Token": token},
                                data={"name": "Budget <i>prod</i>", "roleArn": role_arn, "regions": [REGION]})
    assert created.status == 201, created.text()
    account_id = created.json()["id"]

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Budget").click()
    page.get_by_role("link", name="Budget <i>prod</i>").click()
    # "still processing" (202, checked again on its own) until the first sync is priced
    wait_state(page, "ready", SYNC_MS)
    assert requested(page) == {"currency": "USD", "period": "m", "groupBy": "service"}
    budget = page.request.get(f"/api/aws/account/{account_id}/budget?groupBy=service").json()
    expect(page.locator("#budget-total")).to_have_text(f"${float(budget['total']):,.2f}")
    table = page.get_by_role("table", name=re.compile("^Cost a month by service"))
    keys = [g["key"] for g in sorted(budget["groups"], key=lambda g: -float(g["cost"]))]
    expect(table.locator("tbody th")).to_have_text(keys)
    expect(table.locator("tfoot")).to_contain_text(f"${float(budget['total']):,.2f}")
    services = {c["service"] for c in budget["components"] if float(c["cost"] or 0) > 0}
    chart = page.get_by_role("img", name=re.compile(r"^Cost a month by service, in USD: "))
    expect(chart.locator("rect.chart-bar")).to_have_count(min(len(services), 12))
    # the bars say what the table says, to the cent (not sums of rounded component costs)
    shown = len(services) if len(services) <= 12 else 11
    assert chart.locator("text.chart-value").all_text_contents()[:shown] == \
        table.locator("tbody tr td.num:nth-child(2)").all_text_contents()[:shown]
    # what could not be priced, with the reason (moto runs no task for the demo's ECS service)
    assert budget["unpriced"]
    unpriced = page.get_by_role("table").filter(has=page.get_by_role("columnheader", name="Reason"))
    expect(unpriced.locator("tbody tr")).to_have_count(len(budget["unpriced"]))
    for item in budget["unpriced"]:
        expect(unpriced).to_contain_text(item["reason"].removeprefix("unpriced: "))
    # the first priced sync lists every priced component as new
    changes = page.get_by_role("region", name="Since the last sync")
    expect(changes.get_by_role("table")).to_contain_text("new EC2 instance")
    visit.check("budget-ready")

    # currency and period; the period from the keyboard (arrow keys move between the radio buttons)
    page.get_by_label("Currency").select_option("EUR")
    wait_state(page, "ready")
    assert requested(page)["currency"] == "EUR"
    expect(page.locator("#budget-total")).to_have_text(re.compile("^€"))
    page.get_by_role("radio", name="Month").focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("radio", name="Year")).to_be_checked()
    wait_state(page, "ready")
    assert requested(page) == {"currency": "EUR", "period": "y", "groupBy": "service"}
    yearly = page.request.get(f"/api/aws/account/{account_id}/budget?currency=EUR&period=y").json()
    expect(page.locator("#budget-total")).to_have_text(f"€{float(yearly['total']):,.2f}")
    expect(page.get_by_role("img", name=re.compile(r"^Cost a year by service, in EUR: "))).to_be_visible()
    visit.check("budget-eur-yearly")

    # grouping by region, then by a tag; the options survive a reload
    page.get_by_label("Group by").select_option("region")
    wait_state(page, "ready")
    by_region = page.request.get(f"/api/aws/account/{account_id}/budget?groupBy=region&currency=EUR&period=y").json()
    assert REGION in [g["key"] for g in by_region["groups"]]
    expect(page.get_by_role("table", name=re.compile("^Cost a year by region")).locator("tbody th")).to_have_text(
        [g["key"] for g in sorted(by_region["groups"], key=lambda g: -float(g["cost"]))])
    page.get_by_label("Group by").select_option("tag")
    page.get_by_label("Tag key").fill("app")
    page.get_by_role("button", name="Group", exact=True).click()
    wait_state(page, "ready")
    assert requested(page)["groupBy"] == "tag:app"
    page.reload()
    wait_state(page, "ready")
    expect(page.get_by_label("Currency")).to_have_value("EUR")
    expect(page.get_by_role("radio", name="Year")).to_be_checked()
    expect(page.get_by_label("Tag key")).to_have_value("app")
    visit.check("budget-by-tag")

    # the CSV download: the account's export in the chosen currency and period
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    assert download.value.suggested_filename == "budget-Budget-i-prod-i.csv"   # the account's name, made safe
    header, *rows = list(csv.reader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))
    assert header[:len(CLOUDCRAFT_COLUMNS)] == list(CLOUDCRAFT_COLUMNS)
    assert {row[header.index("currency")] for row in rows} == {"EUR"}
    assert {row[header.index("period")] for row in rows} == {"y"}
    exported = {row[header.index("id")] for row in rows}
    assert {c["arn"] for c in budget["components"]} | {u["arn"] for u in budget["unpriced"]} <= exported
    xlsx = page.request.get(page.get_by_role("link", name="Download XLSX").get_attribute("href"))
    assert xlsx.status == 200 and xlsx.body()[:2] == b"PK"


ACCOUNTS = [{"id": "acc-1", "name": "Staging", "awsAccountId": "210987654321", "regions": ["eu-west-1"],
             "roleArn": "", "readAccess": [], "writeAccess": [], "verification": {"state": "verified", "message": ""}},
            {"id": "acc-2", "name": "Prod <b>eu</b>", "awsAccountId": "210987654322", "regions": [],
             "roleArn": "", "readAccess": [], "writeAccess": [], "verification": {"state": "verified", "message": ""}}]
HOSTILE = "<script>alert(1)</script>"
BUDGET = {"accountId": "acc-2", "currency": "USD", "period": "m", "total": "110.00", "groupBy": "service",
          "groups": [{"key": "ec2", "cost": "100.00"}, {"key": HOSTILE, "cost": "10.00"}],
          "components": [{"arn": "arn:1", "type": "AWS::EC2::Instance", "region": "eu-west-1", "name": "web",
                          "service": "ec2", "vpc": "", "tags": {}, "status": "priced", "cost": "100.00",
                          "basis": "ec2 m5.large"},
                         {"arn": "arn:2", "type": "AWS::X::Y", "region": "eu-west-1", "name": HOSTILE,
                          "service": HOSTILE, "vpc": "", "tags": {}, "status": "priced", "cost": "10.00",
                          "basis": "x"}],
          "unpriced": [{"arn": "arn:3", "type": "AWS::WAFv2::WebACL", "name": "edge",
                        "reason": "unpriced: no cost model for AWS::WAFv2::WebACL"}],
          "priceSource": "test prices", "pricedAt": "2026-01-01T00:00:00Z", "syncId": "s1"}


CHANGES = {"accountId": "acc-2", "syncId": "s1", "changedAt": "2026-01-01T00:00:00Z", "totalBefore": "60.00",
           "totalAfter": "110.00", "staleSince": None,
           "changes": [{"arn": "arn:aws:ec2:eu-west-1:210987654322:instance/i-1", "type": "AWS::EC2::Instance",
                        "name": "web", "before": "50.00", "after": "100.00", "delta": "50.00",
                        "reason": "m5.large -> m5.xlarge"},
                       {"arn": "arn:aws:wafv2::210987654322:global/webacl/edge", "type": "AWS::WAFv2::WebACL",
                        "name": "edge", "before": None, "after": None, "delta": "0", "reason": "new WebACL"}]}


def test_account_switch_processing_error_and_hostile_names(visit, stack):
    """The API answered by the test: the account switch, "still processing" then the budget, an
    error that says what to do, and AWS names with markup that stay text (in the chart too)."""
    page = visit.page
    sign_in(page)
    answers = {"acc-1": 0}

    def staging(route):
        answers["acc-1"] += 1
        if answers["acc-1"] == 1:
            route.fulfill(status=202, json={"code": "STILL_PROCESSING", "retry": True})
        else:
            route.fulfill(status=503, json={"error": "the budget service did not answer"})

    page.route("**/api/aws/account", lambda route: route.fulfill(json={"accounts": ACCOUNTS}))
    page.route(re.compile(r".*/api/aws/account/acc-\d/budget/changes$"),
               lambda route: route.fulfill(json={"accountId": "acc", "syncId": None, "changedAt": None,
                                                 "totalBefore": None, "totalAfter": None, "changes": []}))
    page.route(re.compile(r".*/api/aws/account/acc-2/budget/changes$"), lambda route: route.fulfill(json=CHANGES))
    page.route(re.compile(r".*/api/aws/account/acc-1/budget\?.*"), staging)
    page.route(re.compile(r".*/api/aws/account/acc-2/budget\?.*"), lambda route: route.fulfill(json=BUDGET))
    visit.allow_http_error(r"GET /api/aws/account/acc-1/budget\?.* 503")

    page.goto("/app/budget?account=acc-1&currency=xyz&period=q")
    wait_state(page, "processing")
    assert requested(page) == {"currency": "USD", "period": "m", "groupBy": "service"}   # defaults for bad values
    expect(page.get_by_role("heading", name="Still processing")).to_be_visible()
    expect(page.get_by_text("No cost has changed yet")).to_be_visible()
    visit.check("budget-processing")
    page.get_by_role("button", name="Check now").click()
    wait_state(page, "error")
    expect(page.get_by_role("alert")).to_have_text(re.compile(
        "^Could not load the budget: the budget service did not answer. Try again"))
    expect(page.get_by_role("button", name="Try again")).to_be_visible()
    visit.check("budget-error")

    page.get_by_label("Account").select_option(label="Prod <b>eu</b>")
    expect(page).to_have_url(re.compile(r"/app/budget\?.*account=acc-2"))
    wait_state(page, "ready")
    table = page.get_by_role("table", name=re.compile("^Cost a month by service"))
    expect(table.locator("tbody th")).to_have_text(["ec2", HOSTILE])
    expect(table.locator("tbody tr").nth(1)).to_contain_text("9.1 %")
    chart = page.locator("svg.budget-chart")
    expect(chart.locator("text.chart-label")).to_have_text(["ec2", HOSTILE[:23] + "…"])
    assert page.locator("main script").count() == 0 and page.locator("svg.budget-chart script").count() == 0
    expect(page.get_by_text("no cost model for AWS::WAFv2::WebACL")).to_be_visible()
    expect(page.get_by_text("1 component is left out of the total")).to_be_visible()
    # what the sync changed, with each component's region; a new component without a price is not "+$0.00"
    changes = page.get_by_role("region", name="Since the last sync").locator("tbody tr")
    expect(changes.nth(0).locator("td")).to_have_text(["web", "eu-west-1", "AWS::EC2::Instance", "$50.00", "$100.00",
                                                       "+$50.00", "m5.large -> m5.xlarge"])
    expect(changes.nth(1).locator("td")).to_have_text(["edge", "global", "AWS::WAFv2::WebACL", "–", "–", "not priced",
                                                       "new WebACL"])
    visit.check("budget-hostile-names")
