"""The fetcher against real local HTTP servers: outcomes, limits, redirects and the address guard."""

from __future__ import annotations

import gzip
import hashlib
import shutil
import socket
import ssl
import subprocess
import threading
import time
import zlib
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from factcheck.web.fetch import Fetcher, FetchPolicy, Hop

from .conftest import (
    PUBLIC,
    FakeDNS,
    Site,
    elapsed,
    quick_policy,
    redirect,
    reply,
    reply_chunked,
    wait_then_reply,
)

PAGE = (
    b"<html><head><title>Budget rises | The Ledger</title></head><body><nav>Home | News</nav>"
    b"<article><h1>Budget rises</h1><p>The council's budget will rise to \xc2\xa34.2m next year.</p>"
    b"<p>Roads get 1,200 km of new surface.</p></article><footer>(c) The Ledger</footer></body></html>"
)


def test_a_page_is_fetched_with_its_record(site, fetcher):
    site.routes["/news"] = lambda h: reply(h, 200, PAGE, "text/html; charset=UTF-8")
    before = datetime.now(UTC)
    result = fetcher.fetch(site.url("/news"))
    assert result.outcome == "ok" and result.ok
    assert (result.error, result.error_kind, result.retry_after) == ("", "", None)
    assert result.url == result.final_url == site.url("/news")
    assert result.status == 200
    assert (result.content_type, result.charset) == ("text/html", "utf-8")
    assert result.body == PAGE
    assert result.size == len(PAGE)
    assert result.content_hash == hashlib.sha256(PAGE).hexdigest()
    assert before <= result.started_at <= datetime.now(UTC)
    assert result.started_at.tzinfo is UTC
    assert 0 <= result.duration_ms < 2000
    assert result.hops == [Hop(site.url("/news"), 200)]
    _, headers = site.requests[0]
    assert headers["user-agent"] == "Factdesk/1.0 (+https://factdesk.test; fact-check source archiver)"
    assert headers["accept"].startswith("text/html, application/xhtml+xml, text/plain, application/pdf")
    assert headers["host"] == f"{PUBLIC}:{site.port}"


def test_the_default_user_agent_is_truthful():
    assert FetchPolicy().user_agent.startswith("Factdesk/1.0 (")
    assert "archiver" in FetchPolicy().user_agent


def test_a_redirect_chain_is_followed_and_recorded(site, other_site, fetcher):
    site.routes["/a"] = redirect("/b", 301)
    site.routes["/b"] = redirect(other_site.url("/c"), 307)
    other_site.routes["/c"] = redirect("final?x=1", 303)
    other_site.routes["/final"] = lambda h: reply(h, 200, b"done", "text/plain")
    result = fetcher.fetch(site.url("/a"))
    assert result.outcome == "ok", result.error
    assert result.body == b"done"
    assert result.final_url == other_site.url("/final?x=1")
    assert result.hops == [
        Hop(site.url("/a"), 301),
        Hop(site.url("/b"), 307),
        Hop(other_site.url("/c"), 303),
        Hop(other_site.url("/final?x=1"), 200),
    ]


def test_too_many_redirects_is_permanent(site):
    for n in range(10):
        site.routes[f"/loop{n}"] = redirect(f"/loop{n + 1}")
    with Fetcher(quick_policy(max_redirects=3)) as fetcher:
        result = fetcher.fetch(site.url("/loop0"))
    assert (result.outcome, result.error_kind) == ("permanent", "redirects")
    assert result.error == "The page redirected more than 3 times."
    assert [hop.status for hop in result.hops] == [302, 302, 302, 302]
    assert site.paths == ["/loop0", "/loop1", "/loop2", "/loop3"]
    assert result.body == b"" and result.content_hash == ""


def test_a_redirect_to_loopback_is_refused_and_never_followed(site, fetcher, forbidden):
    site.routes["/go"] = redirect(f"http://127.0.0.1:{forbidden.port}/page")
    result = fetcher.fetch(site.url("/go"))
    assert (result.outcome, result.error_kind) == ("permanent", "refused")
    assert result.error == (
        f"The page redirected to http://127.0.0.1:{forbidden.port}/page: 127.0.0.1 is a loopback address; "
        "Factdesk does not fetch from private networks."
    )
    assert result.hops == [Hop(site.url("/go"), 302), Hop(f"http://127.0.0.1:{forbidden.port}/page", None)]
    assert result.final_url == f"http://127.0.0.1:{forbidden.port}/page"
    assert forbidden.requests == []


