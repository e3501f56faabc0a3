"""API views of an article's revisions: the bodies it was sent, one of them, and the difference
between any two."""

from __future__ import annotations

from typing import cast

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from editorial.models import ApiKey, Article, ArticleRevision
from factcheck import selectors
from factcheck.api import serializers as s
from factcheck.api.views import ERRORS
from httpapi.handlers import error
from httpapi.lookups import first_or_404

NO_ARTICLE = "No such article in your newsroom."
REVISION_ERRORS = {401: ERRORS[401], 404: error("No such article in your newsroom, or no such revision.")}


def _article(request: Request, article_id: int) -> Article:
    key = cast(ApiKey, request.auth)  # ApiKeyAuthentication's: every view here needs one
    return first_or_404(Article.objects.filter(newsroom=key.newsroom, pk=article_id), NO_ARTICLE)


class ArticleBodyRevisionsView(ListAPIView[ArticleRevision]):
    serializer_class = s.ArticleRevisionOutput

    @extend_schema(
        operation_id="article_history",
        responses={200: s.ArticleRevisionOutput(many=True), 401: ERRORS[401], 404: error(NO_ARTICLE)},
        summary="The bodies the article was sent, oldest first: who or which key sent each, and when.",
        description="A revision is kept each time the body changes (the same body sent again is not a "
        "revision). Bodies sent before Factdesk kept revisions are not there: such an article starts "
        "with its body of that time, sent by `before revisions were kept`.",
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[ArticleRevision]:
        return selectors.article_body_revisions(article=_article(self.request, self.kwargs["article_id"]))


class ArticleBodyRevisionView(APIView):
    @extend_schema(
        operation_id="article_history_get",
        responses={200: s.ArticleRevisionDetailOutput, **REVISION_ERRORS},
        summary="One revision of the article, with its body exactly as it was sent.",
    )
    def get(self, request: Request, article_id: int, number: int) -> Response:
        article = _article(request, article_id)
        try:
            revision = selectors.article_body_revision(article=article, number=number)
        except ArticleRevision.DoesNotExist:
            raise NotFound(f"The article has no revision {number}.") from None
        return Response(s.ArticleRevisionDetailOutput(revision).data)


class ArticleDiffView(APIView):
    @extend_schema(
        operation_id="article_diff",
        parameters=[s.ArticleDiffQuery],
        responses={200: s.ArticleDiffOutput, 400: ERRORS[400], **REVISION_ERRORS},
        summary="The difference between two revisions of the article's body, line by line (by default "
        "the latest and the one before).",
    )
    def get(self, request: Request, article_id: int) -> Response:
        article = _article(request, article_id)
        query = s.ArticleDiffQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        newer = query.validated_data.get("newer", article.revision)
        older = query.validated_data.get("older", max(newer - 1, 1))
        try:
            diff = selectors.article_body_diff(article=article, older=older, newer=newer)
        except ArticleRevision.DoesNotExist as missing:
            raise NotFound(f"The article has no {str(missing).removeprefix('No ').rstrip('.')}.") from None
        return Response(
            s.ArticleDiffOutput(
                {
                    "older": diff.older,
                    "newer": diff.newer,
                    "added": diff.added,
                    "removed": diff.removed,
                    "unified": diff.unified,
                    "lines": [{"op": op, "line": line} for op, line in diff.lines],
                }
            ).data
        )
