"""The schema of the bodies webhooks deliver, one per event type: what ``factcheck.webhooks.services.
events`` builds, described for the API's schema (a delivery's ``payload``) and for receivers.

Every body is an envelope, ``{id, type, created_at, data}``; ``type`` tells which ``data`` it holds,
so the schema says ``oneOf`` with ``type`` as its discriminator.  Payloads are stored as sent and shown
as stored: these serializers describe them and never build them.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from factcheck.models import FLAG_KIND_CHOICES, AuditAction, FetchStatus
from factcheck.selectors import Readiness
from factcheck.webhooks.models import WebhookEvent
from factcheck.workflow import ClaimStatus
from httpapi.outputs import Output, sent_always

SEVERITIES = [("low", "Low"), ("medium", "Medium"), ("high", "High")]


class WebhookFlagOutput(Output):
    kind = serializers.ChoiceField(choices=FLAG_KIND_CHOICES)
    cue = serializers.CharField()
    severity = serializers.ChoiceField(choices=SEVERITIES)
    message = serializers.CharField()


class WebhookClaimOutput(Output):
    id = serializers.IntegerField()
    article_id = serializers.IntegerField()
    text = serializers.CharField()
    status = serializers.ChoiceField(choices=ClaimStatus.choices)
    checkworthiness = serializers.FloatField()
    flags = WebhookFlagOutput(many=True)
    url = serializers.URLField(help_text="The claim in the API.")


class WebhookClaimRefOutput(Output):
    id = serializers.IntegerField()
    article_id = serializers.IntegerField()
    url = serializers.URLField(help_text="The claim in the API.")


class WebhookArticleOutput(Output):
    id = serializers.IntegerField()
    external_id = serializers.CharField()
    title = serializers.CharField(allow_blank=True)
    revision = serializers.IntegerField()
    readiness = serializers.ChoiceField(choices=Readiness.choices)
    url = serializers.URLField(help_text="The article in the API.")


class WebhookClaimCountsOutput(Output):
    count = serializers.IntegerField(help_text="The article's live claims.")
    flagged = serializers.IntegerField(help_text="How many of them are flagged.")


class ArticleAnalyzedData(Output):
    article = WebhookArticleOutput()
    claims = WebhookClaimCountsOutput()


class ClaimFlaggedData(Output):
    claim = WebhookClaimOutput()
    revision = serializers.IntegerField(help_text="The article's revision whose analysis flagged it.")


class ClaimStatusChangedData(Output):
    """A move of the review workflow (``from`` and ``to`` are keywords in Python, hence get_fields)."""

    def get_fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "claim": WebhookClaimRefOutput(),
            "from": serializers.ChoiceField(choices=ClaimStatus.choices),
            "to": serializers.ChoiceField(choices=ClaimStatus.choices),
            "action": serializers.ChoiceField(choices=AuditAction.choices),
            "actor": serializers.CharField(
                help_text="Who moved it: a username, an API key's name, or Factdesk."
            ),
            "note": serializers.CharField(allow_blank=True),
        }
        return sent_always(fields, declared=fields)


class WebhookSourceOutput(Output):
    id = serializers.IntegerField()
    claim_id = serializers.IntegerField()
    article_id = serializers.IntegerField()
    url = serializers.URLField()
    final_url = serializers.CharField(allow_blank=True, help_text="Where the fetch ended, or empty.")
    status = serializers.ChoiceField(choices=[FetchStatus.FETCHED, FetchStatus.FAILED])
    failure = serializers.CharField(allow_blank=True, help_text="Why it failed, or empty.")
    title = serializers.CharField(allow_blank=True, help_text="The archived page's title, or empty.")
    fetched_at = serializers.DateTimeField(allow_null=True)
    api_url = serializers.URLField(help_text="The source in the API.")


class SourceFetchedData(Output):
    source = WebhookSourceOutput()  # type: ignore[assignment]  # the body's key; DRF takes it off the class


class PingData(Output):
    endpoint_id = serializers.IntegerField()
    requested_by = serializers.CharField(help_text="The API key or person who asked for the ping.")


def _envelope(event: WebhookEvent, data: type[Output]) -> type[serializers.Serializer[Any]]:
    """The body of a delivery of ``event``: ``data`` in the envelope every event shares."""
    name = "".join(part.capitalize() for part in event.value.replace(".", "_").split("_"))
    # A class of its own: DRF copies a declared field, which drops what extend_schema_field sets on one.
    type_field = extend_schema_field({"type": "string", "enum": [event.value]})(
        type(f"{name}Type", (serializers.CharField,), {})
    )(help_text=f"Always {event.value}.")
    return type(
        f"Webhook{name}Payload",
        (Output,),
        {
            "__doc__": f"The body of a `{event.value}` delivery: {event.label.lower()}.",
            "__module__": __name__,
            "id": serializers.UUIDField(help_text="The event's id: the same for every endpoint and retry."),
            "type": type_field,
            "created_at": serializers.DateTimeField(),
            "data": data(),
        },
    )


PAYLOADS: dict[str, serializers.Serializer[Any] | type[serializers.Serializer[Any]]] = {
    WebhookEvent.ARTICLE_ANALYZED.value: _envelope(WebhookEvent.ARTICLE_ANALYZED, ArticleAnalyzedData),
    WebhookEvent.CLAIM_FLAGGED.value: _envelope(WebhookEvent.CLAIM_FLAGGED, ClaimFlaggedData),
    WebhookEvent.CLAIM_STATUS_CHANGED.value: _envelope(
        WebhookEvent.CLAIM_STATUS_CHANGED, ClaimStatusChangedData
    ),
    WebhookEvent.SOURCE_FETCHED.value: _envelope(WebhookEvent.SOURCE_FETCHED, SourceFetchedData),
    WebhookEvent.PING.value: _envelope(WebhookEvent.PING, PingData),
}

#: A delivery's body, whichever its event: for ``extend_schema_field``.
WEBHOOK_PAYLOAD = PolymorphicProxySerializer(
    component_name="WebhookPayload",
    serializers=PAYLOADS,
    resource_type_field_name="type",
    many=False,
)
