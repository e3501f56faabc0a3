"""Publication deadlines: escalating the articles still blocked close to theirs.

An article is escalated once per deadline (``DeadlineEscalation``, unique per article and deadline):
``FACTDESK_DEADLINE_ESCALATION_MINUTES`` before its deadline, or at any later moment it is found
blocked with that deadline not yet escalated (a flagged claim appears after the moment, or the
deadline is set closer than the lead).  Moving the deadline makes it escalable again.  The sweep
runs every minute (Celery beat); of two runs at once, each article is escalated by the one that locks
its row first, and the unique constraint refuses a second escalation whatever happens.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from editorial.models import AnalysisStatus, Article
from factcheck import domain_events
from factcheck.models import Claim, DeadlineEscalation
from factcheck.selectors import BLOCKING_STATES, with_readiness

logger = logging.getLogger(__name__)

#: Articles escalated by one sweep, at most (the next sweep takes the rest).
ESCALATE_BATCH = 200


def escalation_lead() -> datetime.timedelta:
    """How long before its deadline a still-blocked article is escalated."""
    return datetime.timedelta(minutes=settings.FACTDESK_DEADLINE_ESCALATION_MINUTES)


def escalations_due(*, now: datetime.datetime, limit: int = ESCALATE_BATCH) -> list[int]:
    """The ids of the analysed, blocked articles whose escalation moment has come and whose current
    deadline is not escalated yet, soonest deadline first (the ``article_deadline`` index)."""
    escalated = DeadlineEscalation.objects.filter(article=OuterRef("pk"), deadline=OuterRef("deadline"))
    return list(
        with_readiness(
            Article.objects.filter(
                deadline__isnull=False,
                deadline__lte=now + escalation_lead(),
                analysis_status=AnalysisStatus.ANALYZED,
            )
        )
        .filter(Q(blocking_claims=True))  # with_readiness's annotation
        .exclude(Exists(escalated))
        .order_by("deadline", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def _blocking_claims(article: Article) -> list[Claim]:
    return list(
        Claim.objects.filter(article=article, is_flagged=True, status__in=BLOCKING_STATES)
        .prefetch_related("flags")
        .order_by("ordinal")
    )


def article_escalate(*, article_id: int, now: datetime.datetime) -> DeadlineEscalation | None:
    """Escalate the article ``article_id`` if it is due (see :func:`escalations_due`), in one
    transaction: the escalation row, the emails to its desk's editors and the webhook deliveries.

    The article's row is locked first (skipped if another worker holds it: that worker is escalating
    it, or the next sweep will); then the conditions are checked again on the locked row.  None when
    nothing was escalated.
    """
    with transaction.atomic():
        article = (
            Article.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("newsroom", "desk")
            .filter(pk=article_id)
            .first()
        )
        if (
            article is None
            or article.deadline is None
            or article.deadline > now + escalation_lead()
            or article.analysis_status != AnalysisStatus.ANALYZED
            or DeadlineEscalation.objects.filter(article=article, deadline=article.deadline).exists()
        ):
            return None
        blocking = _blocking_claims(article)
        if not blocking:
            return None
        try:
            with transaction.atomic():  # the constraint is the last line of defence
                escalation = DeadlineEscalation.objects.create(
                    article=article, deadline=article.deadline, blocking_claims=len(blocking)
                )
        except IntegrityError:
            return None
        domain_events.article_deadline_escalated(escalation=escalation, blocking=blocking, now=now)
    logger.info(
        "article %s escalated: deadline %s, %d blocking claim(s)", article.pk, article.deadline, len(blocking)
    )
    return escalation


def deadlines_escalate(*, now: datetime.datetime | None = None, limit: int = ESCALATE_BATCH) -> list[int]:
    """Escalate every article due (run every minute by Celery beat); returns the escalations' ids.
    Running it twice, or in two workers at once, escalates each article and deadline once."""
    now = now or timezone.now()
    made = []
    for article_id in escalations_due(now=now, limit=limit):
        escalation = article_escalate(article_id=article_id, now=now)
        if escalation is not None:
            made.append(escalation.pk)
    return made
