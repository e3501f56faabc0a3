"""Submitting articles for checking, and finding the analyses whose task was lost."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from editorial.models import AnalysisStatus, Article, BodyFormat, Desk, Newsroom
from editorial.services import SentBy, article_upsert
from factcheck.actors import Actor
from factcheck.analysis.page import page_metadata
from factcheck.analysis.pipeline import InputRejected, check_input
from factcheck.models import (
    Claim,
)
from factcheck.overdue import Overdue, requeue_overdue
from factcheck.queue import publish_on_commit

logger = logging.getLogger(__name__)

#: An analysis in these states is still owed: the sweep queues it again when it is overdue.
PENDING_ANALYSIS = (AnalysisStatus.RECEIVED, AnalysisStatus.ANALYZING)


def article_submit(
    *,
    actor: Actor,
    newsroom: Newsroom,
    external_id: str,
    body: str,
    body_format: str = BodyFormat.TEXT,
    title: str = "",
    url: str = "",
    byline: str = "",
    published_on: date | None = None,
    desk: Desk | None = None,
    deadline: datetime | None = None,
) -> Article:
    """Create or update an article by ``external_id``; a new or changed body is queued for analysis.

    ``deadline``: when it must be ready to publish (aware), or None for none; like the other fields,
    a resubmission sets it to what it says.
    """
    try:
        check_input(body, fmt=body_format, max_chars=settings.FACTDESK_MAX_ARTICLE_CHARS)
    except InputRejected as error:
        raise ValidationError({"body": str(error)}) from error
    if body_format == BodyFormat.HTML and not (title and byline and published_on):
        found = page_metadata(body)  # a whole page names its headline, authors and date in its metadata
        title, byline = title or found.title, byline or found.byline
        published_on = published_on or _date_or_none(found.published)
    now = timezone.now()
    with transaction.atomic():
        result = article_upsert(
            newsroom=newsroom,
            external_id=external_id,
            body=body,
            body_format=body_format,
            title=title,
            url=url,
            byline=byline,
            published_on=published_on,
            desk=desk,
            deadline=deadline,
            sent_by=SentBy(name=actor.name, user=actor.user, api_key=actor.api_key),
        )
        article = result.article
        # Claims keep their article's desk and deadline, for the review queue's filter and order.
        Claim.objects.filter(article=article).exclude(
            desk_id=article.desk_id, deadline=article.deadline
        ).update(desk_id=article.desk_id, deadline=article.deadline)
        if result.body_changed:
            # The row is the record of the work: the sweep queues it again if this message is lost.
            Article.objects.filter(pk=article.pk).update(
                analysis_queued_at=now, analysis_due_at=now + _requeue_after()
            )
            publish_on_commit("factcheck.analyze_article", [article.pk])
        elif _overdue(article, now):
            # The same body again (a client retrying after an error) while its analysis is overdue:
            # queue it now rather than at the next sweep.
            Article.objects.filter(pk=article.pk).update(analysis_due_at=now + _requeue_after())
            publish_on_commit("factcheck.analyze_article", [article.pk])
    logger.info(
        "article %s %s by %s (revision %s)",
        result.article.pk,
        "created" if result.created else "updated",
        actor.name,
        result.article.revision,
    )
    return result.article


def _date_or_none(iso: str) -> date | None:
    """The date of ``iso`` (YYYY-MM-DD), or None where it names no real day (2024-02-30)."""
    try:
        return date.fromisoformat(iso) if iso else None
    except ValueError:
        return None


def _requeue_after() -> timedelta:
    return timedelta(seconds=settings.FACTDESK_ANALYSIS_REQUEUE_AFTER_SECONDS)


def _overdue(article: Article, now: datetime) -> bool:
    return article.analysis_status in PENDING_ANALYSIS and (
        article.analysis_due_at is None or article.analysis_due_at <= now
    )


def analyses_overdue(*, limit: int = 500, now: datetime | None = None) -> list[int]:
    """The articles whose analysis should be running and is not, oldest due first, at most ``limit``:
    received and not started in time (the message was lost: the broker was down, or it restarted
    empty), or under way past the lease (the worker died).  Each gets its next due time, as far
    ahead as it has already waited (at least ``FACTDESK_ANALYSIS_REQUEUE_AFTER_SECONDS``), so that a
    long queue is not flooded with copies; the caller queues them.  An analysis still under way in
    fact is not disturbed: the copy finds its revision stored, or stores the same claims.
    """
    return requeue_overdue(
        Article.objects.filter(analysis_status__in=PENDING_ANALYSIS),
        Overdue(
            due="analysis_due_at", pause=_requeue_after(), waited_since="analysis_queued_at", undated=True
        ),
        now=now or timezone.now(),
        limit=limit,
    )