@pytest.mark.parametrize(
    "target",
    [
        "http://0x7f000001:{port}/page",
        "http://[::1]:{port}/page",
        "http://localhost:{port}/page",
        "file:///etc/passwd",
        "gopher://127.0.0.1:{port}/_GET",
    ],
)
def test_redirects_to_odd_spellings_and_schemes_are_refused(site, fetcher, forbidden, target):
    site.routes["/go"] = redirect(target.format(port=forbidden.port))
    result = fetcher.fetch(site.url("/go"))
    assert (result.outcome, result.error_kind) == ("permanent", "refused")
    assert result.error.startswith("The page redirected to ")
    assert forbidden.requests == []


def test_a_redirect_to_an_invalid_address_is_permanent(site, fetcher):
    site.routes["/bad"] = redirect("http://[::1")
    result = fetcher.fetch(site.url("/bad"))
    assert (result.outcome, result.error_kind) == ("permanent", "redirects")
    assert result.error.startswith("The page redirected to an invalid address (")
    assert result.hops == [Hop(site.url("/bad"), 302)]


def test_500_is_transient_and_the_next_attempt_can_succeed(site, fetcher):
    answers = iter([500, 200])

    def flaky(handler):
        status = next(answers)
        reply(handler, status, b"<p>Back again, with the budget figures.</p>" if status == 200 else b"oops")

    site.routes["/flaky"] = flaky
    first = fetcher.fetch(site.url("/flaky"))
    assert (first.outcome, first.error_kind, first.status) == ("transient", "http", 500)
    assert first.error == "The server answered 500 Internal Server Error."
    assert first.retry_after is None and first.body == b""
    second = fetcher.fetch(site.url("/flaky"))
    assert (second.outcome, second.status) == ("ok", 200)
    assert b"budget figures" in second.body


def test_429_with_retry_after_in_seconds_is_transient(site, fetcher):
    site.routes["/busy"] = lambda h: reply(h, 429, b"slow down", headers={"Retry-After": "120"})
    result = fetcher.fetch(site.url("/busy"))
    assert (result.outcome, result.status, result.retry_after) == ("transient", 429, 120.0)
    assert result.error == "The server answered 429 Too Many Requests. It asked Factdesk to wait 120 s."


def test_503_with_retry_after_as_a_date_is_transient(site, fetcher):
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=90), usegmt=True)
    site.routes["/down"] = lambda h: reply(h, 503, b"maintenance", headers={"Retry-After": when})
    result = fetcher.fetch(site.url("/down"))
    assert (result.outcome, result.status) == ("transient", 503)
    assert result.retry_after is not None and 80 <= result.retry_after <= 90


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 451])
def test_other_4xx_are_permanent(site, fetcher, status):
    site.routes["/gone"] = lambda h: reply(h, status, b"no")
    result = fetcher.fetch(site.url("/gone"))
    assert (result.outcome, result.error_kind, result.status) == ("permanent", "http", status)
    assert result.error.startswith(f"The server answered {status} ")
    assert result.body == b""


