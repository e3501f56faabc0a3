"""Celery tasks of webhooks.  Each takes ids (or nothing), calls one service, and can run twice.

``deliver`` is queued after the commit of the event it carries, on the ``fetch`` queue (it waits on
the network); ``sweep_deliveries`` runs on Celery beat (``CELERY_BEAT_SCHEDULE``);
``notify_disabled`` is queued after the commit that disabled an endpoint.
"""

from __future__ import annotations

from celery import shared_task

from factcheck.webhooks import services
from factcheck.webhooks.services.delivery import TASK_TIME_LIMIT


@shared_task(
    name="webhooks.deliver", acks_late=True, soft_time_limit=TASK_TIME_LIMIT - 30, time_limit=TASK_TIME_LIMIT
)
def deliver(delivery_id: int) -> str:
    """Send one delivery, at most once per attempt; after a failure, queue the next attempt.

    The retry is a new message with a countdown rather than Celery's ``retry()``: the delivery's row
    counts the attempts (they survive a lost message or a restarted worker), and a retry that
    arrives early, or twice, finds the delivery not due or not pending and does nothing.
    """
    sent = services.delivery_send(delivery_id=delivery_id)
    if sent.retry_in is not None:
        deliver.apply_async((delivery_id,), countdown=sent.retry_in)
    return sent.outcome


@shared_task(name="webhooks.sweep_deliveries", acks_late=True, soft_time_limit=60, time_limit=90)
def sweep_deliveries() -> int:
    """Queue again the deliveries whose worker was lost or whose task never ran."""
    return len(services.deliveries_sweep())


@shared_task(
    name="webhooks.notify_disabled",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=30,
    retry_backoff_max=1800,
    max_retries=8,
    soft_time_limit=60,
    time_limit=90,
)
def notify_disabled(endpoint_id: int) -> int:
    """Email the newsroom's admins that an endpoint was disabled (once; a mail server down is retried)."""
    return services.endpoint_disabled_notify(endpoint_id=endpoint_id)
