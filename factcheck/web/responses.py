"""Reading what a server sends: Content-Type, Retry-After, Content-Encoding, and type sniffing.

All of it is outside input, so every function accepts any string or bytes: the header parsers return
a neutral value for what they cannot read, and the decoder raises ``UndecodableBody`` with a
sentence for the editor.
"""

from __future__ import annotations

import email.utils
import re
import zlib
from datetime import UTC, datetime

__all__ = ["BoundedDecoder", "UndecodableBody", "parse_content_type", "parse_retry_after", "sniff_type"]

_MEDIA_TYPE = re.compile(r"[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+")


def parse_content_type(value: str | None) -> tuple[str, str | None]:
    """``("text/html", "utf-8")`` from ``"text/html; charset=UTF-8"``; ``("", None)`` when absent or
    malformed.  The media type and charset are lowercased."""
    if not value:
        return "", None
    media, _, params = value.partition(";")
    media = media.strip().lower()
    if not _MEDIA_TYPE.fullmatch(media):
        media = ""
    charset = None
    for param in params.split(";"):
        name, _, raw = param.partition("=")
        if name.strip().lower() == "charset":
            charset = raw.strip().strip("\"'").strip().lower() or None
    return media, charset


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delay-seconds or an HTTP-date; None if unreadable.

    A date in the past gives 0.
    """
    if not value:
        return None
    value = value.strip()
    if re.fullmatch(r"[0-9]{1,10}(?:\.[0-9]+)?", value):
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def sniff_type(body: bytes) -> str:
    """A media type for a body that came without one: PDF or HTML, else ``""``."""
    head = body[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"%pdf-"):
        return "application/pdf"
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body")):
        return "text/html"
    return ""


class UndecodableBody(Exception):
    """A Content-Encoding Factdesk does not read, or a compressed body that is broken."""


class BoundedDecoder:
    """Undoes a Content-Encoding (identity, gzip or deflate) in steps that never produce more than
    the caller has room for, so that a small compressed body cannot expand into a huge one in memory.

    Only one encoding is read (nobody stacks them in practice), and only those the fetcher offers in
    Accept-Encoding; anything else raises ``UndecodableBody`` at once.
    """

    def __init__(self, coding: str) -> None:
        codings = [c.strip().lower() for c in coding.split(",")]
        codings = [c for c in codings if c not in ("", "identity")]
        self.coding = codings[0] if len(codings) == 1 else ", ".join(codings)
        self._fed = self._started = False
        if not codings:
            self._z = None
        elif self.coding in ("gzip", "x-gzip"):
            self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self.coding == "deflate":
            self._z = zlib.decompressobj()
        else:
            raise UndecodableBody(
                f"The server compressed the page with {coding!r}, which Factdesk cannot read."
            )

    def feed(self, data: bytes, room: int) -> bytes:
        """The decoded bytes of ``data``; more than ``room`` of them means the caller's limit is passed
        (decoding stops there, the rest is never expanded)."""
        if self._z is None:
            return data
        self._fed = self._fed or bool(data)
        try:
            return self._decompress(data, room)
        except zlib.error:
            if self.coding == "deflate" and not self._started:
                # "deflate" is often sent raw, without the zlib wrapper the standard asks for.
                self._z = zlib.decompressobj(-zlib.MAX_WBITS)
                self._started = True
                return self.feed(data, room)
            raise self._broken() from None

    def _decompress(self, data: bytes, room: int) -> bytes:
        assert self._z is not None
        out = [self._z.decompress(data, room + 1)]
        total = len(out[0])
        while self._z.unconsumed_tail and total <= room:
            out.append(self._z.decompress(self._z.unconsumed_tail, room + 1 - total))
            total += len(out[-1])
        self._started = self._started or total > 0
        return b"".join(out)

    def finish(self) -> bytes:
        """What is left once the body has ended; raises if the compressed stream was cut short."""
        if self._z is None or not self._fed:
            return b""
        if not self._z.eof:
            raise self._broken()
        return self._z.flush()

    def _broken(self) -> UndecodableBody:
        return UndecodableBody(f"The page's {self.coding} compression is broken.")
