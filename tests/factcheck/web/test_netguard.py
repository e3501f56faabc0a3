"""The destination rules, without any network: literals, odd spellings, DNS answers, the allowlist."""

# ruff: noqa: S104 - the unspecified address is among those refused, not an address anything binds to

from __future__ import annotations

import socket
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factcheck.web.netguard import (
    Refused,
    address_refusal,
    admit,
    check_url,
    parse_ip_literal,
    parse_networks,
    resolve_host,
)

from .conftest import FakeDNS

REFUSED_ADDRESSES = [
    ("127.0.0.1", "loopback"),
    ("127.255.255.254", "loopback"),
    ("::1", "loopback"),
    ("0.0.0.0", "unspecified"),
    ("::", "unspecified"),
    ("0.1.2.3", "'this network'"),
    ("10.0.0.1", "private"),
    ("172.16.0.1", "private"),
    ("172.31.255.255", "private"),
    ("192.168.1.1", "private"),
    ("100.64.0.1", "carrier-grade NAT"),
    ("100.127.255.254", "carrier-grade NAT"),
    ("169.254.169.254", "cloud metadata"),
    ("fd00:ec2::254", "cloud metadata"),
    ("169.254.1.1", "link-local"),
    ("fe80::1", "link-local"),
    ("fd00::1", "unique local"),
    ("fc00::1", "unique local"),
    ("fec0::1", "site-local"),
    ("224.0.0.1", "multicast"),
    ("239.255.255.250", "multicast"),
    ("ff02::1", "multicast"),
    ("255.255.255.255", "broadcast"),
    ("240.0.0.1", "reserved"),
    ("192.0.2.1", "documentation"),
    ("198.51.100.7", "documentation"),
    ("203.0.113.9", "documentation"),
    ("2001:db8::1", "documentation"),
    ("198.18.0.1", "benchmarking"),
    ("100::1", "discard-only"),
    ("64:ff9b:1::1", "local-use NAT64"),
    ("::ffff:127.0.0.1", "IPv4-mapped address for 127.0.0.1, which is a loopback"),
    ("::ffff:10.1.2.3", "IPv4-mapped address for 10.1.2.3, which is a private"),
    ("::ffff:169.254.169.254", "IPv4-mapped address for 169.254.169.254, which is the cloud metadata"),
    ("::ffff:0:127.0.0.1", "IPv4-translated address for 127.0.0.1"),
    ("::127.0.0.1", "IPv4-compatible address for 127.0.0.1"),
    ("::2", "IPv4-compatible address for 0.0.0.2"),
    ("64:ff9b::7f00:1", "NAT64 address for 127.0.0.1"),
    ("64:ff9b::a9fe:a9fe", "NAT64 address for 169.254.169.254"),
    ("2002:7f00:1::", "6to4 address for 127.0.0.1"),
    ("2002:c0a8:101::1", "6to4 address for 192.168.1.1"),
    # Teredo: the client address is stored inverted; 80ff:fffe is 127.0.0.1.
    ("2001:0:4136:e378:8000:63bf:80ff:fffe", "Teredo address for 127.0.0.1"),
    ("2001:0:a00:1::1", "Teredo address for 10.0.0.1"),  # the server half is private
]

PUBLIC_ADDRESSES = [
    "8.8.8.8",
    "93.184.215.14",
    "1.1.1.1",
    "2606:4700:4700::1111",
    "2a00:1450:4009:81f::200e",
    "::ffff:8.8.8.8",
    "64:ff9b::808:808",
    "2002:808:808::1",
    "2001:0:4136:e378:8000:63bf:f7f7:f7f7",  # Teredo with public server and client (8.8.8.8)
]


@pytest.mark.parametrize(("address", "why"), REFUSED_ADDRESSES)
def test_non_public_addresses_are_refused_with_the_reason(address, why):
    reason = address_refusal(ip_address(address), ())
    assert reason is not None
    assert reason.startswith(f"{ip_address(address)} is ")
    assert why in reason
    assert reason.endswith(("Factdesk does not fetch from private networks.", "public internet addresses."))


@pytest.mark.parametrize("address", PUBLIC_ADDRESSES)
def test_public_addresses_are_allowed(address):
    assert address_refusal(ip_address(address), ()) is None


