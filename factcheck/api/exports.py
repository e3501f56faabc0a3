"""API view of the export of reviewed claims: CSV or JSON Lines, streamed as it is read."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from editorial.models import ApiKey
from factcheck.api.serializers import AwareDateTimeField
from factcheck.api.views import ERRORS
from factcheck.services import exports
from factcheck.services.exports import ExportFormat
from httpapi.lookups import desk_by_slug


class ClaimExportFilters(serializers.Serializer[dict[str, Any]]):
    export_format = serializers.ChoiceField(
        choices=ExportFormat.choices,
        default=ExportFormat.JSONL,
        help_text="csv: one row per claim, lists joined with ` | `, cells a spreadsheet would run as a "
        "formula prefixed with an apostrophe; jsonl: one JSON object per line, lists as lists.",
    )
    since = AwareDateTimeField(
        required=False, help_text="Only verdicts given at or after this time (ISO 8601 with its time zone)."
    )
    until = AwareDateTimeField(
        required=False, help_text="Only verdicts given before this time (ISO 8601 with its time zone)."
    )
    desk = serializers.SlugField(required=False, help_text="Only this desk's claims (its slug).")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        since, until = attrs.get("since"), attrs.get("until")
        if since is not None and until is not None and since >= until:
            raise serializers.ValidationError({"until": ["Must be after since."]})
        return attrs


class _StreamedRenderer(BaseRenderer):
    """Lets a client ask for the export's media type; an error is still the one JSON error body."""

    charset = "utf-8"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        return JSONRenderer().render(data)


class CsvRenderer(_StreamedRenderer):
    media_type = "text/csv"
    format = "csv"


class JsonLinesRenderer(_StreamedRenderer):
    media_type = "application/jsonl"
    format = "jsonl"


RENDERERS: list[type[BaseRenderer]] = [JSONRenderer, CsvRenderer, JsonLinesRenderer]


class ClaimExportView(APIView):
    renderer_classes = RENDERERS

    @extend_schema(
        operation_id="claim_export",
        # export_format chooses the file; the renderers' own ?format= is not part of the contract.
        parameters=[ClaimExportFilters, OpenApiParameter("format", exclude=True)],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The claims as CSV."),
            (200, "application/jsonl"): OpenApiResponse(
                OpenApiTypes.STR, description="The claims as JSON Lines."
            ),
            400: ERRORS[400],
            401: ERRORS[401],
        },
        summary="Your newsroom's reviewed claims (a verdict, or not checkable) with their verdicts, notes, "
        "sources and flags, as CSV or JSON Lines, oldest verdict first; streamed, so a year of claims "
        "is one request.",
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        filters = ClaimExportFilters(data=request.query_params)
        filters.is_valid(raise_exception=True)
        values = filters.validated_data
        api_key = request.auth
        assert isinstance(api_key, ApiKey)  # HasNewsroomKey let the request in
        newsroom = api_key.newsroom
        desk = desk_by_slug(newsroom, values["desk"]) if values.get("desk") else None
        export_format = values["export_format"]
        rows = exports.export(
            newsrooms=[newsroom],
            since=values.get("since"),
            until=values.get("until"),
            desk_id=desk.pk if desk else None,
        )
        response = StreamingHttpResponse(
            exports.lines(rows, export_format), content_type=exports.MEDIA_TYPES[export_format]
        )
        name = exports.filename(
            newsroom_slug=newsroom.slug, export_format=export_format, today=timezone.localdate()
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
