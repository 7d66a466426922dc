"""The gateway: cloudsketch's only public entry point (web UI, REST API, live stream)."""
from __future__ import annotations

# Nothing is imported here at module level: `python -m gateway` imports this package before its
# __main__, which must patch the standard library for gevent before anything else is imported.


def create_app(clients=None, live_hub=None):
    """Application factory. `clients` defaults to gRPC stubs at the configured addresses, `live_hub`
    to a LiveHub on the configured broker (it connects when the first live stream opens)."""
    from flask import Flask
    from flask.json.provider import DefaultJSONProvider

    from gateway.api import accounts, api, blueprints, budget, live, onboarding, sync, teams, users  # noqa: F401 (routes attach to api)
    from gateway.api.body import MAX_BODY_BYTES, refuse_oversized_and_nul
    from gateway.auth import PrincipalCache
    from gateway.clients import Clients
    from gateway.errors import register_error_handlers
    from gateway.headers import register_security_headers
    from gateway.live import LiveHub
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
    app.before_request(refuse_oversized_and_nul)
    app.extensions["clients"] = clients or Clients()
    app.extensions["principal_cache"] = PrincipalCache()
    app.extensions["live_hub"] = live_hub or LiveHub()
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
