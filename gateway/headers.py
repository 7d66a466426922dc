"""Security headers on every gateway response (docs/security.md, "Browser protections"), and the
Content-Disposition of a download named after something a user named.

The Content-Security-Policy allows script only from the gateway's own files (no inline script,
no eval), nothing may frame a page, and forms post only here. Inline style stays allowed: the
sign-in pages carry a <style> block and the diagram draws styled SVG; style cannot run code."""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

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


FILENAME_LENGTH = 80   # of the name part; a whole file name stays well below every system's 255
_NOT_ASCII_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
_NOT_UNICODE_SAFE = re.compile(r"[^\w.-]+")    # \w: letters and digits of any script, and _


def _filename_part(text: str, unsafe: re.Pattern) -> str:
    """`text` with every run of other characters (quotes, CR/LF, separators, spaces, controls) one
    '-', no '-' or '.' at either end (no hidden file, no '..'), at most FILENAME_LENGTH long."""
    safe = unsafe.sub("-", unicodedata.normalize("NFC", text)).strip(".-")
    return safe[:FILENAME_LENGTH].rstrip(".-")


def attachment(prefix: str, name: str, fallback: str, extension: str) -> str:
    """An RFC 6266 Content-Disposition for a download called prefix + name + "." + extension, with
    `name` made safe for a file name (`fallback`, an id, when nothing of it is left): filename=
    in ASCII for every client, plus filename*= in UTF-8 when the name has other characters."""
    ascii_name = _filename_part(name, _NOT_ASCII_SAFE) or _filename_part(fallback, _NOT_ASCII_SAFE) or "download"
    header = f'attachment; filename="{prefix}{ascii_name}.{extension}"'
    if not name.isascii():
        unicode_name = _filename_part(name, _NOT_UNICODE_SAFE) or ascii_name
        header += f"; filename*=UTF-8''{quote(f'{prefix}{unicode_name}.{extension}', safe='')}"
    return header
