"""Reads on the checking side.  Every selector fetches what its callers show, so none can N+1."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, models
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from editorial.models import AnalysisStatus, Article, ArticleRevision, Membership, Newsroom
from factcheck.analysis import revisions
from factcheck.analysis.attribution import DEFAULT_POLICY, Policy
from factcheck.analysis.types import Severity
from factcheck.claimreview import DEFAULT_SCALE, RatingScale, rating_scale
from factcheck.models import (
    ActorKind,
    AttributionFlag,
    AuditAction,
    CheckingPolicy,
    Claim,
    ClaimEvent,
    ExcludedBlock,
    Source,
    has_flag_kind,
)
from factcheck.workflow import OPEN_STATES, ClaimStatus


def live_claims() -> QuerySet[Claim]:
    return Claim.objects.exclude(status=ClaimStatus.SUPERSEDED)


#: The claims (and the kept-out parts) an article's page shows at most, in reading order: the API's
#: article answer and the admin's article page.  The rest are in the claims list (the API's
#: ``/claims?article=``, the admin's review queue), so that no article makes a page unbounded.
ARTICLE_PAGE_CLAIMS = 200


def article_revision(*, article_id: int) -> int | None:
    """The current revision of the article ``article_id``; None when it is gone."""
    return Article.objects.filter(pk=article_id).values_list("revision", flat=True).first()


def flagged_claim_ids(*, live: Iterable[Claim]) -> frozenset[int]:
    """The ids of the flagged claims among ``live``, an article's live claims as loaded before a new
    analysis is stored (for ``claim.flagged`` to name only the claims it newly flags)."""
    return frozenset(claim.pk for claim in live if claim.is_flagged)


def flagged_claims(*, article: Article) -> list[Claim]:
    """The article's live flagged claims in their order, with their flags."""
    return list(
        live_claims().filter(article=article, is_flagged=True).prefetch_related("flags").order_by("ordinal")
    )


def article_detail(*, newsroom: Newsroom, article_id: int) -> Article:
    """One article of ``newsroom`` with its first live claims (``live_claims``: at most
    ``ARTICLE_PAGE_CLAIMS``, in order, with their flags) and excluded blocks (``first_excluded``),
    and how many there are of each (``live_total``, ``excluded_total``)."""
    article = (
        with_readiness(Article.objects.select_related("desk"))
        .annotate(
            live_total=Subquery(
                live_claims()
                .filter(article=OuterRef("pk"))
                .values("article")
                .annotate(total=models.Count("pk"))
                .values("total")
            ),
            excluded_total=Subquery(
                ExcludedBlock.objects.filter(article=OuterRef("pk"))
                .values("article")
                .annotate(total=models.Count("pk"))
                .values("total")
            ),
        )
        .get(newsroom=newsroom, pk=article_id)
    )
    article.live_total = article.live_total or 0
    article.excluded_total = article.excluded_total or 0
    article.live_claims = list(
        live_claims()
        .filter(article=article)
        .prefetch_related("flags")
        .order_by("ordinal")[:ARTICLE_PAGE_CLAIMS]
    )
    article.first_excluded = list(
        ExcludedBlock.objects.filter(article=article).order_by("start")[:ARTICLE_PAGE_CLAIMS]
    )
    return article


#: What the claims list reads of each claim.
CLAIM_LIST_FIELDS = (
    "id", "article_id", "ordinal", "text", "start", "end", "paragraph", "kind", "checkworthiness",
    "checkworthiness_reasons", "status", "assignee_id", "assignee_key_id", "is_flagged", "updated_at",
)  # fmt: skip
#: What the claims list reads of the people and API keys that hold claims, as named columns.
CLAIM_LIST_HOLDER = {
    "assignee_username": F("assignee__username"),
    "assignee_key_prefix": F("assignee_key__prefix"),
    "assignee_key_name": F("assignee_key__name"),
}
#: What the claims list shows of each flag, in its order.
FLAG_FIELDS = ("kind", "cue", "start", "end", "severity", "message")


