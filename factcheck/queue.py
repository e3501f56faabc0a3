"""Handing stored work to the broker: a nudge that may fail, never the record of the work.

Every kind of work is recorded in the database before it is queued: an article's analysis by its
status and ``analysis_due_at``, a source's fetch by its status and lease, an email or a webhook
delivery by its outbox row.  A beat sweep finds the work whose message never arrived or whose worker
died, and queues it again.  So a message the broker refuses (Redis down, unreachable, restarting) is
logged and dropped here: the request that stored the work still succeeds, and the sweep queues it
once the broker is back.

One rule for queueing, so that no service imports a task module (and no import circle can form):

- code serving a request (a service called by a view or the admin) queues its follow-up work by the
  task's name once its transaction commits: ``publish_on_commit("factcheck.fetch_source", ids)``;
- code running in a worker returns the ids of its follow-up work (``FollowUps`` of
  ``factcheck.services.sources``), and its task queues them with ``publish_each`` once the service
  has committed; the sweeps queue theirs with ``requeue_each``.

The one exception is the fan-out of a domain event (``factcheck.domain_events``): its webhook
deliveries and emails are outbox rows written in the event's transaction, wherever the event
happens, and their sending is queued on that commit.

Tasks are looked up by their explicit names in the Celery app's registry, which the factcheck app
fills when Django starts (``FactcheckConfig.ready``), in web processes as in workers.

Publishing is bounded in time: ``CELERY_TASK_PUBLISH_RETRY_POLICY`` and the broker's socket timeouts
(config/settings.py) keep a request from waiting long on a broker that does not answer.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from celery import current_app
from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def publish(
    task_name: str, args: tuple = (), kwargs: dict | None = None, *, countdown: float | None = None
) -> bool:
    """Queue the task named ``task_name`` with ``args``; True if the broker took the message, False
    (logged) if not.  An unknown name raises ``celery.exceptions.NotRegistered``: a typo, not an outage."""
    task = current_app.tasks[task_name]
    try:
        task.apply_async(args, kwargs, countdown=countdown)
    except (OperationalError, OSError) as error:
        logger.warning(
            "broker unavailable, %s%r not queued now (its sweep queues it later): %s", task_name, args, error
        )
        return False
    return True


def publish_each(task_name: str, ids: Iterable[int]) -> list[int]:
    """Queue ``task_name(id)`` for each of ``ids`` now (a task queueing its service's follow-up work);
    returns the ids."""
    ids = list(ids)
    for pk in ids:
        publish(task_name, (pk,))
    return ids


def requeue_each(task_name: str, ids: Iterable[int], what: str) -> int:
    """Queue ``task_name(id)`` again for each of ``ids``, the finds of a sweep, and log how many
    ``what`` (say "article analyses") were queued; returns that number (the sweep task's result)."""
    queued = publish_each(task_name, ids)
    if queued:
        logger.info("requeued %d %s", len(queued), what)
    return len(queued)


def publish_on_commit(task_name: str, ids: Iterable[int]) -> None:
    """Queue ``task_name(id)`` for each of ``ids`` once the current transaction commits (never raising
    for the broker: the stored rows are the truth, and their sweep queues what could not be sent)."""
    ids = list(ids)
    if ids:
        current_app.tasks[task_name]  # an unknown name fails the request's code now, not after commit
        transaction.on_commit(lambda: publish_each(task_name, ids))
