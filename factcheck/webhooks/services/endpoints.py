"""Registering, removing, disabling and re-enabling a newsroom's webhook endpoints."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from editorial.models import Newsroom
from factcheck.destinations import checked_url
from factcheck.notifications.models import WEBHOOK_DISABLED_KIND, OutboxEmail
from factcheck.notifications.services.outbox import email_queue
from factcheck.webhooks import emails
from factcheck.webhooks.models import (
    SUBSCRIBABLE,
    DeliveryState,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from factcheck.webhooks.services.events import webhook_emit
from factcheck.webhooks.signing import new_secret

logger = logging.getLogger(__name__)

#: Why a delivery pending when its endpoint was disabled is not sent.
DISABLED_ERROR = "Not sent: the endpoint was disabled after too many failed deliveries."


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
    """Stop sending to ``endpoint`` (locked by the caller): its pending deliveries fail, and an email
    to each of the newsroom's admins goes in the outbox, in the same transaction (sent after commit).
    An endpoint that is disabled already is left as it is."""
    if not endpoint.active:
        return endpoint
    now = now or timezone.now()
    with transaction.atomic():
        endpoint.active, endpoint.disabled_at = False, now
        endpoint.disabled_reason, endpoint.disabled_notice_sent_at = reason[:2000], None
        endpoint.save(update_fields=["active", "disabled_at", "disabled_reason", "disabled_notice_sent_at"])
        WebhookDelivery.objects.filter(endpoint=endpoint, state=DeliveryState.PENDING).update(
            state=DeliveryState.FAILED, last_error=DISABLED_ERROR
        )
        endpoint_disabled_notify(endpoint=endpoint, now=now)
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


def endpoint_disabled_notify(
    *, endpoint: WebhookEndpoint, now: datetime.datetime | None = None
) -> list[OutboxEmail]:
    """Put in the outbox one email to each of the newsroom's admins, saying that ``endpoint`` (locked,
    just disabled) was.  Called in the transaction that disabled it, so the emails exist if and only
    if the disabling does; the outbox sends them after commit, retries and recovers them, and shows
    them in its admin.

    Once per disabling: ``disabled_notice_sent_at`` records when the emails were made, so a second
    call makes nothing, and their keys name the disabling (unique: the last line of defence).  A
    disabling after a re-enable makes new ones.  A newsroom without an admin to write to gets none:
    a warning is logged, and ``disabled_notice_sent_at`` stays empty.
    """
    if endpoint.active or endpoint.disabled_notice_sent_at is not None:
        return []
    admins = emails.newsroom_admins(endpoint.newsroom_id)
    if not admins:
        logger.warning("webhook endpoint %s disabled: its newsroom has no admin to email", endpoint.pk)
        return []
    disabling = f"webhook_disabled:endpoint{endpoint.pk}:{endpoint.disabled_at.isoformat()}"
    rendered = emails.endpoint_disabled(endpoint=endpoint)  # the same for every admin
    made = [
        email_queue(
            user=admin,
            newsroom=endpoint.newsroom,
            email_kind=WEBHOOK_DISABLED_KIND,
            rendered=rendered,
            dedup_key=f"{disabling}:user{admin.pk}",
        )
        for admin in admins
    ]
    endpoint.disabled_notice_sent_at = now or timezone.now()
    endpoint.save(update_fields=["disabled_notice_sent_at"])
    return made
