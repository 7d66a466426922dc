"""The web UI's code keeps the rules of docs/web-ui.md: no inline script or inline event handler
in the HTML (a Content-Security-Policy without inline script will apply), no HTML built from
strings in the JavaScript, and every page module the app loads exists."""
from __future__ import annotations

import re

from tests.helpers.stack import REPO

TEMPLATES = sorted((REPO / "gateway" / "templates").glob("*.html"))
SCRIPTS = sorted((REPO / "gateway" / "static").glob("*.js"))


def test_templates_have_no_inline_script_or_handlers():
    assert TEMPLATES
    for template in TEMPLATES:
        html = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", html, flags=re.I):
            assert "src=" in tag, f"{template.name}: inline script {tag}"
        assert not re.search(r"\son[a-z]+\s*=", html, flags=re.I), f"{template.name}: inline event handler"
        assert "javascript:" not in html.lower(), f"{template.name}: javascript: URL"


def test_scripts_build_no_html_from_strings():
    assert SCRIPTS
    for script in SCRIPTS:
        code = script.read_text()
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
            assert sink not in code, f"{script.name} uses {sink}"


def test_every_page_module_exists():
    app = (REPO / "gateway" / "static" / "app.js").read_text()
    modules = re.findall(r'"\./([\w-]+\.js)"', app)
    assert len(modules) >= 7
    for module in modules:
        assert (REPO / "gateway" / "static" / module).exists(), module
