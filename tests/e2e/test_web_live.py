"""Live status on the diagram view end to end: a real stack (`cloudsketch up`, its gateway on
gevent), an account synced from moto, headless Chromium on /app/diagram with its EventSource open;
a status_changed event published on the bus as the collector publishes it colours that component
without a reload, its state and metric are in the marker's title (the hover text) and in the
text list, the legend is there, and no console error, no serious axe-core finding."""
from __future__ import annotations

import re

import pytest

from cloudsketch.collector.v1 import events_pb2
from services.common.events import EventPublisher
from services.demo import ensure_role
from services.demo_estate import seed
from tests.helpers.web import expect, sign_in

pytestmark = pytest.mark.slow
AWS_ACCOUNT = "456789012345"          # an AWS account of the moto server no other web test uses
REGIONS = ["us-east-1"]
SYNC_MS = 240_000


def test_a_status_event_colours_its_component(visit, stack, amqp_uri):
    page = visit.page
    sign_in(page)
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    seed(stack["moto"], accounts=(AWS_ACCOUNT,), regions=tuple(REGIONS), scale=1)
    parameters = page.request.get("/api/aws/account/iamParameters").json()
    role_arn = ensure_role(stack["moto"], parameters["externalId"], AWS_ACCOUNT, "cloudsketch-readonly",
                           trusted_account_id=parameters["accountId"])
    created = page.request.post("/api/aws/account", headers={"X-CSRF-Token": token},
                                data={"name": "Live", "roleArn": role_arn, "regions": REGIONS})
    assert created.status == 201, created.text()
    account_id = created.json()["id"]

    # the page asks for the versions at once; before the diagram service has the account: 404
    visit.allow_http_error(r"GET /api/aws/account/[\w-]+/versions 404")
    page.goto(f"/app/diagram?account={account_id}&projection=2d")
    expect(page.locator("#page")).to_have_attribute("data-diagram-state", "ready", timeout=SYNC_MS)
    expect(page.locator(".live-state")).to_have_attribute("data-state", "live")
    legend = page.get_by_role("list", name="Status colours")
    expect(legend).to_contain_text("Critical")
    # a bucket if there is one: a component without a state word of its own, so that only this
    # test's events colour it
    svg = page.request.get(page.locator("#page").get_attribute("data-diagram-request")).text()
    arns = re.findall(r'data-arn="([^"]+)"', svg)
    arn = next((a for a in arns if a.startswith("arn:aws:s3:::")), arns[0])
    assert page.locator(".live-marker").count() == 0

    status = events_pb2.StatusChanged(
        account_id=account_id, arn=arn, region="us-east-1", status=events_pb2.RESOURCE_STATUS_CRITICAL,
        state="unreachable", detail="test: 3 of 3 checks failed",
        metric=events_pb2.StatusMetric(name="PacketsDropped", value=42.5, unit="Count", source="test"))
    status.observed_at.GetCurrentTime()
    EventPublisher("collector", amqp_uri).publish("status_changed", status)

    marker = page.locator(f'.live-marker[data-arn="{arn}"]')
    expect(marker).to_have_attribute("data-status", "critical")
    assert marker.locator("circle").get_attribute("stroke") == "#D13212"
    expect(marker.locator("title")).to_contain_text("Critical, unreachable, PacketsDropped 42.50 Count")
    page.get_by_text("Status of each component").click()
    expect(page.locator(".live-list li[data-status=critical]")).to_contain_text("Critical, unreachable")
    # the marker sits inside the transformed canvas, on its component: panning moves both
    before = marker.bounding_box()
    page.get_by_role("region", name=re.compile("^Diagram: drag")).focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("([x]) => document.querySelector('.live-marker').getBoundingClientRect().x < x",
                           arg=[before["x"]])

    # another change replaces it, without a reload
    status.status, status.state = events_pb2.RESOURCE_STATUS_OK, "available"
    EventPublisher("collector", amqp_uri).publish("status_changed", status)
    expect(marker).to_have_attribute("data-status", "ok")
    visit.check("live-status")

    # another picture (isometric): the statuses held are drawn again over it
    requests_before = page.locator("#page").get_attribute("data-diagram-request")
    page.get_by_role("radio", name="Isometric").check()
    expect(page.locator("#page")).not_to_have_attribute("data-diagram-request", requests_before)
    expect(page.locator("#page")).to_have_attribute("data-diagram-state", "ready")
    expect(marker).to_have_attribute("data-status", "ok")
    visit.check("live-status-isometric")
