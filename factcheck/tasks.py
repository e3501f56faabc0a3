"""Celery tasks of the checking side.  Each takes ids, calls one service, and can run twice safely."""

from __future__ import annotations

import logging
import random

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError

from editorial.models import Article
from factcheck import services

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
