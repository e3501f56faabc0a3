"""Fetching a source safely, and recording how it went.

``Fetcher.fetch(url)`` returns a ``FetchResult`` for every attempt, good or bad: it never raises for
network, HTTP or policy problems.  Each result says whether the failure is ``transient`` (worth
another try later: timeouts, connection errors, 429 and 5xx, with the server's Retry-After) or
``permanent`` (other 4xx, a refused destination, too many redirects, too large, a type Factdesk does
not read, a body that cannot be decoded), with a sentence an editor understands.

What the fetcher enforces:

- the destination rules of ``netguard`` on the first address and on every redirect, and again on the
  address actually connected to (``transport.GuardedBackend``);
- connect and read timeouts, and a wall-clock limit on the whole fetch (a page sent a byte at a
  time is cut off too);
- a redirect limit, followed by hand so that each hop is checked and recorded;
- a size limit on the decoded body: a Content-Length above it is refused before reading, a body
  that grows past it is abandoned, and gzip or deflate is decompressed in bounded steps, so a small
  compressed body cannot expand into a large one in memory;
- a content-type allowlist on the final response (a missing type is sniffed for HTML and PDF);
- at most ``per_host_concurrency`` requests to one host at a time per ``Fetcher``;
- a truthful User-Agent; no cookies kept from one fetch to the next; no proxies from the environment.
"""

from __future__ import annotations

import contextlib
import hashlib
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

import httpx

from factcheck.web.netguard import IPNetwork, Refused, Resolver, check_url, parse_networks
from factcheck.web.responses import (
    BoundedDecoder,
    UndecodableBody,
    parse_content_type,
    parse_retry_after,
    sniff_type,
)
from factcheck.web.transport import GuardedBackend, GuardedTransport, NameNotResolved, classify, deadline

__all__ = [
    "DEFAULT_USER_AGENT",
    "FetchPolicy",
    "FetchResult",
    "Fetcher",
    "Hop",
]

DEFAULT_USER_AGENT = "Factdesk/1.0 (fact-check source archiver)"

Outcome = Literal["ok", "transient", "permanent"]

_REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True)
class FetchPolicy:
    """The limits of a fetch.  ``allow_networks`` (CIDR strings or networks) overrides the address
    rules, for tests and intranets; ``user_agent`` should name the site, e.g.
    ``"Factdesk/1.0 (+https://factdesk.example.org; fact-check source archiver)"``."""

    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    total_timeout: float = 60.0
    max_redirects: int = 5
    max_bytes: int = 5_000_000
    allowed_types: tuple[str, ...] = ("text/html", "application/xhtml+xml", "text/plain", "application/pdf")
    user_agent: str = DEFAULT_USER_AGENT
    allow_networks: tuple[IPNetwork, ...] = ()
    per_host_concurrency: int = 4

    def __post_init__(self) -> None:
        # Settings give lists of strings; keep the policy hashable and typed.
        object.__setattr__(self, "allow_networks", parse_networks(self.allow_networks))
        object.__setattr__(self, "allowed_types", tuple(t.strip().lower() for t in self.allowed_types))
        for name in ("connect_timeout", "read_timeout", "total_timeout", "max_bytes", "per_host_concurrency"):
            if not getattr(self, name) > 0:
                raise ValueError(f"FetchPolicy.{name} must be positive")
        if self.max_redirects < 0:
            raise ValueError("FetchPolicy.max_redirects cannot be negative")


@dataclass
class Hop:
    """One request of a fetch: the address asked for and the status it answered (None: no answer)."""

    url: str
    status: int | None = None


@dataclass
class FetchResult:
    """What one fetch attempt got, for the archive.  ``body`` is empty unless ``outcome`` is ok.

    ``final_url`` is the last address asked for (a refused redirect's target included) and
    ``status`` the status of the last response received (None if none came).  ``content_type`` has
    no parameters; ``charset`` is the one the server declared.  ``error_kind`` is a short code for
    the failure (``""`` when ok): refused, dns, connect, timeout, network, tls, http, redirects,
    too_large, wrong_type, encoding, busy.
    """

    url: str
    final_url: str
    status: int | None
    content_type: str
    charset: str | None
    body: bytes
    content_hash: str
    size: int
    started_at: datetime
    duration_ms: int
    hops: list[Hop]
    outcome: Outcome
    error: str
    retry_after: float | None
    error_kind: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


