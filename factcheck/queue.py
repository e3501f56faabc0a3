"""Handing stored work to the broker: a nudge that may fail, never the record of the work.

Every kind of work is recorded in the database before it is queued: an article's analysis by its
status and ``analysis_due_at``, a source's fetch by its status and lease, an email or a webhook
delivery by its outbox row.  A beat sweep finds the work whose message never arrived or whose worker
died, and queues it again.  So a message the broker refuses (Redis down, unreachable, restarting) is
logged and dropped here: the request that stored the work still succeeds, and the sweep queues it
once the broker is back.

Publishing is bounded in time: ``CELERY_TASK_PUBLISH_RETRY_POLICY`` and the broker's socket timeouts
(config/settings.py) keep a request from waiting long on a broker that does not answer.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def publish(task, args: tuple = (), kwargs: dict | None = None, *, countdown: float | None = None) -> bool:
    """Queue ``task`` with ``args``; True if the broker took the message, False (logged) if not."""
    try:
        task.apply_async(args, kwargs, countdown=countdown)
    except (OperationalError, OSError) as error:
        logger.warning(
            "broker unavailable, %s%r not queued now (its sweep queues it later): %s", task.name, args, error
        )
        return False
    return True


def publish_each_on_commit(task, ids: Iterable[int]) -> None:
    """Queue ``task(id)`` for each of ``ids`` once the current transaction commits (never raising for
    the broker: the stored rows are the truth, and their sweep queues what could not be sent)."""
    ids = list(ids)
    if ids:
        transaction.on_commit(lambda: [publish(task, (pk,)) for pk in ids])
