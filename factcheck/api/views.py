"""API views of the checking side: parse input, call one service or selector, render."""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from editorial.models import Article
from factcheck import selectors
from factcheck.actors import Actor
from factcheck.analysis.pipeline import InputRejected, analyze
from factcheck.api import serializers as s
from factcheck.api import speed
from factcheck.services.articles import article_submit
from factcheck.services.review import claim_note_add, claim_transition, transition_choices
from httpapi.handlers import error
from httpapi.lookups import desk_by_slug, first_or_404
from httpapi.throttling import AnalyzeRateThrottle, ApiKeyRateThrottle

ERRORS = {
    400: error("Invalid input: `errors` has a message per field."),
    401: error("No API key, or an unknown or revoked one."),
    413: error("The request body is over the configured limit."),
}
FILTER_ERRORS = {
    400: error("A filter or `page_size` is invalid, or a filter names a desk your newsroom does not have.")
}


def _desk_id(request, slug: str | None) -> int | None:
    """The id of the key's newsroom's desk ``slug``; a slug it does not have is a 400."""
    return None if slug is None else desk_by_slug(request.auth.newsroom, slug).pk


def _assignee(value: str | None) -> int | str | None:
    """The assignee filter as the review queue takes it: a person's id, or "unassigned" for `none`."""
    if value is None:
        return None
    return "unassigned" if value == "none" else int(value)


def _claim_list_arguments(filters: Mapping, *, desk_id: int | None) -> dict:
    """The keyword arguments of ``selectors.claim_list`` (but the newsroom) for the validated filters
    of the claims list; ``desk_id``: the id of the desk its ``desk`` names (see :func:`_desk_id`)."""
    return {
        "article_id": filters.get("article"),
        "flagged": filters.get("flagged"),
        "flag_kind": filters.get("flag_kind"),
        "status": filters.get("status"),
        "desk_id": desk_id,
        "assignee": _assignee(filters.get("assignee")),
        "checkworthiness_min": filters.get("checkworthiness_min"),
        "checkworthiness_max": filters.get("checkworthiness_max"),
        "updated_since": filters.get("updated_since"),
    }


class FilteredListView(ListAPIView):
    # A list read through a filters serializer (``filters_class``) with an ``ordering`` among them.  A
    # comment, not a docstring: drf-spectacular publishes a view's docstring, inherited too, as the
    # description of its operations.

    filters_class: type[s.serializers.Serializer]
    orderings: dict[str, tuple[str, ...]]

    def filters(self) -> dict:
        if not hasattr(self, "_filters"):
            self._filters = speed.validated_filters(self.filters_class, self.request.query_params)
        return self._filters

    def cursor_ordering(self) -> tuple[str, ...]:
        return self.orderings[self.filters()["ordering"]]


