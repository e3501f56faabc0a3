"""Domain events of the checking side, and the one place they fan out to webhooks and notifications.

A service records an event once, in the transaction that causes it, by calling one function here
after it has saved what changed:

- ``claim_events_recorded``: audit events of claims (a move through the workflow: flagged for
  attribution, sent back, a verdict, superseded by a revision; an assignment).  A move that changes
  a claim's state becomes ``claim.status_changed`` for the webhooks; an assignment, a request for
  attribution or a verdict becomes a notification to the people it concerns.
- ``article_analyzed``: an analysis is stored: ``article.analyzed`` and ``claim.flagged`` for the
  webhooks, and the desk's editors hear about the claims it newly flags.
- ``source_fetched``: a source is fetched, or failed for good: ``source.fetched`` for the webhooks.
- ``article_deadline_escalated``: an article is still blocked close to its deadline (escalated once
  per deadline): ``article.deadline_escalated`` for the webhooks, and one email to each editor of
  its desk.

Both receivers write rows in the caller's transaction (a webhook delivery, a notification and its
outbox email) and queue their sending after the commit, so a rolled-back event leaves nothing, and
every event that happened is delivered even if the broker is down at that moment (the outboxes'
sweeps).  Nothing else in the services calls the webhooks' or the notifications' event code.
"""

from __future__ import annotations

import datetime

from editorial.models import Article
from factcheck.actors import Actor
from factcheck.models import Claim, ClaimEvent, DeadlineEscalation, Source
from factcheck.notifications.services.events import (
    claim_event_notify,
    claims_flagged_notify,
    deadline_escalated_notify,
)
from factcheck.webhooks.services.events import (
    article_analyzed_emit,
    article_deadline_escalated_emit,
    claims_status_changed_emit,
    source_fetched_emit,
)


def claim_events_recorded(*, recorded: list[tuple[Claim, ClaimEvent]]) -> None:
    """The saved audit ``event`` of each ``claim`` of ``recorded`` (claims of one newsroom), in order.

    One batch of ``claim.status_changed`` deliveries for those that changed a claim's state, then a
    notification for each that concerns someone (an assignment, a request for attribution, a verdict).
    """
    claims_status_changed_emit(moves=recorded)
    for _, event in recorded:
        claim_event_notify(event=event)


def article_analyzed(
    *,
    article: Article,
    revision: int,
    flagged_before: frozenset[int],
    flagged: list[Claim],
    actor: Actor | None = None,
) -> None:
    """The analysis of ``article``'s ``revision`` is stored (its claims saved, the article not yet).

    ``flagged_before``: the ids of its live claims flagged before it was stored; ``flagged``: its live
    flagged claims now, in their order, with their flags; ``actor``: the ``Actor`` whose correction
    caused it, who is not told about it (None: a submission).
    """
    article_analyzed_emit(article=article, revision=revision, flagged_before=flagged_before, flagged=flagged)
    claims_flagged_notify(article=article, revision=revision, actor=actor, flagged=flagged)


def source_fetched(*, source: Source, newsroom_id: int, article_id: int) -> None:
    """``source`` (saved) was fetched, or failed for good; nothing while it waits for another attempt."""
    source_fetched_emit(source=source, claim={"newsroom_id": newsroom_id, "article_id": article_id})


def article_deadline_escalated(
    *, escalation: DeadlineEscalation, blocking: list[Claim], now: datetime.datetime
) -> None:
    """``escalation`` (saved) of its article, whose ``blocking`` claims (live, flagged, unreviewed or
    waiting for attribution, with their flags, in order) hold it up at ``now``."""
    article_deadline_escalated_emit(escalation=escalation, blocking=blocking, now=now)
    deadline_escalated_notify(escalation=escalation, blocking=blocking, now=now)
