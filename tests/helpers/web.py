"""The browser app's tests: a tab that records console and page errors, checks accessibility with
axe-core and saves screenshots (Visit), and signing in. Their fixtures are in tests/e2e/conftest.py."""
from __future__ import annotations

import json
import re
from pathlib import Path

from playwright.sync_api import expect

from tests.helpers.stack import REPO

AXE = REPO / "tests" / "vendor" / "axe.min.js"
ARTIFACTS = REPO / "var" / "test-artifacts" / "web-ui"
EMAIL, PASSWORD = "owner@example.com", "correct horse battery staple"
MEMBER_ACCOUNT = "210987654321"   # an AWS account of the moto server other than cloudsketch's own
WAIT_MS = 60_000                  # an upper bound for what the stack does in the background



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


def sign_in(page, email: str = EMAIL, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Open cloudsketch").click()
    expect(page).to_have_url(re.compile(r"/app/accounts$"))