def claim_list(
    *,
    newsroom: Newsroom,
    article_id: int | None = None,
    flagged: bool | None = None,
    flag_kind: str | None = None,
    status: str | None = None,
    desk_id: int | None = None,
    assignee: int | str | None = None,
    checkworthiness_min: float | None = None,
    checkworthiness_max: float | None = None,
    updated_since: datetime | None = None,
) -> QuerySet[Claim]:
    """Claims of ``newsroom``: the live ones, or the superseded ones if ``status`` says so.

    Each claim has the fields the API lists and ``CLAIM_LIST_HOLDER`` (no user or key row is fetched); the
    flags of a page are :func:`claim_list_flags`, one query.  The filters mean what they mean in the
    review queue (``narrow_queue``); ``assignee`` is a user id or "unassigned".  ``updated_since``:
    changed at or after that time (for incremental sync).  The caller orders (the API's cursor
    pagination does).
    """
    base = (
        Claim.objects.filter(status=ClaimStatus.SUPERSEDED)
        if status == ClaimStatus.SUPERSEDED
        else live_claims()
    )
    claims = base.filter(newsroom=newsroom).only(*CLAIM_LIST_FIELDS).annotate(**CLAIM_LIST_HOLDER)
    claims = narrow_queue(
        claims,
        viewer=None,
        filters=QueueFilters(status=status, flag_kind=flag_kind, desk_id=desk_id, assignee=assignee),
    )
    if article_id is not None:
        claims = claims.filter(article_id=article_id)
    if flagged is not None:
        claims = claims.filter(is_flagged=flagged)
    if checkworthiness_min is not None:
        claims = claims.filter(checkworthiness__gte=checkworthiness_min)
    if checkworthiness_max is not None:
        claims = claims.filter(checkworthiness__lte=checkworthiness_max)
    if updated_since is not None:
        claims = claims.filter(updated_at__gte=updated_since)
    return claims


def claim_list_flags(*, claim_ids: list[int]) -> dict[int, list[dict]]:
    """The flags of the claims ``claim_ids`` (a page of :func:`claim_list`), as ``{claim id: [flag]}``
    with each flag's ``FLAG_FIELDS``, in the order of the text: one query, and no model rows.

    Plain SQL: the ORM spends a millisecond preparing an ``IN`` of 50 ids through the foreign key,
    four times what the query itself costs, on a list that answers hundreds of requests a second.
    """
    flags: dict[int, list[dict]] = {claim_id: [] for claim_id in claim_ids}
    if not claim_ids:
        return flags
    quote = connection.ops.quote_name
    columns = ", ".join(quote(name) for name in ("claim_id", *FLAG_FIELDS))
    table = quote(AttributionFlag._meta.db_table)
    placeholders = ", ".join(["%s"] * len(claim_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns} FROM {table} WHERE {quote('claim_id')} IN ({placeholders}) "  # noqa: S608
            f"ORDER BY {quote('claim_id')}, {quote('start')}, {quote('id')}",  # names from the model only
            [int(claim_id) for claim_id in claim_ids],
        )
        for claim_id, *values in cursor.fetchall():
            flags[claim_id].append(dict(zip(FLAG_FIELDS, values, strict=True)))
    return flags


def article_list(
    *,
    newsroom: Newsroom,
    external_id: str | None = None,
    desk_id: int | None = None,
    analysis_status: str | None = None,
    readiness: str | None = None,
    overdue: bool | None = None,
    now: datetime | None = None,
    updated_since: datetime | None = None,
) -> QuerySet[Article]:
    """Articles of ``newsroom`` with what their readiness is derived from (see :func:`readiness`).

    ``overdue``: only the articles :func:`is_overdue` at ``now`` (default: the current time), or only
    the others.  ``updated_since``: the article, or one of its claims, changed at or after that time:
    a claim's review moves the article's readiness without touching the article.  The caller orders.
    """
    articles = with_readiness(Article.objects.filter(newsroom=newsroom).select_related("desk"))
    if external_id is not None:
        articles = articles.filter(external_id=external_id)
    if desk_id is not None:
        articles = articles.filter(desk_id=desk_id)
    if analysis_status is not None:
        articles = articles.filter(analysis_status=analysis_status)
    if readiness is not None:
        articles = articles.filter(_readiness_condition(readiness))
    if overdue is not None:
        condition = overdue_condition(now or timezone.now())
        articles = articles.filter(condition if overdue else ~condition)
    if updated_since is not None:
        articles = articles.filter(
            Q(updated_at__gte=updated_since)
            | Exists(Claim.objects.filter(article=OuterRef("pk"), updated_at__gte=updated_since))
        )
    return articles


