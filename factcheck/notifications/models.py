"""Notifications: what each person wants to hear about, what happened to them, and the email outbox.

- ``NotificationPreferences``: per person and newsroom, for each event, immediately, in the daily
  digest, or never.  No row means the defaults (``DEFAULT_DELIVERY``).
- ``DigestSchedule``: when a newsroom's daily digest goes out, in its own time zone.
- ``Notification``: one event for one person, with what the email says about it (its payload).
  Unique per event and person (``dedup_key``): a redelivered task or a re-run adds nothing.
- ``OutboxEmail``: one email, rendered, with its delivery state (pending → sending → sent | failed).
"""

from __future__ import annotations

import datetime
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from editorial.models import Article, Newsroom
from factcheck.models import Claim


class Event(models.TextChoices):
    CLAIMS_FLAGGED = "claims_flagged", "Flagged claims on my desks"
    CLAIM_ASSIGNED = "claim_assigned", "A claim is assigned to me"
    ATTRIBUTION_REQUESTED = "attribution_requested", "A claim of my article needs attribution"
    VERDICT_GIVEN = "verdict_given", "A verdict on a claim of my article"
    DEADLINE_ESCALATED = "deadline_escalated", "An article on my desks is blocked close to its deadline"


class Delivery(models.TextChoices):
    IMMEDIATELY = "immediately", "Immediately"
    DIGEST = "digest", "In the daily digest"
    NEVER = "never", "Never"


#: What a person gets before they choose: everything at once, except verdicts on their claims.
DEFAULT_DELIVERY: dict[str, str] = {
    Event.CLAIMS_FLAGGED: Delivery.IMMEDIATELY,
    Event.CLAIM_ASSIGNED: Delivery.IMMEDIATELY,
    Event.ATTRIBUTION_REQUESTED: Delivery.IMMEDIATELY,
    Event.VERDICT_GIVEN: Delivery.NEVER,
    Event.DEADLINE_ESCALATED: Delivery.IMMEDIATELY,
}

#: An outbox email's kind: one event, the digest of several, or a notice to a newsroom's admins that
#: is no event of theirs (no setting, no unsubscribe link: it is not theirs to turn off).
DIGEST_KIND = "digest"
WEBHOOK_DISABLED_KIND = "webhook_disabled"
EMAIL_KINDS = [
    *Event.choices,
    (DIGEST_KIND, "Daily digest"),
    (WEBHOOK_DISABLED_KIND, "Webhook endpoint disabled"),
]


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"Unknown time zone {value!r}; use a name such as Europe/Paris or UTC.")


def default_time_zone() -> str:
    return settings.TIME_ZONE


def _delivery_field(event: Event, help_text: str) -> models.CharField:
    return models.CharField(
        event.label,
        max_length=20,
        choices=Delivery.choices,
        default=DEFAULT_DELIVERY[event],
        help_text=help_text,
    )


class NotificationPreferences(models.Model):
    """How one person hears about each event in one newsroom.  The field names are the events."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name="person",
    )
    newsroom = models.ForeignKey(
        Newsroom, on_delete=models.CASCADE, related_name="notification_preferences", verbose_name="newsroom"
    )
    claims_flagged = _delivery_field(
        Event.CLAIMS_FLAGGED,
        "One email per article and analysis, listing the sentences newly found with a vague or uncredited "
        "attribution; to the editors of the article's desk (an article without a desk: every editor).",
    )
    claim_assigned = _delivery_field(
        Event.CLAIM_ASSIGNED, "When an editor gives you a claim (not when you take one yourself)."
    )
    attribution_requested = _delivery_field(
        Event.ATTRIBUTION_REQUESTED,
        "When a claim of an article you report is sent back for attribution, with the editor's note.",
    )
    verdict_given = _delivery_field(
        Event.VERDICT_GIVEN,
        "When a claim of an article you report is verified, misleading, false or unverifiable.",
    )
    deadline_escalated = _delivery_field(
        Event.DEADLINE_ESCALATED,
        "One email per article and deadline, when an article on your desks still has blocking claims "
        "FACTDESK_DEADLINE_ESCALATION_MINUTES before its publication deadline; to the editors of its "
        "desk (an article without a desk: every editor).",
    )
    updated_at = models.DateTimeField("updated", auto_now=True)

    class Meta:
        verbose_name = "notification settings"
        verbose_name_plural = "notification settings"
        ordering = ["newsroom__name", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "newsroom"], name="notification_prefs_one_per_newsroom"),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{event}__in": Delivery.values}), name=f"notification_prefs_{event}_valid"
                )
                for event in Event.values
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.newsroom}"

    def delivery(self, event: str) -> str:
        return getattr(self, event)


class DigestSchedule(models.Model):
    """When a newsroom's daily digest is sent.  A newsroom without one sends it at 08:00 (TIME_ZONE)."""

    newsroom = models.OneToOneField(
        Newsroom, on_delete=models.CASCADE, related_name="digest_schedule", verbose_name="newsroom"
    )
    send_at = models.TimeField(
        "send at",
        default=datetime.time(8, 0),
        help_text=(
            "Local time of day, checked every few minutes. Each digest lists what happened since the "
            "previous one; an event after today's send time waits for tomorrow's."
        ),
    )
    time_zone = models.CharField(
        "time zone",
        max_length=64,
        default=default_time_zone,
        validators=[validate_time_zone],
        help_text="The newsroom's time zone, e.g. Europe/Paris: the digest follows its daylight saving time.",
    )
    updated_at = models.DateTimeField("updated", auto_now=True)

    class Meta:
        verbose_name = "digest time"
        verbose_name_plural = "digest times"

    def __str__(self) -> str:
        return f"{self.newsroom}: {self.send_at:%H:%M} {self.time_zone}"


