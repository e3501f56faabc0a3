"""The one email webhooks send: to a newsroom's admins, when one of its endpoints is disabled.

Rendered here and sent through the notifications outbox (``factcheck.notifications``, kind
``webhook_disabled``).  Plain text with an HTML alternative, from templates; the endpoint's address
and description, the newsroom's name and the receiver's error are untrusted and escaped in the HTML.
Links are absolute, built from ``SITE_URL``.  No List-Unsubscribe: an endpoint that stopped getting
events is the newsroom's business, and no admin setting turns the notice off.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.urls import reverse

from editorial.models import Role
from factcheck.notifications.emails import Rendered, absolute
from factcheck.webhooks.models import WebhookEndpoint


def newsroom_admins(newsroom_id: int) -> list:
    """The newsroom's admins who can be written to, one per address (the first registered)."""
    people = (
        get_user_model()
        .objects.filter(is_active=True, memberships__newsroom_id=newsroom_id, memberships__role=Role.ADMIN)
        .exclude(email="")
        .order_by("pk")
    )
    by_address: dict[str, object] = {}
    for person in people:
        by_address.setdefault(person.email, person)
    return list(by_address.values())


def endpoint_disabled(*, endpoint: WebhookEndpoint) -> Rendered:
    """The email that tells the newsroom's admins that an endpoint was disabled: the same for each
    of them (the outbox gives each email its Message-ID)."""
    host = urlsplit(endpoint.url).hostname or endpoint.url
    context = {
        "endpoint": endpoint,
        "newsroom": endpoint.newsroom.name,
        "host": host,
        "admin_url": absolute(reverse("admin:webhooks_webhookendpoint_change", args=[endpoint.pk])),
        "enable_path": reverse("webhook-enable", kwargs={"webhook_id": endpoint.pk}),
        "site_url": settings.SITE_URL,
    }
    return Rendered(
        subject=" ".join(f"Webhook endpoint disabled: {host} ({endpoint.newsroom.name})".split())[:200],
        text=render_to_string("webhooks/email/endpoint_disabled.txt", context),
        html=render_to_string("webhooks/email/endpoint_disabled.html", context),
        headers={"Auto-Submitted": "auto-generated"},  # RFC 3834: no vacation replies
    )
