"""The gateway: cloudsketch's only public entry point (web UI, REST API, live stream)."""
from __future__ import annotations

from flask import Flask


def create_app(clients=None) -> Flask:
    """Application factory. `clients` defaults to gRPC stubs at the configured addresses."""
    from gateway.api import api
    from gateway.auth import PrincipalCache
    from gateway.clients import Clients
    from gateway.errors import register_error_handlers
    from gateway.observability import observability, register_request_metrics
    from gateway.pages import pages
    from gateway.web import web

    app = Flask(__name__)
    app.json.sort_keys = False
    app.extensions["clients"] = clients or Clients()
    app.extensions["principal_cache"] = PrincipalCache()
    register_error_handlers(app)
    register_request_metrics(app)
    app.register_blueprint(observability)
    app.register_blueprint(web)
    app.register_blueprint(api)
    app.register_blueprint(pages)
    return app
