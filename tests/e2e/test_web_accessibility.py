"""Every page of the browser app under /app, as an Owner with one connected account: axe-core finds
no serious or critical violation, the browser logs no console error, and each page leaves a
screenshot under var/test-artifacts/web-ui/. The list of pages is checked against the gateway's
own routes, so that a new page cannot be left out.
"""
from __future__ import annotations

import re

import pytest

from gateway import create_app
from services.demo import ensure_role
from tests.helpers.web import expect, sign_in

pytestmark = pytest.mark.slow
AWS_ACCOUNT = "678901234567"          # an AWS account of the moto server no other web test uses


def app_routes() -> set[str]:
    app = create_app(clients=object())  # a stand-in: no gRPC channel is opened
    return {rule.rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/app/") and rule.rule != "/app/"}


def test_every_app_page_passes_axe(visit, stack):
    page = visit.page
    sign_in(page)
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    parameters = page.request.get("/api/aws/account/iamParameters").json()
    role_arn = ensure_role(stack["moto"], parameters["externalId"], AWS_ACCOUNT, "cloudsketch-readonly",
                           trusted_account_id=parameters["accountId"])
    created = page.request.post("/api/aws/account", headers={"X-CSRF-Token": token},
                                data={"name": "Accessible", "roleArn": role_arn, "regions": ["us-east-1"]})
    assert created.status == 201, created.text()
    account_id = created.json()["id"]

    pages = {  # route -> the addresses that show it (with and without an account where it takes one)
        "/app/accounts": ["/app/accounts"],
        "/app/accounts/new": ["/app/accounts/new"],
        "/app/accounts/<account_id>/edit": [f"/app/accounts/{account_id}/edit"],
        "/app/organization": ["/app/organization"],
        "/app/diagram": ["/app/diagram", f"/app/diagram?account={account_id}"],
        "/app/budget": ["/app/budget", f"/app/budget?account={account_id}"],
        "/app/admin": ["/app/admin"],
    }
    assert set(pages) == app_routes()
    for addresses in pages.values():
        for address in addresses:
            page.goto(address)
            expect(page.locator("#page > *").first).to_be_visible()      # the page's module has drawn it
            page.wait_for_load_state("networkidle")
            visit.check(re.sub(r"\W+", "-", address.removeprefix("/app/")).strip("-").replace(account_id, "id"))