class OutboxState(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class OutboxEmail(models.Model):
    """One email as it will go out, and how its delivery went.

    Created in the transaction of the event it is about; sent after commit by a worker, outside any
    transaction.  A worker claims it (pending → sending) with a conditional update, so that of two
    workers holding the same task only one sends; a transient error puts it back to pending for a
    later attempt; after the last attempt, or a permanent refusal, it is failed with the reason.
    """

    newsroom = models.ForeignKey(
        Newsroom, on_delete=models.CASCADE, related_name="+", verbose_name="newsroom"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="recipient",
    )
    to = models.CharField("to", max_length=254, help_text="The recipient's address when the email was made.")
    kind = models.CharField("kind", max_length=30, choices=EMAIL_KINDS)
    subject = models.CharField("subject", max_length=300)
    body_text = models.TextField("plain text")
    body_html = models.TextField("HTML")
    headers = models.JSONField(
        "headers", default=dict, help_text="Message-ID (the same on every attempt), List-Unsubscribe…"
    )
    dedup_key = models.CharField(
        "key",
        max_length=200,
        unique=True,
        editable=False,
        help_text="What this email is about; a second email about the same thing is never made.",
    )
    state = models.CharField("state", max_length=10, choices=OutboxState.choices, default=OutboxState.PENDING)
    attempts = models.PositiveIntegerField("attempts", default=0)
    last_error = models.TextField("last error", blank=True)
    next_attempt_at = models.DateTimeField(
        "next attempt", help_text="A pending email is not sent before this time (backoff after an error)."
    )
    lease_expires_at = models.DateTimeField(
        "lease expires",
        null=True,
        blank=True,
        help_text="A worker still sending after this time is presumed lost, and the email is sent again.",
    )
    created_at = models.DateTimeField("created", auto_now_add=True)
    sent_at = models.DateTimeField("sent", null=True, blank=True)

    class Meta:
        verbose_name = "email"
        verbose_name_plural = "outbox"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=OutboxState.values), name="outbox_state_valid"),
            models.CheckConstraint(
                condition=~Q(state=OutboxState.FAILED) | ~Q(last_error=""), name="outbox_failure_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(state=OutboxState.SENT) | Q(sent_at__isnull=False), name="outbox_sent_has_time"
            ),
            models.CheckConstraint(
                condition=~Q(state=OutboxState.SENDING) | Q(lease_expires_at__isnull=False),
                name="outbox_sending_has_lease",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"], condition=Q(state=OutboxState.PENDING), name="outbox_pending_due"
            ),
            models.Index(
                fields=["lease_expires_at"],
                condition=Q(state=OutboxState.SENDING),
                name="outbox_sending_lease",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to}"


class Notification(models.Model):
    """One event for one person: what the email (or the digest) says about it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="recipient"
    )
    newsroom = models.ForeignKey(Newsroom, on_delete=models.CASCADE, related_name="+")
    event = models.CharField("event", max_length=30, choices=Event.choices)
    delivery = models.CharField(
        "delivery",
        max_length=20,
        choices=[c for c in Delivery.choices if c[0] != Delivery.NEVER],
        help_text="As the person's settings said when it happened.",
    )
    article = models.ForeignKey(Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    claim = models.ForeignKey(Claim, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    payload = models.JSONField("what happened", help_text="What the email says, as it was at the time.")
    dedup_key = models.CharField("key", max_length=200, unique=True, editable=False)
    email = models.ForeignKey(
        OutboxEmail,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
        verbose_name="email",
        help_text="The email that carries it; empty while it waits for the digest.",
    )
    created_at = models.DateTimeField("when", auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(event__in=Event.values), name="notification_event_valid"),
            models.CheckConstraint(
                condition=Q(delivery__in=[Delivery.IMMEDIATELY, Delivery.DIGEST]),
                name="notification_delivery_valid",
            ),
        ]
        indexes = [
            # The digest's work list: what waits, per newsroom and person.
            models.Index(
                fields=["newsroom", "user", "created_at"],
                condition=Q(delivery=Delivery.DIGEST, email__isnull=True),
                name="notification_digest_waiting",
            ),
            models.Index(fields=["article", "event", "user"], name="notification_article_event"),
        ]

    def __str__(self) -> str:
        return f"{self.get_event_display()} for {self.user}"
