"""The browser app end to end: a real stack (`cloudsketch up` against a moto server) driven by
headless Chromium through Playwright, the way a user works: sign in, connect an AWS account by
following the on-screen guide, share it with a team, create and revoke an API key, edit and
remove the account. On every page: no console error, no serious or critical axe-core finding,
and a screenshot under var/test-artifacts/web-ui/ (printed at the end).

Needs Chromium at /usr/bin/chromium (Debian's `chromium` package; README, Tests).
"""
from __future__ import annotations

import re

import pytest
import requests

from services.demo import account_client, ensure_role
from tests.helpers.web import EMAIL, MEMBER_ACCOUNT, expect, sign_in

pytestmark = pytest.mark.slow


def test_connect_share_edit_and_remove_an_account(visit, stack):
    page = visit.page
    page.goto("/app/accounts")
    expect(page).to_have_url(re.compile(r"/login$"))   # no session: sign in first
    sign_in(page)
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Accounts")).to_have_attribute(
        "aria-current", "page")
    expect(page.locator("#signed-in-user")).to_contain_text("Olivia Owner")
    expect(page.get_by_role("heading", name="No AWS accounts yet")).to_be_visible()
    visit.check("accounts-empty")

    # the guide: the console link, the External ID, the templates
    page.get_by_role("link", name="Add your first AWS account").click()
    external_id = page.locator("#external-id").inner_text()
    trusted_account = page.locator("#trusted-account").inner_text()
    assert re.fullmatch(r"\d{12}", trusted_account) and external_id
    console = page.get_by_role("link", name="Open the IAM console to create the role")
    href = console.get_attribute("href")
    assert href.startswith("https://console.aws.amazon.com/iam/home#/roles/create?") and external_id in href
    assert console.get_attribute("target") == "_blank"
    page.get_by_text("Other ways to create the role").click()
    page.get_by_role("button", name="CloudFormation template").click()
    template = page.get_by_role("region", name="CloudFormation template").or_(page.locator("pre"))
    expect(template).to_contain_text(external_id)
    page.get_by_role("button", name="Terraform").click()
    expect(page.locator("pre")).to_contain_text(external_id)
    visit.check("account-new")

    # the Role ARN is checked as it is typed
    role_arn = page.get_by_label("Role ARN")
    role_arn.fill("arn:aws:iam::1234:role/x")
    expect(page.locator("#roleArn-error")).to_contain_text("12-digit AWS account ID")
    expect(role_arn).to_have_attribute("aria-invalid", "true")
    # a well-formed ARN of a role that does not exist: the verification's message, at the field
    role_arn.fill(f"arn:aws:iam::{MEMBER_ACCOUNT}:role/not-created-yet")
    expect(page.locator("#roleArn-error")).to_be_empty()
    page.get_by_label("Name", exact=True).fill("Production")
    visit.allow_http_error("POST /api/aws/account 400")
    page.get_by_role("button", name="Verify and add the account").click()
    # the first IAM call of a moto server loads its managed policies: slow on a busy machine
    expect(page.locator("#roleArn-error")).to_contain_text("not-created-yet", timeout=180_000)
    expect(page.get_by_role("alert").first).to_be_visible()
    visit.check("account-new-verification-failed")

    # the user creates the role as the guide says (in moto), and pastes its ARN
    created_arn = ensure_role(stack["moto"], external_id, aws_account_id=MEMBER_ACCOUNT,
                              role_name="cloudsketch-readonly", trusted_account_id=trusted_account)
    role_arn.fill(created_arn)
    page.get_by_label("Regions (optional)").fill("us-east-1 eu-west")
    expect(page.locator("#regions-error")).to_contain_text("Not a region code: eu-west")
    page.get_by_label("Regions (optional)").fill("us-east-1")
    expect(page.locator("#regions-error")).to_be_empty()
    page.get_by_role("button", name="Verify and add the account").click()
    expect(page).to_have_url(re.compile(r"/app/accounts$"))
    expect(page.get_by_role("status").filter(has_text="Added Production")).to_be_visible()
    row = page.locator("tr", has=page.get_by_role("link", name="Production"))
    expect(row).to_contain_text(MEMBER_ACCOUNT)
    expect(row).to_contain_text("verified")
    expect(row.locator("td.sync .badge")).to_have_text(re.compile("queued|syncing|synced"))
    expect(row.locator("td.sync .badge")).to_have_text(re.compile("^(synced|sync failed)$"), timeout=180_000)
    assert row.locator("td.sync .badge").inner_text() == "synced", row.inner_text()
    expect(row.locator("td.sync")).to_contain_text("resources")
    visit.check("accounts-synced")

    # sync now, with its progress in the row until it is done
    row.get_by_role("button", name="Sync now").click()
    expect(row.get_by_role("button", name="Sync now")).to_be_enabled(timeout=180_000)
    expect(row.locator("td.sync .badge")).to_have_text("synced")

    # a team with a member, and access to the account
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Administration").click()
    users = page.locator("#users")
    users.get_by_label("Name", exact=True).fill("Uma User")
    users.get_by_label("Email").fill("uma@example.com")
    page.get_by_role("button", name="Add the user").click()
    expect(page.locator("#users")).to_contain_text("uma@example.com")
    page.get_by_label("Team name").fill("Platform")
    page.get_by_role("button", name="Create the team").click()
    team = page.locator("article.team", has=page.get_by_role("heading", name="Platform"))
    expect(team).to_contain_text("No members yet")
    team.get_by_label("Add a member to Platform").select_option(label="Uma User (uma@example.com)")
    team.get_by_role("button", name="Add", exact=True).click()
    expect(team.locator(".members")).to_contain_text("Uma User")
    visit.check("admin-team")

    page.get_by_role("link", name="Accounts").click()
    page.get_by_role("link", name="Edit Production").click()
    expect(page.get_by_label("Name", exact=True)).to_have_value("Production")
    page.get_by_label("Name", exact=True).fill("Production EU")
    page.get_by_label("Platform").select_option("read")
    visit.check("account-edit")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").filter(has_text="Saved Production EU")).to_be_visible()
    page.get_by_role("link", name="Edit Production EU").click()
    expect(page.get_by_label("Platform")).to_have_value("read")
    page.get_by_role("link", name="Cancel").click()

    # the diagram and budget pages
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Diagram").click()
    page.get_by_role("link", name="Production EU").click()
    # the diagram view itself: tests/test_web_diagram.py
    expect(page.locator("#page")).to_have_attribute("data-diagram-state", re.compile("^(processing|ready|empty)$"))
    visit.check("diagram")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Budget").click()
    page.get_by_role("link", name="Production EU").click()
    # the budget view itself: tests/test_web_budget.py
    expect(page.locator("#page")).to_have_attribute("data-budget-state", re.compile("^(processing|ready|empty)$"))
    visit.check("budget")

    # remove it, after a confirmation (from the keyboard)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Accounts").click()
    page.get_by_role("button", name="Remove Production EU").focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Remove Production EU?")
    expect(dialog).to_be_visible()
    visit.check("account-remove-confirm")
    dialog.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("link", name="Production EU", exact=True)).to_be_visible()
    page.get_by_role("button", name="Remove Production EU").click()
    page.get_by_role("dialog").get_by_role("button", name="Remove").click()
    expect(page.get_by_role("heading", name="No AWS accounts yet")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Removed Production EU")).to_be_visible()

    # the audit log has it all
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Administration").click()
    audit = page.locator("#audit")
    expect(audit.locator("tbody tr").first).to_be_visible()
    expect(audit).to_contain_text("account")
    visit.check("admin-audit")

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login$"))


def test_api_key_shown_once_then_revoked(visit, stack):
    page = visit.page
    sign_in(page)
    page.get_by_role("link", name="Administration").click()
    keys = page.locator("#api-keys")
    expect(keys).to_contain_text("You have no API keys")
    keys.get_by_label("Name").fill("nightly export")
    keys.get_by_label("Access").select_option("rw")
    keys.get_by_role("button", name="Create the key").click()
    secret = keys.get_by_label("API key", exact=True).input_value()
    assert secret.startswith("csk_")
    expect(keys.get_by_role("button", name="Copy the API key")).to_be_visible()
    me = requests.get(f"{stack['url']}/api/user/me", headers={"Authorization": f"Bearer {secret}"}, timeout=10)
    assert me.status_code == 200 and me.json()["email"] == EMAIL
    row = keys.locator("tr", has_text="nightly export")
    expect(row).to_contain_text("read-write")
    expect(row).to_contain_text("active")
    visit.check("api-key-created")

    page.reload()   # shown once: gone after a reload
    expect(page.locator("#api-keys").get_by_label("API key", exact=True)).to_have_count(0)
    page.get_by_role("button", name="Revoke key nightly export").click()
    page.get_by_role("dialog").get_by_role("button", name="Revoke").click()
    expect(page.locator("#api-keys tr", has_text="nightly export")).to_contain_text("revoked")
    gone = requests.get(f"{stack['url']}/api/user/me", headers={"Authorization": f"Bearer {secret}"}, timeout=10)
    assert gone.status_code == 401
    visit.check("api-key-revoked")


def test_audit_log_pages_and_organization_onboarding(visit, stack):
    page = visit.page
    sign_in(page)
    # more than a page of audit events: API keys made through the API with this session
    page.goto("/app/admin")
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    for index in range(21):
        reply = page.request.post("/api/apikey", data={"name": f"bulk {index}", "mode": "r"},
                                  headers={"X-CSRF-Token": token})
        assert reply.status == 201, reply.text()
    page.reload()
    audit = page.locator("#audit")
    expect(audit.locator("tbody tr")).to_have_count(20)
    audit.get_by_role("button", name="Older entries").click()
    expect(audit.locator("tbody tr")).not_to_have_count(20)
    rows = audit.locator("tbody tr").count()
    assert rows > 20
    ids = audit.locator("tbody tr").all_inner_texts()
    assert len(set(ids)) == len(ids)   # the older page follows on, without repeats

    # an organization whose management role does not verify: the error at the field
    page.goto("/app/organization")
    arn = page.get_by_label("Role ARN in the management account")
    arn.fill("arn:aws:iam::123456789012:role/no-such-role")
    visit.allow_http_error("POST /api/aws/organization 400")
    page.get_by_role("button", name="Connect the organization").click()
    expect(page.locator("#roleArn-error")).not_to_be_empty()
    visit.check("organization-error")

    # an organization of three members, two of which have the role: the result per account
    management = "123456789012"
    external_id = page.request.get("/api/aws/account/iamParameters").json()["externalId"]
    orgs = account_client("organizations", stack["moto"], management)
    try:
        orgs.create_organization(FeatureSet="ALL")
    except orgs.exceptions.AlreadyInOrganizationException:
        pass
    members = {name: orgs.create_account(Email=f"{name}@example.com",
                                         AccountName=name)["CreateAccountStatus"]["AccountId"]
               for name in ("ui-web", "ui-data", "ui-legacy")}
    for name in ("ui-web", "ui-data"):   # the StackSet reached these two
        ensure_role(stack["moto"], external_id, members[name], "cloudsketch-readonly", management)
    manager = ensure_role(stack["moto"], external_id, management, "cloudsketch-organizations", management)
    arn.fill(manager)
    page.get_by_role("button", name="Connect the organization").click()
    connected = page.get_by_role("list").filter(has_text=members["ui-web"])
    expect(connected).to_contain_text(f"ui-data ({members['ui-data']})")
    failed = page.locator("table tr", has_text="ui-legacy")
    expect(failed).to_contain_text("has no role named cloudsketch-readonly")
    expect(page.locator("#roleArn-error")).to_be_empty()
    visit.check("organization-connected")
    page.get_by_role("link", name="See the accounts").click()
    expect(page.get_by_role("link", name="ui-web", exact=True)).to_be_visible()


def test_a_viewer_sees_only_what_they_may_use(visit, stack):
    page = visit.page
    sign_in(page)
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    viewer = page.request.post("/api/user", headers={"X-CSRF-Token": token}, data={
        "email": "vera@example.com", "name": "Vera Viewer", "role": "viewer", "password": "viewer password 1"})
    assert viewer.status == 201, viewer.text()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, "vera@example.com", "viewer password 1")
    expect(page.locator("#signed-in-user")).to_contain_text("Vera Viewer")
    expect(page.get_by_role("heading", name="No AWS accounts shared with you yet")).to_be_visible()
    expect(page.get_by_role("link", name="Add an AWS account")).to_have_count(0)
    visit.check("viewer-accounts")

    page.get_by_role("link", name="Administration").click()
    users = page.locator("#users")
    expect(users.get_by_role("row", name=re.compile("Vera Viewer"))).to_contain_text("Viewer")
    expect(users.get_by_role("combobox")).to_have_count(0)       # no role to change
    expect(page.get_by_role("button", name="Add the user")).to_have_count(0)
    expect(page.locator("#audit")).to_contain_text("for Owners and Administrators")
    keys = page.locator("#api-keys")
    expect(keys.get_by_label("Access").locator("option")).to_have_text(["Read only"])
    keys.get_by_label("Name").fill("dashboard")
    keys.get_by_role("button", name="Create the key").click()
    expect(keys.get_by_label("API key", exact=True)).to_have_value(re.compile("^csk_"))
    expect(keys.locator("tr", has_text="dashboard")).to_contain_text("read")
    visit.check("viewer-admin")
