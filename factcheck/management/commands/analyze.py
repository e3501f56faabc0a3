"""``analyze FILE|-`` and ``analyze --jsonl [FILE|-]``: the analysis as JSON, with no database at all.

One article: prints one JSON object, ``Analysis.as_dict()`` plus ``"id"`` (the file name, or null for
stdin).  ``--jsonl``: reads lines ``{"id": ..., "text": ..., "format"?: ...}`` and writes exactly one
line per non-blank input line, in order: ``{"id", "claims", "excluded"}``, or ``{"id", "line", "error"}``
for a line that cannot be analysed (the others still are; the exit status is then 1).  Memory stays
constant across lines: each line is read, analysed, written and flushed before the next is read, and an
over-long line is skipped in chunks rather than held.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from factcheck.analysis.pipeline import FORMATS, MAX_HTML_CHARS, InputRejected, analyze

logger = logging.getLogger(__name__)

FORMAT_CHOICES = ("auto", *FORMATS)
HTML_SUFFIXES = (".html", ".htm")
_STARTS_WITH_TAG = re.compile(r"\s*<(?:[a-zA-Z][a-zA-Z0-9-]*[\s/>]|!--|!doctype\b|\?xml\b)", re.IGNORECASE)
#: A JSON line may spell each character of the article as ``\uXXXX`` (6 bytes); plus room for the rest.
BYTES_PER_CHAR = 6
LINE_OVERHEAD_BYTES = 64 * 1024
DRAIN_CHUNK_BYTES = 1 << 20


def resolve_format(fmt: str, text: str, name: str | None = None) -> str:
    """``auto`` is html for an .html/.htm file or a text that starts with a tag, else text."""
    if fmt != "auto":
        return fmt
    if name and name.lower().endswith(HTML_SUFFIXES):
        return "html"
    return "html" if _STARTS_WITH_TAG.match(text) else "text"


def read_lines(stream: IO, max_bytes: int) -> Iterator[tuple[int, bytes | str | None]]:
    """Yield ``(line number, line)``; a line longer than ``max_bytes`` is drained and yielded as None."""
    number = 0
    while True:
        line = stream.readline(max_bytes + 1)
        if not line:
            return
        number += 1
        if len(line) > max_bytes and not line.endswith(b"\n" if isinstance(line, bytes) else "\n"):
            while True:
                rest = stream.readline(DRAIN_CHUNK_BYTES)
                if not rest or rest.endswith(b"\n" if isinstance(rest, bytes) else "\n"):
                    break
            yield number, None
            continue
        yield number, line


class LineError(ValueError):
    """One input line cannot be analysed; the message says why."""

    def __init__(self, message: str, item_id: object = None) -> None:
        super().__init__(message)
        self.item_id = item_id


class Command(BaseCommand):
    help = (
        "Analyse an article (a file, or - for stdin) and print its claims and excluded parts as JSON. "
        "With --jsonl, analyse one article per input line. Needs no database."
    )
    requires_system_checks = []
    requires_migrations_checks = False
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("source", nargs="?", default=None, metavar="FILE", help="A file, or - for stdin.")
        parser.add_argument(
            "--format",
            choices=FORMAT_CHOICES,
            default="auto",
            help="Body format; auto: html for .html/.htm files or text that starts with a tag.",
        )
        parser.add_argument(
            "--jsonl",
            action="store_true",
            help='Read lines {"id": ..., "text": ..., "format"?: ...} (default: stdin) and write one JSON '
            "line per input line.",
        )

    def handle(self, *args, **options):
        source: str | None = options["source"]
        fmt: str = options["format"]
        stdin = options.get("stdin") or sys.stdin
        max_chars = settings.FACTDESK_MAX_ARTICLE_CHARS
        if options["jsonl"]:
            failed = self._jsonl(source or "-", stdin=stdin, default_format=fmt, max_chars=max_chars)
            if failed:
                plural = "line" if failed == 1 else "lines"
                raise CommandError(f"{failed} {plural} could not be analysed (see their error lines).")
            return
        if source is None:
            raise CommandError("Give a file to analyse, or - to read stdin (or use --jsonl).")
        self._one(source, stdin=stdin, fmt=fmt, max_chars=max_chars)

    # --- one article -------------------------------------------------------------------------

    def _one(self, source: str, *, stdin: IO, fmt: str, max_chars: int) -> None:
        name: str | None = None
        try:
            if source == "-":
                raw = _binary(stdin).read()
            else:
                path = Path(source)
                name = path.name
                limit = max(max_chars, MAX_HTML_CHARS)  # an HTML page may be larger than its article
                if path.is_file() and path.stat().st_size > limit * 4:
                    raise CommandError(f"{source}: the file is too large; the limit is {limit:,} characters.")
                raw = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{source}: cannot read it ({error.strerror or error}).") from error
        text = _decode(raw, where=source if name else "stdin")
        body_format = resolve_format(fmt, text, name)
        try:
            analysis = analyze(text, fmt=body_format, max_chars=max_chars)
        except InputRejected as error:
            raise CommandError(f"{source if name else 'stdin'}: {error}") from error
        self._emit({"id": name, **analysis.as_dict()})

    # --- one article per line ----------------------------------------------------------------

    def _jsonl(self, source: str, *, stdin: IO, default_format: str, max_chars: int) -> int:
        max_bytes = max_chars * BYTES_PER_CHAR + LINE_OVERHEAD_BYTES
        failed = 0
        if source == "-":
            return self._jsonl_stream(_binary(stdin), default_format=default_format, max_chars=max_chars,
                                      max_bytes=max_bytes)  # fmt: skip
        try:
            with open(source, "rb") as stream:
                failed = self._jsonl_stream(
                    stream, default_format=default_format, max_chars=max_chars, max_bytes=max_bytes
                )
        except OSError as error:
            raise CommandError(f"{source}: cannot read it ({error.strerror or error}).") from error
        return failed

    def _jsonl_stream(self, stream: IO, *, default_format: str, max_chars: int, max_bytes: int) -> int:
        failed = 0
        for number, line in read_lines(stream, max_bytes):
            if line is not None and not line.strip():
                continue
            try:
                if line is None:
                    raise LineError(
                        f"The line is too long: articles are limited to {max_chars:,} characters."
                    )
                item_id, text, body_format = _parse_line(line, default_format=default_format)
                try:
                    analysis = analyze(text, fmt=body_format, max_chars=max_chars)
                except InputRejected as error:
                    raise LineError(str(error), item_id) from error
                except Exception as error:  # one article must not stop the batch; it is reported on its line
                    logger.exception("analysis of line %s failed", number)
                    message = f"Internal error while analysing ({type(error).__name__}: {error})."
                    raise LineError(message, item_id) from error
                result = analysis.as_dict()
                self._emit({"id": item_id, "claims": result["claims"], "excluded": result["excluded"]})
            except LineError as error:
                failed += 1
                self._emit({"id": error.item_id, "line": number, "error": str(error)})
        return failed

    def _emit(self, payload: dict) -> None:
        self.stdout.write(json.dumps(payload, ensure_ascii=False), ending="\n")
        self.stdout.flush()


def _binary(stream: IO) -> IO:
    """The byte stream under a text stream (stdin), or the stream itself if it has none (tests)."""
    return getattr(stream, "buffer", stream)


def _decode(raw: bytes | str, *, where: str) -> str:
    if isinstance(raw, str):
        return raw
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CommandError(f"{where}: not valid UTF-8 (byte {error.start}).") from error


def _parse_line(line: bytes | str, *, default_format: str) -> tuple[object, str, str]:
    """``(id, text, format)`` of a JSON line, or LineError saying what is wrong with it."""
    if isinstance(line, bytes):
        try:
            line = line.decode("utf-8")
        except UnicodeDecodeError as error:
            raise LineError(f"The line is not valid UTF-8 (byte {error.start}).") from error
    line = line.removeprefix("\ufeff")
    try:
        item = json.loads(line)
    except json.JSONDecodeError as error:
        raise LineError(f"The line is not valid JSON: {error.msg} (column {error.colno}).") from error
    if not isinstance(item, dict):
        raise LineError(f"The line must be a JSON object with a text, not {_json_type(item)}.")
    item_id = item.get("id")
    if "text" not in item:
        raise LineError('The object has no "text".', item_id)
    text = item["text"]
    if not isinstance(text, str):
        raise LineError(f'"text" must be a string, not {_json_type(text)}.', item_id)
    fmt = item.get("format", default_format)
    if fmt is None:
        fmt = default_format
    if fmt not in FORMAT_CHOICES:
        raise LineError(f'Unknown "format" {fmt!r}: use one of {", ".join(FORMAT_CHOICES)}.', item_id)
    return item_id, text, resolve_format(fmt, text)


def _json_type(value: object) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")
