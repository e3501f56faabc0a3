"""Exports of reviewed claims: every claim given a verdict (or dismissed as not checkable) in a
period, of a newsroom or one of its desks, with its verdict, notes, sources and flags, as CSV or as
JSON Lines.

Streamed: :func:`export` reads the claims in chunks of ``EXPORT_CHUNK`` (a server-side cursor on
PostgreSQL, ``QuerySet.iterator``), each chunk with its flags, sources and history in three more
queries, and yields one row at a time; :func:`csv_lines` and :func:`jsonl_lines` turn rows into
lines as they come.  Memory stays flat however long the period is (``bench/export.py`` prints the
peak for 10,000 and 100,000 claims).  The admin (``admin:factcheck_claim_export``) and the API
(``GET /api/v1/claims/export``) stream them as they are made.
"""

from __future__ import annotations

import csv
import datetime
import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import models
from django.db.models import Case, F, Prefetch, QuerySet, Value, When
from django.db.models.functions import Concat

from editorial.models import Newsroom
from factcheck import selectors
from factcheck.models import AttributionFlag, AuditAction, Claim, ClaimEvent, Source
from factcheck.workflow import VERDICTS, ClaimStatus

#: Claims read (and their flags, sources and history fetched) at a time.
EXPORT_CHUNK = 500
#: What counts as reviewed: a verdict, or dismissed as not checkable.
REVIEWED_STATES = sorted({*VERDICTS, ClaimStatus.NOT_CHECKABLE})


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV (one row per claim; lists joined with “ | ”)"
    JSONL = "jsonl", "JSON Lines (one JSON object per claim)"


#: Each format's media type and file name extension.
MEDIA_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.JSONL: "application/jsonl; charset=utf-8",
}

#: The CSV's columns, in order (the JSON Lines objects have the same keys, lists kept as lists).
COLUMNS = (
    "claim_id", "newsroom", "desk", "article_id", "article_external_id", "article_title", "article_url",
    "article_revision", "claim", "kind", "checkworthiness", "verdict", "verdict_label", "verdict_at",
    "verdict_by", "verdict_note", "assignee", "flagged", "flags", "notes", "sources",
)  # fmt: skip


CLAIM_FIELDS = ("id", "article_id", "revision", "text", "kind", "checkworthiness", "status", "is_flagged")
FLAG_FIELDS = ("kind", "cue", "severity", "message", "start")
SOURCE_FIELDS = ("url", "final_url", "status", "note", "created_at")
EVENT_FIELDS = ("action", "from_status", "to_status", "note", "actor_name", "created_at")


def reviewed_claims(
    *,
    newsrooms: Iterable[int],
    since: datetime.datetime | None = None,
    until: datetime.datetime | None = None,
    desk_id: int | None = None,
) -> QuerySet[Claim]:
    """The reviewed claims of ``newsrooms`` (ids) whose verdict was given at or after ``since`` and
    before ``until`` (either open-ended when None), of desk ``desk_id`` if given, each with
    ``entered_at`` (when it entered its state: a dismissal has no ``verdict_at``), in the order of
    their verdicts."""
    # The related rows' few fields as columns of the claim's row, and each prefetch with only what a
    # row shows: a model instance per related row would cost more than the rest of the export.
    claims = (
        Claim.objects.filter(newsroom_id__in=list(newsrooms), status__in=REVIEWED_STATES)
        .only(*CLAIM_FIELDS)
        .annotate(
            entered_at=selectors.entered_at(),
            newsroom_slug=F("newsroom__slug"),
            desk_slug=F("desk__slug"),
            # Who holds it: a person, or "API key <name>" for a claim a key took.
            assignee_username=Case(
                When(assignee_key__isnull=False, then=Concat(Value("API key "), F("assignee_key__name"))),
                default=F("assignee__username"),
            ),
            article_external_id=F("article__external_id"),
            article_title=F("article__title"),
            article_url=F("article__url"),
        )
        .prefetch_related(
            Prefetch("flags", queryset=AttributionFlag.objects.only("claim_id", *FLAG_FIELDS)),
            Prefetch(
                "sources",
                queryset=Source.objects.only("claim_id", *SOURCE_FIELDS)
                .annotate(title=F("snapshot__title"))
                .order_by("created_at", "id"),
            ),
            Prefetch(
                "events",
                queryset=ClaimEvent.objects.only("claim_id", *EVENT_FIELDS).order_by("created_at", "id"),
            ),
        )
    )
    if desk_id is not None:
        claims = claims.filter(desk_id=desk_id)
    if since is not None:
        claims = claims.filter(entered_at__gte=since)
    if until is not None:
        claims = claims.filter(entered_at__lt=until)
    return claims.order_by("entered_at", "id")


