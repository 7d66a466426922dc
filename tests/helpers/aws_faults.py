"""A fault-injecting AWS endpoint for tests: an HTTP proxy in front of a moto server that answers
chosen API actions with an AWS error (AccessDenied, Throttling, a disabled region, ...), can add
latency to every call, and forwards everything else. moto itself never refuses an AssumeRole,
throttles or takes time.

    with FaultProxy(moto_url) as proxy:
        proxy.fail("AssumeRole", "AccessDenied", "not authorized", status=403)
        proxy.fail("DescribeVpcs", "Throttling", times=3)          # the first three calls only
        proxy.fail("DescribeAvailabilityZones", "AuthFailure", region="eu-west-1")
        ... point AWS_ENDPOINT_URL at proxy.url ...
"""
from __future__ import annotations

import json
import re
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

ERROR_XML = ('<?xml version="1.0" encoding="UTF-8"?><ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>'
             '<Message>{message}</Message></Error><RequestId>fault-proxy</RequestId></ErrorResponse>')
# SigV4's credential scope names the region: Credential=AKID/20261201/eu-west-1/ec2/aws4_request
SIGNED_REGION = re.compile(r"Credential=[^/]+/\d{8}/([a-z0-9-]+)/")


@dataclass
class Fault:
    code: str
    message: str
    status: int
    region: str | None   # None: every region
    remaining: int | None  # None: every call


@dataclass(frozen=True)
class Call:
    action: str
    region: str
    started: float
    finished: float


class FaultProxy:
    def __init__(self, upstream: str, latency: float = 0.0):
        self.upstream = upstream.rstrip("/")
        self.latency = latency
        self.faults: dict[str, Fault] = {}
        self.seen: list[str] = []
        self.calls: list[Call] = []
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, like AWS: clients reuse their connections

            def log_message(self, *args):
                pass

            def _relay(self):
                started = time.perf_counter()
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                params = parse_qs(urlsplit(self.path).query) | parse_qs(body.decode(errors="replace"))
                target = self.headers.get("X-Amz-Target", "")
                action = (params.get("Action") or [""])[0] or target.rpartition(".")[2]
                signed = SIGNED_REGION.search(self.headers.get("Authorization", ""))
                region = signed.group(1) if signed else ""
                if proxy.latency:
                    time.sleep(proxy.latency)
                fault = proxy._take_fault(action, region)
                if fault is not None and target:  # a JSON-protocol service (DynamoDB, ECS, SQS, ...)
                    reply = json.dumps({"__type": fault.code, "message": fault.message}).encode()
                    status, headers = fault.status, {"Content-Type": "application/x-amz-json-1.1"}
                elif fault is not None:
                    reply = ERROR_XML.format(code=fault.code, message=fault.message).encode()
                    status, headers = fault.status, {"Content-Type": "text/xml"}
                else:
                    request = urllib.request.Request(
                        proxy.upstream + self.path, data=body or None, method=self.command,
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
                if self.command != "HEAD":
                    self.wfile.write(reply)
                with proxy._lock:
                    proxy.seen.append(action)
                    proxy.calls.append(Call(action, region, started, time.perf_counter()))

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _relay

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def fail(self, action: str, code: str, message: str = "injected by the test", status: int = 400, *,
             region: str | None = None, times: int | None = None) -> None:
        self.faults[action] = Fault(code, message, status, region, times)

    def clear(self) -> None:
        self.faults.clear()

    def _take_fault(self, action: str, region: str) -> Fault | None:
        with self._lock:
            fault = self.faults.get(action)
            if fault is None or (fault.region is not None and fault.region != region):
                return None
            if fault.remaining is not None:
                if fault.remaining <= 0:
                    return None
                fault.remaining -= 1
            return fault

    def __enter__(self) -> FaultProxy:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
