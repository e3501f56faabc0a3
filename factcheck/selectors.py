"""Reads on the checking side.  Every selector fetches what its callers show, so none can N+1."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from editorial.models import AnalysisStatus, Article, Membership, Newsroom
from factcheck.analysis.attributions import DEFAULT_POLICY, Policy
from factcheck.analysis.types import Severity
from factcheck.models import AttributionFlag, CheckingPolicy, Claim, ClaimEvent, ExcludedBlock
from factcheck.workflow import OPEN_STATES, ClaimStatus
from factcheck.workflow import ClaimStatus as S


def live_claims() -> QuerySet[Claim]:
    return Claim.objects.exclude(status=ClaimStatus.SUPERSEDED)


def article_detail(*, newsroom: Newsroom, article_id: int) -> Article:
    """One article of ``newsroom`` with its live claims, their flags and the excluded blocks."""
    return (
        with_readiness(Article.objects.select_related("desk"))
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
        claims = with_flag_kind(claims, flag_kind)
    return claims


def with_flag_kind(claims: QuerySet[Claim], kind: str) -> QuerySet[Claim]:
    """``claims`` that carry a flag of ``kind``.

    is_flagged is written with the flags, in the same transaction, so it is true exactly when a flag
    exists: saying so lets the queue's index walk stop at the end of the flagged claims.
    """
    return claims.filter(
        Exists(AttributionFlag.objects.filter(claim=OuterRef("pk"), kind=kind)), is_flagged=True
    )


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


def claim_detail(*, newsroom: Newsroom, claim_id: int) -> Claim:
    """One claim of ``newsroom`` with its flags, sources and history (raises Claim.DoesNotExist)."""
    return (
        Claim.objects.select_related("article", "article__desk", "assignee")
        .prefetch_related(
            "flags", "sources", Prefetch("events", queryset=ClaimEvent.objects.order_by("created_at", "id"))
        )
        .get(article__newsroom=newsroom, pk=claim_id)
    )


def claim_history(*, claim: Claim) -> QuerySet[ClaimEvent]:
    return ClaimEvent.objects.filter(claim=claim).order_by("created_at", "id")


# --- Readiness and the review queue ----------------------------------------------------------------

DEFAULT_THRESHOLD = 0.5


class Readiness(models.TextChoices):
    PENDING = "pending", "Not analysed yet"
    BLOCKED = "blocked", "Blocked: a flagged claim is unreviewed or waits for attribution"
    OPEN = "open", "Open: check-worthy claims are still being checked"
    CLEAR = "clear", "Clear: every check-worthy claim is resolved"


def with_readiness(articles: QuerySet[Article]) -> QuerySet[Article]:
    """Annotate each article with what its readiness is derived from, in the same query."""
    threshold = Coalesce(F("newsroom__checking_policy__checkworthiness_threshold"), Value(DEFAULT_THRESHOLD))
    return articles.annotate(
        blocking_claims=Count(
            "claims",
            filter=Q(claims__is_flagged=True, claims__status__in=[S.UNREVIEWED, S.NEEDS_ATTRIBUTION]),
        ),
        open_claims=Count(
            "claims",
            filter=Q(claims__checkworthiness__gte=threshold, claims__status__in=list(OPEN_STATES)),
        ),
    )


def readiness(article: Article) -> Readiness:
    """Derived, never stored, from the annotations of :func:`with_readiness`."""
    if article.analysis_status != AnalysisStatus.ANALYZED:
        return Readiness.PENDING
    if article.blocking_claims:
        return Readiness.BLOCKED
    return Readiness.OPEN if article.open_claims else Readiness.CLEAR


def article_readiness(*, article_id: int) -> Readiness:
    return readiness(with_readiness(Article.objects.filter(pk=article_id)).get())


@dataclass(frozen=True)
class QueueFilters:
    """What an editor narrows the queue to.  ``assignee``: a user id, "mine" or "unassigned"."""

    status: str | None = None
    flag_kind: str | None = None
    desk_id: int | None = None
    assignee: int | str | None = None
    newsroom_id: int | None = None
    search: str = ""


def review_queue(
    *, viewer, filters: QueueFilters = QueueFilters(), model: type[Claim] = Claim
) -> QuerySet[Claim]:
    """Live claims the viewer's newsrooms have to review, most urgent first.

    Priority: flagged before unflagged, then more check-worthy, then older.  Backed by the
    ``claim_queue`` and ``claim_newsroom_*`` indexes ([newsroom,] [status,] the queue order).
    ``model``: ``Claim``, or its proxy ``ReviewItem`` (the admin's queue lists those).
    """
    claims = (
        model.objects.exclude(status=ClaimStatus.SUPERSEDED)
        .select_related("article", "article__desk", "assignee")
        .prefetch_related("flags")
    )
    if filters.status == ClaimStatus.SUPERSEDED:
        # Never in the queue.  Said here because the planner cannot see that the filter contradicts
        # the exclusion, and would walk every superseded claim to find none.
        claims = claims.none()
    if not viewer.is_superuser:
        # The viewer's newsrooms as values, not a join through memberships: for someone in one
        # newsroom the filter is an equality, and the first page one walk of a claim_newsroom_* index.
        newsrooms = list(Membership.objects.filter(user=viewer).values_list("newsroom_id", flat=True))
        claims = claims.filter(newsroom_id__in=newsrooms)
    return narrow_queue(claims, viewer=viewer, filters=filters).order_by(*QUEUE_ORDER)


def narrow_queue(claims: QuerySet[Claim], *, viewer, filters: QueueFilters) -> QuerySet[Claim]:
    """``claims`` narrowed to ``filters``: what each filter means, for the API and the admin alike."""
    if filters.newsroom_id:
        claims = claims.filter(newsroom_id=filters.newsroom_id)
    if filters.status:
        claims = claims.filter(status=filters.status)
    if filters.flag_kind:
        claims = with_flag_kind(claims, filters.flag_kind)
    if filters.desk_id:
        claims = claims.filter(desk_id=filters.desk_id)
    if filters.assignee == "mine":
        claims = claims.filter(assignee=viewer)
    elif filters.assignee == "unassigned":
        claims = claims.filter(assignee__isnull=True)
    elif filters.assignee:
        claims = claims.filter(assignee_id=filters.assignee)
    if filters.search:
        claims = claims.filter(
            Q(text__icontains=filters.search) | Q(article__title__icontains=filters.search)
        )
    return claims


QUEUE_ORDER = ("-is_flagged", "-checkworthiness", "created_at", "id")
