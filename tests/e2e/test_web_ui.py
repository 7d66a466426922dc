"""The browser app end to end: a real stack (`cloudsketch up` against a moto server) driven by
headless Chromium through Playwright, the way a user works: sign in, connect an AWS account by
following the on-screen guide, share it with a team, create and revoke an API key, edit and
remove the account. On every page: no console error, no serious or critical axe-core finding,
and a screenshot under var/test-artifacts/web-ui/ (printed at the end).

Needs Chromium at /usr/bin/chromium (Debian's `chromium` package; README, Tests).
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from services.demo import account_client, ensure_role
from tests.helpers.stack import REPO, stack_env

pytestmark = pytest.mark.slow
CLI = [sys.executable, "-m", "services.cli"]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--disable-gpu"]
AXE = REPO / "tests" / "vendor" / "axe.min.js"
ARTIFACTS = REPO / "var" / "test-artifacts" / "web-ui"
EMAIL, PASSWORD = "owner@example.com", "correct horse battery staple"
MEMBER_ACCOUNT = "210987654321"   # an AWS account of the moto server other than cloudsketch's own
WAIT_MS = 60_000                  # an upper bound for what the stack does in the background

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect


@pytest.fixture(scope="module")
def stack(tmp_path_factory, amqp_uri, moto_endpoint):
    tmp_path = tmp_path_factory.mktemp("web-ui")
    env = {**os.environ, **stack_env(tmp_path, amqp_uri, "", moto_endpoint)}
    subprocess.run([*CLI, "admin", "create-user", "--email", EMAIL, "--name", "Olivia Owner", "--role", "owner",
                    "--password", PASSWORD], env=env, check=True, capture_output=True, timeout=60)
    up = subprocess.Popen([*CLI, "up"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    deadline = time.monotonic() + 120
    for line in up.stdout:
        lines.append(line.rstrip())
        if "cloudsketch is up" in line or time.monotonic() > deadline:
            break
    assert any("cloudsketch is up" in line for line in lines), "\n".join(lines)
    yield {"url": f"http://127.0.0.1:{env['CLOUDSKETCH_GATEWAY_PORT']}", "moto": moto_endpoint}
    up.terminate()
    up.wait(timeout=30)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (README, Tests)")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Visit:
    """A browser tab that records console errors and page errors, checks accessibility with
    axe-core and saves screenshots."""

    def __init__(self, browser, base_url: str, name: str):
        self.context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.page.set_default_timeout(WAIT_MS)
        self.problems: list[str] = []
        self.http_errors: list[str] = []
        # An account without a sync yet answers 404 there: the accounts page shows "not synced yet".
        self.allowed_errors: list[str] = [r"GET /api/aws/account/[\w-]+/sync 404"]
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.problems.append(f"page error on {self.page.url}: {exc}"))
        self.page.on("response", self._response)
        self.bodies: list[str] = []
        self.name = name
        self.base_url = base_url
        self.shots: list[Path] = []

    def _console(self, msg) -> None:
        # Chromium logs every HTTP error answer as "Failed to load resource": those are checked
        # against the ones the test provoked (allow_http_error) instead.
        if msg.type in ("error", "warning") and not msg.text.startswith("Failed to load resource"):
            self.problems.append(f"console {msg.type} on {self.page.url}: {msg.text}")

    def _response(self, response) -> None:
        if response.status >= 400:
            path = response.url.removeprefix(self.base_url)
            self.http_errors.append(f"{response.request.method} {path} {response.status}")
            self.bodies.append(response.text()[:300])

    def allow_http_error(self, pattern: str) -> None:
        """An error answer the test provokes on purpose, e.g. "POST /api/aws/account 400"."""
        self.allowed_errors.append(pattern)

    def check(self, label: str) -> None:
        """Axe-core finds no serious or critical violation; a screenshot for a person to look at."""
        # Runtime.evaluate runs axe-core the way DevTools would: a Content-Security-Policy
        # without inline script does not stop it.
        cdp = self.context.new_cdp_session(self.page)
        cdp.send("Runtime.evaluate", {"expression": AXE.read_text()})
        cdp.detach()
        violations = self.page.evaluate("""async () => {
            const result = await axe.run(document, {resultTypes: ["violations"]});
            return result.violations.filter(v => v.impact === "serious" || v.impact === "critical")
                .map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(" "))}));
        }""")
        assert violations == [], f"{label}: {json.dumps(violations, indent=1)}"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{self.name}-{len(self.shots) + 1:02d}-{label}.png"
        self.page.screenshot(path=str(path), full_page=True)
        self.shots.append(path)

    def close(self, capsys) -> None:
        self.context.close()
        with capsys.disabled():
            print("\nscreenshots:\n  " + "\n  ".join(str(p) for p in self.shots))
        assert self.problems == []
        unexpected = [e for e in self.http_errors if not any(re.fullmatch(a, e) for a in self.allowed_errors)]
        assert unexpected == [], self.bodies


@pytest.fixture
def visit(browser, stack, request, capsys):
    tab = Visit(browser, stack["url"], request.node.name.removeprefix("test_"))
    yield tab
    tab.close(capsys)


def sign_in(page, email: str = EMAIL, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Open cloudsketch").click()
    expect(page).to_have_url(re.compile(r"/app/accounts$"))


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
    expect(page.get_by_text(re.compile(r"Still processing|components"))).to_be_visible()
    visit.check("diagram")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Budget").click()
    expect(page.get_by_role("heading", name="No budgets to show yet")).to_be_visible()
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


def test_diagram_draws_the_blueprint_and_escapes_what_aws_says(visit, stack):
    """The diagram routes answer 202 until the diagram service draws blueprints; here the browser
    gets a blueprint in their shape (Playwright answers for them) with names chosen to break out."""
    page = visit.page
    sign_in(page)
    hostile = '<img src=x onerror="window.pwned=1">'
    account = {"id": "acc-1", "name": hostile, "awsAccountId": "210987654321", "regions": [], "roleArn": "",
               "readAccess": [], "writeAccess": [], "verification": {"state": "verified", "message": ""}}
    blueprint = {"id": "acc-1", "name": hostile, "updatedAt": "2026-01-01T00:00:00Z", "data": {
        "nodes": [{"id": "n1", "type": "ec2", "name": hostile}, {"id": "n2", "type": "ec2", "name": "web-2"},
                  {"id": "n3", "type": "rds", "name": "orders"}],
        "edges": [{"from": "n1", "to": "n3"}]}}
    page.route("**/api/aws/account", lambda route: route.fulfill(json={"accounts": [account]}))
    page.route("**/api/aws/account/acc-1/all/json", lambda route: route.fulfill(json=blueprint))
    page.goto("/app/diagram")
    page.get_by_role("link", name=hostile).click()
    expect(page.get_by_text("3 components")).to_be_visible()
    svg = page.get_by_role("img", name="3 components of 2 types")
    expect(svg.locator("text.group-label")).to_have_text(["ec2 (2)", "rds (1)"])
    expect(svg.locator("line.edge")).to_have_count(1)
    expect(svg).to_contain_text("<img src=x")               # shown as text (shortened), not markup
    assert page.locator("main img").count() == 0 and page.evaluate("window.pwned") is None
    visit.check("diagram-drawn")
