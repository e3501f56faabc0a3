"""Input and output serializers of the webhooks API (their names are schema names)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from factcheck.webhooks.api.payloads import WEBHOOK_PAYLOAD
from factcheck.webhooks.models import (
    SUBSCRIBABLE,
    DeliveryState,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from httpapi.outputs import ModelOutput


class WebhookEndpointOutput(ModelOutput):
    """An endpoint as the API shows it: never its secret."""

    events = serializers.ListField(
        child=serializers.ChoiceField(choices=SUBSCRIBABLE), help_text="The events sent to it."
    )

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id", "url", "description", "events", "active", "disabled_at", "disabled_reason",
            "consecutive_failures", "created_at",
        ]  # fmt: skip
        extra_kwargs = {
            "active": {"help_text": "False once disabled after a run of failed deliveries."},
            "disabled_reason": {"help_text": "Why it was disabled (empty while active)."},
        }


class WebhookEndpointCreatedOutput(WebhookEndpointOutput):
    """A newly registered endpoint, with its signing secret: shown in this answer only, never again."""

    secret = serializers.SerializerMethodField(
        help_text="The signing secret, `whsec_…`: shown this once. Keep it with the receiver, which checks "
        "the `Factdesk-Signature` of every delivery with it."
    )

    class Meta(WebhookEndpointOutput.Meta):
        fields = [*WebhookEndpointOutput.Meta.fields, "secret"]

    def get_secret(self, endpoint) -> str:
        return self.context["secret"]


class WebhookEndpointCreateInput(serializers.Serializer):
    url = serializers.CharField(
        max_length=2000,
        help_text="A public http(s) address; private, loopback and link-local ones are refused, and "
        "redirects are not followed.",
    )
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=SUBSCRIBABLE),
        min_length=1,
        help_text="The events to send to it.",
    )
    description = serializers.CharField(
        max_length=200, required=False, default="", allow_blank=True, help_text="What receives them."
    )


class WebhookAttemptOutput(ModelOutput):
    class Meta:
        model = WebhookAttempt
        fields = [
            "number",
            "started_at",
            "duration_ms",
            "outcome",
            "http_status",
            "response_excerpt",
            "error",
        ]
        extra_kwargs = {
            "response_excerpt": {"help_text": "The start of the endpoint's answer, as text."},
        }


@extend_schema_field(WEBHOOK_PAYLOAD)
class PayloadField(serializers.JSONField):
    """A delivery's body as stored, described per event type (``payloads.WEBHOOK_PAYLOAD``)."""


class WebhookDeliveryOutput(ModelOutput):
    payload = PayloadField(help_text="The body sent: `id` (the event id), `type`, `created_at`, `data`.")
    attempt_log = WebhookAttemptOutput(many=True, read_only=True, help_text="Every attempt, first first.")

    class Meta:
        model = WebhookDelivery
        fields = [
            "id", "event", "event_id", "state", "attempts", "next_attempt_at", "last_error", "created_at",
            "delivered_at", "payload", "attempt_log",
        ]  # fmt: skip


class WebhookDeliveryFilters(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=DeliveryState.choices, required=False, help_text="Only deliveries in this state."
    )
