"""Which network destinations Factdesk may fetch from.

Factdesk fetches addresses that editors and API clients type in, from inside the newsroom's
network.  Without a guard, ``http://169.254.169.254/`` would read the cloud metadata service and
``http://localhost:6379/`` would talk to Redis (server-side request forgery).  The rules:

- only ``http`` and ``https``, with a host name and no user name or password in the address;
- every address a host name resolves to must be a public internet address: loopback, private,
  link-local (with the metadata address), carrier-grade NAT, multicast, broadcast, documentation,
  benchmarking and other reserved ranges are refused, in IPv4 and IPv6.  IPv6 addresses that carry
  an IPv4 address (IPv4-mapped and -compatible, NAT64, 6to4, Teredo) are judged by that address;
- IPv4 literals are read the way the C library reads them (``inet_aton``), so ``2130706433``,
  ``0x7f000001``, ``0177.0.0.1`` and ``127.1`` are all 127.0.0.1, and ``0`` is 0.0.0.0;
- ``localhost`` and every name under ``.localhost`` are loopback without asking DNS (RFC 6761);
- an explicit allowlist of networks (tests, intranets) overrides the address rules.

``check_url`` applies these rules to an address before anything is sent.  The fetcher applies the
address rules again when it connects (``factcheck.web.transport``), to the address it actually
connects to, so a name that resolves to a public address when checked and to a private one a moment
later (DNS rebinding) gets nowhere.
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
import socket
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from urllib.parse import urlsplit

import httpx

__all__ = [
    "IPAddress",
    "IPNetwork",
    "Refused",
    "Resolver",
    "address_refusal",
    "admit",
    "check_url",
    "parse_ip_literal",
    "parse_networks",
    "resolve_host",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
# A callable with the signature of socket.getaddrinfo (the default); tests inject fake DNS.
Resolver = Callable[..., list[tuple[Any, ...]]]

SCHEMES = ("http", "https")

_PRIVATE = "Factdesk does not fetch from private networks."
_PUBLIC_ONLY = "Factdesk only fetches from public internet addresses."


class Refused(Exception):
    """A destination Factdesk will not fetch from; ``reason`` is a sentence for the editor."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _networks(*cidrs: str) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(cidr) for cidr in cidrs)


# (networks, what an address in them is, the policy sentence), checked in order.  The list names the
# ranges editors may meet; anything else that is not globally routable is refused by the last rule.
_RANGES: tuple[tuple[tuple[IPNetwork, ...], str, str], ...] = (
    (_networks("169.254.169.254/32", "fd00:ec2::254/128"), "the cloud metadata address", _PRIVATE),
    (_networks("0.0.0.0/32", "::/128"), "the unspecified address (it means this machine)", _PRIVATE),
    (_networks("0.0.0.0/8"), "a 'this network' address (0.0.0.0/8)", _PRIVATE),
    (_networks("127.0.0.0/8", "::1/128"), "a loopback address", _PRIVATE),
    (_networks("169.254.0.0/16", "fe80::/10"), "a link-local address", _PRIVATE),
    (_networks("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"), "a private-network address", _PRIVATE),
    (_networks("fc00::/7"), "a unique local (private) IPv6 address", _PRIVATE),
    (_networks("fec0::/10"), "a site-local (private) IPv6 address", _PRIVATE),
    (_networks("100.64.0.0/10"), "a carrier-grade NAT (shared) address", _PRIVATE),
    (_networks("255.255.255.255/32"), "the broadcast address", _PUBLIC_ONLY),
    (_networks("224.0.0.0/4", "ff00::/8"), "a multicast address", _PUBLIC_ONLY),
    (
        _networks("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32", "3fff::/20"),
        "a documentation address",
        _PUBLIC_ONLY,
    ),
    (_networks("198.18.0.0/15", "2001:2::/48"), "a benchmarking address", _PUBLIC_ONLY),
    (_networks("240.0.0.0/4"), "a reserved address", _PUBLIC_ONLY),
    (_networks("64:ff9b:1::/48"), "a local-use NAT64 address", _PRIVATE),
    (_networks("100::/64"), "a discard-only address", _PUBLIC_ONLY),
)

