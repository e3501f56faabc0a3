"""Delivering a webhook: one POST of a body to a newsroom's endpoint, safely, and how it went.

``Poster.post(url, body, headers)`` returns a ``DeliveryResult`` for every attempt: it never raises
for network, HTTP or policy problems.  It goes through the same guarded transport as source fetches
(``transport.GuardedTransport``), so the destination rules of ``netguard`` apply to the address and
again to the address actually connected to: an endpoint whose name resolves to a private address,
now or after a DNS change, gets nothing.

What differs from fetching a page:

- the method is POST and nothing is decoded: the answer only says whether the receiver took it;
- redirects are never followed.  A 3xx is a failed delivery, reported as such: following it would
  send a signed request to an address the newsroom never registered (and that was never checked
  when the endpoint was);
- at most ``max_response_bytes`` of the answer are read, for the attempt log;
- a connect timeout and a wall-clock limit on the whole request (``deadline``), so a receiver that
  answers a byte at a time holds a worker no longer than ``total_timeout``.

Plain Python: no Django here (``tests/test_architecture.py``).
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from factcheck.web.netguard import IPNetwork, Refused, Resolver, check_url, parse_networks
from factcheck.web.responses import parse_retry_after
from factcheck.web.transport import GuardedBackend, GuardedTransport, NameNotResolved, classify, deadline

__all__ = ["DeliveryPolicy", "DeliveryResult", "Poster", "post"]

#: Statuses whose Retry-After is honoured: the receiver asks to be left alone for a while.
RETRY_AFTER_STATUSES = frozenset({429, 503})
#: Characters of the answer kept for the attempt log.
EXCERPT_CHARS = 1000


@dataclass(frozen=True)
class DeliveryPolicy:
    """The limits of a delivery.  ``allow_networks`` (CIDR strings or networks) overrides the address
    rules, for tests and intranets, exactly as for fetches."""

    connect_timeout: float = 5.0
    total_timeout: float = 10.0
    max_response_bytes: int = 4096
    user_agent: str = "Factdesk-Webhooks/1.0"
    allow_networks: tuple[IPNetwork, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "allow_networks", parse_networks(self.allow_networks))
        for name in ("connect_timeout", "total_timeout", "max_response_bytes"):
            if not getattr(self, name) > 0:
                raise ValueError(f"DeliveryPolicy.{name} must be positive")


@dataclass(frozen=True)
class DeliveryResult:
    """What one POST got.  ``status`` is None when no answer came; ``error`` is empty on a 2xx.

    ``error_kind`` is a short code for the failure: refused (the destination is not allowed: trying
    again will not help), dns, connect, timeout, tls, network, redirect, http.  ``retry_after`` is
    the receiver's Retry-After in seconds, on a 429 or 503 that gave one.
    """

    url: str
    status: int | None
    response_excerpt: str
    started_at: datetime
    duration_ms: int
    error: str = ""
    error_kind: str = ""
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        return not self.error_kind

    @property
    def permanent(self) -> bool:
        """Trying again cannot help (the destination is refused): the delivery fails at once."""
        return self.error_kind == "refused"


class _Failure(Exception):
    def __init__(self, error_kind: str, message: str) -> None:
        super().__init__(message)
        self.error_kind = error_kind
        self.message = message


class Poster:
    """Posts webhook bodies under a ``DeliveryPolicy``; thread-safe; one connection pool; close it.

    ``resolver`` replaces ``socket.getaddrinfo`` (tests simulate DNS with it); ``ssl_context``
    replaces the default certificate checks.  Like the fetcher, requests go straight to the guarded
    transport: no client, so no proxy settings read from the environment, no cookies, no redirects.
    """

    def __init__(
        self,
        policy: DeliveryPolicy | None = None,
        *,
        resolver: Resolver | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.policy = policy = policy or DeliveryPolicy()
        backend = GuardedBackend(allow=policy.allow_networks, resolver=resolver)
        self._transport = GuardedTransport(backend, ssl_context=ssl_context)
        self._timeouts = httpx.Timeout(
            connect=policy.connect_timeout,
            read=policy.total_timeout,
            write=policy.total_timeout,
            pool=policy.total_timeout,
        ).as_dict()

    def __enter__(self) -> Poster:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._transport.close()

    def post(self, url: str, body: bytes, headers: Mapping[str, str] | None = None) -> DeliveryResult:
        """POST ``body`` (JSON) to ``url`` with ``headers``; every problem is in the result, not raised."""
        started_at = datetime.now(UTC)
        start = time.monotonic()
        status: int | None = None
        excerpt = ""
        error_kind = error = ""
        retry_after = None
        try:
            with deadline(self.policy.total_timeout) as ends:
                try:
                    status, excerpt, retry_after = self._send(url, body, headers or {})
                except Refused as exc:
                    raise _Failure("refused", exc.reason) from exc
                except NameNotResolved as exc:
                    raise _Failure("dns", str(exc)) from exc
                except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError, OSError) as exc:
                    raise self._transport_failure(url, exc, ends) from exc
            error_kind, error = self._judge(status)
        except _Failure as failure:
            error_kind, error = failure.error_kind, failure.message
        return DeliveryResult(
            url=url,
            status=status,
            response_excerpt=excerpt,
            started_at=started_at,
            duration_ms=round((time.monotonic() - start) * 1000),
            error=error,
            error_kind=error_kind,
            retry_after=retry_after if status in RETRY_AFTER_STATUSES else None,
        )

    def _send(self, url: str, body: bytes, headers: Mapping[str, str]) -> tuple[int, str, float | None]:
        checked = httpx.URL(check_url(url, allow=self.policy.allow_networks, resolve=False))
        request = httpx.Request(
            "POST",
            checked,
            content=body,
            headers={
                "User-Agent": self.policy.user_agent,
                "Content-Type": "application/json",
                "Accept-Encoding": "identity",  # the excerpt is read as it comes
                **headers,
            },
            extensions={"timeout": self._timeouts},
        )
        response = self._transport.handle_request(request)
        try:
            raw = bytearray()
            for chunk in response.iter_raw():
                raw += chunk
                if len(raw) >= self.policy.max_response_bytes:
                    break
            text = bytes(raw[: self.policy.max_response_bytes]).decode("utf-8", errors="replace")
            return (
                response.status_code,
                text[:EXCERPT_CHARS],
                parse_retry_after(response.headers.get("retry-after")),
            )
        finally:
            response.close()

    @staticmethod
    def _judge(status: int | None) -> tuple[str, str]:
        """(error kind, message) for the status a receiver answered; ("", "") for a 2xx."""
        if status is not None and 200 <= status <= 299:
            return "", ""
        phrase = httpx.codes.get_reason_phrase(status or 0) or "(no reason given)"
        if status is not None and 300 <= status <= 399:
            return "redirect", (
                f"The endpoint answered {status} {phrase}: webhooks do not follow redirects. Register the "
                "address the events should go to."
            )
        return "http", f"The endpoint answered {status} {phrase}."

    def _transport_failure(self, url: str, exc: Exception, ends: float) -> _Failure:
        try:
            host = httpx.URL(url).host
        except httpx.InvalidURL:
            host = url
        classified = classify(exc, host)
        if classified is not None:
            return _Failure(classified.error_kind, classified.message)
        if time.monotonic() >= ends - 0.05:
            return _Failure(
                "timeout", f"The endpoint took longer than {self.policy.total_timeout:g} s to answer."
            )
        if isinstance(exc, httpx.ConnectTimeout):
            return _Failure(
                "timeout", f"Could not connect to {host} within {self.policy.connect_timeout:g} s."
            )
        return _Failure("timeout", f"{host} stopped answering for more than {self.policy.total_timeout:g} s.")


def post(
    url: str,
    body: bytes,
    *,
    headers: Mapping[str, str] | None = None,
    policy: DeliveryPolicy | None = None,
    resolver: Resolver | None = None,
) -> DeliveryResult:
    """One POST with a pool of its own (a worker keeps a ``Poster`` instead, for its connections)."""
    with Poster(policy, resolver=resolver) as poster:
        return poster.post(url, body, headers)
