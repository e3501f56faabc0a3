"""What the two outboxes share: notification emails (``factcheck.notifications``) and webhook
deliveries (``factcheck.webhooks``).

Each row is claimed (pending → sending) by a conditional UPDATE before it is sent, under a lease,
retried after a backoff (``next_attempt``), and found again by a sweep when its task was lost
(``factcheck.overdue``, whose task queues the ids it returns).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from factcheck.queue import publish

#: A task may arrive a little before its row is due (the clocks of two machines).
CLOCK_TOLERANCE = datetime.timedelta(seconds=2)


@dataclass(frozen=True)
class Outcome:
    """What one attempt at sending a row did: ``outcome`` (sent or delivered, retry, failed, or
    skipped), and for a retry the seconds before the next attempt (``retry_in``)."""

    outcome: str
    retry_in: float | None = None


def next_attempt(task_name: str, pk: int, attempt: Outcome) -> str:
    """After one attempt at the row ``pk``, by the task ``task_name``: queue the next attempt if it is
    a retry, and return what the attempt did (the task's result).

    The retry is a new message with a countdown rather than Celery's ``retry()``: the row counts the
    attempts (they survive a lost message or a restarted worker), and a retry that arrives early, or
    twice, finds the row not due or not pending and does nothing.
    """
    if attempt.retry_in is not None:
        publish(task_name, (pk,), countdown=attempt.retry_in)
    return attempt.outcome


def shortened(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters, an ellipsis marking a cut (the admin's columns)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