#: What the analyses of an article's revisions (and editors' corrections) do to its claims.
REVISION_ACTIONS = (AuditAction.CREATED, AuditAction.SUPERSEDE, AuditAction.REVISED)
#: A note on a claim, outside any move of the workflow.
NOTE_ACTION = AuditAction.NOTE


def article_revisions(*, article: Article) -> QuerySet[ClaimEvent]:
    """The changes revisions made to ``article``'s claims: sentences that became claims, claims
    superseded because a revision removed or rewrote their sentence, and requests for attribution
    that a revision answered.  The caller orders."""
    return (
        ClaimEvent.objects.filter(claim__article=article)
        .filter(
            Q(action__in=REVISION_ACTIONS)
            | Q(
                action__in=[AuditAction.ANSWER_ATTRIBUTION, AuditAction.REOPEN],
                actor_kind=ActorKind.SYSTEM,
            )
        )
        .select_related("claim")
    )


def article_body_revisions(*, article: Article) -> QuerySet[ArticleRevision]:
    """The bodies ``article`` was sent, oldest first, without the bodies themselves (``defer``)."""
    return ArticleRevision.objects.filter(article=article).defer("body").order_by("number")


def article_body_revision(*, article: Article, number: int) -> ArticleRevision:
    """Revision ``number`` of ``article``, with its body (raises ArticleRevision.DoesNotExist)."""
    return ArticleRevision.objects.get(article=article, number=number)


@dataclass(frozen=True)
class BodyDiff:
    """The difference between two revisions of an article's body, line by line."""

    older: ArticleRevision
    newer: ArticleRevision
    lines: list[tuple[str, str]]  # (op, line): op is "equal", "delete" or "insert"

    @property
    def unified(self) -> str:
        return revisions.unified_diff(
            self.older.body,
            self.newer.body,
            older=f"revision {self.older.number}",
            newer=f"revision {self.newer.number}",
        )

    @property
    def added(self) -> int:
        return sum(op == "insert" for op, _ in self.lines)

    @property
    def removed(self) -> int:
        return sum(op == "delete" for op, _ in self.lines)


def article_body_diff(*, article: Article, older: int, newer: int) -> BodyDiff:
    """What changed in ``article``'s body from revision ``older`` to ``newer`` (either order of age;
    raises ArticleRevision.DoesNotExist when either is not one of the article's)."""
    rows = {
        row.number: row for row in ArticleRevision.objects.filter(article=article, number__in=[older, newer])
    }
    if older not in rows or newer not in rows:
        raise ArticleRevision.DoesNotExist(f"No revision {older if older not in rows else newer}.")
    return BodyDiff(
        older=rows[older], newer=rows[newer], lines=revisions.line_diff(rows[older].body, rows[newer].body)
    )


def claim_notes(*, claim: Claim) -> QuerySet[ClaimEvent]:
    return ClaimEvent.objects.filter(claim=claim, action=NOTE_ACTION).order_by("created_at", "id")


def with_flag_kind(claims: QuerySet[Claim], kind: str) -> QuerySet[Claim]:
    """``claims`` that carry a flag of ``kind``.

    flag_kinds is written with the flags, in the same transaction, and names the kinds of the claim's
    flags (NULL without flags).  The kind is read on the claim's row, not through an EXISTS on the
    flags: PostgreSQL cannot see that every flag is on a flagged claim, so it took a rare kind for
    rarer still among the flagged ones (by 20 times for anonymous_official), and sorted every flagged
    claim of the filters instead of walking the queue index to the first page.  For the same reason
    the filter says nothing of is_flagged: the LIKE implies flag_kinds is not NULL, the condition of
    the claim_flagged_* indexes, where "flagged" beside it was taken for independent of the kind and
    made the planner expect 7 times fewer claims than it found (bench/review_queue.py).
    """
    return claims.filter(has_flag_kind(kind))


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


