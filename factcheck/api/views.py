"""API views of the checking side: parse input, call one service or selector, render."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from editorial.models import Article, Desk
from factcheck import selectors, services
from factcheck.analysis.pipeline import InputRejected, analyze
from factcheck.api import serializers as s

ERRORS = {
    400: OpenApiResponse(description="Invalid input: `errors` has a message per field."),
    401: OpenApiResponse(description="No API key, or an unknown or revoked one."),
    413: OpenApiResponse(description="The request body is over the configured limit."),
}


class ArticlesView(APIView):
    @extend_schema(
        operation_id="article_submit",
        request=s.ArticleSubmitInput,
        responses={202: s.ArticleSubmitOutput, **ERRORS},
        summary="Submit an article, or update it by external_id; a new or changed body is analysed.",
    )
    def post(self, request):
        data = s.ArticleSubmitInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        newsroom = request.auth.newsroom
        desk = None
        if values["desk"]:
            desk = Desk.objects.filter(newsroom=newsroom, slug=values["desk"]).first()
            if desk is None:
                raise ValidationError({"desk": [f"Your newsroom has no desk {values['desk']!r}."]})
        article = services.article_submit(
            actor=services.Actor.for_api_key(request.auth),
            newsroom=newsroom,
            external_id=values["external_id"],
            body=values["body"],
            body_format=values["format"],
            title=values["title"],
            url=values["url"],
            byline=values["byline"],
            desk=desk,
        )
        output = s.ArticleSubmitOutput(article, context={"request": request}).data
        return Response(output, status=status.HTTP_202_ACCEPTED, headers={"Location": output["url"]})


class ArticleDetailView(APIView):
    @extend_schema(
        operation_id="article_get",
        responses={
            200: s.ArticleOutput,
            401: ERRORS[401],
            404: OpenApiResponse(description="No such article."),
        },
        summary="An article with its claims, their attribution flags, and the parts kept out of the claims.",
    )
    def get(self, request, article_id: int):
        try:
            article = selectors.article_detail(newsroom=request.auth.newsroom, article_id=article_id)
        except Article.DoesNotExist:
            raise NotFound("No such article in your newsroom.") from None
        return Response(s.ArticleOutput(article).data)


class ClaimPagination(CursorPagination):
    ordering = "id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class ClaimListView(ListAPIView):
    serializer_class = s.ClaimOutput
    pagination_class = ClaimPagination

    @extend_schema(
        operation_id="claim_list",
        parameters=[s.ClaimListFilters],
        responses={200: s.ClaimOutput(many=True), 400: ERRORS[400], 401: ERRORS[401]},
        summary="Claims of your newsroom, filtered by article, whether they are flagged, and flag kind.",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        filters = s.ClaimListFilters(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.claim_list(
            newsroom=self.request.auth.newsroom,
            article_id=filters.validated_data.get("article"),
            flagged=filters.validated_data.get("flagged"),
            flag_kind=filters.validated_data.get("flag_kind"),
        )


class AnalyzeView(APIView):
    @extend_schema(
        operation_id="analyze",
        request=s.AnalyzeInput,
        responses={200: s.AnalyzeOutput, **ERRORS},
        summary="Preview the analysis of a text: claims, flags and excluded parts. Nothing is stored.",
    )
    def post(self, request):
        data = s.AnalyzeInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            analysis = analyze(
                data.validated_data["text"],
                fmt=data.validated_data["format"],
                max_chars=settings.FACTDESK_MAX_ARTICLE_CHARS,
                policy=selectors.attribution_policy(newsroom=request.auth.newsroom),
            )
        except InputRejected as error:
            raise ValidationError({"text": [str(error)]}) from error
        return Response(analysis.as_dict())


CLAIM_ERRORS = {
    401: ERRORS[401],
    404: OpenApiResponse(description="No such claim in your newsroom."),
}


def _claim(request, claim_id: int):
    return selectors.claim_detail(newsroom=request.auth.newsroom, claim_id=claim_id)


def _claim_output(request, claim_id: int):
    claim = _claim(request, claim_id)
    actor = services.Actor.for_api_key(request.auth)
    context = {"transitions": services.allowed_transitions(actor=actor, claim=claim)}
    return s.ClaimDetailOutput(claim, context=context).data


class ClaimDetailView(APIView):
    @extend_schema(
        operation_id="claim_get",
        responses={200: s.ClaimDetailOutput, **CLAIM_ERRORS},
        summary="A claim with its flags, sources, history, and the states your key may move it to.",
    )
    def get(self, request, claim_id: int):
        return Response(_claim_output(request, claim_id))


class ClaimTransitionView(APIView):
    @extend_schema(
        operation_id="claim_transition",
        request=s.TransitionInput,
        responses={
            200: s.ClaimDetailOutput,
            400: OpenApiResponse(description="A guard failed: a note or a source is missing."),
            403: OpenApiResponse(description="The workflow does not let your key's role make this move."),
            409: OpenApiResponse(
                description="Not allowed from the claim's current state, or it changed since."
            ),
            **CLAIM_ERRORS,
        },
        summary="Move a claim through the review workflow.",
    )
    def post(self, request, claim_id: int):
        data = s.TransitionInput(data=request.data)
        data.is_valid(raise_exception=True)
        claim = _claim(request, claim_id)
        services.claim_transition(
            actor=services.Actor.for_api_key(request.auth),
            claim_id=claim.pk,
            to=data.validated_data["to"],
            note=data.validated_data["note"],
            expected_status=data.validated_data.get("expected_status"),
        )
        return Response(_claim_output(request, claim_id))


class ClaimHistoryView(APIView):
    @extend_schema(
        operation_id="claim_history",
        responses={200: s.EventOutput(many=True), **CLAIM_ERRORS},
        summary="The claim's audit trail, oldest first.",
    )
    def get(self, request, claim_id: int):
        claim = _claim(request, claim_id)
        return Response(s.EventOutput(selectors.claim_history(claim=claim), many=True).data)
