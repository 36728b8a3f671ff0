"""Who is the client: the one place that decides the address limits are keyed by (P160).

The TCP peer is the client unless it is a configured trusted proxy; only then is the
forwarding header read, from the right, skipping further trusted proxies. IPv6 clients
are keyed by their /64, which one household or office usually holds whole.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

FORWARD_HEADERS = ("x-forwarded-for", "forwarded")
MAX_FORWARD_CHARS = 4096  # a longer header is cut: only its right end matters
MAX_HOPS = 32
UNKNOWN = "unknown"


class TrustedProxies:
    """Addresses and networks whose forwarding header is believed."""

    def __init__(self, entries: Iterable[str], header: str = "x-forwarded-for") -> None:
        """Args:
        entries: addresses or CIDRs (`10.0.0.0/8`, `::1`), or `*` for every peer.
        header: `x-forwarded-for` or `forwarded` (RFC 7239): the one the proxy sets.

        Raises ValueError naming the entry that does not parse.
        """
        header = header.strip().lower()
        if header not in FORWARD_HEADERS:
            raise ValueError(f"forwarded header must be one of {FORWARD_HEADERS}, not {header!r}")
        self.header = header
        self.trust_all = False
        self.networks: list[IPNetwork] = []
        for entry in entries:
            entry = entry.strip()
            if entry == "*":
                self.trust_all = True
            elif entry:
                try:
                    self.networks.append(ipaddress.ip_network(entry, strict=False))
                except ValueError as exc:
                    raise ValueError(f"trusted proxy {entry!r} is not an address or CIDR") from exc

    def __bool__(self) -> bool:
        return self.trust_all or bool(self.networks)

    def trusts(self, address: IPAddress) -> bool:
        return self.trust_all or any(address in net for net in self.networks)


def parse_address(text: str) -> IPAddress | None:
    """An address from a peer or header value (`1.2.3.4`, `1.2.3.4:80`, `[::1]:80`, `::1`)."""
    text = text.strip().strip('"')
    if text.startswith("["):
        text = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _forward_chain(headers: Iterable[tuple[bytes, bytes]], header: str) -> list[str]:
    """Hop addresses in order, client first; combined over repeated headers (RFC 7230)."""
    name = header.encode()
    raw = ",".join(v.decode("latin-1") for k, v in headers if k.lower() == name)
    raw = raw[-MAX_FORWARD_CHARS:]
    hops = raw.split(",")[-MAX_HOPS:]
    if header == "x-forwarded-for":
        return [hop.strip() for hop in hops]
    chain = []
    for element in hops:
        found = UNKNOWN  # an element without for= tells nothing about the hop
        for pair in element.split(";"):
            key, _, value = pair.strip().partition("=")
            if key.strip().lower() == "for":
                found = value
        chain.append(found)
    return chain


def client_ip(scope: Mapping[str, Any], trusted: TrustedProxies) -> IPAddress | None:
    """The client's address for an ASGI http or websocket scope, or None if unknown."""
    client = scope.get("client")
    peer = parse_address(str(client[0])) if client else None
    if peer is None or not trusted or not trusted.trusts(peer):
        return peer
    for hop in reversed(_forward_chain(scope.get("headers", ()), trusted.header)):
        address = parse_address(hop)
        if address is None:
            return peer  # garbage or "unknown" in front of a trusted hop: stop there
        if not trusted.trusts(address):
            return address
        peer = address
    return peer


def address_key(address: IPAddress | None) -> str:
    """The key limits count under: an IPv4 address, an IPv6 /64, or 'unknown'."""
    if address is None:
        return UNKNOWN
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def client_key(scope: Mapping[str, Any], trusted: TrustedProxies) -> str:
    """address_key(client_ip(scope, trusted)): what HTTP and websocket limits use."""
    return address_key(client_ip(scope, trusted))
