"""An httpx transport that checks every connection's address as it connects.

How httpx 0.28 and httpcore 1.0 connect (read in their source): ``httpx.Client`` hands each request
to its transport; ``httpx.HTTPTransport`` wraps an ``httpcore.ConnectionPool``; the pool opens an
``httpcore.HTTPConnection`` per origin, whose ``_connect`` calls
``network_backend.connect_tcp(host=<the URL's host>, port=...)`` and then, for https,
``stream.start_tls(server_hostname=<the URL's host>)``; ``SyncBackend.connect_tcp`` calls
``socket.create_connection``, which resolves the name itself.  Checking a name before the request
and letting the socket resolve it again leaves a window for DNS rebinding.

So ``GuardedBackend`` (a ``SyncBackend``) resolves the host itself with the injectable resolver,
refuses the connection if any answer is refused (``netguard.admit``), and connects to the checked IP
literal: the socket makes no lookup of its own, so the address checked is the address connected to.
TLS still gets the original host name for SNI and certificate checks, and the Host header is
untouched, because only the address passed to the socket changes.  ``httpx.HTTPTransport`` takes no
network backend, so ``GuardedTransport`` is a small transport over
``httpcore.ConnectionPool(network_backend=...)``, using the public APIs of both libraries, with
httpcore's exceptions mapped to httpx's.  Proxies are never used (they would connect on our behalf to
addresses we did not check).

Streams also honour a per-thread deadline (``deadline``), so the whole of a fetch, including a body
sent a byte at a time, can be bounded in wall-clock time and not only per read.
"""

from __future__ import annotations

import contextlib
import functools
import socket
import ssl
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NamedTuple

import httpcore
import httpx

from factcheck.web.netguard import IPNetwork, Refused, Resolver, admit

__all__ = ["Classified", "GuardedBackend", "GuardedTransport", "NameNotResolved", "classify", "deadline"]


class NameNotResolved(Exception):
    """The host name has no address (``permanent``) or DNS did not answer in time (not permanent)."""

    def __init__(self, host: str, error: OSError) -> None:
        self.host = host
        self.permanent = isinstance(error, socket.gaierror) and error.errno in _NO_SUCH_NAME
        what = "does not exist" if self.permanent else "could not be looked up"
        super().__init__(f"The host name {host} {what} (DNS: {error.strerror or error}).")


_NO_SUCH_NAME = {
    code
    for code in (getattr(socket, "EAI_NONAME", None), getattr(socket, "EAI_NODATA", None))
    if code is not None
}

_local = threading.local()


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[float]:
    """Bound every connect, read and write of this thread to end ``seconds`` from now (monotonic)."""
    previous = getattr(_local, "deadline", None)
    _local.deadline = time.monotonic() + seconds
    try:
        yield _local.deadline
    finally:
        _local.deadline = previous


