"""Registering, removing, disabling and re-enabling a newsroom's webhook endpoints."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.mail.handler import DEFAULT_MAILER_ALIAS
from django.db import transaction
from django.utils import timezone

from editorial.models import Newsroom
from factcheck.destinations import checked_url
from factcheck.webhooks import emails
from factcheck.webhooks.models import (
    SUBSCRIBABLE,
    DeliveryState,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from factcheck.webhooks.services.delivery import DISABLED_ERROR
from factcheck.webhooks.services.events import webhook_emit
from factcheck.webhooks.signing import new_secret

logger = logging.getLogger(__name__)


def checked_events(events) -> list[str]:
    """The events asked for, known and each once, in the order of ``WebhookEvent``."""
    names = [value for value, _ in SUBSCRIBABLE]
    if not isinstance(events, list | tuple) or not events:
        raise ValidationError({"events": f"Choose at least one event: {', '.join(names)}."})
    unknown = sorted({str(event) for event in events} - set(names))
    if unknown:
        raise ValidationError(
            {"events": f"Unknown event(s): {', '.join(unknown)}; events are {', '.join(names)}."}
        )
    return [name for name in names if name in events]


@dataclass(frozen=True)
class Registered:
    """A new endpoint and its signing secret, which is shown this once."""

    endpoint: WebhookEndpoint
    secret: str


def endpoint_create(
    *, newsroom: Newsroom, url: str, events: list[str], description: str = "", actor_name: str = ""
) -> Registered:
    """Register an endpoint for ``newsroom``'s events; its secret is generated here.

    The address is refused (``ValidationError``) when it is not http(s), or points at a private,
    loopback or otherwise reserved address (unless listed in FACTDESK_FETCH_ALLOW_NETWORKS).
    """
    url = checked_url(url)
    chosen = checked_events(events)
    secret = new_secret()
    endpoint = WebhookEndpoint.objects.create(
        newsroom=newsroom,
        url=url,
        events=chosen,
        description=(description or "").strip()[:200],
        secret=secret,
        created_by_name=actor_name[:200],
    )
    logger.info("webhook endpoint %s registered for %s by %s", endpoint.pk, newsroom.slug, actor_name)
    return Registered(endpoint=endpoint, secret=secret)


def endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    """Remove an endpoint with its deliveries and their log; queued tasks then find nothing to send."""
    with transaction.atomic():
        WebhookEndpoint.objects.filter(pk=endpoint.pk).delete()


def endpoint_disable(
    *, endpoint: WebhookEndpoint, reason: str, now: datetime.datetime | None = None
) -> WebhookEndpoint:
    """Stop sending to ``endpoint`` (locked by the caller): its pending deliveries fail, and the
    newsroom's admins are emailed once, after commit."""
    now = now or timezone.now()
    endpoint.active, endpoint.disabled_at = False, now
    endpoint.disabled_reason, endpoint.disabled_notice_sent_at = reason[:2000], None
    endpoint.save(update_fields=["active", "disabled_at", "disabled_reason", "disabled_notice_sent_at"])
    WebhookDelivery.objects.filter(endpoint=endpoint, state=DeliveryState.PENDING).update(
        state=DeliveryState.FAILED, last_error=DISABLED_ERROR
    )
    from factcheck.webhooks.tasks import notify_disabled  # the task module imports the services

    endpoint_id = endpoint.pk
    transaction.on_commit(lambda: notify_disabled.delay(endpoint_id))
    logger.warning("webhook endpoint %s disabled: %s", endpoint.pk, reason)
    return endpoint


def endpoint_enable(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Send to a disabled endpoint again, with a clean slate (an active one is left as it is).

    Events from while it was disabled are not sent: a receiver catches up over the API
    (``updated_since``)."""
    with transaction.atomic():
        locked = WebhookEndpoint.objects.select_for_update(no_key=True).get(pk=endpoint.pk)
        if not locked.active:
            locked.active, locked.disabled_at, locked.disabled_reason = True, None, ""
            locked.consecutive_failures, locked.disabled_notice_sent_at = 0, None
            locked.save(
                update_fields=[
                    "active",
                    "disabled_at",
                    "disabled_reason",
                    "consecutive_failures",
                    "disabled_notice_sent_at",
                ]
            )
    return locked


def endpoint_ping(*, endpoint: WebhookEndpoint, actor_name: str = "") -> WebhookDelivery:
    """Send a test event (``ping``) to an endpoint, whatever events it chose.  Refused when disabled."""
    if not endpoint.active:
        raise ValidationError("The endpoint is disabled: re-enable it first.")
    with transaction.atomic():
        (delivery,) = webhook_emit(
            newsroom_id=endpoint.newsroom_id,
            event=WebhookEvent.PING,
            data=[{"endpoint_id": endpoint.pk, "requested_by": actor_name}],
            endpoints=[endpoint],
        )
    return delivery


def endpoint_disabled_notify(*, endpoint_id: int) -> int:
    """Email the newsroom's admins that the endpoint was disabled: one email per disabling.

    The endpoint is claimed first (``disabled_notice_sent_at``, a conditional UPDATE), so of two
    workers holding the task only one sends, and a redelivered task sends nothing.  If sending
    fails the claim is undone and the error raised, for the task to try again.  Returns the number
    of admins written to.
    """
    claimed = WebhookEndpoint.objects.filter(
        pk=endpoint_id, active=False, disabled_notice_sent_at__isnull=True
    ).update(disabled_notice_sent_at=timezone.now())
    if not claimed:
        return 0
    endpoint = WebhookEndpoint.objects.select_related("newsroom").get(pk=endpoint_id)
    message = emails.endpoint_disabled(endpoint=endpoint)
    if message is None:
        logger.warning("webhook endpoint %s disabled: its newsroom has no admin to email", endpoint_id)
        return 0
    try:
        message.send(using=DEFAULT_MAILER_ALIAS)
    except Exception:
        WebhookEndpoint.objects.filter(pk=endpoint_id).update(disabled_notice_sent_at=None)
        raise
    return len(message.to)
