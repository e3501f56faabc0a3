"""Celery tasks of webhooks.  Each takes ids (or nothing), calls one service, and can run twice.

``deliver`` is queued after the commit of the event it carries, on the ``fetch`` queue (it waits on
the network); ``sweep_deliveries`` runs on Celery beat (``CELERY_BEAT_SCHEDULE``).  The email about a
disabled endpoint is no task of this app: it goes through the notifications outbox.
"""

from __future__ import annotations

from celery import shared_task

from factcheck.outbox_rows import next_attempt
from factcheck.queue import requeue_each
from factcheck.webhooks.services.delivery import TASK_TIME_LIMIT, deliveries_sweep, delivery_send


@shared_task(
    name="webhooks.deliver", acks_late=True, soft_time_limit=TASK_TIME_LIMIT - 30, time_limit=TASK_TIME_LIMIT
)
def deliver(delivery_id: int) -> str:
    """Send one delivery, at most once per attempt; after a failure, queue the next attempt
    (``factcheck.outbox_rows.next_attempt``)."""
    return next_attempt(deliver.name, delivery_id, delivery_send(delivery_id=delivery_id))


@shared_task(name="webhooks.sweep_deliveries", acks_late=True, soft_time_limit=60, time_limit=90)
def sweep_deliveries() -> int:
    """Queue again the deliveries whose worker was lost or whose task never ran."""
    return requeue_each(deliver.name, deliveries_sweep(), "webhook deliveries")
