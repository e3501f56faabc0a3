"""Daily digests: at each newsroom's time, one email per person listing what waited for it."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.db import transaction

from factcheck.notifications.emails import Item
from factcheck.notifications.models import Delivery, DigestSchedule, Notification, OutboxEmail
from factcheck.notifications.services.outbox import email_create, given_or_now


def digest_period(
    schedule: DigestSchedule, now: datetime.datetime
) -> tuple[datetime.date, datetime.datetime]:
    """The newsroom's latest digest moment at or before ``now``, and its local date (the period)."""
    zone = ZoneInfo(schedule.time_zone)
    local = now.astimezone(zone)
    day = local.date()
    moment = datetime.datetime.combine(day, schedule.send_at, tzinfo=zone)
    if moment > now:
        day -= datetime.timedelta(days=1)
        moment = datetime.datetime.combine(day, schedule.send_at, tzinfo=zone)
    return day, moment


def digests_send_due(*, now: datetime.datetime | None = None) -> list[int]:
    """Make the digests that are due, one email per person and newsroom and period.  Run every few
    minutes by Celery beat.

    A digest lists what waited for it from before the newsroom's latest send moment; an event after
    that moment waits for the next one.  The email's key names the period, so a second run in the
    same period makes nothing.  Returns the ids of the emails made (queued after commit).
    """
    now = given_or_now(now)
    waiting = Notification.objects.filter(delivery=Delivery.DIGEST, email__isnull=True)
    pairs = sorted(set(waiting.values_list("newsroom_id", "user_id")))
    schedules = {
        s.newsroom_id: s for s in DigestSchedule.objects.filter(newsroom_id__in={n for n, _ in pairs})
    }
    made = []
    for newsroom_id, user_id in pairs:
        # A newsroom without a schedule has the model's defaults (08:00, TIME_ZONE).
        schedule = schedules.get(newsroom_id) or DigestSchedule(newsroom_id=newsroom_id)
        day, moment = digest_period(schedule, now)
        key = f"digest:newsroom{newsroom_id}:user{user_id}:{day.isoformat()}"
        with transaction.atomic():
            if OutboxEmail.objects.filter(dedup_key=key).exists():
                continue
            items = list(
                waiting.select_for_update(of=("self",))
                .filter(newsroom_id=newsroom_id, user_id=user_id, created_at__lt=moment)
                .select_related("user", "newsroom")
                .order_by("created_at", "id")
            )
            if not items:
                continue
            user, newsroom = items[0].user, items[0].newsroom
            if not user.is_active or not user.email:
                continue
            email = email_create(
                user=user,
                newsroom=newsroom,
                items=[Item(n.event, n.payload) for n in items],
                dedup_key=key,
                digest=True,
            )
            Notification.objects.filter(pk__in=[n.pk for n in items]).update(email=email)
        made.append(email.pk)
    return made
