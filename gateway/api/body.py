"""Reading JSON request bodies with clear 400s."""
from __future__ import annotations

from flask import request

from gateway.errors import ApiError

_MISSING = object()


def json_body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "the request body must be a JSON object")
    return body


def field(body: dict, name: str, kind: type, required: bool = True, default=None):
    """body[name], checked to be of `kind`; `default` when absent and not required."""
    value = body.get(name, _MISSING)
    if value is _MISSING or value is None:
        if required:
            raise ApiError(400, f"missing field {name!r}")
        return default
    if kind is list:
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ApiError(400, f"field {name!r} must be a list of strings")
        return value
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ApiError(400, f"field {name!r} must be a {kind.__name__ if kind is not str else 'string'}")
    return value