class ArticlesView(FilteredListView):
    serializer_class = s.ArticleSummaryOutput
    filters_class = s.ArticleListFilters
    orderings = s.ARTICLE_ORDERINGS

    @extend_schema(
        operation_id="article_list",
        parameters=[s.ArticleListFilters],
        responses={200: s.ArticleSummaryOutput(many=True), **FILTER_ERRORS},
        summary="Your newsroom's articles with their readiness, filtered by external_id, desk, analysis "
        "status, readiness, being overdue and time of change.",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        filters = self.filters()
        return selectors.article_list(
            newsroom=self.request.auth.newsroom,
            external_id=filters.get("external_id"),
            desk_id=_desk_id(self.request, filters.get("desk")),
            analysis_status=filters.get("analysis_status"),
            readiness=filters.get("readiness"),
            overdue=filters.get("overdue"),
            updated_since=filters.get("updated_since"),
        )

    @extend_schema(
        operation_id="article_submit",
        request=s.ArticleSubmitInput,
        responses={202: s.ArticleSubmitOutput, **ERRORS},
        summary="Submit an article, or update it by external_id; a new or changed body is analysed. "
        "Sending the same body again changes no revision and starts no analysis.",
    )
    def post(self, request):
        data = s.ArticleSubmitInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        newsroom = request.auth.newsroom
        desk = desk_by_slug(newsroom, values["desk"]) if values["desk"] else None
        article = article_submit(
            actor=Actor.for_api_key(request.auth),
            newsroom=newsroom,
            external_id=values["external_id"],
            body=values["body"],
            body_format=values["format"],
            title=values["title"],
            url=values["url"],
            byline=values["byline"],
            published_on=values["published_on"],
            desk=desk,
            deadline=values["deadline"],
        )
        output = s.ArticleSubmitOutput(article, context={"request": request}).data
        return Response(output, status=status.HTTP_202_ACCEPTED, headers={"Location": output["url"]})


class ArticleDetailView(APIView):
    @extend_schema(
        operation_id="article_get",
        responses={200: s.ArticleOutput, 404: error("No such article in your newsroom.")},
        summary="An article with its first claims, their attribution flags, and the parts kept out of the "
        "claims; `claims_url` lists every claim.",
    )
    def get(self, request, article_id: int):
        try:
            article = selectors.article_detail(newsroom=request.auth.newsroom, article_id=article_id)
        except Article.DoesNotExist:
            raise NotFound("No such article in your newsroom.") from None
        return Response(s.ArticleOutput(article, context={"request": request}).data)


class ArticleRevisionsView(ListAPIView):
    serializer_class = s.RevisionChangeOutput

    @extend_schema(
        operation_id="article_revisions",
        responses={200: s.RevisionChangeOutput(many=True), 404: error("No such article in your newsroom.")},
        summary="What the article's revisions did to its claims, oldest first.",
        description="The article's `revision` goes up by one each time the body changes, and "
        "`analyzed_revision` says which revision the claims come from; `/articles/{id}/history/` lists "
        "the bodies and `/articles/{id}/diff/` compares two. What each revision changed in the claims is "
        "kept in their history, and listed here: the sentences that became claims (`created`), the "
        "sentences a revision edited (`revised`: a verdict carries over a style edit), the claims "
        "reopened because an edit changed a number, a name, a negation or the attribution (`reopen`), "
        "the claims superseded because a revision removed or rewrote their sentence (`supersede`), and "
        "the requests for attribution a revision answered (`answer_attribution`). "
        "The `note` says which revision, or gives the reason of the editor who corrected the analysis.",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        article = first_or_404(
            Article.objects.filter(newsroom=self.request.auth.newsroom, pk=self.kwargs["article_id"]),
            "No such article in your newsroom.",
        )
        return selectors.article_revisions(article=article)


class ClaimListView(FilteredListView):
    serializer_class = s.ClaimOutput
    filters_class = s.ClaimListFilters
    orderings = s.CLAIM_ORDERINGS
    pagination_class = speed.ClaimPage

    @extend_schema(
        operation_id="claim_list",
        parameters=[s.ClaimListFilters],
        responses={200: s.ClaimOutput(many=True), **FILTER_ERRORS},
        summary="Claims of your newsroom with their flags, filtered by article, state, flags, desk, "
        "assignee, check-worthiness and time of change.",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def list(self, request, *args, **kwargs):
        # ClaimOutput's rows built from named rows, not models, in two queries (speed's tricks).
        return self.get_paginated_response(speed.page(self.paginate_queryset(self.get_queryset())))

    def get_queryset(self):
        filters = self.filters()
        desk_id = _desk_id(self.request, filters.get("desk"))
        return speed.rows(
            newsroom=self.request.auth.newsroom, arguments=_claim_list_arguments(filters, desk_id=desk_id)
        )


class AnalyzeView(APIView):
    throttle_classes = [ApiKeyRateThrottle, AnalyzeRateThrottle]

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
                max_chars=settings.FACTDESK_ANALYZE_MAX_CHARS,
                policy=selectors.attribution_policy(newsroom=request.auth.newsroom),
                max_claims=settings.FACTDESK_MAX_CLAIMS_PER_ARTICLE,
            )
        except InputRejected as error:
            raise ValidationError({"text": [str(error)]}) from error
        return Response(analysis.as_dict())


CLAIM_ERRORS = {
    401: ERRORS[401],
    404: error("No such claim in your newsroom."),
}


def _claim(request, claim_id: int):
    """The claim ``claim_id`` of the key's newsroom, its pk only (raises Claim.DoesNotExist: a 404)."""
    return selectors.claim_pk_only(newsroom=request.auth.newsroom, claim_id=claim_id)


def _claim_output(request, claim_id: int):
    claim = selectors.claim_detail(newsroom=request.auth.newsroom, claim_id=claim_id)
    actor = Actor.for_api_key(request.auth)
    passable, blocked = transition_choices(actor=actor, claim=claim)
    context = {"transitions": passable, "blocked_transitions": blocked}
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
            400: error("Invalid input, or a guard failed: a note or a source is missing."),
            403: error("The workflow does not let your key's role make this move."),
            409: error("Not allowed from the claim's current state, or it changed since."),
            **CLAIM_ERRORS,
        },
        summary="Move a claim through the review workflow.",
    )
    def post(self, request, claim_id: int):
        claim = _claim(request, claim_id)  # another newsroom's claim is a 404 whatever the body
        data = s.TransitionInput(data=request.data)
        data.is_valid(raise_exception=True)
        claim_transition(
            actor=Actor.for_api_key(request.auth),
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


class ClaimNotesView(APIView):
    @extend_schema(
        operation_id="claim_note_list",
        responses={200: s.EventOutput(many=True), **CLAIM_ERRORS},
        summary="The notes written in the claim's history, oldest first.",
    )
    def get(self, request, claim_id: int):
        claim = _claim(request, claim_id)
        return Response(s.EventOutput(selectors.claim_notes(claim=claim), many=True).data)

    @extend_schema(
        operation_id="claim_note_add",
        request=s.NoteInput,
        responses={201: s.EventOutput, 400: error("The note is empty or too long."), **CLAIM_ERRORS},
        summary="Write a note in the claim's history without moving it through the workflow.",
    )
    def post(self, request, claim_id: int):
        claim = _claim(request, claim_id)
        data = s.NoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        event = claim_note_add(
            actor=Actor.for_api_key(request.auth),
            claim_id=claim.pk,
            note=data.validated_data["note"],
        )
        return Response(s.EventOutput(event).data, status=status.HTTP_201_CREATED)
