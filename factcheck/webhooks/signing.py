"""Signing webhook deliveries, and checking a signature as a receiver should.

Every delivery carries ``Factdesk-Signature: t=<unix time>,v1=<hex>``, where the hex is
HMAC-SHA256, keyed with the endpoint's secret, of ``"<t>." + body`` (the exact bytes of the body).
The time is signed with the body, so a captured request cannot be replayed later with a fresh
time: a receiver refuses a signature older than a few minutes (``TOLERANCE_SECONDS``), and drops an
event id (``Factdesk-Delivery``) it has seen before.

Plain Python (no Django), so that the README's receiver code is this module's ``verify``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

__all__ = [
    "DELIVERY_HEADER",
    "EVENT_HEADER",
    "SIGNATURE_HEADER",
    "TOLERANCE_SECONDS",
    "InvalidSignature",
    "new_secret",
    "sign",
    "signature_header",
    "verify",
]

SIGNATURE_HEADER = "Factdesk-Signature"
EVENT_HEADER = "Factdesk-Event"
DELIVERY_HEADER = "Factdesk-Delivery"
#: How old (or how far in the future: clocks drift) a signature may be when it is checked.
TOLERANCE_SECONDS = 300
SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix that says what the value is, not a secret
#: Longest header ``verify`` reads: a real one is about 80 characters.
MAX_HEADER = 1000


class InvalidSignature(Exception):
    """The request is not a delivery from Factdesk signed with this secret, or is too old."""


def new_secret() -> str:
    """A new endpoint secret: 256 random bits, URL-safe, with a prefix that says what it is."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``"<timestamp>." + body`` with ``secret``."""
    message = f"{timestamp}.".encode("ascii") + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, body: bytes, *, timestamp: int | None = None) -> str:
    """The value of ``Factdesk-Signature`` for ``body`` sent now (or at ``timestamp``)."""
    at = int(time.time()) if timestamp is None else timestamp
    return f"t={at},v1={sign(secret, at, body)}"


def _parse(header: str) -> tuple[int, list[str]]:
    if not isinstance(header, str) or not header or len(header) > MAX_HEADER:
        raise InvalidSignature("No signature header, or one too long to be ours.")
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        name, sep, value = part.strip().partition("=")
        if not sep:
            raise InvalidSignature("The signature header is malformed.")
        if name == "t":
            if timestamp is not None or not (value.isascii() and value.isdigit() and len(value) <= 12):
                raise InvalidSignature("The signature's timestamp is malformed.")
            timestamp = int(value)
        elif name == "v1":
            signatures.append(value)
        # Other schemes (a future v2) are skipped, so a receiver keeps working when one is added.
    if timestamp is None or not signatures:
        raise InvalidSignature("The signature header has no timestamp or no v1 signature.")
    return timestamp, signatures


def verify(
    secret: str,
    body: bytes,
    header: str,
    *,
    tolerance: int = TOLERANCE_SECONDS,
    now: float | None = None,
) -> int:
    """Check ``header`` (``Factdesk-Signature``) against the raw ``body``; the signed time if good.

    Raises ``InvalidSignature`` when the header is malformed, no ``v1`` matches (compared in
    constant time), or the signed time is more than ``tolerance`` seconds from ``now``.
    """
    timestamp, signatures = _parse(header)
    expected = sign(secret, timestamp, body).encode("ascii")
    # As bytes: compare_digest refuses str with characters outside ASCII, which a forger may send.
    if not any(
        hmac.compare_digest(expected, candidate.encode("utf-8", "surrogatepass")) for candidate in signatures
    ):
        raise InvalidSignature("The signature does not match the body and the secret.")
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise InvalidSignature(
            f"The signature is {abs(current - timestamp):.0f} s from now, more than the {tolerance} s "
            "allowed: a replayed request, or a clock that is wrong."
        )
    return timestamp
