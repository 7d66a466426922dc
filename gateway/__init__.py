"""The gateway: cloudsketch's only public entry point (web UI, REST API, live stream)."""
from __future__ import annotations

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider

from gateway.api.body import MAX_BODY_BYTES, text_problem
from gateway.errors import ApiError


def _refuse_oversized_and_nul() -> None:
    """Before anything else: 413 for a body above MAX_BODY_BYTES; 400 for a NUL character in the
    path or the query (text the services could not store or look up)."""
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise ApiError(413, f"the request body is larger than {MAX_BODY_BYTES} bytes")
    for name, value in [("the path", request.path), *((f"query parameter {k!r}", v) for k, v in
                                                        request.args.items(multi=True))]:
        if problem := text_problem(value):
            raise ApiError(400, f"{name} {problem}")


def create_app(clients=None) -> Flask:
    """Application factory. `clients` defaults to gRPC stubs at the configured addresses."""
    from gateway.api import accounts, api, blueprints, budget, onboarding, sync, teams, users  # noqa: F401 (routes attach to api)
    from gateway.auth import PrincipalCache
    from gateway.clients import Clients
    from gateway.errors import register_error_handlers
    from gateway.headers import register_security_headers
    from gateway.observability import observability, register_request_metrics
    from gateway.pages import pages
    from gateway.proxy import parse_networks
    from gateway.web import web
    from services.common import config

    parse_networks(config.trusted_proxies())  # a bad setting stops the gateway here, not at a sign-in
    config.forwarded_header()
    app = Flask(__name__)
    json_provider = DefaultJSONProvider(app)
    json_provider.sort_keys = False
    app.json = json_provider
    # Bodies above the limit are refused before they are read (413): with a Content-Length by the
    # check below, without one (chunked) by Flask as the body is read.
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.before_request(_refuse_oversized_and_nul)
    app.extensions["clients"] = clients or Clients()
    app.extensions["principal_cache"] = PrincipalCache()
    register_error_handlers(app)
    register_security_headers(app)
    register_request_metrics(app)
    app.register_blueprint(observability)
    app.register_blueprint(web)
    app.register_blueprint(api)  # after every route module attached its routes
    app.register_blueprint(pages)
    from gateway.sdk import register_sdk_routes

    register_sdk_routes(app)  # last: it reads every route
    return app
