"""A fault-injecting AWS endpoint for tests: an HTTP proxy in front of a moto server that answers
chosen API actions with an AWS error (AccessDenied, Throttling, a disabled region, ...) and
forwards everything else. moto itself never refuses an AssumeRole or throttles.

    with FaultProxy(moto_url) as proxy:
        proxy.fail("AssumeRole", "AccessDenied", "not authorized", status=403)
        ... point AWS_ENDPOINT_URL at proxy.url ...
"""
from __future__ import annotations

import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

ERROR_XML = ('<?xml version="1.0" encoding="UTF-8"?><ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>'
             '<Message>{message}</Message></Error><RequestId>fault-proxy</RequestId></ErrorResponse>')


class FaultProxy:
    def __init__(self, upstream: str):
        self.upstream = upstream.rstrip("/")
        self.faults: dict[str, tuple[str, str, int]] = {}
        self.seen: list[str] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _relay(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                params = parse_qs(urlsplit(self.path).query) | parse_qs(body.decode(errors="replace"))
                action = (params.get("Action") or [""])[0]
                proxy.seen.append(action)
                if action in proxy.faults:
                    code, message, status = proxy.faults[action]
                    reply = ERROR_XML.format(code=code, message=message).encode()
                    self.send_response(status)
                    self.send_header("Content-Type", "text/xml")
                    self.send_header("Content-Length", str(len(reply)))
                    self.end_headers()
                    self.wfile.write(reply)
                    return
                request = urllib.request.Request(proxy.upstream + self.path, data=body or None, method=self.command,
                                                 headers={k: v for k, v in self.headers.items() if k.lower() != "host"})
                try:
                    with urllib.request.urlopen(request, timeout=60) as upstream:
                        status, headers, reply = upstream.status, upstream.headers, upstream.read()
                except urllib.error.HTTPError as exc:
                    status, headers, reply = exc.code, exc.headers, exc.read()
                self.send_response(status)
                for key, value in headers.items():
                    if key.lower() not in ("transfer-encoding", "connection", "content-length", "server", "date"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _relay

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def fail(self, action: str, code: str, message: str = "injected by the test", status: int = 400) -> None:
        self.faults[action] = (code, message, status)

    def clear(self) -> None:
        self.faults.clear()

    def __enter__(self) -> "FaultProxy":
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
