"""The REST API under /api, in Cloudcraft's shape: the blueprint that the route modules
(gateway/api/*.py) attach their routes to. The app factory (gateway/__init__.py) imports them."""
from flask import Blueprint

from gateway.auth import authenticate

api = Blueprint("api", __name__, url_prefix="/api")
api.before_request(authenticate)
