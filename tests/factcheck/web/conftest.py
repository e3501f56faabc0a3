"""Real HTTP servers on loopback addresses for the fetch tests.

All of 127.0.0.0/8 is loopback on Linux, so a server on 127.0.0.2 stands for "a public site" (the
fetcher under test allows exactly 127.0.0.2/32 and 127.0.0.3/32) while servers on 127.0.0.1 and
[::1] stand for the private services an attacker is after: no test may ever reach them.
"""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import ip_network

import pytest

from factcheck.web.fetch import Fetcher, FetchPolicy

PUBLIC = "127.0.0.2"
OTHER_PUBLIC = "127.0.0.3"
ALLOWED = (ip_network(f"{PUBLIC}/32"), ip_network(f"{OTHER_PUBLIC}/32"))

Route = Callable[["Handler"], None]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        site = self.server.site
        path = self.path.split("?", 1)[0]
        with site.lock:
            site.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
            site.active += 1
            site.peak = max(site.peak, site.active)
        try:
            site.routes.get(path, not_found)(self)
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            self.close_connection = True  # the client gave up, as the test intends
        finally:
            with site.lock:
                site.active -= 1

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    site: Site

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], OSError):  # a client that hung up is what tests do
            super().handle_error(request, client_address)


class _Server6(_Server):
    address_family = socket.AF_INET6


class Site:
    """A threaded HTTP/1.1 server on ``host`` with routes by path and a log of the requests."""

    def __init__(self, host: str = PUBLIC, port: int = 0, *, wrap: Callable | None = None) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.lock = threading.Lock()
        self.active = self.peak = 0
        self.release = threading.Event()  # set at teardown, so that hanging handlers end
        server_class = _Server6 if ":" in host else _Server
        self.server = server_class((host, port), Handler)
        self.server.site = self
        if wrap is not None:
            self.server.socket = wrap(self.server.socket)
        self.host, self.port = host, self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05})
        self._thread.daemon = True
        self._thread.start()

    def url(self, path: str = "/", *, scheme: str = "http", host: str | None = None) -> str:
        host = host or (f"[{self.host}]" if ":" in self.host else self.host)
        return f"{scheme}://{host}:{self.port}{path}"

    def route(self, path: str) -> Callable[[Route], Route]:
        def register(function: Route) -> Route:
            self.routes[path] = function
            return function

        return register

    @property
    def paths(self) -> list[str]:
        return [path for path, _ in self.requests]

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def reply(
    handler: BaseHTTPRequestHandler,
    status: int = 200,
    body: bytes = b"",
    content_type: str | None = "text/html; charset=utf-8",
    headers: dict[str, str] | None = None,
) -> None:
    handler.send_response(status)
    if content_type is not None:
        handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)


def reply_chunked(handler: BaseHTTPRequestHandler, chunks: Iterator[bytes], content_type: str) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    for chunk in chunks:
        handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        handler.wfile.flush()
    handler.wfile.write(b"0\r\n\r\n")


def not_found(handler: BaseHTTPRequestHandler) -> None:
    reply(handler, 404, b"<p>Not here</p>")


def wait_then_reply(handler: Handler) -> None:
    """Accept the request and never answer (until the test ends)."""
    handler.server.site.release.wait(10)
    handler.close_connection = True


def redirect(location: str, status: int = 302, headers: dict[str, str] | None = None) -> Route:
    return lambda handler: reply(handler, status, headers={"Location": location, **(headers or {})})


@pytest.fixture
def site() -> Iterator[Site]:
    server = Site(PUBLIC)
    yield server
    server.close()


@pytest.fixture
def other_site() -> Iterator[Site]:
    server = Site(OTHER_PUBLIC)
    yield server
    server.close()


class Forbidden:
    """Servers on 127.0.0.1 and (when the machine has IPv6) [::1], all on one port, that must never
    be reached.  Every route answers 200, so that a request that got through would look like success."""

    def __init__(self, port: int = 0) -> None:
        self.v4 = Site("127.0.0.1", port)
        self.port = self.v4.port
        self.sites = [self.v4]
        # Without IPv6 loopback (or with the port taken on it), the IPv4 server still counts.
        with contextlib.suppress(OSError):
            self.sites.append(Site("::1", self.port))
        for server in self.sites:
            server.routes.update(
                {path: _secret for path in ("/", "/page", "/second", "/latest/meta-data/", "/_GET")}
            )

    @property
    def requests(self) -> list[tuple[str, dict[str, str]]]:
        return [request for server in self.sites for request in server.requests]

    def close(self) -> None:
        for server in self.sites:
            server.close()


def _secret(handler: BaseHTTPRequestHandler) -> None:
    reply(handler, 200, b"<html><body><p>internal secrets</p></body></html>")


@pytest.fixture(scope="module")
def forbidden() -> Iterator[Forbidden]:
    servers = Forbidden()
    yield servers
    servers.close()


def quick_policy(**overrides: object) -> FetchPolicy:
    """The default policy with short timeouts (the tests wait for them) and the test sites allowed."""
    values: dict[str, object] = {
        "connect_timeout": 1.0,
        "read_timeout": 1.0,
        "total_timeout": 5.0,
        "allow_networks": ALLOWED,
        "user_agent": "Factdesk/1.0 (+https://factdesk.test; fact-check source archiver)",
    }
    values.update(overrides)
    return FetchPolicy(**values)  # type: ignore[arg-type]


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(quick_policy()) as instance:
        yield instance


def getaddrinfo_answer(*addresses: str, port: int | None = None) -> list[tuple]:
    """What socket.getaddrinfo returns for these addresses (for injected resolvers)."""
    answers = []
    for address in addresses:
        if ":" in address:
            answers.append((socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port or 0, 0, 0)))
        else:
            answers.append((socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port or 0)))
    return answers


class FakeDNS:
    """A resolver (socket.getaddrinfo's signature) answering from a table; a list of answers is used
    one per lookup, the last one repeating.  Records every lookup."""

    def __init__(self, table: dict[str, list[str] | list[list[str]] | BaseException]) -> None:
        self.table = table
        self.lookups: list[str] = []
        self.lock = threading.Lock()

    def __call__(self, host: str, port: int | None = None, *args: object, **kwargs: object) -> list[tuple]:
        with self.lock:
            self.lookups.append(host)
            count = self.lookups.count(host)
        answer = self.table.get(host)
        if answer is None:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        if isinstance(answer, BaseException):
            raise answer
        if answer and isinstance(answer[0], list):
            answer = answer[min(count, len(answer)) - 1]
        return getaddrinfo_answer(*answer, port=port)  # type: ignore[arg-type]


def elapsed(since: float) -> float:
    return time.monotonic() - since