def newsroom_scale(*, newsroom: Newsroom) -> RatingScale:
    """How ``newsroom`` publishes its verdicts as ClaimReview: its checking policy's map from verdicts
    to ratings, or the defaults when it has none."""
    saved = CheckingPolicy.objects.filter(newsroom=newsroom).values_list("claim_review_ratings", flat=True)
    ratings = saved.first()
    return DEFAULT_SCALE if ratings is None else rating_scale(ratings)


def entered_at() -> Subquery:
    """When a claim entered its current state (the last move to it), for ``.annotate(entered_at=...)``."""
    entered = ClaimEvent.objects.filter(claim=OuterRef("pk"), to_status=OuterRef("status")).order_by(
        "-created_at", "-id"
    )
    return Subquery(entered.values("created_at")[:1])


def claim_for_review(*, newsroom: Newsroom, claim_id: int) -> Claim | None:
    """The claim of ``newsroom`` with its article and ``entered_at`` (when it entered its state), or None:
    what its ClaimReview is made of."""
    return (
        Claim.objects.select_related("article")
        .annotate(entered_at=entered_at())
        .filter(newsroom=newsroom, pk=claim_id)
        .first()
    )


def sources_queryset(*, with_text: bool = False) -> QuerySet[Source]:
    """Sources with their passages and archived copy, never its raw body; its main text only when
    ``with_text`` (a list shows the title and excerpt)."""
    deferred = ["snapshot__raw"] if with_text else ["snapshot__raw", "snapshot__text"]
    return (
        Source.objects.select_related("snapshot")
        .defer(*deferred)
        .prefetch_related("passages")
        .order_by("created_at", "id")
    )


def sources_prefetch() -> Prefetch:
    """A claim's sources, as ``sources_queryset`` gives them, for ``prefetch_related``."""
    return Prefetch("sources", queryset=sources_queryset())


def claim_detail(*, newsroom: Newsroom, claim_id: int) -> Claim:
    """One claim of ``newsroom`` with its flags, sources and history (raises Claim.DoesNotExist)."""
    return (
        Claim.objects.select_related("article", "article__desk", "assignee", "assignee_key")
        .prefetch_related(
            "flags",
            sources_prefetch(),
            Prefetch("events", queryset=ClaimEvent.objects.order_by("created_at", "id")),
        )
        .get(article__newsroom=newsroom, pk=claim_id)
    )


def claim_pk_only(*, newsroom: Newsroom, claim_id: int) -> Claim:
    """One claim of ``newsroom``, as :func:`claim_detail` finds it, with nothing loaded but its pk: for
    the callers that only check that it is there (raises Claim.DoesNotExist)."""
    return Claim.objects.only("pk").get(article__newsroom=newsroom, pk=claim_id)


def claim_history(*, claim: Claim) -> QuerySet[ClaimEvent]:
    return ClaimEvent.objects.filter(claim=claim).order_by("created_at", "id")


# --- Readiness and the review queue ----------------------------------------------------------------

DEFAULT_THRESHOLD = 0.5
#: A flagged claim in one of these states blocks its article.
BLOCKING_STATES = (ClaimStatus.UNREVIEWED, ClaimStatus.NEEDS_ATTRIBUTION)


def _readiness_threshold() -> Coalesce:
    """An article's check-worthiness threshold: its newsroom's checking policy's, or the default."""
    return Coalesce(F("newsroom__checking_policy__checkworthiness_threshold"), Value(DEFAULT_THRESHOLD))


class Readiness(models.TextChoices):
    PENDING = "pending", "Not analysed yet"
    BLOCKED = "blocked", "Blocked: a flagged claim is unreviewed or waits for attribution"
    OPEN = "open", "Open: check-worthy claims are still being checked"
    CLEAR = "clear", "Clear: every check-worthy claim is resolved"


