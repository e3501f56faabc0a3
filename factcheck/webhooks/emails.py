"""The one email webhooks send: to a newsroom's admins, when one of its endpoints is disabled.

Plain text with an HTML alternative, from templates; the endpoint's address and the receiver's
error are untrusted and escaped in the HTML.  Links are absolute, built from ``SITE_URL``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from editorial.models import Role
from factcheck.webhooks.models import WebhookEndpoint


def newsroom_admins(newsroom_id: int) -> list[str]:
    """The addresses of the newsroom's admins who can be written to, each once."""
    people = (
        get_user_model()
        .objects.filter(is_active=True, memberships__newsroom_id=newsroom_id, memberships__role=Role.ADMIN)
        .exclude(email="")
        .order_by("pk")
    )
    return list(dict.fromkeys(people.values_list("email", flat=True)))


def endpoint_disabled(*, endpoint: WebhookEndpoint) -> EmailMultiAlternatives | None:
    """The email that tells the newsroom's admins an endpoint was disabled (None: nobody to tell)."""
    recipients = newsroom_admins(endpoint.newsroom_id)
    if not recipients:
        return None
    host = urlsplit(endpoint.url).hostname or endpoint.url
    context = {
        "endpoint": endpoint,
        "newsroom": endpoint.newsroom.name,
        "host": host,
        "admin_url": settings.SITE_URL + reverse("admin:webhooks_webhookendpoint_change", args=[endpoint.pk]),
        "enable_path": reverse("webhook-enable", kwargs={"webhook_id": endpoint.pk}),
        "site_url": settings.SITE_URL,
    }
    subject = " ".join(f"Webhook endpoint disabled: {host} ({endpoint.newsroom.name})".split())[:200]
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("webhooks/email/endpoint_disabled.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipients,
        headers={"Auto-Submitted": "auto-generated"},  # RFC 3834: no vacation replies
    )
    message.attach_alternative(
        render_to_string("webhooks/email/endpoint_disabled.html", context), "text/html"
    )
    return message
