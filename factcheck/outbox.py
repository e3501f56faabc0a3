"""What the two outboxes share: notification emails (``factcheck.notifications``) and webhook
deliveries (``factcheck.webhooks``).

Each row is claimed (pending → sending) by a conditional UPDATE before it is sent, under a lease,
retried after a backoff (``next_attempt``), and queued again by a sweep when its task was lost
(``requeue_overdue``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet

from factcheck.queue import publish

#: A task may arrive a little before its row is due (the clocks of two machines).
CLOCK_TOLERANCE = datetime.timedelta(seconds=2)


@dataclass(frozen=True)
class Outcome:
    """What one attempt at sending a row did: ``outcome`` (sent or delivered, retry, failed, or
    skipped), and for a retry the seconds before the next attempt (``retry_in``)."""

    outcome: str
    retry_in: float | None = None


def next_attempt(task, pk: int, attempt: Outcome) -> str:
    """After one attempt at the row ``pk``, by ``task``: queue the next attempt if it is a retry, and
    return what the attempt did (the task's result).

    The retry is a new message with a countdown rather than Celery's ``retry()``: the row counts the
    attempts (they survive a lost message or a restarted worker), and a retry that arrives early, or
    twice, finds the row not due or not pending and does nothing.
    """
    if attempt.retry_in is not None:
        publish(task, (pk,), countdown=attempt.retry_in)
    return attempt.outcome


def requeue_overdue(
    pending: QuerySet,
    *,
    task,
    due_before: datetime.datetime,
    now: datetime.datetime,
    limit: int,
    first: list[int] | tuple[int, ...] = (),
) -> list[int]:
    """Queue ``task`` again for the ``pending`` rows due at or before ``due_before``, whose task never
    ran (the broker lost it, or no worker was up): the oldest first, at most ``limit``.

    Their next attempt moves to ``now``, so that they are not queued again before they are overdue
    once more; a task that does arrive late finds its row claimed and does nothing.  The ids in
    ``first`` are queued before them.  Returns the ids queued.
    """
    due = list(
        pending.filter(next_attempt_at__lte=due_before)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    if due:
        pending.filter(pk__in=due).update(next_attempt_at=now)
    queued = [*first, *due]
    for pk in queued:
        publish(task, (pk,))
    return queued


def shortened(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters, an ellipsis marking a cut (the admin's columns)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
