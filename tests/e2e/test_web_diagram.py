"""The diagram view end to end: a real stack (`cloudsketch up` against a moto server holding a
small demo estate), an account connected through the REST API and synced by the collector, and
headless Chromium driving /app/diagram: the server's SVG appears with the account's components,
a malformed filter shows the API's message next to the box, the projection, theme, grouping and
region change the request, pan and zoom move the one picture, every export link downloads, and
the versions list shows what changed between two syncs. On every step: no console error, no
serious or critical axe-core finding, and a screenshot under var/test-artifacts/web-ui/.
"""
from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from services.demo import ensure_role
from services.demo_estate import account_client, seed
from tests.helpers.web import expect, sign_in

pytestmark = pytest.mark.slow
AWS_ACCOUNT = "345678901234"          # an AWS account of the moto server no other web test uses
REGIONS = ["us-east-1", "eu-west-1"]
SYNC_MS = 240_000                     # an upper bound for a sync on a busy machine
CONTENT_TYPES = {"json": "application/json", "svg": "image/svg+xml", "png": "image/png", "pdf": "application/pdf",
                 "mxGraph": "application/xml"}


def svg_requests(page) -> list[str]:
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url) if re.search(r"/api/aws/account/[^/]+/[^/]+/svg\?",
                                                                           request.url) else None)
    return urls


def options_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def wait_ready(page, timeout: int = SYNC_MS) -> None:
    expect(page.locator("#page")).to_have_attribute("data-diagram-state", "ready", timeout=timeout)


