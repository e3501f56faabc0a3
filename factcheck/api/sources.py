"""API views for the sources behind a claim."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from factcheck import services
from factcheck.api import serializers as s
from factcheck.api.views import CLAIM_ERRORS, ERRORS, _claim


class ClaimSourcesView(APIView):
    @extend_schema(
        operation_id="claim_source_add",
        request=s.SourceInput,
        responses={201: s.SourceOutput, 400: ERRORS[400], **CLAIM_ERRORS},
        summary="Attach a source (a web address) to a claim.",
    )
    def post(self, request, claim_id: int):
        data = s.SourceInput(data=request.data)
        data.is_valid(raise_exception=True)
        claim = _claim(request, claim_id)
        source = services.source_add(
            actor=services.Actor.for_api_key(request.auth),
            claim_id=claim.pk,
            url=data.validated_data["url"],
            note=data.validated_data["note"],
        )
        return Response(s.SourceOutput(source).data, status=status.HTTP_201_CREATED)
