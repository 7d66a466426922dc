"""Security headers (gateway/headers.py): a Content-Security-Policy without inline script, no
framing, nosniff, a Referrer-Policy, and HSTS only when the browser came over HTTPS (directly or
through a trusted proxy). That the pages still work under the policy is tests/test_web_ui.py's
job: Chromium reports every CSP violation as a console error, which fails it."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from gateway import create_app

TEMPLATES = Path(__file__).resolve().parent.parent / "gateway" / "templates"


@pytest.fixture
def http(monkeypatch):
    monkeypatch.setenv("CLOUDSKETCH_TRUSTED_PROXIES", "10.0.0.0/8")
    return create_app(clients=object()).test_client()


def test_pages_carry_a_policy_without_inline_script(http):
    reply = http.get("/login", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert reply.status_code == 200
    policy = dict(part.strip().split(" ", 1) for part in reply.headers["Content-Security-Policy"].split(";"))
    assert policy["script-src"] == "'self'" and policy["frame-ancestors"] == "'none'"
    assert policy["default-src"] == "'self'" and policy["object-src"] == "'none'"
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    assert reply.headers["Referrer-Policy"] == "same-origin"
    assert reply.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in reply.headers  # plain HTTP


def test_errors_carry_the_headers_too(http):
    reply = http.get("/no-such-page")
    assert reply.status_code == 404 and reply.headers["X-Content-Type-Options"] == "nosniff"


def test_hsts_over_https_directly_or_from_a_trusted_proxy_only(http):
    assert "max-age=" in http.get("/login", base_url="https://cloudsketch.example").headers[
        "Strict-Transport-Security"]
    behind = http.get("/login", headers={"X-Forwarded-Proto": "https"}, environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert "max-age=" in behind.headers["Strict-Transport-Security"]
    spoofed = http.get("/login", headers={"X-Forwarded-Proto": "https"}, environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert "Strict-Transport-Security" not in spoofed.headers


def test_templates_hold_no_inline_script_or_event_handler():
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), template.name
        assert not re.search(r"\son[a-z]+\s*=", text), template.name
