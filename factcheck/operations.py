"""What an operator watches: the work recorded in the database and not yet done, by kind and state
(read by /metrics, monitoring/metrics.py).  Each count is one indexed query."""

from __future__ import annotations

from django.db.models import Count
from django.utils import timezone

from editorial.models import Article
from factcheck.models import Claim, Source
from factcheck.notifications.models import OutboxEmail
from factcheck.selectors import overdue_articles_count
from factcheck.services.articles import PENDING_ANALYSIS
from factcheck.webhooks.models import WebhookDelivery


def backlogs() -> list[tuple[str, str, int]]:
    """(kind, state, count) of the work owed: analyses received or under way, fetches pending or
    under way, searches queued, emails and webhook deliveries pending or being sent, and articles
    past their publication deadline that are not clear (``article``, ``overdue``)."""
    rows: list[tuple[str, str, int]] = []

    def grouped(kind: str, queryset, field: str, states) -> None:
        counts = dict(queryset.filter(**{f"{field}__in": states}).values_list(field).annotate(n=Count("pk")))
        rows.extend((kind, str(state), counts.get(state, 0)) for state in states)

    grouped("analysis", Article.objects.order_by(), "analysis_status", [str(s) for s in PENDING_ANALYSIS])
    grouped("fetch", Source.objects.order_by(), "status", ["pending", "fetching"])
    grouped("email", OutboxEmail.objects.order_by(), "state", ["pending", "sending"])
    grouped("webhook", WebhookDelivery.objects.order_by(), "state", ["pending", "sending"])
    searches = Claim.objects.filter(sources_searched_at__isnull=True, sources_search_due_at__isnull=False)
    rows.append(("search", "queued", searches.count()))
    rows.append(("article", "overdue", overdue_articles_count(now=timezone.now())))
    return rows
