"""Celery tasks of the checking side.  Each takes ids, calls one service, and can run twice safely."""

from __future__ import annotations

import logging
import random

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from editorial.models import Article
from factcheck import services
from factcheck.models import Claim, SearchProvider, Snapshot
from factcheck.queue import publish
from factcheck.web.extract import ExtractionFailed, extract
from factcheck.web.fetch import FetchResult
from factcheck.web.passages import best_passages
from factcheck.workflow import ClaimStatus

logger = logging.getLogger(__name__)

#: Errors worth another try: the database was unreachable, restarting, or timed out.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)
MAX_RETRIES = 5


def backoff(retries: int, *, base: float = 2.0, cap: float = 300.0) -> float:
    """Exponential backoff with full jitter: a random delay up to base * 2**retries, capped."""
    return random.uniform(0, min(cap, base * 2**retries))


@shared_task(
    name="factcheck.analyze_article",
    bind=True,
    acks_late=True,
    max_retries=MAX_RETRIES,
    soft_time_limit=120,
    time_limit=180,
)
def analyze_article(self, article_id: int) -> None:
    """Analyse an article's current revision and store its claims (idempotent)."""
    revision = None
    try:
        revision = Article.objects.filter(pk=article_id).values_list("revision", flat=True).first()
        if revision is None:
            return  # deleted since it was queued
        services.article_analyze(article_id=article_id)
    except TRANSIENT_ERRORS as error:
        if self.request.retries >= self.max_retries:
            if revision is None:  # the database never answered: nothing can be recorded
                logger.error("analysis of article %s abandoned: %s", article_id, error)
                return
            services.article_mark_failed(
                article_id=article_id,
                revision=revision,
                reason=f"The database was unavailable after {self.max_retries + 1} attempts: {error}",
            )
            return
        raise self.retry(exc=error, countdown=backoff(self.request.retries)) from error
    except SoftTimeLimitExceeded:
        services.article_mark_failed(
            article_id=article_id, revision=revision, reason="The analysis took too long and was stopped."
        )
    except Exception as error:
        logger.exception("analysis of article %s failed", article_id)
        services.article_mark_failed(
            article_id=article_id,
            revision=revision,
            reason=f"Internal error while analysing ({type(error).__name__}); the team has the log.",
        )


@shared_task(name="factcheck.sweep_analyses", acks_late=True, soft_time_limit=50, time_limit=60)
def sweep_analyses() -> int:
    """Queue again the analyses that should be running and are not (run by Celery beat)."""
    ids = services.analyses_overdue()
    for article_id in ids:
        publish(analyze_article, (article_id,))
    if ids:
        logger.info("requeued %d article analyses", len(ids))
    return len(ids)


# --- sources ----------------------------------------------------------------------------------


