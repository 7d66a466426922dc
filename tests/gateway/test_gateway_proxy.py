"""The client address behind trusted reverse proxies (gateway/proxy.py): a forwarded header counts
only from a peer in CLOUDSKETCH_TRUSTED_PROXIES, and the client is the nearest untrusted hop, so
sign-in throttling keys on each client rather than on the proxy every client shares."""
from __future__ import annotations

import grpc
import pytest

from cloudsketch.identity.v1 import identity_pb2 as identity_pb
from gateway import create_app


class Identity:
    def __init__(self):
        self.client_ips = []

    def Login(self, request):
        self.client_ips.append(request.client_ip)
        return identity_pb.LoginResponse(session_token="s", csrf_token="c",
                                         principal=identity_pb.Principal(user=identity_pb.User(id="u1")))


class Clients:
    def __init__(self):
        self.identity = Identity()


@pytest.fixture
def clients():
    return Clients()


def sign_in_from(clients, peer: str, headers: dict | None = None) -> str:
    http = create_app(clients).test_client()
    reply = http.post("/login", json={"email": "a@example.com", "password": "x" * 12}, headers=headers or {},
                      environ_base={"REMOTE_ADDR": peer})
    assert reply.status_code == 200, reply.get_data(as_text=True)
    return clients.identity.client_ips[-1]


def test_without_trusted_proxies_forwarded_headers_are_ignored(clients, monkeypatch):
    monkeypatch.delenv("CLOUDSKETCH_TRUSTED_PROXIES", raising=False)
    assert sign_in_from(clients, "10.0.0.5", {"X-Forwarded-For": "198.51.100.1"}) == "10.0.0.5"


def test_a_trusted_proxy_names_the_client_and_spoofed_hops_are_skipped(clients, monkeypatch):
    monkeypatch.setenv("CLOUDSKETCH_TRUSTED_PROXIES", "10.0.0.0/24, 192.168.7.7")
    # the client wrote the leftmost entry itself; the ingress (10.0.0.5) appended what it saw
    assert sign_in_from(clients, "10.0.0.5", {"X-Forwarded-For": "1.2.3.4, 198.51.100.1"}) == "198.51.100.1"
    # two trusted proxies in a row
    assert sign_in_from(clients, "10.0.0.5", {"X-Forwarded-For": "198.51.100.2, 192.168.7.7"}) == "198.51.100.2"
    # an untrusted peer's header is not believed
    assert sign_in_from(clients, "203.0.113.9", {"X-Forwarded-For": "198.51.100.1"}) == "203.0.113.9"
    # a trusted peer with no header is the client
    assert sign_in_from(clients, "10.0.0.5") == "10.0.0.5"
    # the Forwarded header is not read unless configured (the proxy may pass a forged one through)
    assert sign_in_from(clients, "10.0.0.5", {"Forwarded": "for=198.51.100.3"}) == "10.0.0.5"


def test_the_forwarded_header_when_configured(clients, monkeypatch):
    monkeypatch.setenv("CLOUDSKETCH_TRUSTED_PROXIES", "10.0.0.0/8")
    monkeypatch.setenv("CLOUDSKETCH_FORWARDED_HEADER", "Forwarded")
    assert sign_in_from(clients, "10.0.0.5", {
        "Forwarded": 'for=1.2.3.4, for="[2001:db8::17]:4711";proto=https, for=10.1.1.1',
        "X-Forwarded-For": "198.51.100.1"}) == "2001:db8::17"
    assert sign_in_from(clients, "10.0.0.5", {"Forwarded": 'for="198.51.100.4:80";by=10.0.0.5'}) == "198.51.100.4"


def test_a_bad_trusted_proxies_setting_stops_the_gateway(monkeypatch):
    monkeypatch.setenv("CLOUDSKETCH_TRUSTED_PROXIES", "10.0.0.0/33")
    with pytest.raises(ValueError):
        create_app(Clients())


class Delayed(grpc.RpcError):
    def code(self):
        return grpc.StatusCode.RESOURCE_EXHAUSTED

    def details(self):
        return "too many failed sign-ins; try again in 32 s"


def test_a_delayed_sign_in_says_when_to_retry(clients):
    clients.identity.Login = lambda request: (_ for _ in ()).throw(Delayed())
    http = create_app(clients).test_client()
    page = http.post("/login", data={"email": "a@example.com", "password": "x" * 12})
    assert (page.status_code, page.headers["Retry-After"], page.mimetype) == (429, "32", "text/html")
    api = http.post("/login", json={"email": "a@example.com", "password": "x" * 12})
    assert (api.status_code, api.headers["Retry-After"]) == (429, "32")
