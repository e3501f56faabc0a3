"""Who wants what: each person's settings, unsubscribing from a link, and newsrooms' digest times."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Mapping

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from editorial.models import Membership, Newsroom
from factcheck.notifications.models import (
    DIGEST_KIND,
    Delivery,
    DigestSchedule,
    Event,
    NotificationPreferences,
    validate_time_zone,
)

logger = logging.getLogger(__name__)


def notification_preferences_ensure(*, user, newsroom: Newsroom) -> NotificationPreferences:
    """The person's settings in the newsroom, made with the defaults if they have none yet."""
    preferences, _ = NotificationPreferences.objects.get_or_create(user=user, newsroom=newsroom)
    return preferences


def notification_preferences_save(
    *, user, newsroom: Newsroom, deliveries: Mapping[str, str]
) -> NotificationPreferences:
    """Set how ``user`` hears about each event in ``newsroom`` (events left out keep their setting)."""
    problems = {
        event: f"Choose one of {', '.join(Delivery.values)}."
        for event, value in deliveries.items()
        if event not in Event.values or value not in Delivery.values
    }
    if problems:
        raise ValidationError(problems)
    if not Membership.objects.filter(user=user, newsroom=newsroom).exists():
        raise ValidationError({"user": f"{user} is not a member of {newsroom}."})
    preferences, _ = NotificationPreferences.objects.update_or_create(
        user=user, newsroom=newsroom, defaults=dict(deliveries)
    )
    return preferences


def notification_unsubscribe(*, user_id: int, newsroom_id: int, event: str) -> NotificationPreferences | None:
    """Stop one kind of email (``digest``: every event that goes to the digest), from an unsubscribe
    link: the link's signature is the authority, no login.  None when the person or newsroom is gone."""
    user = get_user_model().objects.filter(pk=user_id).first()
    newsroom = Newsroom.objects.filter(pk=newsroom_id).first()
    if user is None or newsroom is None:
        return None
    with transaction.atomic():
        preferences, _ = NotificationPreferences.objects.select_for_update().get_or_create(
            user=user, newsroom=newsroom
        )
        if event == DIGEST_KIND:
            changed = [name for name in Event.values if preferences.delivery(name) == Delivery.DIGEST]
        else:
            changed = [event]
        for name in changed:
            setattr(preferences, name, Delivery.NEVER)
        preferences.save(update_fields=[*changed, "updated_at"])
    logger.info("user %s unsubscribed from %s in newsroom %s", user_id, event, newsroom_id)
    return preferences


def digest_schedule_save(*, newsroom: Newsroom, send_at: datetime.time, time_zone: str) -> DigestSchedule:
    validate_time_zone(time_zone)
    schedule, _ = DigestSchedule.objects.update_or_create(
        newsroom=newsroom, defaults={"send_at": send_at, "time_zone": time_zone}
    )
    return schedule
