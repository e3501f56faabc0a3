"""Fetching the sources behind claims, and recording what the workers fetched of them.

A fetch goes in two short transactions around the network call, so that no row stays locked while
a slow host answers:

1. ``fetch_begin`` locks the source, and unless it is done or another run holds a live lease on
   it, takes the lease (a random token valid for ``FACTDESK_FETCH_LEASE`` seconds) and logs the
   attempt as running;
2. the task fetches, extracts the main text and ranks the passages, outside any transaction;
3. ``fetch_finish`` records the outcome only if the lease is still the task's own.

So a redelivered task finds the source fetched (or being fetched) and does nothing, two runs never
fetch the same source at once, and a worker killed mid-fetch leaves a lease that runs out: the next
run marks that attempt interrupted and fetches again.  Each source ends with one successful fetch.
"""

from __future__ import annotations

import uuid
import zlib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from factcheck import domain_events, retry
from factcheck.destinations import MAX_URL
from factcheck.models import FetchAttempt, FetchStatus, Passage, Snapshot, Source
from factcheck.services.fetcher import lease_seconds
from factcheck.services.sources import claim_touch
from factcheck.web.extract import ExtractionFailed, extract
from factcheck.web.fetch import FetchResult
from factcheck.web.passages import Passage as FoundPassage
from factcheck.web.passages import best_passages
from factcheck.workflow import ClaimStatus

PASSAGES_PER_SOURCE = 3
#: Seconds: the first retry of a fetch comes 2 to 4 s after it, and each next one twice as late.
RETRY_BASE = 4.0


@dataclass(frozen=True)
class Lease:
    """A fetch this run owns: what to fetch, and the claim the passages are ranked against."""

    source_id: int
    claim_id: int
    newsroom_id: int
    article_id: int
    token: uuid.UUID
    url: str
    claim_text: str


@dataclass(frozen=True)
class Busy:
    """Another run holds the source, or its next attempt is not due yet: look again in ``seconds``."""

    seconds: float


DONE_STATES = (FetchStatus.FETCHED, FetchStatus.FAILED, FetchStatus.MATCHED, FetchStatus.OFFLINE)


def fetch_begin(*, source_id: int, scheduled: bool = False) -> Lease | Busy | None:
    """Take the lease on a source that needs fetching; None when there is nothing to do.

    ``scheduled``: the run is the retry that ``fetch_finish`` scheduled, so the time set for the
    next attempt has come (other runs wait for it).
    """
    now = timezone.now()
    with transaction.atomic():
        source = (
            Source.objects.select_for_update(of=("self",))
            .select_related("claim")
            .filter(pk=source_id)
            .first()
        )
        if source is None or source.status in DONE_STATES or source.claim.status == ClaimStatus.SUPERSEDED:
            return None
        if source.status == FetchStatus.FETCHING and source.lease_until and source.lease_until > now:
            return Busy((source.lease_until - now).total_seconds())
        if (
            not scheduled
            and source.status == FetchStatus.PENDING
            and source.next_attempt_at
            and source.next_attempt_at > now
        ):
            return Busy((source.next_attempt_at - now).total_seconds())
        if source.status == FetchStatus.FETCHING:  # the lease ran out: its worker stopped mid-fetch
            FetchAttempt.objects.filter(source=source, outcome=FetchAttempt.Outcome.RUNNING).update(
                outcome=FetchAttempt.Outcome.INTERRUPTED,
                error="The worker stopped before the fetch finished; it was fetched again.",
            )
        token = uuid.uuid4()
        source.status = FetchStatus.FETCHING
        source.lease_token, source.lease_until = token, now + timedelta(seconds=lease_seconds())
        source.tries += 1
        source.save(update_fields=["status", "lease_token", "lease_until", "tries", "updated_at"])
        FetchAttempt.objects.create(source=source, token=token, url=source.url, started_at=now)
        return Lease(
            source_id=source.pk,
            claim_id=source.claim_id,
            newsroom_id=source.claim.newsroom_id,
            article_id=source.claim.article_id,
            token=token,
            url=source.url,
            claim_text=source.claim.text,
        )


@dataclass(frozen=True)
class Readable:
    """What the task made of a successful fetch: the main text (or why there is none) and passages."""

    title: str = ""
    text: str = ""
    error: str = ""
    passages: tuple[FoundPassage, ...] = ()
    snapshot_id: int | None = None  # the same content, archived before


def fetched_readable(*, lease: Lease, result: FetchResult) -> Readable:
    """The main text of a successful fetch's body (or why there is none), and its passages that
    match the claim.  Runs in the task, outside any transaction.

    Content already archived is not extracted again: its stored text is used.
    """
    stored = (
        Snapshot.objects.filter(content_hash=result.content_hash)
        .values_list("pk", "text", "title", "extraction_error")
        .first()
    )
    if stored is not None:
        snapshot_id, text, title, error = stored
    else:
        snapshot_id = None
        try:
            extracted = extract(
                result.body, result.content_type, charset=result.charset, url=result.final_url
            )
            text, title, error = extracted.text, extracted.title, ""
        except ExtractionFailed as failure:
            text, title, error = "", "", failure.reason
    passages = tuple(best_passages(lease.claim_text, text, limit=PASSAGES_PER_SOURCE)) if text else ()
    return Readable(title=title, text=text, error=error, passages=passages, snapshot_id=snapshot_id)


def retry_delay(tries: int, retry_after: float | None) -> float:
    """Seconds before the next attempt: the server's Retry-After if it gave one, else exponential
    backoff with equal jitter from ``RETRY_BASE``; never more than ``FACTDESK_FETCH_RETRY_CAP``."""
    return retry.retry_delay(tries, retry_after, base=RETRY_BASE, cap=settings.FACTDESK_FETCH_RETRY_CAP)


