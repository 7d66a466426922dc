"""Opening an SVG in Debian's headless Chromium (never a downloaded browser) through Playwright."""
from __future__ import annotations

from pathlib import Path


def show(browser, svg: bytes, tmp_path: Path, name: str, size=(1400, 900)) -> tuple[list[str], Path]:
    """Open the SVG in Chromium; its console errors (and failed requests), and a screenshot."""
    path = tmp_path / f"{name}.svg"
    path.write_bytes(svg)
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("requestfailed", lambda request: errors.append(f"request {request.url}"))
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(path.as_uri())
    screenshot = tmp_path / f"{name}.png"
    page.screenshot(path=str(screenshot))
    page.close()
    errors += [f"external request {url}" for url in requests if url != path.as_uri()]
    return errors, screenshot