def test_the_diagram_view(visit, stack):
    page = visit.page
    sign_in(page)
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    manifest = seed(stack["moto"], accounts=(AWS_ACCOUNT,), regions=tuple(REGIONS), scale=1)
    parameters = page.request.get("/api/aws/account/iamParameters").json()
    role_arn = ensure_role(stack["moto"], parameters["externalId"], AWS_ACCOUNT, "cloudsketch-readonly",
                           trusted_account_id=parameters["accountId"])
    created = page.request.post("/api/aws/account", headers={"X-CSRF-Token": token},
                                data={"name": "Diagram <b>prod</b>", "roleArn": role_arn, "regions": REGIONS})
    assert created.status == 201, created.text()
    account_id = created.json()["id"]

    requested = svg_requests(page)
    page.goto("/app/diagram")
    page.get_by_role("link", name="Diagram <b>prod</b>").click()
    # "still processing" (202, checked again on its own) until the first sync is in
    wait_ready(page)
    image = page.get_by_role("img", name=re.compile(r"^Diagram: \d+ components of Diagram <b>prod<.b>, all regions"))
    expect(image).to_be_visible()
    assert page.locator("main svg text, main object").count() == 0   # the server's picture, in an <img>
    assert page.locator("#page").get_attribute("data-diagram-request") == requested[-1].removeprefix(stack["url"])
    loads = len(requested)
    first = options_of(requested[-1])
    assert first == {"groupBy": "infrastructure", "projection": "isometric", "theme": "light"}
    svg = page.request.get(requested[-1])
    assert svg.status == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    names = {r.name for r in manifest.resources if r.type in ("AWS::RDS::DBInstance", "AWS::Lambda::Function")
             and re.fullmatch(r"[\w-]+", r.name or "")}
    assert names and all(f"<title>{name} (" in svg.text() for name in names), names
    assert "<b>prod" not in svg.text()
    visit.check("diagram-ready")

    # pan and zoom: the one picture's transform, from the keyboard and the buttons
    canvas = page.locator(".diagram-canvas")
    fitted = canvas.evaluate("e => e.style.transform")
    viewport = page.get_by_role("region", name=re.compile("^Diagram: drag"))
    viewport.focus()
    page.keyboard.press("+")
    expect(canvas).not_to_have_attribute("style", re.compile(re.escape(fitted)))
    zoomed = canvas.evaluate("e => e.style.transform")
    page.keyboard.press("ArrowLeft")
    expect(canvas).not_to_have_attribute("style", re.compile(re.escape(zoomed)))
    page.keyboard.press("0")
    expect(canvas).to_have_attribute("style", re.compile(re.escape(fitted)))
    page.get_by_role("button", name="Zoom in").click()
    expect(page.locator(".zoom-level")).not_to_have_text(re.compile(r"^$"))
    page.get_by_role("button", name="Fit").click()
    assert len(requested) == loads   # no new request for pan or zoom

    # a malformed filter: the API's own message next to the box
    visit.allow_http_error(r"GET /api/aws/account/[\w-]+/all/svg\?filter=.* 400")
    box = page.get_by_label("Filter")
    box.fill("(type=ec2 AND")
    box.press("Enter")
    error = page.locator("#diagram-filter-error")
    expect(error).to_contain_text("filter: at position")
    assert "diagram-filter-error" in box.get_attribute("aria-describedby")
    expect(box).to_have_attribute("aria-invalid", "true")
    api_error = page.request.get(requested[-1]).json()["error"]
    expect(error).to_contain_text(api_error)
    visit.check("diagram-bad-filter")
    # a filter that matches nothing: the empty state says what to do
    box.fill("no-such-component-anywhere")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#page")).to_have_attribute("data-diagram-state", "empty")
    expect(page.get_by_role("heading", name="Nothing to draw")).to_be_visible()
    expect(page.get_by_text("No component matches the filter")).to_contain_text("Change it or clear it")
    box.fill("type=rds")
    page.get_by_role("button", name="Apply").click()
    wait_ready(page)
    expect(box).not_to_have_attribute("aria-invalid", "true")
    assert options_of(requested[-1])["filter"] == "type=rds"
    page.get_by_role("button", name="Clear").click()
    wait_ready(page)
    assert "filter" not in options_of(requested[-1])

    # projection, theme, grouping and region change the request
    page.get_by_label("2D").check()
    wait_ready(page)
    assert options_of(requested[-1])["projection"] == "2d"
    page.get_by_label("Dark").check()
    wait_ready(page)
    assert options_of(requested[-1])["theme"] == "dark"
    page.get_by_label("Group by").select_option("network")
    wait_ready(page)
    assert options_of(requested[-1])["groupBy"] == "network"
    page.get_by_label("Group by").select_option("tag")
    page.get_by_label("Tag key").fill("env")
    page.get_by_role("button", name="Group", exact=True).click()
    wait_ready(page)
    assert options_of(requested[-1])["groupBy"] == "tag:env"
    page.get_by_label("Group by").select_option("securityGroup")
    wait_ready(page)
    assert options_of(requested[-1])["groupBy"] == "securityGroup"
    expect(page.get_by_label("Region").locator("option")).to_have_text(["All regions", *sorted(REGIONS)])
    page.get_by_label("Region").select_option("eu-west-1")
    wait_ready(page)
    assert urlsplit(requested[-1]).path == f"/api/aws/account/{account_id}/eu-west-1/svg"
    visit.check("diagram-2d-dark-eu")
    # the options are in the page's address: a reload shows the same view
    page.reload()
    wait_ready(page)
    assert options_of(requested[-1]) == {"groupBy": "securityGroup", "projection": "2d", "theme": "dark"}
    expect(page.get_by_label("Dark")).to_be_checked()

    # every export format, with the current options, downloads
    page.get_by_text("Export", exact=True).click()
    links = page.locator(".export-list a")
    expect(links).to_have_count(len(CONTENT_TYPES))
    for index in range(links.count()):
        link = links.nth(index)
        fmt, href = link.get_attribute("data-format"), link.get_attribute("href")
        assert urlsplit(href).path == f"/api/aws/account/{account_id}/eu-west-1/{fmt}"
        assert options_of(href) == {"groupBy": "securityGroup", "projection": "2d", "theme": "dark"}
        with page.expect_download() as download:
            link.click()
        assert download.value.suggested_filename.endswith(("json", "svg", "png", "pdf", "drawio"))
        reply = page.request.get(href)
        assert reply.status == 200 and reply.headers["content-type"].startswith(CONTENT_TYPES[fmt]), (fmt, reply.status)
    visit.check("diagram-export")

    # a change in AWS, a sync: a second version, and what changed between them
    ec2 = account_client("ec2", stack["moto"], AWS_ACCOUNT, "us-east-1")
    image_id = ec2.describe_images()["Images"][0]["ImageId"]
    instance = ec2.run_instances(ImageId=image_id, MinCount=1, MaxCount=1, TagSpecifications=[{
        "ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "added-later"}]}])["Instances"][0]["InstanceId"]
    deadline = time.monotonic() + SYNC_MS / 1000
    for attempt in range(10_000):
        if len(page.request.get(f"/api/aws/account/{account_id}/versions").json()["versions"]) >= 2:
            break
        assert time.monotonic() < deadline, "no second version"
        if attempt % 10 == 0:   # a sync now (a request while one is queued returns that one)
            sync = page.request.post(f"/api/aws/account/{account_id}/sync", headers={"X-CSRF-Token": token})
            assert sync.status == 202, sync.text()
        time.sleep(2)
    page.reload()
    versions = page.get_by_role("table").filter(has_text="Version")
    expect(versions.locator("tbody tr")).to_have_count(2)
    page.get_by_role("button", name="Show what changed").click()
    diff = page.locator(".diff")
    expect(diff.get_by_role("heading", name=re.compile(r"^Added \(\d+\)"))).to_be_visible()
    expect(diff.locator(".diff-added")).to_contain_text(instance)
    wait_ready(page)
    visit.check("diagram-versions")


def test_still_processing_then_the_diagram(visit, stack):
    """A 202 keeps the page waiting and checking again; then the picture (Playwright answers the
    diagram route, so the test does not wait for a sync)."""
    page = visit.page
    sign_in(page)
    account = {"id": "acc-9", "name": "Staging", "awsAccountId": "210987654321", "regions": [],
               "roleArn": "", "readAccess": [], "writeAccess": [], "verification": {"state": "verified", "message": ""}}
    answers = {"count": 0}

    def diagram(route):
        answers["count"] += 1
        if answers["count"] == 1:
            route.fulfill(status=202, json={"code": "STILL_PROCESSING", "retry": True})
        else:
            route.fulfill(body='<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
                               'width="200" height="100"><defs><rect id="n-a" width="9" height="9"/></defs>'
                               '<use xlink:href="#n-a" x="5" y="5"/></svg>', content_type="image/svg+xml")

    page.route("**/api/aws/account", lambda route: route.fulfill(json={"accounts": [account]}))
    page.route("**/api/aws/account/acc-9/versions", lambda route: route.fulfill(json={"versions": []}))
    # the live-status stream (test_web_live.py): open, with nothing to say
    page.route("**/api/aws/account/acc-9/live", lambda route: route.fulfill(
        content_type="text/event-stream", body="retry: 600000\n: nothing yet\n\n"))
    page.route(re.compile(r".*/api/aws/account/acc-9/all/svg\?.*"), diagram)
    # an account registered without regions: the region list comes from its blueprint
    page.route(re.compile(r".*/api/aws/account/acc-9/all/json\?groupBy=region"), lambda route: route.fulfill(json={
        "data": {"nodes": [{"id": "n1", "region": "ap-south-1"}, {"id": "n2", "region": ""}]}}))
    page.goto("/app/diagram?account=acc-9")
    expect(page.get_by_text("Still processing")).to_be_visible()
    visit.check("diagram-processing")
    page.get_by_role("button", name="Check now").click()
    wait_ready(page, 30_000)
    expect(page.get_by_role("img", name=re.compile("^Diagram: 1 component of Staging"))).to_be_visible()
    expect(page.get_by_text("No version yet")).to_be_visible()
    expect(page.get_by_label("Region").locator("option")).to_have_text(["All regions", "ap-south-1"])
