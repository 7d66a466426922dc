"""The REST API under /api, in Cloudcraft's shape."""
from flask import Blueprint

from gateway.auth import authenticate

api = Blueprint("api", __name__, url_prefix="/api")
api.before_request(authenticate)

# Route modules attach themselves to `api`.
from gateway.api import accounts, blueprints, onboarding, sync, teams, users  # noqa: E402,F401
