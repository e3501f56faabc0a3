"""Celery tasks of notifications.  Each takes ids (or nothing), calls one service, and can run twice.

``send_email`` is queued after the commit of the event it is about; ``recover_outbox`` and
``send_digests`` run on Celery beat (``CELERY_BEAT_SCHEDULE`` in config/settings.py).
"""

from __future__ import annotations

from celery import shared_task

from factcheck.notifications.services.digests import digests_send_due
from factcheck.notifications.services.outbox import email_send, outbox_recover
from factcheck.outbox_rows import next_attempt
from factcheck.queue import requeue_each


@shared_task(name="notifications.send_email", acks_late=True, soft_time_limit=60, time_limit=90)
def send_email(email_id: int) -> str:
    """Send one outbox email, at most once; after a transient error, queue the next attempt
    (``factcheck.outbox_rows.next_attempt``)."""
    return next_attempt(send_email.name, email_id, email_send(email_id=email_id))


@shared_task(name="notifications.recover_outbox", acks_late=True, soft_time_limit=60, time_limit=90)
def recover_outbox() -> int:
    """Queue again the emails whose worker was lost or whose task never ran."""
    return requeue_each(send_email.name, outbox_recover(), "emails")


@shared_task(name="notifications.send_digests", acks_late=True, soft_time_limit=120, time_limit=180)
def send_digests() -> int:
    """Make and queue the daily digests that are due."""
    return len(digests_send_due())