def test_the_allowlist_overrides_the_rules_for_its_networks_only():
    allow = (ip_network("127.0.0.2/32"), ip_network("10.20.0.0/16"))
    assert address_refusal(IPv4Address("127.0.0.2"), allow) is None
    assert address_refusal(IPv4Address("10.20.30.40"), allow) is None
    assert address_refusal(IPv4Address("127.0.0.1"), allow) is not None
    assert address_refusal(IPv4Address("10.21.0.1"), allow) is not None
    # An IPv4-mapped spelling of an allowed address is that address.
    assert address_refusal(IPv6Address("::ffff:127.0.0.2"), allow) is None
    assert address_refusal(IPv6Address("::ffff:127.0.0.1"), allow) is not None
    # Networks of the other IP version never match.
    assert address_refusal(IPv6Address("::1"), (ip_network("127.0.0.0/8"),)) is not None


def test_settings_lists_become_networks():
    assert parse_networks([" 10.0.0.0/8", "::1/128"]) == (ip_network("10.0.0.0/8"), ip_network("::1/128"))
    with pytest.raises(ValueError):
        parse_networks(["10.0.0.1/8"])  # host bits set: a typo, not a network
    with pytest.raises(ValueError):
        parse_networks(["intranet"])


@pytest.mark.parametrize(
    ("spelling", "address"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("0X7F000001", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("0x7f.0.0.1", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("127.0.1", "127.0.0.1"),
        ("127.0.0.1.", "127.0.0.1"),
        ("0", "0.0.0.0"),
        ("00", "0.0.0.0"),
        ("0.0.0.0", "0.0.0.0"),
        ("3232235777", "192.168.1.1"),
        ("0xa9fea9fe", "169.254.169.254"),
        ("1.2.65535", "1.2.255.255"),
        ("[::1]", "::1"),
        ("::ffff:127.0.0.1", "::ffff:7f00:1"),
        ("0:0:0:0:0:ffff:127.0.0.1", "::ffff:7f00:1"),
        ("fe80::1%eth0", "fe80::1"),
        ("fe80::1%25eth0", "fe80::1"),
    ],
)
def test_ip_literals_are_read_in_every_spelling_the_c_library_accepts(spelling, address):
    assert parse_ip_literal(spelling) == ip_address(address)


@pytest.mark.parametrize(
    "name", ["example.com", "127.0.0.1.example.com", "0x7g", "08", "1.2.3.256", "1.2.3.4.5", "", "1..1", "0x"]
)
def test_names_and_invalid_numbers_are_not_literals(name):
    assert parse_ip_literal(name) is None


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="0123456789abcdefxX.", max_size=24))
def test_ipv4_literals_agree_with_inet_aton(text):
    """Whatever the C library would read as an address, we read as the same address."""
    if text.endswith("."):
        stripped = text[:-1]
        if stripped and not stripped.endswith("."):
            assert parse_ip_literal(text) == parse_ip_literal(stripped)
        return
    try:
        expected = IPv4Address(socket.inet_aton(text))
    except OSError:
        expected = None
    assert parse_ip_literal(text) == expected


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_check_url_only_ever_refuses(text):
    try:
        checked = check_url(text, resolve=False)
    except Refused as exc:
        assert exc.reason
    else:
        assert checked.startswith(("http://", "https://"))


def test_localhost_names_are_loopback_without_asking_dns():
    dns = FakeDNS({})
    for name in ("localhost", "LOCALHOST", "localhost.", "api.localhost"):
        assert resolve_host(name, 80, dns) == [IPv4Address("127.0.0.1"), IPv6Address("::1")]
    assert dns.lookups == []


def test_resolve_host_uses_the_resolver_and_drops_duplicates_and_zones():
    dns = FakeDNS({"news.example": ["93.184.215.14", "2606:2800:21f:cb07::1%3", "93.184.215.14"]})
    assert resolve_host("news.example", 443, dns) == [
        IPv4Address("93.184.215.14"),
        IPv6Address("2606:2800:21f:cb07::1"),
    ]
    assert dns.lookups == ["news.example"]


def test_a_name_with_no_address_raises_gaierror():
    with pytest.raises(socket.gaierror):
        resolve_host("nowhere.example", 80, FakeDNS({"nowhere.example": []}))


def test_one_private_answer_refuses_the_name_whatever_the_others():
    dns = FakeDNS({"mixed.example": ["93.184.215.14", "10.0.0.5"]})
    with pytest.raises(Refused) as refused:
        admit("mixed.example", 80, resolver=dns)
    assert refused.value.reason == (
        "mixed.example resolves to 10.0.0.5, which is a private-network address; "
        "Factdesk does not fetch from private networks."
    )


def test_admit_returns_the_addresses_to_connect_to():
    dns = FakeDNS({"intranet.example": ["10.20.0.7"]})
    assert admit("intranet.example", 80, allow=("10.20.0.0/16",), resolver=dns) == [IPv4Address("10.20.0.7")]


