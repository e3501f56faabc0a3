"""Celery tasks of the checking side.  Each takes ids, calls one service, and can run twice safely.

Tasks touch no model: services write, selectors read.  Follow-up work a task's service owes (a retry,
a sweep's finds) comes back as ids, and the task queues it (``factcheck.queue``).
"""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from factcheck import retry, selectors
from factcheck.queue import publish, publish_each, requeue_each
from factcheck.services import analyses, articles, deadlines, fetcher, fetching, searches
from factcheck.services.sources import FollowUps
from factcheck.web.fetch import FetchResult

logger = logging.getLogger(__name__)

#: Errors worth another try: the database was unreachable, restarting, or timed out.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)
MAX_RETRIES = 5


def backoff(retries: int, *, base: float = 2.0, cap: float = 300.0) -> float:
    """Seconds before Celery's retry number ``retries + 1`` of a task (``factcheck.retry.retry_delay``:
    a step doubling from ``base``, half of it random, never above ``cap``)."""
    return retry.retry_delay(retries + 1, None, base=base, cap=cap)


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
        revision = selectors.article_revision(article_id=article_id)
        if revision is None:
            return  # deleted since it was queued
        analyzed = analyses.article_analyze(article_id=article_id)
    except TRANSIENT_ERRORS as error:
        if self.request.retries >= self.max_retries:
            if revision is None:  # the database never answered: nothing can be recorded
                logger.error("analysis of article %s abandoned: %s", article_id, error)
                return
            analyses.article_mark_failed(
                article_id=article_id,
                revision=revision,
                reason=f"The database was unavailable after {self.max_retries + 1} attempts: {error}",
            )
            return
        raise self.retry(exc=error, countdown=backoff(self.request.retries)) from error
    except SoftTimeLimitExceeded:
        analyses.article_mark_failed(
            article_id=article_id, revision=revision, reason="The analysis took too long and was stopped."
        )
    except Exception as error:
        logger.exception("analysis of article %s failed", article_id)
        analyses.article_mark_failed(
            article_id=article_id,
            revision=revision,
            reason=f"Internal error while analysing ({type(error).__name__}); the team has the log.",
        )
    else:
        _queue(analyzed.follow_ups)


def _queue(follow_ups: FollowUps) -> None:
    """Queue the work a service left (it has committed): the fetches, then the searches.  A message
    the broker refuses is not lost: the sources are pending and the claims' searches due, and the
    sweeps (``sweep_sources``, ``sweep_searches``) queue them again."""
    publish_each(fetch_source.name, follow_ups.fetch_source_ids)
    publish_each(search_sources.name, follow_ups.search_claim_ids)


@shared_task(name="factcheck.sweep_analyses", acks_late=True, soft_time_limit=50, time_limit=60)
def sweep_analyses() -> int:
    """Queue again the analyses that should be running and are not (run by Celery beat)."""
    return requeue_each(analyze_article.name, articles.analyses_overdue(), "article analyses")


@shared_task(
    name="factcheck.escalate_deadlines",
    bind=True,
    acks_late=True,
    max_retries=3,
    soft_time_limit=50,
    time_limit=60,
)
def escalate_deadlines(self) -> int:
    """Escalate the articles still blocked close to their deadline, once per deadline (run by Celery
    beat every minute; running twice, or twice at once, escalates nothing twice)."""
    try:
        made = deadlines.deadlines_escalate()
    except TRANSIENT_ERRORS as error:
        raise self.retry(exc=error, countdown=backoff(self.request.retries)) from error
    if made:
        logger.info("escalated %d article deadline(s)", len(made))
    return len(made)


# --- sources ----------------------------------------------------------------------------------


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
        step = fetching.fetch_begin(source_id=source_id, scheduled=scheduled)
    except TRANSIENT_ERRORS as error:
        raise self.retry(exc=error, countdown=backoff(self.request.retries)) from error
    if step is None:
        return
    if isinstance(step, fetching.Busy):
        # Another run holds the source (or a retry is scheduled): look again when that is over, in
        # case that run's worker dies.  A run that finds it done then does nothing.
        if not self.request.is_eager:
            logger.info(
                "source %s is held by another run for %.0f s more: looking again then",
                source_id,
                step.seconds,
            )
            publish(fetch_source.name, (source_id,), countdown=step.seconds + 1)
        return
    try:
        result = fetcher.fetcher().fetch(step.url)
        readable = fetching.fetched_readable(lease=step, result=result) if result.outcome == "ok" else None
    except SoftTimeLimitExceeded:
        result, readable = _failed(step.url, "The fetch took too long and was stopped.", "transient"), None
    except Exception as error:
        logger.exception("fetching source %s failed", source_id)
        result = _failed(step.url, f"Internal error while fetching ({type(error).__name__}).", "transient")
        readable = None
    try:
        delay = fetching.fetch_finish(lease=step, result=result, readable=readable)
    except TRANSIENT_ERRORS as error:
        # The lease is still ours in the database; when it runs out, a later run fetches again.
        raise self.retry(exc=error, countdown=backoff(self.request.retries)) from error
    if delay is not None:
        publish(fetch_source.name, (source_id,), {"scheduled": True}, countdown=delay)


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
    return requeue_each(fetch_source.name, fetching.stale_source_ids(), "source fetches")


@shared_task(name="factcheck.sweep_searches", acks_late=True, soft_time_limit=50, time_limit=60)
def sweep_searches() -> int:
    """Queue again the searches of the providers that were queued and never finished (run by beat)."""
    return requeue_each(search_sources.name, searches.searches_overdue(), "searches for sources")


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
    last_try = self.request.retries >= self.max_retries
    searched = searches.claim_sources_search(claim_id=claim_id, only=only, last_try=last_try)
    _queue(searched.follow_ups)
    if searched.retry_provider_ids and not last_try:
        kwargs = {**(self.request.kwargs or {}), "only": searched.retry_provider_ids}
        raise self.retry(kwargs=kwargs, countdown=backoff(self.request.retries, base=30.0))