def _timestamp(value: datetime.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _row(claim: Any) -> dict[str, Any]:
    """One claim of :func:`reviewed_claims` (a Claim with its ``entered_at``) as a row."""
    events = list(claim.events.all())
    verdict = next(
        (
            event
            for event in reversed(events)
            if event.to_status == claim.status and event.from_status != claim.status
        ),
        None,
    )
    return {
        "claim_id": claim.pk,
        "newsroom": claim.newsroom_slug,
        "desk": claim.desk_slug,
        "article_id": claim.article_id,
        "article_external_id": claim.article_external_id,
        "article_title": claim.article_title,
        "article_url": claim.article_url,
        "article_revision": claim.revision,
        "claim": claim.text,
        "kind": claim.kind,
        "checkworthiness": claim.checkworthiness,
        "verdict": claim.status,
        "verdict_label": ClaimStatus(claim.status).label,
        "verdict_at": _timestamp(claim.entered_at),
        "verdict_by": verdict.actor_name if verdict else None,
        "verdict_note": verdict.note if verdict else "",
        "assignee": claim.assignee_username,
        "flagged": claim.is_flagged,
        "flags": [
            {"kind": flag.kind, "cue": flag.cue, "severity": flag.severity, "message": flag.message}
            for flag in claim.flags.all()
        ],
        "notes": [
            {"at": _timestamp(event.created_at), "by": event.actor_name, "note": event.note}
            for event in events
            if event.action == AuditAction.NOTE
        ],
        "sources": [
            {
                "url": source.url,
                "final_url": source.final_url,
                "title": source.title or "",
                "status": source.status,
                "note": source.note,
            }
            for source in claim.sources.all()
        ],
    }


def export(
    *,
    newsrooms: Iterable[int | Newsroom],
    since: datetime.datetime | None = None,
    until: datetime.datetime | None = None,
    desk_id: int | None = None,
    chunk_size: int = EXPORT_CHUNK,
) -> Iterator[dict[str, Any]]:
    """The reviewed claims of :func:`reviewed_claims`, one dict per claim (the keys of ``COLUMNS``),
    read ``chunk_size`` at a time: nothing is read before the first row is asked for."""
    ids = [newsroom.pk if isinstance(newsroom, Newsroom) else int(newsroom) for newsroom in newsrooms]
    claims = reviewed_claims(newsrooms=ids, since=since, until=until, desk_id=desk_id)
    for claim in claims.iterator(chunk_size=chunk_size):
        yield _row(claim)


#: A spreadsheet runs a cell that starts with one of these as a formula (OWASP: CSV injection).
#: (The full-width forms too: some spreadsheets fold them to the ASCII ones.)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20", "\uff5c")


def csv_cell(value: object) -> str:
    """One CSV cell: text that a spreadsheet would take for a formula gets a leading apostrophe
    (shown, never run); numbers and booleans as they are; None empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _flat(column: str, value: Any) -> object:
    if column == "flags":
        return " | ".join(f"{flag['kind']}: {flag['cue']} ({flag['severity']})" for flag in value)
    if column == "notes":
        return " | ".join(f"{note['at']} {note['by']}: {note['note']}" for note in value)
    if column == "sources":
        return " | ".join(source["url"] for source in value)
    return value


class _Line:
    """A file-like object whose ``write`` returns what it was given (csv.writer writes one line)."""

    def write(self, text: str) -> str:
        return text


def csv_lines(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """The header, then one CSV line per row (RFC 4180, CRLF), as the rows come."""
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow(COLUMNS)  # a BOM: spreadsheets then read the file as UTF-8
    for row in rows:
        yield writer.writerow([csv_cell(_flat(column, row[column])) for column in COLUMNS])


def jsonl_lines(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """One JSON object per row and line, as the rows come."""
    for row in rows:
        yield json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n"


def lines(rows: Iterable[dict[str, Any]], export_format: str) -> Iterator[str]:
    """The lines of the file of ``export_format`` for ``rows``."""
    return csv_lines(rows) if export_format == ExportFormat.CSV else jsonl_lines(rows)


def filename(*, newsroom_slug: str, export_format: str, today: datetime.date) -> str:
    return f"factdesk-reviewed-claims-{newsroom_slug}-{today.isoformat()}.{export_format}"