def _readable(lease: services.Lease, result) -> services.Readable:
    """The main text of a fetched body (or why there is none), and its passages that match the claim.

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
    passages = (
        tuple(best_passages(lease.claim_text, text, limit=services.PASSAGES_PER_SOURCE)) if text else ()
    )
    return services.Readable(title=title, text=text, error=error, passages=passages, snapshot_id=snapshot_id)


@shared_task(
    name="factcheck.fetch_source",
    bind=True,
    acks_late=True,
    max_retries=MAX_RETRIES,
    soft_time_limit=150,
    time_limit=180,
)
def fetch_source(self, source_id: int, scheduled: bool = False) -> None:
    """Fetch one source, archive it and rank its passages; idempotent, and safe to run twice at once.

    Transient failures (timeouts, connection errors, 429, 5xx) come back after a delay (Retry-After
    or backoff with jitter) until ``FACTDESK_FETCH_MAX_ATTEMPTS``; permanent ones are recorded with
    the reason and not retried.  The fetcher's own deadline (``total_timeout``) bounds the network
    part under every pool; the soft and hard limits here bound the whole task under the process pool.
    """
    try:
        step = services.fetch_begin(source_id=source_id, scheduled=scheduled)
    except TRANSIENT_ERRORS as error:
        raise self.retry(exc=error, countdown=backoff(self.request.retries)) from error
    if step is None:
        return
    if isinstance(step, services.Busy):
        # Another run holds the source (or a retry is scheduled): look again when that is over, in
        # case that run's worker dies.  A run that finds it done then does nothing.
        if not self.request.is_eager:
            logger.info(
                "source %s is held by another run for %.0f s more: looking again then",
                source_id,
                step.seconds,
            )
            publish(fetch_source, (source_id,), countdown=step.seconds + 1)
        return
    try:
        result = services.fetcher().fetch(step.url)
        readable = _readable(step, result) if result.outcome == "ok" else None
    except SoftTimeLimitExceeded:
        result, readable = _failed(step.url, "The fetch took too long and was stopped.", "transient"), None
    except Exception as error:
        logger.exception("fetching source %s failed", source_id)
        result = _failed(step.url, f"Internal error while fetching ({type(error).__name__}).", "transient")
        readable = None
    try:
        delay = services.fetch_finish(lease=step, result=result, readable=readable)
    except TRANSIENT_ERRORS as error:
        # The lease is still ours in the database; when it runs out, a later run fetches again.
        raise self.retry(exc=error, countdown=backoff(self.request.retries)) from error
    if delay is not None:
        publish(fetch_source, (source_id,), {"scheduled": True}, countdown=delay)


def _failed(url: str, error: str, outcome: str) -> FetchResult:
    now = timezone.now()
    return FetchResult(
        url=url,
        final_url=url,
        status=None,
        content_type="",
        charset=None,
        body=b"",
        content_hash="",
        size=0,
        started_at=now,
        duration_ms=0,
        hops=[],
        outcome=outcome,
        error=error,
        retry_after=None,
    )


@shared_task(name="factcheck.sweep_sources", acks_late=True, soft_time_limit=50, time_limit=60)
def sweep_sources() -> int:
    """Queue again the fetches that should be running and are not (run by Celery beat every minute)."""
    ids = services.stale_source_ids()
    for source_id in ids:
        publish(fetch_source, (source_id,))
    if ids:
        logger.info("requeued %d source fetches", len(ids))
    return len(ids)


@shared_task(name="factcheck.sweep_searches", acks_late=True, soft_time_limit=50, time_limit=60)
def sweep_searches() -> int:
    """Queue again the searches of the providers that were queued and never finished (run by beat)."""
    ids = services.searches_overdue()
    for claim_id in ids:
        publish(search_sources, (claim_id,))
    if ids:
        logger.info("requeued %d searches for sources", len(ids))
    return len(ids)


@shared_task(
    name="factcheck.search_sources",
    bind=True,
    acks_late=True,
    max_retries=3,
    soft_time_limit=150,
    time_limit=180,
)
def search_sources(self, claim_id: int, only: list[int] | None = None) -> None:
    """Ask the newsroom's search providers about one claim, and attach what they find (idempotent).

    A provider that fails for a while (timeout, 5xx, 429) is asked again with backoff, up to three
    times (the retry asks only those, by id: ``only``); one that fails for good (bad configuration,
    4xx) is logged and skipped.  What the others found is kept either way: attaching it twice adds
    nothing.
    """
    from factcheck.providers import ProviderFailed, search

    claim = Claim.objects.filter(pk=claim_id).first()
    if claim is None or claim.status == ClaimStatus.SUPERSEDED:
        return
    providers = SearchProvider.objects.filter(
        newsroom_id=claim.newsroom_id, enabled=True, min_checkworthiness__lte=claim.checkworthiness
    )
    if only is not None:
        providers = providers.filter(pk__in=only)
    retry_for: list[int] = []
    for provider in providers:
        try:
            found = search(provider, claim)
        except ProviderFailed as failure:
            log = logger.warning if failure.transient else logger.error
            log("search provider %r failed for claim %s: %s", provider.name, claim_id, failure.reason)
            if failure.transient:
                retry_for.append(provider.pk)
            continue
        services.sources_found(claim_id=claim_id, found=found)
    if retry_for and self.request.retries < self.max_retries:
        kwargs = {**(self.request.kwargs or {}), "only": retry_for}
        raise self.retry(kwargs=kwargs, countdown=backoff(self.request.retries, base=30.0))
    Claim.objects.filter(pk=claim_id).update(sources_searched_at=timezone.now())
