"""Errors as JSON `{"error": "..."}` with the status codes Cloudcraft documents."""
from __future__ import annotations

import contextlib
import logging
import re

import grpc
from flask import Flask, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

GRPC_TO_HTTP = {
    grpc.StatusCode.INVALID_ARGUMENT: 400,
    grpc.StatusCode.OUT_OF_RANGE: 400,
    grpc.StatusCode.UNAUTHENTICATED: 401,
    grpc.StatusCode.PERMISSION_DENIED: 403,
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.ALREADY_EXISTS: 409,
    grpc.StatusCode.FAILED_PRECONDITION: 409,
    grpc.StatusCode.ABORTED: 412,   # errors.Stale: the change was based on an outdated version (If-Match)
    grpc.StatusCode.RESOURCE_EXHAUSTED: 429,
    grpc.StatusCode.UNIMPLEMENTED: 501,
    grpc.StatusCode.UNAVAILABLE: 503,
    grpc.StatusCode.DEADLINE_EXCEEDED: 503,
}
# A service that is away or too slow (UNAVAILABLE: it is down, unreachable or its database is;
# DEADLINE_EXCEEDED: it did not answer in time) answers 503 with this Retry-After (seconds).
RETRY_AFTER_SECONDS = 5
UNAVAILABLE_MESSAGE = "a cloudsketch service is unavailable; try again shortly"


_TRY_AGAIN_IN = re.compile(r"try again in (\d+) s")


def retry_after(message: str) -> str | None:
    """The seconds of a rate limit's "try again in N s" (identity's sign-in delays), for Retry-After."""
    match = _TRY_AGAIN_IN.search(message or "")
    return match.group(1) if match else None


class ApiError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@contextlib.contextmanager
def not_found_as(status: int, message: str):
    """Inside: a NOT_FOUND from a service becomes this ApiError (other errors pass through)."""
    try:
        yield
    except grpc.RpcError as exc:
        if exc.code() == grpc.StatusCode.NOT_FOUND:
            raise ApiError(status, message) from None
        raise


def error_response(status: int, message: str):
    response = jsonify(error=message)
    response.status_code = status
    return response


def _wants_html() -> bool:
    """Pages (not /api, not a script asking for JSON) get an HTML error page."""
    if request.path.startswith("/api/") or request.is_json:
        return False
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == "text/html"


def _unavailable_page():
    return current_app.make_response(render_template(
        "error.html", title="Temporarily unavailable",
        message="cloudsketch cannot reach one of its services right now. Try again in a few seconds."))


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        response = error_response(exc.status, exc.message)
        if exc.status == 429 and (seconds := retry_after(exc.message)):
            response.headers["Retry-After"] = seconds
        return response

    @app.errorhandler(grpc.RpcError)
    def _rpc_error(exc: grpc.RpcError):
        status = GRPC_TO_HTTP.get(exc.code(), 502)
        if exc.code() == grpc.StatusCode.RESOURCE_EXHAUSTED and "message larger than max" in (exc.details() or ""):
            # gRPC's message-size limit, not a rate limit: a message between services too large.
            log.error("gRPC message too large", extra={"path": request.path, "detail": exc.details()[:200]})
            return error_response(502, "a message between cloudsketch services was larger than allowed")
        if status >= 500:
            log.error("upstream call failed", extra={"grpc_code": exc.code().name, "path": request.path})
            response = _unavailable_page() if _wants_html() else error_response(status, UNAVAILABLE_MESSAGE)
            response.status_code = status
            if status == 503:
                response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return response
        response = error_response(status, exc.details() or exc.code().name.lower())
        if status == 429 and (seconds := retry_after(exc.details())):
            response.headers["Retry-After"] = seconds
        return response

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if request.path.startswith("/api/"):
            return error_response(exc.code or 500, exc.description or exc.name)
        if exc.code == 404 and request.path.startswith("/app/"):
            # the browser app's own page, with a way back, rather than Flask's bare one
            return render_template("not-found.html", path=request.path), 404
        return exc
