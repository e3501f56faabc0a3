"""A real webhook receiver on loopback, and the settings that let deliveries reach it (the SMTP server
for the email about a disabled endpoint is tests/conftest.py's ``smtp_server``).

All of 127.0.0.0/8 is loopback on Linux: the receiver listens on 127.0.0.2, which the tests allow
(``FACTDESK_FETCH_ALLOW_NETWORKS``, shared by fetches and webhooks), while 127.0.0.1 stays refused
and stands for the private services an endpoint must never reach.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from editorial.models import Role
from factcheck.webhooks.models import SUBSCRIBABLE
from factcheck.webhooks.services.endpoints import Registered, endpoint_create
from tests.factories import member

PUBLIC = "127.0.0.2"
SITE = "https://factdesk.test"
ALL_EVENTS = [value for value, _ in SUBSCRIBABLE]


@dataclass(frozen=True)
class Reply:
    """One scripted answer: a status, a body, headers, and how long to wait before answering."""

    status: int = 200
    body: bytes = b"ok"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]  # names lowercased
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)


class Receiver:
    """A threaded HTTP/1.1 server that records every POST and answers its script in turn (then
    repeats the last answer; 200 "ok" when there is none)."""

    def __init__(self, host: str = PUBLIC) -> None:
        self.requests: list[Received] = []
        self.script: list[Reply] = []
        self.lock = threading.Lock()
        self.release = threading.Event()  # set at teardown, so that slow answers end
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with receiver.lock:
                    receiver.requests.append(
                        Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                    )
                    count = len(receiver.requests)
                    reply = (
                        receiver.script[min(count, len(receiver.script)) - 1] if receiver.script else Reply()
                    )
                if reply.delay:
                    receiver.release.wait(reply.delay)
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "text/plain; charset=utf-8")
                    self.send_header("Content-Length", str(len(reply.body)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(reply.body)
                except OSError:
                    self.close_connection = True  # the client gave up, as a timeout test intends

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.host, self.port = host, self.server.server_address[1]
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def answer(self, *replies: Reply) -> None:
        with self.lock:
            self.script = list(replies)

    def url(self, path: str = "/hook") -> str:
        return f"http://{self.host}:{self.port}{path}"

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(autouse=True)
def webhook_settings(settings):
    """Deliveries may reach 127.0.0.2; short timeouts; few attempts, so that tests reach the end."""
    settings.SITE_URL = SITE
    settings.FACTDESK_FETCH = {**settings.FACTDESK_FETCH, "allow_networks": [f"{PUBLIC}/32"]}
    settings.FACTDESK_FETCH_ON_ADD = False
    settings.FACTDESK_WEBHOOK_TIMEOUT = 2.0
    settings.FACTDESK_WEBHOOK_MAX_ATTEMPTS = 3
    settings.FACTDESK_WEBHOOK_DISABLE_AFTER = 3
    settings.FACTDESK_WEBHOOK_RETRY_BASE_SECONDS = 30.0
    settings.FACTDESK_WEBHOOK_RETRY_CAP_SECONDS = 3600.0
    return settings


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def ada(newsroom):
    """The newsroom's admin, who hears about disabled endpoints."""
    return member(newsroom, Role.ADMIN, "ada")


@pytest.fixture
def registered(newsroom, receiver) -> Registered:
    """An endpoint of ``newsroom`` at the receiver, for every event."""
    return endpoint_create(newsroom=newsroom, url=receiver.url(), events=ALL_EVENTS, actor_name="ada")


@pytest.fixture
def endpoint(registered):
    return registered.endpoint
