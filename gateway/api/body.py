"""Reading requests with clear 400s: JSON bodies, their fields, query numbers and times."""
from __future__ import annotations

from datetime import UTC, datetime

from flask import request

from gateway.errors import ApiError

_MISSING = object()
# The largest request body the gateway reads (413 above it): a request of the REST API carries a
# few fields, and the largest, a blueprint, stays far below.
MAX_BODY_BYTES = 1024 * 1024
# What protobuf's Timestamp can hold, and so what the services can store.
_LATEST = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
_EARLIEST = datetime(1, 1, 1, tzinfo=UTC)


def text_problem(value: str) -> str | None:
    """Why a text cannot be stored (PostgreSQL refuses NUL; UTF-8 has no unpaired surrogates)."""
    if "\x00" in value:
        return "contains a NUL character"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "contains an unpaired surrogate (not valid Unicode)"
    return None


def refuse_oversized_and_nul() -> None:
    """The app's first before_request: 413 for a body above MAX_BODY_BYTES; 400 for a NUL
    character in the path or the query (text the services could not store or look up)."""
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise ApiError(413, f"the request body is larger than {MAX_BODY_BYTES} bytes")
    for name, value in [("the path", request.path), *((f"query parameter {k!r}", v) for k, v in
                                                        request.args.items(multi=True))]:
        if problem := text_problem(value):
            raise ApiError(400, f"{name} {problem}")


def _check_text(value, where: str) -> None:
    if isinstance(value, str):
        if problem := text_problem(value):
            raise ApiError(400, f"{where} {problem}")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key, "a field name")
            _check_text(item, f"field {key!r}")
    elif isinstance(value, list):
        for item in value:
            _check_text(item, where)


def json_body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "the request body must be a JSON object")
    _check_text(body, "the body")
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


def query_int(name: str, default: int, minimum: int, maximum: int) -> int:
    """?name=, a whole number from minimum to maximum (400 otherwise); `default` when absent."""
    text = request.args.get(name)
    if text is None:
        return default
    try:
        value = int(text)
    except ValueError:
        raise ApiError(400, f"{name} must be a number") from None
    if not minimum <= value <= maximum:
        raise ApiError(400, f"{name} must be from {minimum} to {maximum}")
    return value


def iso_time(value: str, name: str) -> datetime:
    """An ISO 8601 time (UTC unless it names a zone), within what the services can store."""
    example = "e.g. 2027-01-31T00:00:00Z"
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(400, f"field {name!r} must be an ISO 8601 time, {example}") from None
    if parsed.tzinfo is None:  # no zone: UTC, as the services read it
        parsed = parsed.replace(tzinfo=UTC)
    try:
        in_utc = parsed.astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:59:59-01:00 is in the year 10000 in UTC
        in_utc = None
    if in_utc is None or not _EARLIEST <= in_utc <= _LATEST:
        raise ApiError(400, f"field {name!r} must lie between 0001-01-01 and 9999-12-31T23:59:59Z")
    return in_utc
