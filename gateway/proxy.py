"""The client's address behind reverse proxies the operator trusts.

Werkzeug's ProxyFix trusts a fixed number of hops whoever connects; here a forwarded header counts
only when the peer that sent it is inside CLOUDSKETCH_TRUSTED_PROXIES, and the client is the
nearest address in the chain that is not itself a trusted proxy (addresses further left were
written by the client and may be anything)."""
from __future__ import annotations

import ipaddress
import re
from functools import lru_cache

from flask import request

from services.common import config

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def parse_networks(value: str) -> tuple[Network, ...]:
    """'10.0.0.0/8, 192.168.1.7' as networks; a bad entry is a configuration error (ValueError)."""
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in value.split(",") if item.strip())


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def _trusted(value: str, networks: tuple[Network, ...]) -> bool:
    address = _address(value)
    if address is None:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address in network for network in networks)


_FORWARDED_FOR = re.compile(r'(?:^|;)\s*for\s*=\s*("[^"]*"|[^;,\s]*)', re.IGNORECASE)


def _forwarded_node(node: str) -> str:
    """An RFC 7239 node ('192.0.2.1', '"192.0.2.1:4711"', '"[2001:db8::1]:4711"') as an address."""
    node = node.strip().strip('"')
    if node.startswith("["):
        return node[1:node.find("]")] if "]" in node else node
    return node.split(":")[0] if node.count(":") == 1 else node


def forwarded_chain(header: str, values: list[str]) -> list[str]:
    """The forwarded addresses, the client's claim first and the last proxy's peer last."""
    chain = []
    for value in values:
        for element in value.split(","):
            if header == "forwarded":
                match = _FORWARDED_FOR.search(element)
                if match:
                    chain.append(_forwarded_node(match.group(1)))
            elif element.strip():
                chain.append(element.strip())
    return chain


def client_address(peer: str, headers, networks: tuple[Network, ...], header: str) -> str:
    """The client's address: `peer` unless it is a trusted proxy; then the rightmost address of
    the forwarded chain that is not a trusted proxy."""
    if not networks or not _trusted(peer, networks):
        return peer
    chain = forwarded_chain(header, headers.getlist(header))
    for hop in reversed(chain):
        if not _trusted(hop, networks):
            return hop
    return chain[0] if chain else peer  # every hop is a proxy we trust: the first is the client


def request_client_address() -> str:
    """The current request's client address (for sign-in throttling)."""
    return client_address(request.remote_addr or "", request.headers,
                          parse_networks(config.trusted_proxies()), config.forwarded_header())


def forwarded_proto() -> str | None:
    """X-Forwarded-Proto of a trusted proxy peer ('https'), else None."""
    networks = parse_networks(config.trusted_proxies())
    if not networks or not _trusted(request.remote_addr or "", networks):
        return None
    values = request.headers.get("X-Forwarded-Proto", "").split(",")
    return values[-1].strip().lower() or None
