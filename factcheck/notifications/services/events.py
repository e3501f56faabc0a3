"""Events of the checking side become notifications: who hears about what, and what they are told."""

from __future__ import annotations

import datetime
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse

from editorial.models import Article, Newsroom
from factcheck.models import Claim, ClaimEvent, DeadlineEscalation
from factcheck.notifications import selectors
from factcheck.notifications.emails import Item
from factcheck.notifications.models import Delivery, DigestSchedule, Event, Notification
from factcheck.notifications.services.outbox import email_create
from factcheck.selectors import live_claims
from factcheck.workflow import VERDICTS, ClaimStatus


def _article_payload(article: Article) -> dict:
    return {
        "id": article.pk,
        "title": article.title or article.external_id,
        "path": reverse("admin:editorial_article_change", args=[article.pk]),
    }


def _claim_payload(claim: Claim) -> dict:
    return {
        "id": claim.pk,
        "text": claim.text,
        "path": reverse("admin:factcheck_reviewitem_change", args=[claim.pk]),
        "flags": [
            {
                "kind": flag.kind,
                "kind_label": flag.get_kind_display().lower(),
                "cue": flag.cue,
                "severity": flag.severity,
                "message": flag.message,
                "at": [flag.start - claim.start, flag.end - claim.start],
            }
            for flag in claim.flags.all()
        ],
    }


def _notify(
    *,
    event: str,
    newsroom: Newsroom,
    recipients: list[tuple[object, dict]],
    key: str,
    article: Article | None = None,
    claim: Claim | None = None,
) -> list[Notification]:
    """A notification of ``event`` for each (person, payload), as each person wants it: an email
    now, a line in the next digest, or nothing.  Whatever exists already under ``key`` is left alone."""
    if not recipients:
        return []
    wanted = selectors.deliveries(
        user_ids=[user.pk for user, _ in recipients], newsroom_id=newsroom.pk, event=event
    )
    made = []
    for user, payload in recipients:
        delivery = wanted[user.pk]
        if delivery == Delivery.NEVER:
            continue
        notification, created = Notification.objects.get_or_create(
            dedup_key=f"{key}:user{user.pk}",
            defaults={
                "user": user,
                "newsroom": newsroom,
                "event": event,
                "delivery": delivery,
                "article": article,
                "claim": claim,
                "payload": payload,
            },
        )
        if not created:
            continue
        if delivery == Delivery.IMMEDIATELY:
            notification.email = email_create(
                user=user, newsroom=newsroom, items=[Item(event, payload)], dedup_key=notification.dedup_key
            )
            notification.save(update_fields=["email"])
        made.append(notification)
    return made


def claims_flagged_notify(
    *, article: Article, revision: int, actor=None, flagged: list[Claim] | None = None
) -> list[Notification]:
    """Tell the editors of the article's desk about the flagged claims of its analysis, one email each.

    Called in the transaction that stores the analysis.  Each editor hears about a flagged sentence
    once: an email lists the flagged live claims that no earlier one to them listed, and a revision
    that flags nothing new sends nothing.  An article without a desk goes to every editor and
    newsroom admin.  The person whose correction caused the analysis is not told about it.
    ``flagged``: the article's live flagged claims in their order, with their flags, when the caller
    has loaded them already.
    """
    if flagged is None:
        flagged = list(
            live_claims()
            .filter(article=article, is_flagged=True)
            .prefetch_related("flags")
            .order_by("ordinal")
        )
    if not flagged:
        return []
    acting_id = getattr(getattr(actor, "user", None), "pk", None)
    editors = [user for user in selectors.desk_editors(article=article) if user.pk != acting_id]
    if not editors:
        return []
    listed: dict[int, set[int]] = defaultdict(set)
    earlier = Notification.objects.filter(
        article=article, event=Event.CLAIMS_FLAGGED, user__in=[user.pk for user in editors]
    ).values_list("user_id", "payload")
    for user_id, payload in earlier:
        listed[user_id].update(claim["id"] for claim in payload.get("claims", ()))
    payloads = {claim.pk: _claim_payload(claim) for claim in flagged}
    about = {
        "article": _article_payload(article),
        "desk": article.desk.name if article.desk_id else None,
        "revision": revision,
    }
    recipients = []
    for user in editors:
        new = [payloads[claim.pk] for claim in flagged if claim.pk not in listed[user.pk]]
        if new:
            recipients.append((user, {**about, "claims": new}))
    return _notify(
        event=Event.CLAIMS_FLAGGED,
        newsroom=article.newsroom,
        recipients=recipients,
        key=f"claims_flagged:article{article.pk}:revision{revision}",
        article=article,
    )