def _bounded(timeout: float | None, error: type[Exception]) -> float | None:
    """``timeout`` shortened to what is left before this thread's deadline; ``error`` if nothing is."""
    at = getattr(_local, "deadline", None)
    if at is None:
        return timeout
    left = at - time.monotonic()
    if left <= 0:
        raise error("the fetch ran out of time")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A network stream whose every operation also respects the thread's deadline."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        timeout = _bounded(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class GuardedBackend(httpcore.SyncBackend):
    """httpcore's socket backend, connecting only to addresses that ``netguard`` admits."""

    def __init__(self, *, allow: Sequence[IPNetwork] = (), resolver: Resolver | None = None) -> None:
        self._allow = tuple(allow)
        self._resolver = resolver

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = admit(host, port, allow=self._allow, resolver=self._resolver)
        except (OSError, UnicodeError) as exc:
            raise NameNotResolved(host, exc if isinstance(exc, OSError) else OSError(str(exc))) from exc
        failure: Exception | None = None
        for address in addresses:
            try:
                stream = super().connect_tcp(
                    str(address),  # the literal we checked: the socket does no lookup of its own
                    port,
                    timeout=_bounded(timeout, httpcore.ConnectTimeout),
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc  # try the next address, as socket.create_connection would
                continue
            return _DeadlineStream(stream)
        assert failure is not None  # admit() returns at least one address
        raise failure

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        raise Refused("Factdesk does not fetch through local sockets.")


# httpcore's exceptions and the httpx exceptions they become (httpx maps them the same way).
_HTTPX_ERRORS: dict[type[Exception], type[httpx.TransportError]] = {
    httpcore.ConnectTimeout: httpx.ConnectTimeout,
    httpcore.ReadTimeout: httpx.ReadTimeout,
    httpcore.WriteTimeout: httpx.WriteTimeout,
    httpcore.PoolTimeout: httpx.PoolTimeout,
    httpcore.TimeoutException: httpx.TimeoutException,
    httpcore.ConnectError: httpx.ConnectError,
    httpcore.ReadError: httpx.ReadError,
    httpcore.WriteError: httpx.WriteError,
    httpcore.NetworkError: httpx.NetworkError,
    httpcore.ProxyError: httpx.ProxyError,
    httpcore.UnsupportedProtocol: httpx.UnsupportedProtocol,
    httpcore.RemoteProtocolError: httpx.RemoteProtocolError,
    httpcore.LocalProtocolError: httpx.LocalProtocolError,
    httpcore.ProtocolError: httpx.ProtocolError,
}


@contextlib.contextmanager
def _httpx_errors() -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        for cls in type(exc).__mro__:
            if cls in _HTTPX_ERRORS:
                raise _HTTPX_ERRORS[cls](str(exc)) from exc
        raise


class _ResponseStream(httpx.SyncByteStream):
    def __init__(self, stream: Iterable[bytes]) -> None:
        self._stream = stream

    def __iter__(self) -> Iterator[bytes]:
        with _httpx_errors():
            yield from self._stream

    def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close is not None:
            with _httpx_errors():
                close()


@functools.cache
def _default_ssl_context() -> ssl.SSLContext:
    """httpx's default context (certifi's roots), made once: loading the roots takes tens of ms."""
    return httpx.create_ssl_context()


class GuardedTransport(httpx.BaseTransport):
    """HTTP/1.1 over a connection pool whose every connection is made by a ``GuardedBackend``."""

    def __init__(
        self,
        backend: GuardedBackend,
        *,
        ssl_context: ssl.SSLContext | None = None,
        limits: httpx.Limits | None = None,
    ) -> None:
        limits = limits or httpx.Limits()
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context or _default_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=True,
            http2=False,
            network_backend=backend,
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.SyncByteStream)
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _httpx_errors():
            response = self._pool.handle_request(core_request)
        assert isinstance(response.stream, Iterable)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_ResponseStream(response.stream),
            extensions=response.extensions,
        )

    def close(self) -> None:
        with _httpx_errors():
            self._pool.close()


def caused_by(exc: BaseException, exc_type: type[BaseException]) -> BaseException | None:
    """The exception of type ``exc_type`` in ``exc``'s chain of causes, if any (httpx wraps them)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, exc_type):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


class Classified(NamedTuple):
    """A network error as an editor reads it: a short ``error_kind`` (refused, tls, connect, network), the
    sentence, and whether trying again cannot help (``permanent``)."""

    error_kind: str
    message: str
    permanent: bool


def classify(exc: Exception, host: str) -> Classified | None:
    """What went wrong with a request to ``host``; None for a timeout, which each caller words itself
    (a fetch and a webhook delivery have different limits to name)."""
    if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol):
        return Classified("refused", f"This is not a valid web address ({exc}).", permanent=True)
    if isinstance(exc, httpx.TimeoutException) or caused_by(exc, TimeoutError):
        return None
    certificate = caused_by(exc, ssl.SSLCertVerificationError)
    if certificate is not None:
        detail = getattr(certificate, "verify_message", "") or str(certificate)
        return Classified(
            "tls", f"The security certificate of {host} could not be verified ({detail}).", permanent=True
        )
    if caused_by(exc, ssl.SSLError):
        return Classified("tls", f"The secure connection to {host} failed ({exc}).", permanent=False)
    if isinstance(exc, httpx.ConnectError):
        return Classified("connect", f"Could not connect to {host} ({exc}).", permanent=False)
    return Classified("network", f"The connection to {host} failed ({exc}).", permanent=False)
