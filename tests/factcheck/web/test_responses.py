"""Header parsing, type sniffing and bounded decompression of what servers send."""

from __future__ import annotations

import gzip
import zlib
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from factcheck.web.responses import (
    BoundedDecoder,
    UndecodableBody,
    parse_content_type,
    parse_retry_after,
    sniff_type,
)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("text/html; charset=UTF-8", ("text/html", "utf-8")),
        ('TEXT/HTML;Charset="ISO-8859-1"', ("text/html", "iso-8859-1")),
        ("application/pdf", ("application/pdf", None)),
        ("text/plain; format=flowed; charset=us-ascii", ("text/plain", "us-ascii")),
        ("", ("", None)),
        (None, ("", None)),
        ("nonsense", ("", None)),
        ("text/html; charset=", ("text/html", None)),
    ],
)
def test_content_types_are_parsed(header, expected):
    assert parse_content_type(header) == expected


def test_retry_after_is_read_as_seconds_or_a_date():
    now = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    assert parse_retry_after("120", now=now) == 120.0
    assert parse_retry_after(" 0 ", now=now) == 0.0
    assert parse_retry_after("Sat, 01 Mar 2025 12:02:00 GMT", now=now) == 120.0
    assert parse_retry_after("Sat, 01 Mar 2025 11:00:00 GMT", now=now) == 0.0  # in the past
    assert parse_retry_after("-5", now=now) is None
    assert parse_retry_after("soon", now=now) is None
    assert parse_retry_after(None, now=now) is None


@given(st.text(max_size=60))
def test_header_parsers_never_raise(text):
    media, charset = parse_content_type(text)
    assert media == media.lower()
    assert charset is None or charset == charset.lower()
    wait = parse_retry_after(text)
    assert wait is None or wait >= 0


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"%PDF-1.7\n...", "application/pdf"),
        (b"\xef\xbb\xbf\n  <!DOCTYPE HTML><html>", "text/html"),
        (b"<html lang=en>", "text/html"),
        (b"GIF89a", ""),
        (b"plain words", ""),
        (b"", ""),
    ],
)
def test_types_are_sniffed_only_for_pdf_and_html(body, expected):
    assert sniff_type(body) == expected


TEXT = b"The council's budget will rise to 4.2m next year. " * 40


def decode(decoder, data, room, step=7):
    out = b""
    for i in range(0, len(data), step):
        out += decoder.feed(data[i : i + step], room - len(out))
    return out + decoder.finish()


@pytest.mark.parametrize(
    ("coding", "data"),
    [
        ("", TEXT),
        ("identity", TEXT),
        ("gzip", gzip.compress(TEXT, mtime=0)),
        ("X-GZIP", gzip.compress(TEXT, mtime=0)),
        ("deflate", zlib.compress(TEXT)),
        ("deflate", zlib.compress(TEXT, wbits=-zlib.MAX_WBITS)),  # raw deflate, as some servers send it
    ],
)
def test_encodings_are_decoded_in_small_pieces(coding, data):
    assert decode(BoundedDecoder(coding), data, room=10_000) == TEXT


def test_decoding_stops_just_past_the_room_given():
    bomb = gzip.compress(b"\0" * 20_000_000)
    decoder = BoundedDecoder("gzip")
    out = decoder.feed(bomb, 1000)
    assert len(out) == 1001  # one byte past the room: enough to know, never the 20 MB


def test_an_empty_body_is_fine_whatever_its_encoding():
    assert BoundedDecoder("gzip").finish() == b""


@pytest.mark.parametrize(
    ("coding", "data", "reason"),
    [
        ("gzip", b"not gzip", "The page's gzip compression is broken."),
        ("gzip", gzip.compress(TEXT, mtime=0)[:-20], "The page's gzip compression is broken."),  # cut short
        ("deflate", b"\xff\xfe\xfd garbage", "The page's deflate compression is broken."),
    ],
)
def test_broken_compression_is_undecodable(coding, data, reason):
    with pytest.raises(UndecodableBody) as failed:
        decode(BoundedDecoder(coding), data, room=10_000)
    assert str(failed.value) == reason


@pytest.mark.parametrize("coding", ["br", "zstd", "compress", "gzip, gzip", "gzip, br"])
def test_encodings_not_offered_are_refused_at_once(coding):
    with pytest.raises(UndecodableBody) as failed:
        BoundedDecoder(coding)
    assert str(failed.value) == f"The server compressed the page with {coding!r}, which Factdesk cannot read."


@given(st.binary(max_size=3000), st.sampled_from(["gzip", "deflate", "identity", ""]), st.integers(0, 5000))
def test_any_body_decodes_within_the_room_or_is_undecodable(data, coding, room):
    decoder = BoundedDecoder(coding)
    try:
        out = decoder.feed(data, room)
    except UndecodableBody:
        return
    assert coding in ("identity", "") or len(out) <= room + 1


@given(st.binary(max_size=5000), st.integers(1, 64))
def test_gzip_round_trips_in_any_pieces(payload, step):
    assert decode(BoundedDecoder("gzip"), gzip.compress(payload), room=10_000, step=step) == payload
