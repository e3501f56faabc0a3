"""``GET /api/v1/claims/{id}/claimreview``: a claim's verdict as schema.org ClaimReview, in JSON-LD.

What a newsroom embeds in the page that publishes the article (``<script type="application/ld+json">``)
so that search engines and fact-check aggregators show its verdict:

- ``claimReviewed``: the sentence; ``url``: the article's address (the page that publishes the
  review: a page may carry one ClaimReview per claim); ``datePublished``: when the claim got its
  verdict (the latest move into its current state).
- ``author``: the newsroom, the organisation that checked the claim.
- ``reviewRating``: the verdict on the newsroom's scale (``factcheck.claimreview``): ``ratingValue``,
  ``worstRating``, ``bestRating``, and ``alternateName``, the rating in words.
- ``itemReviewed``: the ``Claim``, its ``appearance`` (the article: ``NewsArticle`` with its address,
  headline and authors) and the claim's ``author``, the article's authors: the names of its byline
  (``By A, B and C``), or its reporters' names when it has none, or the newsroom.  A quotation is
  someone else's words, whom Factdesk does not know, so its claim has no ``author``.

A claim of another newsroom, one without a verdict the newsroom publishes (still open, not
checkable, superseded, or a verdict its map leaves out), or whose article has no address yet, has no
ClaimReview: 404, with the reason in ``detail``.  It is a 404 and not a 409 because there is no such
document to read, as for any other object that does not exist; nothing the client sends would change it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from editorial.models import Article, Newsroom
from factcheck import selectors
from factcheck.analysis.types import ClaimKind
from factcheck.claimreview import Rating
from factcheck.models import Claim
from httpapi.handlers import error
from httpapi.outputs import Output, sent_always

SCHEMA_ORG = "https://schema.org"

# --- The document ----------------------------------------------------------------------------------

_BY = re.compile(r"^\s*by\s+", re.IGNORECASE)
_BETWEEN_NAMES = re.compile(r"\s*(?:,|;|&|\band\b)\s*", re.IGNORECASE)


def byline_names(byline: str) -> list[str]:
    """The names in a byline: ``"By Ana Ruiz, Tom Lee and Mei Chen"`` → the three of them."""
    return [name.strip() for name in _BETWEEN_NAMES.split(_BY.sub("", byline)) if name.strip()]


def article_authors(article: Article, newsroom: Newsroom) -> list[dict]:
    """Who wrote the article: the byline's names, else its reporters' names, else the newsroom."""
    names = byline_names(article.byline)
    if not names:
        reporters = article.reporters.order_by("last_name", "first_name", "pk")
        names = [name for name in (person.get_full_name().strip() for person in reporters) if name]
    if not names:
        return [organisation(newsroom)]
    return [{"@type": "Person", "name": name} for name in names]


def organisation(newsroom: Newsroom) -> dict:
    return {"@type": "Organization", "name": newsroom.name}


def timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC to the second: ``2026-11-28T09:12:00Z``."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def claim_review_document(*, claim: Claim, rating: Rating, newsroom: Newsroom) -> dict:
    """The JSON-LD of ``claim``'s verdict.  ``claim`` comes from ``selectors.claim_for_review``."""
    article = claim.article
    authors = article_authors(article, newsroom)
    appearance = {"@type": "NewsArticle", "url": article.url, "author": authors}
    if article.title:
        appearance["headline"] = article.title
    item = {"@type": "Claim", "appearance": appearance}
    if claim.kind != ClaimKind.QUOTATION:
        item["author"] = authors
    return {
        "@context": SCHEMA_ORG,
        "@type": "ClaimReview",
        "url": article.url,
        "claimReviewed": claim.text,
        "datePublished": timestamp(claim.entered_at or claim.updated_at),
        "author": organisation(newsroom),
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": rating.value,
            "bestRating": rating.best,
            "worstRating": rating.worst,
            "alternateName": rating.name,
        },
        "itemReviewed": item,
    }


# --- Its schema: serializers named as JSON-LD names things, which Python attributes cannot spell ----


def _one_of(*values: str, help_text: str) -> serializers.CharField:
    """A string that is one of ``values``, written as a pattern: drf-spectacular makes every ``enum`` a
    component named after its property, and ``@type`` is no valid component name."""
    field = serializers.CharField(help_text=help_text)
    pattern = "^(" + "|".join(re.escape(value) for value in values) + ")$"
    return extend_schema_field({"type": "string", "pattern": pattern})(field)


def _url(help_text: str) -> serializers.URLField:
    return serializers.URLField(help_text=help_text)


class ClaimReviewAgentOutput(Output):
    """A person or an organisation (schema.org ``Person``, ``Organization``)."""

    def get_fields(self):
        fields = self._fields()
        return sent_always(fields, declared=fields)

    def _fields(self):
        return {
            "@type": _one_of("Person", "Organization", help_text="Person or Organization."),
            "name": serializers.CharField(),
        }