SSRF_URLS = [
    ("http://2130706433/", "2130706433 is 127.0.0.1, which is a loopback address"),
    ("http://0x7f000001/", "0x7f000001 is 127.0.0.1, which is a loopback address"),
    ("http://0177.0.0.1/", "0177.0.0.1 is 127.0.0.1, which is a loopback address"),
    ("http://0x7f.0.0.1/", "is 127.0.0.1"),
    ("http://127.1/", "127.1 is 127.0.0.1"),
    ("http://0/", "0 is 0.0.0.0, which is the unspecified address"),
    ("http://0.0.0.0:8000/", "0.0.0.0 is the unspecified address"),
    ("http://[::1]/", "::1 is a loopback address"),
    ("http://[::]/", ":: is the unspecified address"),
    ("http://[::ffff:127.0.0.1]/", "IPv4-mapped address for 127.0.0.1"),
    ("http://[::ffff:7f00:1]/", "IPv4-mapped address for 127.0.0.1"),
    ("http://[0:0:0:0:0:ffff:127.0.0.1]/", "IPv4-mapped address for 127.0.0.1"),
    ("http://[64:ff9b::7f00:1]/", "NAT64 address for 127.0.0.1"),
    ("http://[2002:7f00:1::]/", "6to4 address for 127.0.0.1"),
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is the cloud metadata address"),
    ("http://[fe80::1]/", "link-local"),
    ("http://[fe80::1%25eth0]/", "link-local"),
    ("http://[fd00::1]/", "unique local"),
    ("http://10.0.0.1/", "private-network"),
    ("http://172.16.0.1/", "private-network"),
    ("http://192.168.1.1/", "private-network"),
    ("http://100.64.0.1/", "carrier-grade NAT"),
    ("http://224.0.0.1/", "multicast"),
    ("http://255.255.255.255/", "broadcast"),
    ("http://localhost/", "localhost resolves to 127.0.0.1, which is a loopback address"),
    ("http://localhost./", "resolves to 127.0.0.1"),
    ("http://example.com@127.0.0.1/", "user name or password"),
    ("http://user:secret@example.com/", "user name or password"),
    ("http://127.0.0.1:80\\@example.com/", "user name or password"),
    ("http://%31%32%37.0.0.1/", "percent-encoding"),
    ("file:///etc/passwd", "Only http and https addresses can be fetched (this one is file)."),
    ("ftp://example.com/file", "(this one is ftp)"),
    ("gopher://127.0.0.1:6379/_INFO", "(this one is gopher)"),
    ("data:text/html,<p>hi</p>", "(this one is data)"),
    ("javascript:alert(1)", "(this one is javascript)"),
    ("dict://127.0.0.1:11211/stat", "(this one is dict)"),
    ("//example.com/", "no scheme"),
    ("http:///etc/passwd", "no host name"),
    ("http://[::1/", "not a valid web address"),
]


@pytest.mark.parametrize(("url", "reason"), SSRF_URLS)
def test_check_url_refuses_ssrf_spellings_without_dns(url, reason):
    dns = FakeDNS({})
    with pytest.raises(Refused) as refused:
        check_url(url, resolver=dns)
    assert reason in refused.value.reason
    assert dns.lookups == []  # every one of these is decided on the address as written


def test_check_url_refuses_a_name_that_resolves_to_a_private_address():
    dns = FakeDNS({"intranet.example": ["192.168.0.10"]})
    with pytest.raises(Refused) as refused:
        check_url("https://intranet.example/wiki", resolver=dns)
    assert refused.value.reason == (
        "intranet.example resolves to 192.168.0.10, which is a private-network address; "
        "Factdesk does not fetch from private networks."
    )
    # Without resolving, the name passes: the fetcher checks it again when it connects.
    assert check_url("https://intranet.example/wiki", resolve=False, resolver=dns) == (
        "https://intranet.example/wiki"
    )
    assert dns.lookups == ["intranet.example"]


def test_check_url_normalises_and_passes_public_and_unresolvable_addresses():
    dns = FakeDNS({"news.example": ["93.184.215.14"]})
    assert check_url("  HTTPS://News.Example/a b?q=1  ", resolver=dns) == "https://news.example/a%20b?q=1"
    assert check_url("http://8.8.8.8/", resolver=dns) == "http://8.8.8.8/"
    assert check_url("http://nowhere.example/", resolver=dns) == "http://nowhere.example/"
    assert dns.lookups == ["news.example", "nowhere.example"]


def test_the_allowlist_lets_tests_and_intranets_through():
    assert check_url("http://127.0.0.2:8000/", allow=("127.0.0.2/32",)) == "http://127.0.0.2:8000/"
    with pytest.raises(Refused):
        check_url("http://127.0.0.1:8000/", allow=("127.0.0.2/32",))