class _Failure(Exception):
    def __init__(
        self, outcome: Outcome, error_kind: str, message: str, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.outcome = outcome
        self.error_kind = error_kind
        self.message = message
        self.retry_after = retry_after


@dataclass
class _Attempt:
    """What a fetch has learnt so far, kept when it fails half-way."""

    final_url: str
    hops: list[Hop] = field(default_factory=list)
    status: int | None = None
    content_type: str = ""
    charset: str | None = None


def _size(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f} MB".replace(".0 ", " ")
    if n >= 1_000:
        return f"{n / 1_000:.1f} kB".replace(".0 ", " ")
    return f"{n} bytes"


class _HostSlots:
    """At most ``limit`` requests to one host at a time; the others wait for a free slot."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._lock = threading.Lock()
        self._hosts: dict[str, tuple[threading.BoundedSemaphore, list[int]]] = {}

    @contextlib.contextmanager
    def hold(self, host: str, timeout: float) -> Iterator[None]:
        with self._lock:
            semaphore, users = self._hosts.setdefault(host, (threading.BoundedSemaphore(self._limit), [0]))
            users[0] += 1
        try:
            if not semaphore.acquire(timeout=max(timeout, 0)):
                raise _Failure(
                    "transient",
                    "busy",
                    f"Factdesk was already fetching {self._limit} pages from {host} and no turn came up "
                    "in time.",
                )
            try:
                yield
            finally:
                semaphore.release()
        finally:
            with self._lock:
                users[0] -= 1
                if not users[0]:
                    del self._hosts[host]


class Fetcher:
    """Fetches sources under a ``FetchPolicy``; thread-safe; one connection pool; close when done.

    ``resolver`` replaces ``socket.getaddrinfo`` (tests simulate DNS with it); ``ssl_context``
    replaces the default certificate checks (certifi's roots), for tests and intranet CAs.

    Requests go straight to the guarded transport (and its pool) rather than through
    ``httpx.Client.send``: the fetcher does its own redirects, cookies and limits, and ``send`` works
    out the next request of every redirect even when not following it, raising a protocol error for
    a malformed Location before the fetcher can say what happened.  No client also means nothing
    reads proxy settings from the environment.
    """

    def __init__(
        self,
        policy: FetchPolicy | None = None,
        *,
        resolver: Resolver | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.policy = policy = policy or FetchPolicy()
        backend = GuardedBackend(allow=policy.allow_networks, resolver=resolver)
        self._transport = GuardedTransport(backend, ssl_context=ssl_context)
        self._headers = httpx.Headers(
            {
                "User-Agent": policy.user_agent,
                "Accept": ", ".join((*policy.allowed_types, "*/*;q=0.1")),
                "Accept-Encoding": "gzip, deflate",  # what BoundedDecoder reads
            }
        )
        self._timeouts = httpx.Timeout(
            connect=policy.connect_timeout,
            read=policy.read_timeout,
            write=policy.read_timeout,
            pool=policy.total_timeout,
        ).as_dict()
        self._slots = _HostSlots(policy.per_host_concurrency)

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._transport.close()

    def fetch(self, url: str) -> FetchResult:
        """Fetch ``url``, following redirects; every problem is reported in the result, not raised."""
        started_at = datetime.now(UTC)
        start = time.monotonic()
        attempt = _Attempt(final_url=url)
        body = b""
        outcome: Outcome = "ok"
        error_kind = error = ""
        retry_after = None
        try:
            with deadline(self.policy.total_timeout) as ends:
                try:
                    body = self._follow(url, attempt, ends)
                except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError, OSError) as exc:
                    raise self._transport_failure(exc, attempt, ends) from exc
                except NameNotResolved as exc:
                    lasting: Outcome = "permanent" if exc.permanent else "transient"
                    raise _Failure(lasting, "dns", str(exc)) from exc
                except Refused as exc:
                    raise _Failure("permanent", "refused", exc.reason) from exc
        except _Failure as failure:
            outcome, error_kind, error, retry_after = (
                failure.outcome,
                failure.error_kind,
                failure.message,
                failure.retry_after,
            )
        return FetchResult(
            url=url,
            final_url=attempt.final_url,
            status=attempt.status,
            content_type=attempt.content_type,
            charset=attempt.charset,
            body=body,
            content_hash=hashlib.sha256(body).hexdigest() if body else "",
            size=len(body),
            started_at=started_at,
            duration_ms=round((time.monotonic() - start) * 1000),
            hops=attempt.hops,
            outcome=outcome,
            error=error,
            retry_after=retry_after,
            error_kind=error_kind,
        )

    def _check(self, url: str | httpx.URL) -> httpx.URL:
        """The URL if its scheme, credentials and literal address pass; DNS is checked on connect."""
        return httpx.URL(check_url(url, allow=self.policy.allow_networks, resolve=False))

    def _follow(self, url: str, attempt: _Attempt, ends: float) -> bytes:
        current = self._check(url)
        jar = httpx.Cookies()
        for redirects in range(self.policy.max_redirects + 1):
            hop = Hop(str(current))
            attempt.hops.append(hop)
            attempt.final_url = hop.url
            host = (current.host or "").rstrip(".").lower()
            with self._slots.hold(host, ends - time.monotonic()):
                response = self._send(current, jar)
                try:
                    hop.status = attempt.status = response.status_code
                    jar.extract_cookies(response)
                    location = response.headers.get("location")
                    if response.status_code not in _REDIRECTS or location is None:
                        return self._read(response, attempt)
                    if redirects == self.policy.max_redirects:
                        break
                    try:
                        target = current.join(location.strip())
                    except httpx.InvalidURL as exc:
                        raise _Failure(
                            "permanent", "redirects", f"The page redirected to an invalid address ({exc})."
                        ) from exc
                finally:
                    response.close()
            try:
                current = self._check(target)
            except Refused as exc:
                attempt.hops.append(Hop(str(target)))
                attempt.final_url = str(target)
                raise _Failure(
                    "permanent", "refused", f"The page redirected to {target}: {exc.reason}"
                ) from exc
        raise _Failure(
            "permanent", "redirects", f"The page redirected more than {self.policy.max_redirects} times."
        )

    def _send(self, url: httpx.URL, jar: httpx.Cookies) -> httpx.Response:
        """One GET, straight to the transport: the response's body is still to be read."""
        request = httpx.Request("GET", url, headers=self._headers, extensions={"timeout": self._timeouts})
        jar.set_cookie_header(request)
        response = self._transport.handle_request(request)
        response.request = request
        return response

    def _read(self, response: httpx.Response, attempt: _Attempt) -> bytes:
        status = response.status_code
        phrase = httpx.codes.get_reason_phrase(status) or response.reason_phrase
        if status == 429 or 500 <= status <= 599:
            wait = parse_retry_after(response.headers.get("retry-after"))
            asked = f" It asked Factdesk to wait {wait:.0f} s." if wait is not None else ""
            raise _Failure("transient", "http", f"The server answered {status} {phrase}.{asked}", wait)
        if not 200 <= status <= 299:
            raise _Failure("permanent", "http", f"The server answered {status} {phrase}.")
        media, charset = parse_content_type(response.headers.get("content-type"))
        attempt.content_type, attempt.charset = media, charset
        if media and media not in self.policy.allowed_types:
            raise self._wrong_type(media)
        limit = self.policy.max_bytes
        declared = response.headers.get("content-length", "").strip()
        if declared.isascii() and declared.isdigit() and int(declared) > limit:
            raise self._too_large(f"{_size(int(declared))}, more than")
        body = bytearray()
        try:
            decoder = BoundedDecoder(response.headers.get("content-encoding", ""))
            for chunk in response.iter_raw():
                body += decoder.feed(chunk, limit - len(body))
                if len(body) > limit:
                    raise self._too_large("more than")
            body += decoder.finish()
        except UndecodableBody as exc:
            raise _Failure("permanent", "encoding", str(exc)) from exc
        if len(body) > limit:
            raise self._too_large("more than")
        if not media:
            media = sniff_type(bytes(body))
            if not media:
                raise _Failure(
                    "permanent",
                    "wrong_type",
                    "The server did not say what kind of document this is, and it does not look like "
                    "a web page or a PDF.",
                )
            attempt.content_type = media
            if media not in self.policy.allowed_types:
                raise self._wrong_type(media)
        return bytes(body)

    def _wrong_type(self, media: str) -> _Failure:
        return _Failure(
            "permanent",
            "wrong_type",
            f"The address gives a document of type {media}; Factdesk reads only "
            f"{', '.join(self.policy.allowed_types)}.",
        )

    def _too_large(self, how: str) -> _Failure:
        return _Failure(
            "permanent",
            "too_large",
            f"The document is {how} the {_size(self.policy.max_bytes)} Factdesk keeps of a source.",
        )

    def _transport_failure(self, exc: Exception, attempt: _Attempt, ends: float) -> _Failure:
        """The editor's sentence for a network error, and whether trying again may help."""
        host = httpx.URL(attempt.final_url).host if attempt.hops else ""
        classified = classify(exc, host)
        if classified is not None:
            lasting: Outcome = "permanent" if classified.permanent else "transient"
            return _Failure(lasting, classified.error_kind, classified.message)
        policy = self.policy
        if time.monotonic() >= ends - 0.05:
            message = f"The fetch took longer than {policy.total_timeout:g} s in all and was stopped."
        elif isinstance(exc, httpx.ConnectTimeout):
            message = f"Could not connect to {host} within {policy.connect_timeout:g} s."
        elif isinstance(exc, httpx.PoolTimeout):
            message = "Factdesk had no free connection in time (too many fetches at once)."
        else:
            message = f"{host} stopped answering for more than {policy.read_timeout:g} s."
        return _Failure("transient", "timeout", message)
