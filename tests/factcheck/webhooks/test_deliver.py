"""One POST to an endpoint (factcheck/web/deliver.py), against real servers on loopback: the body and
headers arrive as sent, redirects are not followed, refused addresses are never reached (checked on
the address connected to), and slow receivers are cut off."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from factcheck.web.deliver import DeliveryPolicy, Poster, post
from tests.factcheck.web.conftest import FakeDNS
from tests.factcheck.webhooks.conftest import PUBLIC, Receiver, Reply

POLICY = DeliveryPolicy(connect_timeout=1.0, total_timeout=2.0, allow_networks=(f"{PUBLIC}/32",))
BODY = b'{"id":"e1","type":"ping"}'


@pytest.fixture
def private() -> Iterator[Receiver]:
    """A server on 127.0.0.1, standing for a private service: no test may ever reach it."""
    server = Receiver("127.0.0.1")
    yield server
    assert server.requests == [], "a refused address was reached"
    server.close()


def test_the_body_and_headers_arrive_as_sent(receiver):
    result = post(receiver.url("/in"), BODY, headers={"Factdesk-Event": "ping"}, policy=POLICY)
    assert result.ok and result.status == 200 and result.error == ""
    assert result.response_excerpt == "ok" and result.duration_ms >= 0
    (request,) = receiver.requests
    assert (request.path, request.body) == ("/in", BODY)
    assert request.headers["content-type"] == "application/json"
    assert request.headers["factdesk-event"] == "ping"
    assert request.headers["user-agent"].startswith("Factdesk-Webhooks/")
    assert request.headers["content-length"] == str(len(BODY))


def test_a_redirect_is_reported_and_not_followed(receiver):
    receiver.answer(Reply(302, b"", headers={"Location": receiver.url("/elsewhere")}))
    result = post(receiver.url("/hook"), BODY, policy=POLICY)
    assert not result.ok and result.error_kind == "redirect" and result.status == 302
    assert "do not follow redirects" in result.error
    assert [request.path for request in receiver.requests] == ["/hook"]


@pytest.mark.parametrize(
    ("reply", "kind", "retry_after"),
    [
        (Reply(500, b"boom"), "http", None),
        (Reply(404, b"no such hook"), "http", None),
        (Reply(503, b"busy", headers={"Retry-After": "30"}), "http", 30.0),
        (Reply(429, b"slow down", headers={"Retry-After": "7"}), "http", 7.0),
        (Reply(500, b"boom", headers={"Retry-After": "30"}), "http", None),  # only 429 and 503 ask
    ],
)
def test_anything_but_a_2xx_is_a_failure_with_what_the_receiver_said(receiver, reply, kind, retry_after):
    receiver.answer(reply)
    result = post(receiver.url(), BODY, policy=POLICY)
    assert not result.ok and not result.permanent
    assert (result.error_kind, result.status, result.retry_after) == (kind, reply.status, retry_after)
    assert result.response_excerpt == reply.body.decode()
    assert str(reply.status) in result.error


def test_only_the_start_of_a_long_answer_is_kept(receiver):
    receiver.answer(Reply(200, "é".encode() * 50_000))
    result = post(receiver.url(), BODY, policy=POLICY)
    assert result.ok and 0 < len(result.response_excerpt) <= 1000
    assert set(result.response_excerpt) <= {"é", "\ufffd"}


def test_a_receiver_too_slow_to_answer_is_cut_off(receiver):
    receiver.answer(Reply(200, delay=5.0))
    policy = DeliveryPolicy(connect_timeout=0.5, total_timeout=0.5, allow_networks=(f"{PUBLIC}/32",))
    started = time.monotonic()
    result = post(receiver.url(), BODY, policy=policy)
    assert time.monotonic() - started < 2.0
    assert not result.ok and result.error_kind == "timeout" and result.status is None
    assert "0.5 s" in result.error


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/hook",
        "http://2130706433:{port}/hook",
        "http://localhost:{port}/hook",
        "http://169.254.169.254/latest/meta-data/",
        "ftp://example.org/hook",
        "http://user:pw@example.org/hook",
    ],
)
def test_a_refused_address_is_never_reached_and_is_permanent(private, url):
    result = post(url.format(port=private.port), BODY, policy=POLICY)
    assert not result.ok and result.permanent and result.error_kind == "refused"
    assert result.status is None and result.error


def test_the_address_is_checked_where_the_name_resolves_when_connecting(private, receiver):
    """A name that resolves to a private address (DNS rebinding) is refused at connect time."""
    with Poster(POLICY, resolver=FakeDNS({"hooks.example": ["127.0.0.1"]})) as poster:
        refused = poster.post(f"http://hooks.example:{private.port}/hook", BODY)
    assert refused.permanent and "127.0.0.1" in refused.error and "loopback" in refused.error
    with Poster(POLICY, resolver=FakeDNS({"hooks.example": [PUBLIC]})) as poster:
        allowed = poster.post(f"http://hooks.example:{receiver.port}/hook", BODY)
    assert allowed.ok
    assert receiver.requests[0].headers["host"] == f"hooks.example:{receiver.port}"


def test_nobody_listening_is_a_connection_failure_worth_retrying():
    with socket.socket() as probe:
        probe.bind((PUBLIC, 0))
        port = probe.getsockname()[1]
    result = post(f"http://{PUBLIC}:{port}/hook", BODY, policy=POLICY)
    assert not result.ok and not result.permanent and result.error_kind == "connect"