def claim_event_notify(*, event: ClaimEvent) -> list[Notification]:
    """Tell the people a claim's move concerns: the new assignee of an assignment; the article's
    reporters when it is sent back for attribution (with the note) or given a verdict.

    Called with the saved event, in the transaction that moved the claim.  Nobody hears about their
    own move, and taking a claim yourself is not an assignment.
    """
    claim = event.claim
    article = claim.article
    if event.action == "assign":
        assignee = claim.assignee
        if (
            assignee is None
            or assignee.pk == event.actor_user_id
            or not assignee.is_active
            or not assignee.email
        ):
            return []
        event_type, people = Event.CLAIM_ASSIGNED, [assignee]
    elif event.from_status == event.to_status:
        return []
    elif event.to_status == ClaimStatus.NEEDS_ATTRIBUTION:
        event_type, people = Event.ATTRIBUTION_REQUESTED, list(selectors.article_reporters(article=article))
    elif event.to_status in VERDICTS:
        event_type, people = Event.VERDICT_GIVEN, list(selectors.article_reporters(article=article))
    else:
        return []
    payload = {
        "article": _article_payload(article),
        "claim": _claim_payload(claim),
        "by": event.actor_name,
        "note": event.note,
        "verdict": ClaimStatus(event.to_status).label,
    }
    return _notify(
        event=event_type,
        newsroom=article.newsroom,
        recipients=[(user, payload) for user in people if user.pk != event.actor_user_id],
        key=f"{event_type}:event{event.pk}",
        article=article,
        claim=claim,
    )


#: The blocking claims an escalation email lists, at most (it says how many there are).
ESCALATION_EMAIL_CLAIMS = 10


def time_left(deadline: datetime.datetime, now: datetime.datetime) -> str:
    """ "45 min", "3 h 10 min", "2 d 4 h", or "overdue by …" once it has passed."""
    seconds = int((deadline - now).total_seconds())
    minutes = abs(seconds) // 60
    if minutes < 60:
        text = f"{minutes} min"
    elif minutes < 48 * 60:
        text = f"{minutes // 60} h {minutes % 60} min" if minutes % 60 else f"{minutes // 60} h"
    else:
        text = f"{minutes // 1440} d {minutes % 1440 // 60} h"
    return f"overdue by {text}" if seconds < 0 else text


def _newsroom_zone(newsroom_id: int) -> ZoneInfo:
    """The newsroom's time zone (its digest time's), or ``TIME_ZONE``."""
    name = DigestSchedule.objects.filter(newsroom_id=newsroom_id).values_list("time_zone", flat=True).first()
    return ZoneInfo(name or settings.TIME_ZONE)


def deadline_escalated_notify(
    *, escalation: DeadlineEscalation, blocking: list[Claim], now: datetime.datetime
) -> list[Notification]:
    """Tell the editors of the article's desk (an article without a desk: every editor and newsroom
    admin) that it is still blocked close to its deadline: one email each per escalation, so one per
    article and deadline (the notification's key names the escalation).

    Called in the transaction that records the escalation; ``blocking``: the claims that block it,
    in order, with their flags.
    """
    article = escalation.article
    editors = list(selectors.desk_editors(article=article))
    if not editors:
        return []
    local = escalation.deadline.astimezone(_newsroom_zone(article.newsroom_id))
    payload = {
        "article": _article_payload(article),
        "desk": article.desk.name if article.desk_id else None,
        "deadline": escalation.deadline.isoformat(),
        "deadline_local": f"{local:%a %d %b %Y, %H:%M} {local.tzname()}",
        "time_left": time_left(escalation.deadline, now),
        "overdue": escalation.deadline <= now,
        "blocking_count": len(blocking),
        "claims": [_claim_payload(claim) for claim in blocking[:ESCALATION_EMAIL_CLAIMS]],
    }
    return _notify(
        event=Event.DEADLINE_ESCALATED,
        newsroom=article.newsroom,
        recipients=[(user, payload) for user in editors],
        key=f"deadline_escalated:escalation{escalation.pk}",
        article=article,
    )