def with_readiness(articles: QuerySet[Article]) -> QuerySet[Article]:
    """Annotate each article with what its readiness is derived from, in the same query.

    Exists, not counts: each article's readiness is then two index probes, and a filter on it (the
    articles list's) lets the page stop early instead of aggregating every claim of the newsroom first.
    """
    return articles.annotate(
        readiness_threshold=_readiness_threshold(),
        blocking_claims=Exists(
            Claim.objects.filter(article=OuterRef("pk"), is_flagged=True, status__in=BLOCKING_STATES)
        ),
        open_claims=Exists(
            Claim.objects.filter(
                article=OuterRef("pk"),
                status__in=list(OPEN_STATES),
                checkworthiness__gte=OuterRef("readiness_threshold"),
            )
        ),
    )


def readiness(article: Article) -> Readiness:
    """Derived, never stored, from the annotations of :func:`with_readiness`."""
    if article.analysis_status != AnalysisStatus.ANALYZED:
        return Readiness.PENDING
    if article.blocking_claims:
        return Readiness.BLOCKED
    return Readiness.OPEN if article.open_claims else Readiness.CLEAR


def is_overdue(article: Article, *, now: datetime) -> bool:
    """Its deadline has passed and it is not clear (annotated by :func:`with_readiness`)."""
    return article.deadline is not None and article.deadline <= now and readiness(article) != Readiness.CLEAR


def _readiness_condition(value: str) -> Q:
    """The articles of readiness ``value``, on the annotations of :func:`with_readiness`."""
    analysed = Q(analysis_status=AnalysisStatus.ANALYZED)
    return {
        Readiness.PENDING: ~analysed,
        Readiness.BLOCKED: analysed & Q(blocking_claims=True),
        Readiness.OPEN: analysed & Q(blocking_claims=False, open_claims=True),
        Readiness.CLEAR: analysed & Q(blocking_claims=False, open_claims=False),
    }[value]


def overdue_condition(now: datetime) -> Q:
    """The articles :func:`is_overdue` at ``now``, on the annotations of :func:`with_readiness`."""
    return Q(deadline__lte=now) & ~_readiness_condition(Readiness.CLEAR)


def overdue_articles_count(*, now: datetime, newsroom: Newsroom | None = None) -> int:
    """How many articles are overdue at ``now`` (of ``newsroom``, or of all): the ``article_deadline``
    index finds the passed deadlines, two probes each tell their readiness."""
    articles = Article.objects.filter(deadline__lte=now).order_by()
    if newsroom is not None:
        articles = articles.filter(newsroom=newsroom)
    return with_readiness(articles).filter(overdue_condition(now)).count()


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

    Priority (``QUEUE_ORDER``): the article's deadline, soonest first and none last; then flagged
    before unflagged, then more check-worthy, then older.  Backed by the
    ``claim_queue`` and ``claim_newsroom_*`` indexes ([newsroom,] [status,] the queue order).
    ``model``: ``Claim``, or its proxy ``ReviewItem`` (the admin's queue lists those).
    """
    claims = (
        model.objects.exclude(status=ClaimStatus.SUPERSEDED)
        .select_related("article", "article__desk", "assignee", "assignee_key")
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
        # Nobody has taken it: no person, and no API key (``claim_*open_free`` serve it).
        claims = claims.filter(assignee__isnull=True, assignee_key__isnull=True)
    elif filters.assignee:
        claims = claims.filter(assignee_id=filters.assignee)
    if filters.search:
        claims = claims.filter(
            Q(text__icontains=filters.search) | Q(article__title__icontains=filters.search)
        )
    return claims


#: The queue's order: the article's deadline, soonest (and overdue) first, claims of articles without
#: one after every claim with one; then flagged before unflagged, more check-worthy, older, id.  The
#: queue indexes are built in this order (``factcheck.models.QUEUE_INDEX_ORDER``).
QUEUE_ORDER = (F("deadline").asc(nulls_last=True), "-is_flagged", "-checkworthiness", "created_at", "id")
