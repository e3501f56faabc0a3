"""Events of the checking side become webhook deliveries, in the transaction that makes them happen.

The checking side's services call these inside their own transactions (the outbox pattern): a
delivery row per subscribed endpoint and event is written with the event, and its sending is queued
for after the commit.  A transaction that rolls back leaves no delivery, and a delivery exists only
for an event that happened.  Each call is one query when no endpoint of the newsroom wants the event.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from editorial.models import AnalysisStatus, Article
from factcheck.models import Claim, ClaimEvent, DeadlineEscalation, FetchStatus, Snapshot, Source
from factcheck.queue import publish_on_commit
from factcheck.selectors import flagged_claims, readiness, with_readiness
from factcheck.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from factcheck.workflow import ClaimStatus


def api_url(name: str, **kwargs: int) -> str:
    """The absolute API address of an object, for the payloads (``SITE_URL`` + the route)."""
    return settings.SITE_URL + reverse(name, kwargs=kwargs)


def _subscriptions(newsroom_id: int, *events: str) -> dict[str, list[WebhookEndpoint]]:
    """The newsroom's active endpoints that want each of ``events``, in one query."""
    endpoints = list(
        WebhookEndpoint.objects.filter(newsroom_id=newsroom_id, active=True).only("pk", "events")
    )
    return {event: [endpoint for endpoint in endpoints if event in endpoint.events] for event in events}


def _subscribed(newsroom_id: int, event: str) -> list[WebhookEndpoint]:
    return _subscriptions(newsroom_id, event)[event]


def queue_deliveries(delivery_ids: list[int]) -> None:
    """Send the deliveries once the current transaction commits."""
    publish_on_commit("webhooks.deliver", delivery_ids)


def envelope(*, event: str, data: dict, event_id: uuid.UUID | None = None) -> dict:
    """The body of a delivery: the event's id, type and time, and what happened (``data``)."""
    return {
        "id": str(event_id or uuid.uuid4()),
        "type": event,
        "created_at": timezone.now().isoformat(),
        "data": data,
    }


def webhook_emit(
    *, newsroom_id: int, event: str, data: Iterable[dict], endpoints: list[WebhookEndpoint] | None = None
) -> list[WebhookDelivery]:
    """One delivery of each event (one per item of ``data``) to each active endpoint that wants it.

    Call it inside the transaction of the event.  Every endpoint gets the same event id for the same
    event.  ``endpoints`` overrides the subscription (a ping goes to the endpoint it is asked for).
    """
    targets = _subscribed(newsroom_id, event) if endpoints is None else endpoints
    if not targets:
        return []
    now = timezone.now()
    deliveries = []
    for item in data:
        body = envelope(event=event, data=item)
        deliveries += [
            WebhookDelivery(
                endpoint=endpoint, event=event, event_id=body["id"], payload=body, next_attempt_at=now
            )
            for endpoint in targets
        ]
    WebhookDelivery.objects.bulk_create(deliveries)
    queue_deliveries([delivery.pk for delivery in deliveries])
    return deliveries


# --- article.analyzed and claim.flagged ---------------------------------------------------------


def _claim_data(claim: Claim) -> dict:
    return {
        "id": claim.pk,
        "article_id": claim.article_id,
        "text": claim.text,
        "status": claim.status,
        "checkworthiness": claim.checkworthiness,
        "flags": [
            {"kind": flag.kind, "cue": flag.cue, "severity": flag.severity, "message": flag.message}
            for flag in claim.flags.all()
        ],
        "url": api_url("claim-detail", claim_id=claim.pk),
    }


def article_analyzed_emit(
    *, article: Article, revision: int, flagged_before: frozenset[int], flagged: list[Claim] | None = None
) -> None:
    """``article.analyzed`` for the analysis just stored, and ``claim.flagged`` for each live claim it
    flags that was not flagged before it (a new claim, or one newly flagged).

    Called by ``factcheck.domain_events.article_analyzed``, in ``article_analyze``'s transaction,
    after the claims are stored; ``flagged_before`` is ``selectors.flagged_claim_ids`` taken in the
    same transaction before they were.  ``flagged``: ``selectors.flagged_claims``, when the caller
    has loaded them already.
    """
    wanted = _subscriptions(article.newsroom_id, WebhookEvent.ARTICLE_ANALYZED, WebhookEvent.CLAIM_FLAGGED)
    analyzed, flagging = wanted[WebhookEvent.ARTICLE_ANALYZED], wanted[WebhookEvent.CLAIM_FLAGGED]
    if analyzed:
        live = Q(claims__status__in=[s for s in ClaimStatus.values if s != ClaimStatus.SUPERSEDED])
        counted = (
            with_readiness(Article.objects.filter(pk=article.pk))
            .annotate(
                live=Count("claims", filter=live),
                live_flagged=Count("claims", filter=live & Q(claims__is_flagged=True)),
            )
            .get()
        )
        counted.analysis_status = AnalysisStatus.ANALYZED  # saved by the caller after this call
        data = {
            "article": {
                "id": article.pk,
                "external_id": article.external_id,
                "title": article.title,
                "revision": revision,
                "readiness": readiness(counted).value,
                "url": api_url("article-detail", article_id=article.pk),
            },
            "claims": {"count": counted.live, "flagged": counted.live_flagged},
        }
        webhook_emit(
            newsroom_id=article.newsroom_id,
            event=WebhookEvent.ARTICLE_ANALYZED,
            data=[data],
            endpoints=analyzed,
        )
    if flagging:
        if flagged is None:
            flagged = flagged_claims(article=article)
        webhook_emit(
            newsroom_id=article.newsroom_id,
            event=WebhookEvent.CLAIM_FLAGGED,
            data=[
                {"claim": _claim_data(claim), "revision": revision}
                for claim in flagged
                if claim.pk not in flagged_before
            ],
            endpoints=flagging,
        )


