"""API views for the sources behind a claim: list and add them, read one with its archived text,
and ask for a fresh fetch."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from factcheck import selectors
from factcheck.actors import Actor
from factcheck.api import serializers as s
from factcheck.api.views import CLAIM_ERRORS, ERRORS, _claim
from factcheck.models import Source
from factcheck.services.sources import source_add, source_mark_offline, source_refetch
from httpapi.handlers import error

SOURCE_ERRORS = {401: ERRORS[401], 404: error("No such source in your newsroom.")}


class ArchivedSourceOutput(s.SourceOutput):
    text = serializers.CharField(
        source="snapshot.text", read_only=True, default="", help_text="The archived main text."
    )

    class Meta(s.SourceOutput.Meta):
        fields = [*s.SourceOutput.Meta.fields, "text"]


def _source(request, source_id: int, *, with_text: bool = False) -> Source:
    """The source ``source_id`` of the key's newsroom (raises Source.DoesNotExist: a 404), with its
    archived main text only when ``with_text`` (only ``ArchivedSourceOutput`` shows it)."""
    return selectors.sources_queryset(with_text=with_text).get(
        claim__newsroom=request.auth.newsroom, pk=source_id
    )


class ClaimSourcesView(APIView):
    @extend_schema(
        operation_id="claim_source_list",
        responses={200: s.SourceOutput(many=True), **CLAIM_ERRORS},
        summary="The claim's sources, with fetch status, archived copy and matching passages.",
    )
    def get(self, request, claim_id: int):
        claim = _claim(request, claim_id)
        sources = selectors.sources_queryset().filter(claim=claim)
        return Response(s.SourceOutput(sources, many=True).data)

    @extend_schema(
        operation_id="claim_source_add",
        request=s.SourceInput,
        responses={
            201: s.SourceOutput,
            400: error(
                "Not an http(s) address, a refused destination (private, loopback, ...) with the reason, "
                "or already attached."
            ),
            **CLAIM_ERRORS,
        },
        summary="Attach a source to a claim: a web address, which a worker fetches and archives, or an "
        "offline source (offline_note: a phone call, a document on file), which backs a verdict on your "
        "word.",
    )
    def post(self, request, claim_id: int):
        claim = _claim(request, claim_id)  # another newsroom's claim is a 404, whatever the body
        data = s.SourceInput(data=request.data)
        data.is_valid(raise_exception=True)
        source = source_add(
            actor=Actor.for_api_key(request.auth),
            claim_id=claim.pk,
            url=data.validated_data["url"],
            note=data.validated_data["note"],
            offline_note=data.validated_data["offline_note"],
        )
        return Response(s.SourceOutput(_source(request, source.pk)).data, status=status.HTTP_201_CREATED)


class SourceDetailView(APIView):
    @extend_schema(
        operation_id="source_detail",
        responses={200: ArchivedSourceOutput, **SOURCE_ERRORS},
        summary="One source, with its archived main text.",
    )
    def get(self, request, source_id: int):
        return Response(ArchivedSourceOutput(_source(request, source_id, with_text=True)).data)


class SourceRefetchView(APIView):
    @extend_schema(
        operation_id="source_refetch",
        request=None,
        responses={
            202: s.SourceOutput,
            400: error("An archive match: there is nothing to fetch."),
            **SOURCE_ERRORS,
        },
        summary="Fetch the source again (the page may have changed, or a failure may have passed).",
    )
    def post(self, request, source_id: int):
        # Another newsroom's source is a 404: only its pk is read to say so.
        source = Source.objects.only("pk").get(claim__newsroom=request.auth.newsroom, pk=source_id)
        source_refetch(actor=Actor.for_api_key(request.auth), source_id=source.pk)
        return Response(s.SourceOutput(_source(request, source.pk)).data, status=status.HTTP_202_ACCEPTED)


class SourceOfflineView(APIView):
    @extend_schema(
        operation_id="source_mark_offline",
        request=s.SourceOfflineInput,
        responses={
            200: s.SourceOutput,
            400: error("No offline_note, or an archive match (our own verdict, not a source)."),
            **SOURCE_ERRORS,
        },
        summary="Mark a source offline: you vouch for it with a note (a phone call, a document on file), "
        "so it can back a verdict without an archived copy.",
    )
    def post(self, request, source_id: int):
        # Another newsroom's source is a 404, whatever the body.
        source = Source.objects.only("pk").get(claim__newsroom=request.auth.newsroom, pk=source_id)
        data = s.SourceOfflineInput(data=request.data)
        data.is_valid(raise_exception=True)
        source_mark_offline(
            actor=Actor.for_api_key(request.auth),
            source_id=source.pk,
            offline_note=data.validated_data["offline_note"],
        )
        return Response(s.SourceOutput(_source(request, source.pk)).data)
