"""Webhooks: where a newsroom wants its events, each event on its way to each endpoint, each attempt.

- ``WebhookEndpoint``: a newsroom's receiver, the events it chose, its signing secret, and whether
  Factdesk still sends to it (disabled after a run of failed deliveries).
- ``WebhookDelivery``: one event for one endpoint (the outbox row), made in the transaction of the
  event: pending → sending → delivered | failed.
- ``WebhookAttempt``: one POST of a delivery, with what the receiver answered (append-only log).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from editorial.models import Newsroom


class WebhookEvent(models.TextChoices):
    ARTICLE_ANALYZED = "article.analyzed", "An article was analysed"
    CLAIM_FLAGGED = "claim.flagged", "A claim was flagged (a new claim, or one newly flagged)"
    CLAIM_STATUS_CHANGED = "claim.status_changed", "A claim's review state changed"
    SOURCE_FETCHED = "source.fetched", "A source was fetched, or failed for good"
    ARTICLE_DEADLINE_ESCALATED = (
        "article.deadline_escalated",
        "An article is still blocked close to its publication deadline",
    )
    PING = "ping", "A test event (sent when asked)"


#: The events an endpoint can subscribe to (a ping goes to the endpoint it is asked for).
SUBSCRIBABLE = [choice for choice in WebhookEvent.choices if choice[0] != WebhookEvent.PING]


class WebhookEndpoint(models.Model):
    newsroom = models.ForeignKey(
        Newsroom, on_delete=models.CASCADE, related_name="webhook_endpoints", verbose_name="newsroom"
    )
    url = models.CharField(
        "URL",
        max_length=2000,
        help_text=(
            "Where Factdesk POSTs the events, as JSON. It must be a public http(s) address (private, "
            "loopback and link-local addresses are refused, as for sources); redirects are not followed."
        ),
    )
    description = models.CharField(
        "description", max_length=200, blank=True, help_text="What receives the events, for people."
    )
    events = models.JSONField(
        "events",
        default=list,
        help_text="The events sent to this endpoint: " + ", ".join(value for value, _ in SUBSCRIBABLE) + ".",
    )
    secret = models.CharField(
        "signing secret",
        max_length=100,
        editable=False,
        help_text="Signs every delivery (HMAC-SHA256). Shown once, when the endpoint is registered.",
    )
    active = models.BooleanField(
        "active",
        default=True,
        help_text="Factdesk sends events only to active endpoints; a disabled one is re-enabled by hand.",
    )
    disabled_at = models.DateTimeField("disabled", null=True, blank=True)
    disabled_reason = models.TextField("why disabled", blank=True)
    consecutive_failures = models.PositiveIntegerField(
        "failed deliveries in a row",
        default=0,
        help_text=(
            "Deliveries that failed for good since the last one that went through. At "
            "FACTDESK_WEBHOOK_DISABLE_AFTER the endpoint is disabled and the newsroom's admins are emailed."
        ),
    )
    disabled_notice_sent_at = models.DateTimeField(
        "admins' email queued",
        null=True,
        blank=True,
        editable=False,
        help_text=(
            "When the emails to the newsroom's admins about this disabling were put in the outbox, in the "
            "transaction that disabled it (empty: the newsroom had no admin to write to). Whether they went "
            "out: Notifications → Outbox, kind “Webhook endpoint disabled”."
        ),
    )
    created_by_name = models.CharField(
        "registered by", max_length=200, blank=True, help_text="Who registered it, as they were named then."
    )
    created_at = models.DateTimeField("registered", auto_now_add=True)

    class Meta:
        verbose_name = "webhook endpoint"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(active=True, disabled_at__isnull=True)
                | Q(active=False, disabled_at__isnull=False),
                name="webhook_endpoint_disabled_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.description or self.url


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


class WebhookDelivery(models.Model):
    """One event on its way to one endpoint.

    Made in the transaction of the event, and sent after commit by a worker, outside any
    transaction.  A worker claims it (pending → sending) with a conditional update, so of two workers
    holding the same task only one sends, and a delivered event is never sent again by a retry.
    """

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries", verbose_name="endpoint"
    )
    event = models.CharField("event", max_length=40, choices=WebhookEvent.choices)
    event_id = models.UUIDField(
        "event id",
        help_text="The event's id, sent as Factdesk-Delivery: the same on every attempt, for receivers to "
        "drop what they have seen.",
    )
    payload = models.JSONField("body", help_text="What is sent, as it was when the event happened.")
    state = models.CharField(
        "state", max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveIntegerField("attempts", default=0)
    next_attempt_at = models.DateTimeField(
        "next attempt", help_text="A pending delivery is not sent before this time (backoff after a failure)."
    )
    lease_until = models.DateTimeField(
        "lease expires",
        null=True,
        blank=True,
        help_text="A worker still sending after this time is presumed lost; the delivery is tried again.",
    )
    last_error = models.TextField("last error", blank=True)
    created_at = models.DateTimeField("created", auto_now_add=True)
    delivered_at = models.DateTimeField("delivered", null=True, blank=True)

    class Meta:
        verbose_name = "webhook delivery"
        verbose_name_plural = "webhook deliveries"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event_id"], name="webhook_delivery_once_per_event"),
            models.CheckConstraint(
                condition=Q(state__in=DeliveryState.values), name="webhook_delivery_state_valid"
            ),
            models.CheckConstraint(
                condition=~Q(state=DeliveryState.FAILED) | ~Q(last_error=""),
                name="webhook_delivery_failure_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(state=DeliveryState.DELIVERED) | Q(delivered_at__isnull=False),
                name="webhook_delivery_delivered_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(state=DeliveryState.SENDING) | Q(lease_until__isnull=False),
                name="webhook_delivery_sending_has_lease",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(state=DeliveryState.PENDING),
                name="webhook_delivery_pending_due",
            ),
            models.Index(
                fields=["lease_until"],
                condition=Q(state=DeliveryState.SENDING),
                name="webhook_delivery_sending",
            ),
            models.Index(fields=["endpoint", "-id"], name="webhook_delivery_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.event_id}"


class AttemptOutcome(models.TextChoices):
    SENDING = "sending", "Sending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"
    INTERRUPTED = "interrupted", "Interrupted (the worker was lost)"


class WebhookAttempt(models.Model):
    """One POST of a delivery and what came of it.  Written by the workers only; never edited by hand."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log", verbose_name="delivery"
    )
    number = models.PositiveIntegerField("attempt")
    started_at = models.DateTimeField("started")
    duration_ms = models.PositiveIntegerField("duration (ms)", null=True, blank=True)
    outcome = models.CharField(
        "outcome", max_length=12, choices=AttemptOutcome.choices, default=AttemptOutcome.SENDING
    )
    http_status = models.PositiveSmallIntegerField("HTTP status", null=True, blank=True)
    response_excerpt = models.TextField(
        "response", blank=True, help_text="The start of what the endpoint answered (as text; untrusted)."
    )
    error = models.TextField("error", blank=True)

    class Meta:
        verbose_name = "webhook attempt"
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="webhook_attempt_number_unique"),
            models.CheckConstraint(
                condition=Q(outcome__in=AttemptOutcome.values), name="webhook_attempt_outcome_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.delivery}"