def test_a_declared_length_over_the_limit_is_refused_before_reading(site):
    def huge(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Content-Length", "2000000")
        handler.end_headers()
        handler.wfile.write(b"<p>")  # and then nothing: reading the body would time out
        handler.server.site.release.wait(10)

    site.routes["/huge"] = huge
    with Fetcher(quick_policy(max_bytes=1_000_000, read_timeout=5.0)) as fetcher:
        start = time.monotonic()
        result = fetcher.fetch(site.url("/huge"))
    assert (result.outcome, result.error_kind) == ("permanent", "too_large")
    assert result.error == "The document is 2 MB, more than the 1 MB Factdesk keeps of a source."
    assert elapsed(start) < 4.0  # it did not wait the 5 s read timeout for a body
    assert result.body == b"" and result.size == 0


def test_a_chunked_body_over_the_limit_is_abandoned(site):
    sent = []

    def endless(handler):
        def chunks():
            for _ in range(200):  # 12.8 MB if nobody stops it
                sent.append(1)
                yield b"x" * 65536

        reply_chunked(handler, chunks(), "text/plain")

    site.routes["/endless"] = endless
    with Fetcher(quick_policy(max_bytes=300_000)) as fetcher:
        result = fetcher.fetch(site.url("/endless"))
    assert (result.outcome, result.error_kind) == ("permanent", "too_large")
    assert result.error == "The document is more than the 300 kB Factdesk keeps of a source."
    assert len(sent) < 200


def test_a_body_at_the_limit_is_kept_whole(site):
    site.routes["/exact"] = lambda h: reply_chunked(h, iter([b"a" * 600, b"b" * 400]), "text/plain")
    with Fetcher(quick_policy(max_bytes=1000)) as fetcher:
        result = fetcher.fetch(site.url("/exact"))
    assert result.outcome == "ok"
    assert result.body == b"a" * 600 + b"b" * 400


def test_gzip_is_decoded_and_a_compression_bomb_is_stopped(site):
    text = b"The council's budget will rise. " * 100
    site.routes["/gz"] = lambda h: reply(
        h, 200, gzip.compress(text), "text/plain", {"Content-Encoding": "gzip"}
    )
    deflated = zlib.compress(text)
    site.routes["/deflate"] = lambda h: reply(h, 200, deflated, "text/plain", {"Content-Encoding": "deflate"})
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    raw_deflated = raw.compress(text) + raw.flush()
    site.routes["/raw"] = lambda h: reply(h, 200, raw_deflated, "text/plain", {"Content-Encoding": "deflate"})
    bomb = gzip.compress(b"\0" * 50_000_000)  # about 50 kB on the wire
    site.routes["/bomb"] = lambda h: reply(h, 200, bomb, "text/plain", {"Content-Encoding": "gzip"})
    site.routes["/broken"] = lambda h: reply(
        h, 200, b"not gzip at all", "text/plain", {"Content-Encoding": "gzip"}
    )
    site.routes["/br"] = lambda h: reply(h, 200, b"\x0b\x02\x80", "text/plain", {"Content-Encoding": "br"})
    with Fetcher(quick_policy(max_bytes=1_000_000)) as fetcher:
        for path in ("/gz", "/deflate", "/raw"):
            result = fetcher.fetch(site.url(path))
            assert result.outcome == "ok", (path, result.error)
            assert result.body == text and result.size == len(text)
            assert result.content_hash == hashlib.sha256(text).hexdigest()
        bombed = fetcher.fetch(site.url("/bomb"))
        broken = fetcher.fetch(site.url("/broken"))
        brotli = fetcher.fetch(site.url("/br"))
    assert len(bomb) < 100_000
    assert (bombed.outcome, bombed.error_kind) == ("permanent", "too_large")
    assert (broken.outcome, broken.error_kind) == ("permanent", "encoding")
    assert broken.error == "The page's gzip compression is broken."
    assert (brotli.outcome, brotli.error_kind) == ("permanent", "encoding")
    assert site.requests[0][1]["accept-encoding"] == "gzip, deflate"


@pytest.mark.parametrize("content_type", ["image/png", "application/octet-stream", "video/mp4", "text/csv"])
def test_a_type_outside_the_allowlist_is_permanent(site, fetcher, content_type):
    site.routes["/file"] = lambda h: reply(h, 200, b"\x89PNG\r\n\x1a\n", content_type)
    result = fetcher.fetch(site.url("/file"))
    assert (result.outcome, result.error_kind) == ("permanent", "wrong_type")
    assert result.content_type == content_type
    assert result.error.startswith(
        f"The address gives a document of type {content_type}; Factdesk reads only"
    )
    assert result.body == b""


def test_a_missing_type_is_sniffed(site, fetcher):
    site.routes["/pdf"] = lambda h: reply(h, 200, b"%PDF-1.4\n%\xe2\xe3\n", None)
    site.routes["/html"] = lambda h: reply(h, 200, b"\n<!DOCTYPE html><html><p>hi</p></html>", None)
    site.routes["/blob"] = lambda h: reply(h, 200, b"\x00\x01binary", None)
    assert fetcher.fetch(site.url("/pdf")).content_type == "application/pdf"
    assert fetcher.fetch(site.url("/html")).content_type == "text/html"
    blob = fetcher.fetch(site.url("/blob"))
    assert (blob.outcome, blob.error_kind) == ("permanent", "wrong_type")


def test_a_read_timeout_is_transient(site):
    site.routes["/hang"] = wait_then_reply
    with Fetcher(quick_policy(read_timeout=0.3)) as fetcher:
        start = time.monotonic()
        result = fetcher.fetch(site.url("/hang"))
    assert (result.outcome, result.error_kind) == ("transient", "timeout")
    assert result.error == f"{PUBLIC} stopped answering for more than 0.3 s."
    assert result.hops == [Hop(site.url("/hang"), None)]
    assert 0.25 < elapsed(start) < 3.0  # the 0.3 s limit, with room for a busy machine


def test_a_connect_timeout_is_transient():
    # A listening socket whose queue is full: the kernel drops further connection attempts.
    listener = socket.socket()
    listener.bind((PUBLIC, 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(3):
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex((PUBLIC, port))
        fillers.append(filler)
    time.sleep(0.05)
    try:
        with Fetcher(quick_policy(connect_timeout=0.3)) as fetcher:
            start = time.monotonic()
            result = fetcher.fetch(f"http://{PUBLIC}:{port}/")
        assert (result.outcome, result.error_kind) == ("transient", "timeout")
        assert result.error == f"Could not connect to {PUBLIC} within 0.3 s."
        assert 0.25 < elapsed(start) < 3.0  # the 0.3 s limit, with room for a busy machine
    finally:
        for sock in (*fillers, listener):
            sock.close()


def test_a_refused_connection_is_transient(fetcher):
    probe = socket.socket()
    probe.bind((PUBLIC, 0))
    port = probe.getsockname()[1]
    probe.close()  # nobody listens there now
    result = fetcher.fetch(f"http://{PUBLIC}:{port}/")
    assert (result.outcome, result.error_kind) == ("transient", "connect")
    assert result.error.startswith(f"Could not connect to {PUBLIC} (")


def test_a_page_sent_a_byte_at_a_time_is_cut_off_by_the_total_limit(site):
    def drip(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "text/plain")
        handler.send_header("Content-Length", "1000")
        handler.end_headers()
        for _ in range(1000):
            handler.wfile.write(b"x")
            handler.wfile.flush()
            if handler.server.site.release.wait(0.05):
                return

    site.routes["/drip"] = drip
    with Fetcher(quick_policy(read_timeout=1.0, total_timeout=0.6)) as fetcher:
        start = time.monotonic()
        result = fetcher.fetch(site.url("/drip"))
    assert (result.outcome, result.error_kind) == ("transient", "timeout")
    assert result.error == "The fetch took longer than 0.6 s in all and was stopped."
    assert 0.55 < elapsed(start) < 3.0  # unbounded, the drip would last 50 s


def test_dns_failures_are_recorded(fetcher):
    dns = FakeDNS(
        {
            "down.example": socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution"),
        }
    )
    with Fetcher(quick_policy(), resolver=dns) as fetcher:
        missing = fetcher.fetch("https://missing.example/")
        down = fetcher.fetch("https://down.example/")
    assert (missing.outcome, missing.error_kind) == ("permanent", "dns")
    assert missing.error == "The host name missing.example does not exist (DNS: Name or service not known)."
    assert (down.outcome, down.error_kind) == ("transient", "dns")
    assert down.error.startswith("The host name down.example could not be looked up")
    assert missing.hops == [Hop("https://missing.example/", None)]


def test_a_name_is_connected_to_at_the_address_the_resolver_gave(site):
    dns = FakeDNS({"news.example": [PUBLIC]})
    site.routes["/story"] = lambda h: reply(h, 200, b"story", "text/plain")
    with Fetcher(quick_policy(), resolver=dns) as fetcher:
        result = fetcher.fetch(f"http://news.example:{site.port}/story")
    assert result.outcome == "ok", result.error
    assert result.final_url == f"http://news.example:{site.port}/story"
    assert site.requests[0][1]["host"] == f"news.example:{site.port}"  # the name, not the address
    assert dns.lookups == ["news.example"]


SSRF_TARGETS = [
    "http://127.0.0.1:{port}/page",
    "http://2130706433:{port}/page",
    "http://0x7f000001:{port}/page",
    "http://0177.0.0.1:{port}/page",
    "http://0x7f.1:{port}/page",
    "http://127.1:{port}/page",
    "http://0:{port}/page",
    "http://0.0.0.0:{port}/page",
    "http://[::1]:{port}/page",
    "http://[::]:{port}/page",
    "http://[::ffff:127.0.0.1]:{port}/page",
    "http://[::ffff:7f00:1]:{port}/page",
    "http://[0:0:0:0:0:ffff:127.0.0.1]:{port}/page",
    "http://[::127.0.0.1]:{port}/page",
    "http://[64:ff9b::7f00:1]:{port}/page",
    "http://[2002:7f00:1::]:{port}/page",
    "http://169.254.169.254:{port}/latest/meta-data/",
    "http://[fe80::1]:{port}/page",
    "http://[fd00::1]:{port}/page",
    "http://10.0.0.1:{port}/page",
    "http://172.16.0.1:{port}/page",
    "http://192.168.1.1:{port}/page",
    "http://100.64.0.1:{port}/page",
    "http://224.0.0.1:{port}/page",
    "http://255.255.255.255:{port}/page",
    "http://localhost:{port}/page",
    "http://localhost.:{port}/page",
    "http://example.com@127.0.0.1:{port}/page",
    "http://internal.example:{port}/page",  # the resolver says 127.0.0.1
    "http://metadata.example:{port}/latest/meta-data/",  # the resolver says 169.254.169.254
    "http://v6.example:{port}/page",  # the resolver says ::1
    "http://mapped.example:{port}/page",  # the resolver says ::ffff:127.0.0.1
    "file:///etc/passwd",
    "ftp://127.0.0.1:{port}/page",
    "gopher://127.0.0.1:{port}/_GET",
    "data:text/html,<p>hi</p>",
    "javascript:alert(document.domain)",
]

PRIVATE_DNS = {
    "internal.example": ["127.0.0.1"],
    "metadata.example": ["169.254.169.254"],
    "v6.example": ["::1"],
    "mapped.example": ["::ffff:127.0.0.1"],
}


@pytest.mark.parametrize("target", SSRF_TARGETS)
def test_the_fetcher_refuses_ssrf_spellings_and_never_connects(forbidden, target):
    with Fetcher(quick_policy(), resolver=FakeDNS(PRIVATE_DNS)) as fetcher:
        result = fetcher.fetch(target.format(port=forbidden.port))
    assert (result.outcome, result.error_kind) == ("permanent", "refused"), result.error
    assert result.error.endswith(
        (
            "Factdesk does not fetch from private networks.",
            "Factdesk only fetches from public internet addresses.",
            "Factdesk does not fetch addresses with credentials in them (and they often hide the real host).",
        )
    ) or result.error.startswith("Only http and https addresses can be fetched (this one is ")
    assert result.body == b"" and result.status is None
    assert forbidden.requests == []


def test_dns_rebinding_between_check_and_connect_never_reaches_loopback(site, forbidden):
    """The first lookup says 127.0.0.2 (allowed), every later one 127.0.0.1.  A fetcher that checked
    the name and then let the socket look it up again would reach the loopback server."""
    twin = Site("127.0.0.1", site.port) if site.port != forbidden.port else forbidden.v4
    twin.routes["/page"] = lambda h: reply(h, 200, b"internal secrets", "text/plain")
    site.routes["/page"] = lambda h: reply(h, 200, b"public page", "text/plain")
    dns = FakeDNS({"rebind.example": [[PUBLIC], ["127.0.0.1"]]})
    try:
        with Fetcher(quick_policy(), resolver=dns) as fetcher:
            first = fetcher.fetch(f"http://rebind.example:{site.port}/page")
        with Fetcher(quick_policy(), resolver=dns) as fetcher:  # a new pool: a new connection
            second = fetcher.fetch(f"http://rebind.example:{site.port}/page")
    finally:
        if twin is not forbidden.v4:
            twin.close()
    assert first.outcome == "ok" and first.body == b"public page"
    assert (second.outcome, second.error_kind) == ("permanent", "refused")
    assert second.error == (
        "rebind.example resolves to 127.0.0.1, which is a loopback address; "
        "Factdesk does not fetch from private networks."
    )
    assert twin.requests == []
    assert dns.lookups == ["rebind.example", "rebind.example"]  # one lookup per connection


def test_dns_rebinding_during_a_redirect_is_refused_at_connect(site):
    """The redirect stays on the same name; the server closes the connection, so the second hop
    connects again, and the name now points at loopback."""
    twin = Site("127.0.0.1", site.port)
    twin.routes["/second"] = lambda h: reply(h, 200, b"internal secrets", "text/plain")
    target = f"http://rebind.example:{site.port}/second"
    site.routes["/first"] = redirect(target, headers={"Connection": "close"})
    dns = FakeDNS({"rebind.example": [[PUBLIC], ["127.0.0.1"]]})
    try:
        with Fetcher(quick_policy(), resolver=dns) as fetcher:
            result = fetcher.fetch(f"http://rebind.example:{site.port}/first")
    finally:
        twin.close()
    assert (result.outcome, result.error_kind) == ("permanent", "refused")
    assert "rebind.example resolves to 127.0.0.1" in result.error
    assert result.hops == [Hop(f"http://rebind.example:{site.port}/first", 302), Hop(target, None)]
    assert twin.requests == []
    assert site.paths == ["/first"]


def test_a_name_with_one_private_answer_is_refused(site, forbidden):
    dns = FakeDNS({"mixed.example": [PUBLIC, "127.0.0.1"]})
    with Fetcher(quick_policy(), resolver=dns) as fetcher:
        result = fetcher.fetch(f"http://mixed.example:{site.port}/")
    assert (result.outcome, result.error_kind) == ("permanent", "refused")
    assert site.requests == [] and forbidden.requests == []


def test_at_most_per_host_concurrency_requests_reach_one_host_at_a_time(site, other_site):
    def slow(handler):
        time.sleep(0.15)
        reply(handler, 200, b"ok", "text/plain")

    site.routes["/slow"] = slow
    other_site.routes["/slow"] = slow
    results = []
    with Fetcher(quick_policy(per_host_concurrency=2)) as fetcher:
        threads = [
            threading.Thread(target=lambda url=url: results.append(fetcher.fetch(url)))
            for url in [site.url("/slow")] * 8 + [other_site.url("/slow")] * 2
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
    assert [r.outcome for r in results] == ["ok"] * 10
    assert len(site.requests) == 8
    assert site.peak == 2  # never more than two at once, and the two slots were used
    assert other_site.peak == 2  # the other host had its own slots


def test_cookies_last_one_fetch_only(site, fetcher):
    """A consent wall: set a cookie and redirect to itself.  The cookie is sent within the fetch and
    forgotten after it."""

    def wall(handler):
        if "consent=yes" in handler.headers.get("Cookie", ""):
            reply(handler, 200, b"the article", "text/plain")
        else:
            reply(handler, 302, headers={"Location": "/wall", "Set-Cookie": "consent=yes; Path=/"})

    site.routes["/wall"] = wall
    first = fetcher.fetch(site.url("/wall"))
    assert first.outcome == "ok" and first.body == b"the article"
    assert [hop.status for hop in first.hops] == [302, 200]
    second = fetcher.fetch(site.url("/wall"))
    assert [hop.status for hop in second.hops] == [302, 200]  # it had to agree again


def test_proxies_from_the_environment_are_ignored(site, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("ALL_PROXY", "http://127.0.0.1:9")
    site.routes["/"] = lambda h: reply(h, 200, b"direct", "text/plain")
    with Fetcher(quick_policy()) as fetcher:
        assert fetcher.fetch(site.url("/")).body == b"direct"


def test_a_fetcher_is_usable_from_many_threads_and_closes(site):
    site.routes["/"] = lambda h: reply(h, 200, b"shared", "text/plain")
    fetcher = Fetcher(quick_policy())
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(fetcher.fetch(site.url("/")))) for _ in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    fetcher.close()
    assert [r.body for r in results] == [b"shared"] * 6


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command to make a certificate")
def test_https_checks_the_certificate_against_the_name_while_connecting_to_the_checked_address(tmp_path):
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=news.example",
            "-addext", "subjectAltName=DNS:news.example",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    names = []
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert, key)
    server_context.sni_callback = lambda sock, name, context: names.append(name)
    secure = Site(PUBLIC, wrap=lambda sock: server_context.wrap_socket(sock, server_side=True))
    secure.routes["/"] = lambda h: reply(h, 200, b"over tls", "text/plain")
    client_context = ssl.create_default_context(cafile=str(cert))
    dns = FakeDNS({"news.example": [PUBLIC]})
    try:
        with Fetcher(quick_policy(), resolver=dns, ssl_context=client_context) as fetcher:
            good = fetcher.fetch(f"https://news.example:{secure.port}/")
            wrong_name = fetcher.fetch(f"https://{PUBLIC}:{secure.port}/")
    finally:
        secure.close()
    assert good.outcome == "ok" and good.body == b"over tls", good.error
    assert names[0] == "news.example"  # SNI carried the name, not the address
    assert (wrong_name.outcome, wrong_name.error_kind) == ("permanent", "tls")
    assert wrong_name.error.startswith(f"The security certificate of {PUBLIC} could not be verified")


def test_the_policy_reads_settings_values():
    policy = FetchPolicy(allow_networks=["10.0.0.0/8"], allowed_types=["Text/HTML"], max_bytes=10)
    assert [str(n) for n in policy.allow_networks] == ["10.0.0.0/8"]
    assert policy.allowed_types == ("text/html",)
    hash(policy)
    with pytest.raises(ValueError):
        FetchPolicy(max_bytes=0)
    with pytest.raises(ValueError):
        FetchPolicy(allow_networks=["not a network"])
