"""Security headers on every gateway response (docs/security.md, "Browser protections").

The Content-Security-Policy allows script only from the gateway's own files (no inline script,
no eval), nothing may frame a page, and forms post only here. Inline style stays allowed: the
sign-in pages carry a <style> block and the diagram draws styled SVG; style cannot run code."""
from __future__ import annotations

from flask import Flask, request

from gateway.proxy import forwarded_proto

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
HSTS = "max-age=31536000"  # one year; no includeSubDomains: other hosts of the domain are not ours


def served_over_https() -> bool:
    """The browser reached us over HTTPS: directly, or through a trusted proxy that says so."""
    return request.is_secure or forwarded_proto() == "https"


def add_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Frame-Options", "DENY")  # frame-ancestors for browsers without CSP 2
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    if served_over_https():
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def register_security_headers(app: Flask) -> None:
    app.after_request(add_security_headers)
