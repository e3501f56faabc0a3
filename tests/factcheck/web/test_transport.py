"""The guarded network backend on real sockets: it connects only to addresses it has checked."""

from __future__ import annotations

import select
import socket
import time
from collections.abc import Iterator

import httpcore
import pytest

from factcheck.web.netguard import Refused
from factcheck.web.transport import GuardedBackend, NameNotResolved, deadline

from .conftest import ALLOWED, OTHER_PUBLIC, PUBLIC, FakeDNS, elapsed


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A plain listening socket on the allowed address."""
    sock = socket.socket()
    sock.bind((PUBLIC, 0))
    sock.listen(8)
    yield sock
    sock.close()


def pending(sock: socket.socket) -> bool:
    """Whether a connection is waiting to be accepted."""
    return bool(select.select([sock], [], [], 0.1)[0])


def test_a_name_is_connected_to_at_the_checked_address(listener):
    port = listener.getsockname()[1]
    backend = GuardedBackend(allow=ALLOWED, resolver=FakeDNS({"news.example": [PUBLIC]}))
    stream = backend.connect_tcp("news.example", port, timeout=1.0)
    try:
        assert stream.get_extra_info("server_addr") == (PUBLIC, port)
        assert pending(listener)
    finally:
        stream.close()


def test_a_refused_address_is_never_connected_to():
    loopback = socket.socket()
    loopback.bind(("127.0.0.1", 0))
    loopback.listen(8)
    port = loopback.getsockname()[1]
    backend = GuardedBackend(allow=ALLOWED, resolver=FakeDNS({"internal.example": ["127.0.0.1"]}))
    try:
        for host in ("127.0.0.1", "2130706433", "localhost", "internal.example", "::ffff:127.0.0.1"):
            with pytest.raises(Refused):
                backend.connect_tcp(host, port, timeout=1.0)
        assert not pending(loopback)
    finally:
        loopback.close()


def test_an_unresolvable_name_says_whether_it_exists():
    backend = GuardedBackend(
        resolver=FakeDNS({"slow.example": socket.gaierror(socket.EAI_AGAIN, "Temporary failure")})
    )
    with pytest.raises(NameNotResolved) as missing:
        backend.connect_tcp("missing.example", 80, timeout=1.0)
    assert missing.value.permanent
    with pytest.raises(NameNotResolved) as slow:
        backend.connect_tcp("slow.example", 80, timeout=1.0)
    assert not slow.value.permanent


def test_the_next_address_is_tried_when_one_refuses_the_connection(listener):
    port = listener.getsockname()[1]
    dns = FakeDNS({"two.example": [OTHER_PUBLIC, PUBLIC]})  # nothing listens on the first
    stream = GuardedBackend(allow=ALLOWED, resolver=dns).connect_tcp("two.example", port, timeout=1.0)
    try:
        assert stream.get_extra_info("server_addr") == (PUBLIC, port)
    finally:
        stream.close()


def test_unix_sockets_are_refused():
    with pytest.raises(Refused):
        GuardedBackend().connect_unix_socket("/run/redis.sock")


def test_reads_stop_at_the_thread_deadline_whatever_their_own_timeout(listener):
    port = listener.getsockname()[1]
    stream = GuardedBackend(allow=ALLOWED).connect_tcp(PUBLIC, port, timeout=1.0)
    try:
        start = time.monotonic()
        with deadline(0.2), pytest.raises(httpcore.ReadTimeout):
            stream.read(1024, timeout=5.0)  # the server never sends anything
        assert 0.15 < elapsed(start) < 3.0  # not the 5 s of the read's own timeout
        with deadline(0), pytest.raises(httpcore.WriteTimeout):
            stream.write(b"GET / HTTP/1.1\r\n\r\n", timeout=5.0)
    finally:
        stream.close()