_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_IPV4_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[tuple[str, ipaddress.IPv4Address]]:
    """The IPv4 addresses an IPv6 address stands for, with the name of the scheme that embeds them."""
    low32 = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.ipv4_mapped is not None:
        return [("an IPv4-mapped address", ip.ipv4_mapped)]
    if ip in _IPV4_TRANSLATED:
        return [("an IPv4-translated address", low32)]
    if ip in _NAT64:
        return [("a NAT64 address", low32)]
    if ip in _IPV4_COMPATIBLE and int(ip) > 1:  # :: and ::1 are themselves
        return [("an IPv4-compatible address", low32)]
    if ip.sixtofour is not None:
        return [("a 6to4 address", ip.sixtofour)]
    if ip.teredo is not None:
        server, client = ip.teredo
        return [("a Teredo address", server), ("a Teredo address", client)]
    return []


def _judge(ip: IPAddress, allow: Sequence[IPNetwork]) -> tuple[str, str] | None:
    """(what the address is, the policy sentence) when refused; None when it may be fetched."""
    if any(ip.version == network.version and ip in network for network in allow):
        return None
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            ip = ipaddress.IPv6Address(str(ip).split("%", 1)[0])
        embedded = _embedded_ipv4(ip)
        for scheme, ipv4 in embedded:
            verdict = _judge(ipv4, allow)
            if verdict is not None:
                what, policy = verdict
                return f"{scheme} for {ipv4}, which is {what}", policy
        if embedded:
            return None
    for networks, what, policy in _RANGES:
        if any(ip.version == network.version and ip in network for network in networks):
            return what, policy
    if not ip.is_global:
        return "not a public internet address", _PUBLIC_ONLY
    return None


def _as_networks(allow: Iterable[IPNetwork | str]) -> tuple[IPNetwork, ...]:
    return tuple(
        network
        if isinstance(network, ipaddress.IPv4Network | ipaddress.IPv6Network)
        else ipaddress.ip_network(network)
        for network in allow
    )


def parse_networks(values: Iterable[str | IPNetwork]) -> tuple[IPNetwork, ...]:
    """Networks from CIDR strings such as ``"10.1.0.0/16"`` or ``"::1/128"`` (a settings list).

    Raises ``ValueError`` for a string that is not a network (host bits set included).
    """
    return _as_networks(value.strip() if isinstance(value, str) else value for value in values)


def address_refusal(ip: IPAddress, allow: Sequence[IPNetwork | str] = ()) -> str | None:
    """Why Factdesk will not connect to ``ip``, as a sentence; None when it may.

    Public (globally routable) addresses are allowed; so is anything inside a network of ``allow``.
    """
    verdict = _judge(ip, _as_networks(allow))
    if verdict is None:
        return None
    what, policy = verdict
    return f"{ip} is {what}; {policy}"


# One part of an IPv4 literal as inet_aton reads it: hexadecimal, octal (a leading 0) or decimal.
_IPV4_PART = re.compile(r"0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*")


def _parse_ipv4_part(part: str) -> int | None:
    if not _IPV4_PART.fullmatch(part):
        return None
    if part[:2] in ("0x", "0X"):
        return int(part, 16)
    if part.startswith("0"):
        return int(part, 8)
    return int(part)


def parse_ip_literal(host: str) -> IPAddress | None:
    """The IP address ``host`` spells, or None when it is a name.

    IPv6 may come in brackets and with a zone (``fe80::1%eth0``, dropped).  IPv4 follows
    ``inet_aton``: one to four parts, each decimal, octal (``0177``) or hexadecimal (``0x7f``), the
    last part filling the remaining bytes (``127.1``, ``2130706433``).  One trailing dot is allowed, as
    browsers allow it.
    """
    host = host.strip()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if ":" in host:
        address = host.split("%", 1)[0]
        try:
            return ipaddress.IPv6Address(address)
        except ValueError:
            return None
    if host.endswith("."):
        host = host[:-1]
    parts = host.split(".")
    if not 1 <= len(parts) <= 4 or len(host) > 253:  # longer is no host name; DNS would refuse it
        return None
    numbers = [_parse_ipv4_part(part) for part in parts]
    if any(number is None for number in numbers):
        return None
    *leading, last = numbers
    if any(number > 0xFF for number in leading) or last >= 1 << (8 * (5 - len(parts))):
        return None
    value = 0
    for number in leading:
        value = value << 8 | number
    value = value << (8 * (5 - len(parts))) | last
    return ipaddress.IPv4Address(value)


_LOOPBACK_NAMES = (ipaddress.IPv4Address("127.0.0.1"), ipaddress.IPv6Address("::1"))


def _is_localhost(host: str) -> bool:
    name = host.rstrip(".").lower()
    return name == "localhost" or name.endswith(".localhost")


