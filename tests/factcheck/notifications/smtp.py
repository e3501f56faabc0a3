"""A real SMTP server on loopback (aiosmtpd, in a thread of the test process), and what it received.

Used by the delivery tests here and by tests/integration/test_email.py: the network edge is a real
server, not a patched client.
"""

from __future__ import annotations

import email
import email.policy
import logging
import socket
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage

from aiosmtpd.controller import Controller

logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every connection at INFO


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Received:
    """One message as the server got it: the envelope's recipients and the parsed message."""

    rcpt_tos: tuple[str, ...]
    message: EmailMessage
    raw: bytes

    @property
    def text(self) -> str:
        return self.message.get_body(preferencelist=("plain",)).get_content()

    @property
    def html(self) -> str:
        return self.message.get_body(preferencelist=("html",)).get_content()

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])


class Mailbox:
    """The server's handler: keeps every message; ``refuse`` maps an address to the reply its RCPT gets."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._received: list[Received] = []
        self.refuse: dict[str, str] = {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.refuse.get(address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self._lock:
            self._received.append(
                Received(rcpt_tos=tuple(envelope.rcpt_tos), message=message, raw=envelope.original_content)
            )
        return "250 Message accepted for delivery"

    @property
    def received(self) -> list[Received]:
        with self._lock:
            return list(self._received)

    def to(self, address: str) -> list[Received]:
        return [item for item in self.received if address in item.rcpt_tos]

    def wait_for(self, count: int, *, timeout: float = 30.0, check=None) -> list[Received]:
        """The messages once there are at least ``count`` (``check()`` is called while waiting, to fail
        early when a process the test depends on has died)."""
        deadline = time.monotonic() + timeout
        while len(self.received) < count:
            if check is not None:
                check()
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{len(self.received)} message(s) received within {timeout} s, expected {count}"
                )
            time.sleep(0.05)
        return self.received


class SMTPServer:
    """An SMTP server on 127.0.0.1:``port`` that can be stopped and started again on the same port."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.mailbox = Mailbox()
        self._controller: Controller | None = None

    def start(self) -> SMTPServer:
        self._controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def mailer(self) -> dict:
        """A ``MAILERS`` entry that sends here."""
        return {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": self.port, "timeout": 5},
        }

    @property
    def url(self) -> str:
        """The ``EMAIL_URL`` that sends here."""
        return f"smtp://127.0.0.1:{self.port}"
