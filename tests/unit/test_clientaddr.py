"""Who the client is (P160): the peer, unless a trusted proxy vouches for someone else."""

from __future__ import annotations

from typing import Any

import pytest

from server.clientaddr import TrustedProxies, address_key, client_ip, client_key, parse_address


def scope(peer: str | None, *headers: tuple[str, str]) -> dict[str, Any]:
    return {
        "type": "http",
        "client": (peer, 40000) if peer else None,
        "headers": [(k.encode(), v.encode()) for k, v in headers],
    }


def test_p160_no_trusted_proxies_means_the_peer_even_on_loopback() -> None:
    s = scope("127.0.0.1", ("x-forwarded-for", "203.0.113.7"))
    assert client_key(s, TrustedProxies(())) == "127.0.0.1"


def test_p160_forwarded_for_from_an_untrusted_peer_is_ignored() -> None:
    s = scope("192.0.2.50", ("x-forwarded-for", "203.0.113.7"))
    assert client_key(s, TrustedProxies(["10.0.0.0/8"])) == "192.0.2.50"


def test_p160_forwarded_for_from_a_trusted_peer_names_the_client() -> None:
    s = scope("10.1.2.3", ("x-forwarded-for", "203.0.113.7"))
    assert client_key(s, TrustedProxies(["10.0.0.0/8"])) == "203.0.113.7"


def test_p160_the_rightmost_untrusted_hop_wins_over_a_forged_left_part() -> None:
    # the client wrote "1.1.1.1" itself; the proxy appended the address it saw
    s = scope("10.1.2.3", ("x-forwarded-for", "1.1.1.1, 203.0.113.7, 10.9.9.9"))
    assert client_key(s, TrustedProxies(["10.0.0.0/8"])) == "203.0.113.7"


def test_p160_repeated_headers_are_read_as_one_list() -> None:
    s = scope("10.1.2.3", ("x-forwarded-for", "1.1.1.1"), ("x-forwarded-for", "203.0.113.7"))
    assert client_key(s, TrustedProxies(["10.0.0.0/8"])) == "203.0.113.7"


def test_p160_garbage_in_front_of_a_trusted_hop_keys_on_that_hop() -> None:
    s = scope("10.1.2.3", ("x-forwarded-for", "not-an-address"))
    assert client_key(s, TrustedProxies(["10.0.0.0/8"])) == "10.1.2.3"


def test_p160_the_forwarded_header_is_read_only_when_configured() -> None:
    forwarded = ("forwarded", 'for=192.0.2.60;proto=https, for="[2001:db8:cafe::17]:4711"')
    xff = ("x-forwarded-for", "198.51.100.1")
    both = scope("10.1.2.3", forwarded, xff)
    assert client_key(both, TrustedProxies(["10.0.0.0/8"])) == "198.51.100.1"
    rfc = TrustedProxies(["10.0.0.0/8"], header="forwarded")
    assert client_key(both, rfc) == "2001:db8:cafe::/64"
    unknown = scope("10.1.2.3", ("forwarded", "for=unknown"))
    assert client_key(unknown, rfc) == "10.1.2.3"


def test_p160_a_huge_header_is_cut_to_its_right_end() -> None:
    s = scope("10.1.2.3", ("x-forwarded-for", "9.9.9.9, " * 100_000 + "203.0.113.7"))
    assert client_key(s, TrustedProxies(["10.0.0.0/8"])) == "203.0.113.7"


def test_p160_ipv6_clients_are_keyed_by_their_64() -> None:
    a = client_key(scope("2001:db8:1:2::1"), TrustedProxies(()))
    b = client_key(scope("2001:db8:1:2:ffff::9"), TrustedProxies(()))
    c = client_key(scope("2001:db8:1:3::1"), TrustedProxies(()))
    assert a == b == "2001:db8:1:2::/64" and c != a


def test_p160_ipv4_mapped_ipv6_is_the_ipv4_address() -> None:
    assert address_key(parse_address("::ffff:192.0.2.1")) == "192.0.2.1"
    assert parse_address("192.0.2.1:8080") == parse_address("[::ffff:192.0.2.1]:1")


def test_p160_no_peer_is_unknown() -> None:
    assert client_ip(scope(None), TrustedProxies(())) is None
    assert client_key(scope(None), TrustedProxies(())) == "unknown"


def test_p160_star_trusts_every_peer_and_bad_entries_are_refused() -> None:
    s = scope("192.0.2.50", ("x-forwarded-for", "203.0.113.7"))
    assert client_key(s, TrustedProxies(["*"])) == "203.0.113.7"
    with pytest.raises(ValueError, match="not-a-net"):
        TrustedProxies(["not-a-net"])
    with pytest.raises(ValueError, match="forwarded header"):
        TrustedProxies([], header="x-real-ip")
