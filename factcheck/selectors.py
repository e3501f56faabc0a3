"""Reads on the checking side.  Every selector fetches what its callers show, so none can N+1."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from editorial.models import Article, Newsroom
from factcheck.analysis.attributions import DEFAULT_POLICY, Policy
from factcheck.analysis.types import Severity
from factcheck.models import AttributionFlag, CheckingPolicy, Claim, ExcludedBlock
from factcheck.workflow import ClaimStatus


def live_claims() -> QuerySet[Claim]:
    return Claim.objects.exclude(status=ClaimStatus.SUPERSEDED)


def article_detail(*, newsroom: Newsroom, article_id: int) -> Article:
    """One article of ``newsroom`` with its live claims, their flags and the excluded blocks."""
    return (
        Article.objects.select_related("desk")
        .prefetch_related(
            Prefetch(
                "claims",
                queryset=live_claims().prefetch_related("flags").order_by("ordinal"),
                to_attr="live_claims",
            ),
            Prefetch("excluded_blocks", queryset=ExcludedBlock.objects.order_by("start")),
        )
        .get(newsroom=newsroom, pk=article_id)
    )


def claim_list(
    *,
    newsroom: Newsroom,
    article_id: int | None = None,
    flagged: bool | None = None,
    flag_kind: str | None = None,
) -> QuerySet[Claim]:
    """Live claims of ``newsroom``, newest articles first, in article order."""
    claims = (
        live_claims()
        .filter(article__newsroom=newsroom)
        .select_related("article", "article__desk", "assignee")
        .prefetch_related("flags")
    )
    if article_id is not None:
        claims = claims.filter(article_id=article_id)
    if flagged is not None:
        claims = claims.filter(is_flagged=flagged)
    if flag_kind:
        claims = claims.filter(Exists(AttributionFlag.objects.filter(claim=OuterRef("pk"), kind=flag_kind)))
    return claims


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def attribution_policy(*, newsroom: Newsroom) -> Policy:
    """The analysis policy of ``newsroom``: its saved checking policy, or the defaults."""
    saved = CheckingPolicy.objects.filter(newsroom=newsroom).first()
    if saved is None:
        return DEFAULT_POLICY
    return Policy(
        enabled=frozenset(saved.flag_kinds),
        severities={kind: Severity(value) for kind, value in saved.severities.items()},
        extra_vague_terms=_lines(saved.extra_vague_terms),
        allowed_phrases=_lines(saved.allowed_phrases),
    )