def _excerpt(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _snapshot_id(result: FetchResult, readable: Readable) -> int:
    """The archived copy of ``result``'s body: the existing one if the same content was seen before."""
    if readable.snapshot_id is not None:
        return readable.snapshot_id
    # One statement, race-safe: insert, or on the same content archived a moment ago by another
    # worker, touch nothing that matters and return its id.
    (snapshot,) = Snapshot.objects.bulk_create(
        [
            Snapshot(
                content_hash=result.content_hash,
                content_type=result.content_type[:100],
                size=result.size,
                raw=zlib.compress(result.body, 6),
                title=readable.title[:500],
                text=readable.text,
                excerpt=_excerpt(readable.text),
                extraction_error=readable.error[:500],
                first_url=result.final_url[:MAX_URL],
            )
        ],
        update_conflicts=True,
        unique_fields=["content_hash"],
        update_fields=["content_hash"],
    )
    return snapshot.pk


SOURCE_FIELDS = [
    "lease_token", "lease_until", "snapshot", "status", "failure", "final_url", "fetched_at",
    "next_attempt_at", "updated_at",
]  # fmt: skip


def fetch_finish(*, lease: Lease, result: FetchResult, readable: Readable | None = None) -> float | None:
    """Record a fetch's outcome; the number of seconds after which to try again, or None.

    Nothing but the attempt's log is written when the lease is no longer this run's (it ran out and
    another run took the source over).
    """
    now = timezone.now()
    readable = readable or Readable()
    attempt = {
        "final_url": result.final_url[:MAX_URL],
        "hops": [{"url": hop.url, "status": hop.status} for hop in result.hops],
        "http_status": result.status,
        "content_type": result.content_type[:100],
        "size": result.size,
        "content_hash": result.content_hash,
        "duration_ms": result.duration_ms,
        "outcome": result.outcome,
        "error": result.error,
    }
    with transaction.atomic():
        # The claim changes with its source (an updated_since sync sees it).  Its row is locked
        # before the source's, in the order every review takes them (claim, then its sources).
        claim_touch(lease.claim_id, at=now)
        source = Source.objects.select_for_update().filter(pk=lease.source_id).first()
        if source is None or source.lease_token != lease.token:
            attempt["outcome"] = FetchAttempt.Outcome.INTERRUPTED
            attempt["error"] = (result.error + " " if result.error else "") + (
                "Finished after its lease ran out; another attempt took over."
            )
            FetchAttempt.objects.filter(token=lease.token).update(**attempt)
            return None
        source.lease_token = source.lease_until = None
        delay = None
        if result.outcome == "ok":
            refetched = source.snapshot_id is not None
            source.snapshot_id, source.status, source.failure = _snapshot_id(result, readable), "fetched", ""
            source.final_url, source.fetched_at, source.next_attempt_at = (
                result.final_url[:MAX_URL],
                now,
                None,
            )
            if readable.error and not readable.text:
                source.status = FetchStatus.FAILED
                source.failure = f"Fetched and archived, but no readable text: {readable.error}"
            if refetched:
                source.passages.all().delete()
            Passage.objects.bulk_create(
                Passage(
                    source=source,
                    rank=rank,
                    start=found.start,
                    end=found.end,
                    text=found.text,
                    score=found.score,
                    relevance=found.relevance,
                    terms=[list(term) for term in found.terms],
                )
                for rank, found in enumerate(readable.passages[:PASSAGES_PER_SOURCE])
            )
        elif result.outcome == "transient" and source.tries < settings.FACTDESK_FETCH_MAX_ATTEMPTS:
            delay = retry_delay(source.tries, result.retry_after)
            source.status, source.failure = FetchStatus.PENDING, f"Will try again: {result.error}"
            source.next_attempt_at = now + timedelta(seconds=delay)
        else:
            source.status, source.next_attempt_at = FetchStatus.FAILED, None
            source.failure = (
                f"Gave up after {source.tries} attempts: {result.error}"
                if result.outcome == "transient"
                else result.error
            )
        source.save(update_fields=SOURCE_FIELDS)
        FetchAttempt.objects.filter(token=lease.token).update(**attempt)
        domain_events.source_fetched(
            source=source, newsroom_id=lease.newsroom_id, article_id=lease.article_id
        )
    return delay


def stale_source_ids(*, limit: int = 500) -> list[int]:
    """Sources whose fetch should be running and is not: queued messages lost, workers gone.

    Pending sources whose next attempt is overdue by half of ``FACTDESK_FETCH_REQUEUE_AFTER_SECONDS``,
    or added longer ago than that with no attempt due, and sources whose fetch lease ran out.  The
    sweeper queues them again; a fetch that is in fact under way is not disturbed (``fetch_begin``
    sees its live lease).
    """
    now = timezone.now()
    after = timedelta(seconds=settings.FACTDESK_FETCH_REQUEUE_AFTER_SECONDS)
    waiting = Q(status=FetchStatus.PENDING) & (
        Q(next_attempt_at__lt=now - after / 2) | Q(next_attempt_at__isnull=True, updated_at__lt=now - after)
    )
    expired = Q(status=FetchStatus.FETCHING, lease_until__lt=now)
    return list(
        Source.objects.filter(waiting | expired)
        .exclude(claim__status=ClaimStatus.SUPERSEDED)
        .order_by("updated_at")
        .values_list("pk", flat=True)[:limit]
    )