class ClaimReviewRatingOutput(Output):
    """The verdict on the newsroom's scale (schema.org ``Rating``)."""

    def get_fields(self):
        fields = self._fields()
        return sent_always(fields, declared=fields)

    def _fields(self):
        return {
            "@type": _one_of("Rating", help_text="Always Rating."),
            "ratingValue": serializers.IntegerField(help_text="The verdict's value on the scale."),
            "bestRating": serializers.IntegerField(help_text="The top of the scale."),
            "worstRating": serializers.IntegerField(help_text="The bottom of the scale."),
            "alternateName": serializers.CharField(help_text="The rating in words, e.g. False."),
        }


class ClaimReviewArticleOutput(Output):
    """The article the claim appears in (schema.org ``NewsArticle``)."""

    def get_fields(self):
        fields = self._fields()
        return sent_always(fields, declared=fields)

    def _fields(self):
        return {
            "@type": _one_of("NewsArticle", help_text="Always NewsArticle."),
            "url": _url("Where the article is published."),
            "headline": serializers.CharField(required=False, help_text="Its title, when it has one."),
            "author": ClaimReviewAgentOutput(many=True, help_text="Who wrote it."),
        }


class ClaimReviewItemOutput(Output):
    """What was checked (schema.org ``Claim``)."""

    def get_fields(self):
        fields = self._fields()
        return sent_always(fields, declared=fields)

    def _fields(self):
        return {
            "@type": _one_of("Claim", help_text="Always Claim."),
            "author": ClaimReviewAgentOutput(
                many=True,
                required=False,
                help_text="Who made the claim: the article's authors. None for a quotation, whose "
                "speaker Factdesk does not know.",
            ),
            "appearance": ClaimReviewArticleOutput(help_text="The article the claim appears in."),
        }


class ClaimReviewOutput(Output):
    """A claim's verdict as schema.org ``ClaimReview``, in JSON-LD."""

    def get_fields(self):
        fields = self._fields()
        return sent_always(fields, declared=fields)

    def _fields(self):
        return {
            "@context": _one_of(SCHEMA_ORG, help_text="The vocabulary: schema.org."),
            "@type": _one_of("ClaimReview", help_text="Always ClaimReview."),
            "url": _url("The page that publishes the review: the article's address."),
            "claimReviewed": serializers.CharField(help_text="The claim, word for word."),
            "datePublished": serializers.DateTimeField(
                help_text="When the claim got its verdict (UTC, to the second)."
            ),
            "author": ClaimReviewAgentOutput(help_text="The newsroom that checked the claim."),
            "reviewRating": ClaimReviewRatingOutput(),
            "itemReviewed": ClaimReviewItemOutput(),
        }


# --- The view --------------------------------------------------------------------------------------


#: The ``format`` query parameter's values: ``?format=json`` is the same as ``Accept: application/json``.
FORMATS = ["jsonld", "json"]


class JsonLdRenderer(JSONRenderer):
    """JSON-LD (``application/ld+json``) with ``<``, ``>`` and ``&`` written as ``\\u`` escapes, so that
    the body can go into an HTML ``<script>`` element as it is: no text of an article can close it."""

    media_type = "application/ld+json"
    format = "jsonld"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        body = super().render(data, accepted_media_type, renderer_context)
        return body.replace(b"<", b"\\u003c").replace(b">", b"\\u003e").replace(b"&", b"\\u0026")


NO_REVIEW = (
    "No such claim in your newsroom; or it has no verdict your newsroom publishes (it is still open, "
    "not checkable or superseded, or its verdict is not in your ClaimReview ratings); or its article "
    "has no URL yet. `detail` says which."
)


class ClaimReviewView(APIView):
    renderer_classes = [JsonLdRenderer, JSONRenderer]

    @extend_schema(
        operation_id="claim_review",
        responses={200: ClaimReviewOutput, 404: error(NO_REVIEW)},
        summary="The claim's verdict as schema.org ClaimReview (JSON-LD), to embed in the article's page.",
        description="`reviewRating` maps the verdict on your newsroom's scale (admin: Checking policies; "
        "by default false 1, misleading 2, verified 5 on 1 to 5, unverifiable not published). "
        "`application/ld+json` by default, with `<`, `>` and `&` written as `\\u003c`, `\\u003e` and "
        "`\\u0026`, so that the body's bytes can go into the page's JSON-LD script element as they are: "
        "no text of an article can close the element. That escaping lives in the bytes only: a client "
        "that parses the JSON (a generated client does) and writes it out again must escape those three "
        "characters itself, or embed the raw body. `Accept: application/json` gets plain JSON.",
    )
    def get(self, request, claim_id: int):
        newsroom = request.auth.newsroom
        claim = selectors.claim_for_review(newsroom=newsroom, claim_id=claim_id)
        if claim is None:
            raise NotFound("No such claim in your newsroom.")
        rating = selectors.newsroom_scale(newsroom=newsroom).rating(claim.status)
        if rating is None:
            raise NotFound(
                f"The claim is {claim.get_status_display().lower()}: not a verdict your newsroom publishes "
                "as ClaimReview (see its ClaimReview ratings)."
            )
        if not claim.article.url:
            raise NotFound("The claim's article has no URL: submit it with the address it is published at.")
        return Response(claim_review_document(claim=claim, rating=rating, newsroom=newsroom))