def resolve_host(host: str, port: int | None = None, resolver: Resolver | None = None) -> list[IPAddress]:
    """Every address ``host`` stands for: the literal itself, loopback for localhost names, else DNS.

    DNS goes through ``resolver`` (``socket.getaddrinfo`` by default); its errors (``OSError``, such
    as ``socket.gaierror``) propagate.  A name with no IPv4 or IPv6 address raises ``socket.gaierror``.
    """
    literal = parse_ip_literal(host)
    if literal is not None:
        return [literal]
    if _is_localhost(host):
        return list(_LOOPBACK_NAMES)
    answers = (resolver or socket.getaddrinfo)(host, port, type=socket.SOCK_STREAM)
    addresses: list[IPAddress] = []
    for family, _type, _proto, _canonname, sockaddr in answers:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise socket.gaierror(socket.EAI_NONAME, f"{host} has no IPv4 or IPv6 address")
    return addresses


def admit(
    host: str,
    port: int | None = None,
    *,
    allow: Sequence[IPNetwork | str] = (),
    resolver: Resolver | None = None,
) -> list[IPAddress]:
    """The addresses of ``host`` that may be connected to: all of them, or ``Refused``.

    One refused address refuses the host, whatever the others are: a resolver that answers with a
    public and a private address would otherwise choose for us.  Resolution errors propagate.
    """
    networks = _as_networks(allow)
    addresses = resolve_host(host, port, resolver)
    literal = parse_ip_literal(host) is not None
    for address in addresses:
        verdict = _judge(address, networks)
        if verdict is None:
            continue
        what, policy = verdict
        if literal:
            raise Refused(_literal_refusal(host, address, what, policy))
        raise Refused(f"{host} resolves to {address}, which is {what}; {policy}")
    return addresses


def _literal_refusal(host: str, address: IPAddress, what: str, policy: str) -> str:
    """The refusal of an IP literal, saying which address an odd IPv4 spelling stands for."""
    shown = host.strip().strip("[]")
    if isinstance(address, ipaddress.IPv4Address) and shown != str(address):
        return f"{shown} is {address}, which is {what}; {policy}"
    return f"{address} is {what}; {policy}"


def _invalid(url: str, problem: str, allow: Sequence[IPNetwork]) -> Refused:
    """The refusal for an address httpx cannot parse: by its host when that is a refused IP literal."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        host = ""
    literal = parse_ip_literal(host) if host else None
    verdict = _judge(literal, allow) if literal is not None else None
    if literal is not None and verdict is not None:
        return Refused(_literal_refusal(host, literal, *verdict))
    return Refused(f"This is not a valid web address ({problem}).")


def check_url(
    url: str | httpx.URL,
    *,
    allow: Sequence[IPNetwork | str] = (),
    resolve: bool = True,
    resolver: Resolver | None = None,
) -> str:
    """``url`` normalised, if Factdesk may fetch it; raises ``Refused`` with the reason if not.

    Checks the scheme (http or https), that there is a host (without percent-encoding) and no user
    name or password, and the host's addresses: an IP literal (in any spelling) or a localhost name
    always, a name's DNS answers when ``resolve`` is true.  A name that does not resolve is not
    refused here: the fetch records that failure.  The fetcher repeats the address check when it
    connects.
    """
    networks = _as_networks(allow)
    text = str(url)
    try:
        parsed = url if isinstance(url, httpx.URL) else httpx.URL(text.strip())
    except httpx.InvalidURL as exc:
        raise _invalid(text, str(exc), networks) from None
    scheme = parsed.scheme
    if not scheme:
        raise Refused("This address has no scheme: write it in full, starting with https://.")
    if scheme not in SCHEMES:
        raise Refused(f"Only http and https addresses can be fetched (this one is {scheme}).")
    if parsed.userinfo:
        raise Refused(
            "This address has a user name or password before an @ sign; Factdesk does not fetch "
            "addresses with credentials in them (and they often hide the real host)."
        )
    host = parsed.host
    if not host:
        raise Refused("This address has no host name.")
    if "%" in host and ":" not in host:
        # Browsers would decode it (%31%32%37.0.0.1 is 127.0.0.1); the socket would not: refuse both.
        raise Refused(f"The host name {host} is not valid (it contains percent-encoding).")
    if resolve or parse_ip_literal(host) is not None or _is_localhost(host):
        # A name that does not resolve is the fetch's failure to record, not a refusal.
        with contextlib.suppress(OSError, UnicodeError):
            admit(host, parsed.port, allow=networks, resolver=resolver)
    return str(parsed)