# --- claim.status_changed -----------------------------------------------------------------------


def claims_status_changed_emit(*, moves: list[tuple[Claim, ClaimEvent]]) -> None:
    """``claim.status_changed`` for each (claim, audit event) of ``moves``, in their order: events of
    claims of one newsroom (``factcheck.domain_events.claim_events_recorded``).  One query for
    the subscriptions, none when no move changes a state.
    """
    changed = [(claim, event) for claim, event in moves if event.from_status != event.to_status]
    if not changed:
        return
    newsroom_ids = {claim.newsroom_id for claim, _ in changed}
    if len(newsroom_ids) > 1:
        raise ValueError("The moves are of claims of several newsrooms.")
    webhook_emit(
        newsroom_id=newsroom_ids.pop(),
        event=WebhookEvent.CLAIM_STATUS_CHANGED,
        data=[
            {
                "claim": {
                    "id": claim.pk,
                    "article_id": claim.article_id,
                    "url": api_url("claim-detail", claim_id=claim.pk),
                },
                "from": event.from_status,
                "to": event.to_status,
                "action": event.action,
                "actor": event.actor_name,
                "note": event.note,
            }
            for claim, event in changed
        ],
    )


# --- source.fetched -----------------------------------------------------------------------------


def source_fetched_emit(*, source: Source, claim: dict) -> None:
    """``source.fetched`` when a source has been fetched, or has failed for good (not while it waits
    for another attempt).  Called in ``fetch_finish``'s transaction, after the source is saved.

    ``claim``: the ``newsroom_id`` and ``article_id`` of the source's claim.
    """
    if source.status not in (FetchStatus.FETCHED, FetchStatus.FAILED):
        return
    endpoints = _subscribed(claim["newsroom_id"], WebhookEvent.SOURCE_FETCHED)
    if not endpoints:
        return
    title = ""
    if source.snapshot_id is not None:
        title = Snapshot.objects.filter(pk=source.snapshot_id).values_list("title", flat=True).first() or ""
    webhook_emit(
        newsroom_id=claim["newsroom_id"],
        event=WebhookEvent.SOURCE_FETCHED,
        data=[
            {
                "source": {
                    "id": source.pk,
                    "claim_id": source.claim_id,
                    "article_id": claim["article_id"],
                    "url": source.url,
                    "final_url": source.final_url,
                    "status": source.status,
                    "failure": source.failure,
                    "title": title,
                    "fetched_at": source.fetched_at.isoformat() if source.fetched_at else None,
                    "api_url": api_url("source-detail", source_id=source.pk),
                }
            }
        ],
        endpoints=endpoints,
    )


# --- article.deadline_escalated -------------------------------------------------------------------


def article_deadline_escalated_emit(
    *, escalation: DeadlineEscalation, blocking: list[Claim], now: datetime.datetime
) -> None:
    """``article.deadline_escalated``: the article is still blocked close to its deadline (once per
    article and deadline), with the claims that block it.  Called in the escalation's transaction."""
    article = escalation.article
    endpoints = _subscribed(article.newsroom_id, WebhookEvent.ARTICLE_DEADLINE_ESCALATED)
    if not endpoints:
        return
    data = {
        "article": {
            "id": article.pk,
            "external_id": article.external_id,
            "title": article.title,
            "desk": article.desk.slug if article.desk is not None else None,
            "deadline": escalation.deadline.isoformat(),
            "readiness": "blocked",
            "url": api_url("article-detail", article_id=article.pk),
        },
        "seconds_left": int((escalation.deadline - now).total_seconds()),
        "blocking_claims": [_claim_data(claim) for claim in blocking],
    }
    webhook_emit(
        newsroom_id=article.newsroom_id,
        event=WebhookEvent.ARTICLE_DEADLINE_ESCALATED,
        data=[data],
        endpoints=endpoints,
    )
