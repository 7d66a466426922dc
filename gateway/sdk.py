"""Cloudcraft's SDKs call the REST API without the /api prefix (`/aws/account`, `/blueprint/...`,
`/user/me`) on any host but localhost. For requests with `Authorization: Bearer ...`, a path whose
first segment is one of the API's own (aws, blueprint, user, ...) is served as `/api<path>`.
Cookie sessions never are, so a browser's page routes (/, /login, /app/...) never collide with
the API; the segments are read from the /api routes, and page routes are checked not to use them.

Also serves docs/openapi.yaml as JSON at /api/openapi.json (no authentication: it is the public
contract)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from flask import Flask, jsonify

from gateway.errors import ApiError

OPENAPI_PATH = Path(__file__).resolve().parent.parent / "docs" / "openapi.yaml"


def api_segments(app: Flask) -> frozenset[str]:
    """First path segments below /api ("aws", "blueprint", "user", ...)."""
    segments = {rule.rule[len("/api/"):].split("/", 1)[0] for rule in app.url_map.iter_rules()
                if rule.rule.startswith("/api/")}
    segments.discard("openapi.json")
    taken = {rule.rule.strip("/").split("/", 1)[0] for rule in app.url_map.iter_rules()
             if not rule.rule.startswith("/api/")}
    if clash := segments & taken:
        raise RuntimeError(f"page routes use API path segments {sorted(clash)}: the SDK prefix would shadow them")
    return frozenset(s for s in segments if s and "<" not in s)


class WithoutApiPrefix:
    """WSGI middleware: Bearer requests to /<api segment>/... are served as /api/<segment>/...."""

    def __init__(self, wsgi_app, segments: frozenset[str]):
        self.wsgi_app = wsgi_app
        self.segments = segments

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        authorization = environ.get("HTTP_AUTHORIZATION", "")
        if authorization[:7].lower() == "bearer " and path.split("/", 2)[1:2] and \
                path.split("/", 2)[1] in self.segments:
            environ = {**environ, "PATH_INFO": "/api" + path}
        return self.wsgi_app(environ, start_response)


@lru_cache(maxsize=1)
def _openapi_document() -> dict | None:
    if not OPENAPI_PATH.exists():
        return None
    return yaml.safe_load(OPENAPI_PATH.read_text())


def openapi_json():
    document = _openapi_document()
    if document is None:
        raise ApiError(404, "the OpenAPI document is not installed here (docs/openapi.yaml)")
    return jsonify(document)


def register_sdk_routes(app: Flask) -> None:
    """After every blueprint: /api/openapi.json, and the prefix-less API for Bearer requests."""
    app.add_url_rule("/api/openapi.json", "openapi_json", openapi_json, methods=["GET"])
    app.wsgi_app = WithoutApiPrefix(app.wsgi_app, api_segments(app))  # type: ignore[method-assign]
