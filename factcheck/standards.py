"""The standards dashboard's figures: how each desk, or each reporter, is doing over a period.

Reads only (selectors for ``factcheck/admin/standards.py``).  Every figure is grouped by desk or by
reporter (an article with two reporters counts for each), over the newsrooms given:

- **flags**: the unnamed-source flags on the live claims of the articles submitted in the period, by
  kind, and per 1,000 words of those articles;
- **verdicts**: the verdicts given in the period that stand (a claim reopened or superseded since
  no longer counts), by verdict, and the time from the claim's arrival (the submission that brought
  it) to its verdict (``Claim.verdict_at``): median and 90th percentile;
- **queue**: the claims open now, and how long they have waited (median, 90th percentile, oldest);
- **sent back**: the claims sent back for attribution in the period, how many came back (answered
  with the source), and how long that took.

Percentiles are PostgreSQL's ``percentile_cont`` (linear interpolation between the two nearest
values); on SQLite the same definition is applied in Python.  One query per figure, whatever the
number of groups: ``bench/dashboard.py`` times them on a million claims.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.expressions import Combinable
from django.utils import timezone

from editorial.models import Article, Desk
from factcheck.models import AttributionFlag, AuditAction, Claim, ClaimEvent
from factcheck.workflow import OPEN_STATES, ClaimStatus

#: The verdicts in the order the dashboard shows them.
VERDICT_ORDER: tuple[ClaimStatus, ...] = (
    ClaimStatus.VERIFIED,
    ClaimStatus.MISLEADING,
    ClaimStatus.FALSE,
    ClaimStatus.UNVERIFIABLE,
)
#: The longest period the dashboard reads at once.
MAX_PERIOD_DAYS = 366


class GroupBy:
    DESK = "desk"
    REPORTER = "reporter"
    CHOICES = ((DESK, "Desk"), (REPORTER, "Reporter"))


#: For each grouping, the path from each figure's rows to the group's key.
_PATHS: dict[str, dict[str, str]] = {
    GroupBy.DESK: {"article": "desk", "flag": "claim__desk", "event": "claim__desk", "claim": "desk"},
    GroupBy.REPORTER: {
        "article": "reporters",
        "flag": "claim__article__reporters",
        "event": "claim__article__reporters",
        "claim": "article__reporters",
    },
}


@dataclass(frozen=True)
class Period:
    """From the start of ``first`` to the end of ``last`` (both days included), in the site's time zone."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError("The period ends before it starts.")
        if (self.last - self.first).days + 1 > MAX_PERIOD_DAYS:
            raise ValueError(f"The period is longer than {MAX_PERIOD_DAYS} days.")

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.first, time.min))

    @property
    def end(self) -> datetime:
        """The first instant after the period."""
        return timezone.make_aware(datetime.combine(self.last + timedelta(days=1), time.min))

    @classmethod
    def last_days(cls, days: int, *, today: date | None = None) -> Period:
        today = today or timezone.localdate()
        return cls(today - timedelta(days=days - 1), today)


@dataclass(frozen=True)
class Spread:
    """How many durations, and their median and 90th percentile (None when there are none)."""

    count: int = 0
    median: timedelta | None = None
    p90: timedelta | None = None


@dataclass
class GroupFigures:
    """One desk's or reporter's figures over the period (``key`` None: articles without one)."""

    key: int | None
    label: str = ""
    words: int = 0
    flags: Counter[str] = field(default_factory=Counter)
    verdicts: Counter[str] = field(default_factory=Counter)
    to_verdict: Spread = field(default_factory=Spread)
    open_age: Spread = field(default_factory=Spread)
    oldest_open: timedelta | None = None
    sent_back: Spread = field(default_factory=Spread)
    came_back: Spread = field(default_factory=Spread)

    @property
    def flag_total(self) -> int:
        return sum(self.flags.values())

    @property
    def flags_per_1000_words(self) -> float | None:
        return 1000 * self.flag_total / self.words if self.words else None

    @property
    def verdict_total(self) -> int:
        return sum(self.verdicts.values())


@dataclass(frozen=True)
class Dashboard:
    period: Period
    group_by: str
    now: datetime
    groups: list[GroupFigures]


class Percentile(Aggregate):
    """PostgreSQL's ``percentile_cont(fraction) WITHIN GROUP (ORDER BY expression)`` of a duration."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression: Any, fraction: float) -> None:
        if not 0 <= fraction <= 1:
            raise ValueError("fraction is between 0 and 1")
        super().__init__(expression, fraction=repr(float(fraction)), output_field=DurationField())


def percentile(sorted_values: list[float], fraction: float) -> float:
    """``percentile_cont``'s definition: linear interpolation at ``fraction * (n - 1)``."""
    if not sorted_values:
        raise ValueError("no values")
    position = fraction * (len(sorted_values) - 1)
    low, high = math.floor(position), math.ceil(position)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def _spreads(rows: QuerySet[Any], key: str, duration: Combinable) -> dict[int | None, Spread]:
    """Count, median and 90th percentile of ``duration`` (never NULL) over ``rows``, for each ``key``."""
    if connection.vendor == "postgresql":
        grouped = (
            rows.annotate(duration=duration)
            .values(key)
            .annotate(n=Count("*"), median=Percentile("duration", 0.5), p90=Percentile("duration", 0.9))
            .order_by()
        )
        return {row[key]: Spread(row["n"], row["median"], row["p90"]) for row in grouped}
    values: dict[int | None, list[float]] = defaultdict(list)
    for group, value in rows.annotate(duration=duration).values_list(key, "duration").order_by():
        values[group].append(value.total_seconds())
    return {group: _spread_of(seconds) for group, seconds in values.items()}


def _spread_of(seconds: list[float]) -> Spread:
    seconds = sorted(seconds)
    median, p90 = (timedelta(seconds=percentile(seconds, f)) for f in (0.5, 0.9))
    return Spread(len(seconds), median, p90)


def _since(start: Any, end: Any) -> ExpressionWrapper[Any]:
    return ExpressionWrapper(end - start, output_field=DurationField())


# --- The figures, one query each ------------------------------------------------------------------


def words_by_group(*, newsroom_ids: Iterable[int], period: Period, group_by: str) -> dict[int | None, int]:
    """Words of the articles submitted in the period."""
    key = _PATHS[group_by]["article"]
    rows = (
        Article.objects.filter(newsroom__in=list(newsroom_ids), created_at__gte=period.start)
        .filter(created_at__lt=period.end)
        .values(key)
        .annotate(words=Sum("word_count"))
        .order_by()
    )
    return {row[key]: row["words"] or 0 for row in rows}


def flags_by_group(
    *, newsroom_ids: Iterable[int], period: Period, group_by: str
) -> dict[int | None, Counter[str]]:
    """Flags on the live claims of the articles submitted in the period, by kind.

    The period's articles are read first (a few thousand a month at the bench's scale), so that their
    claims are found by article rather than by a scan of every claim.
    """
    key = _PATHS[group_by]["flag"]
    articles = list(
        Article.objects.filter(
            newsroom__in=list(newsroom_ids), created_at__gte=period.start, created_at__lt=period.end
        ).values_list("pk", flat=True)
    )
    rows = (
        # Only flagged claims have flags: saying so lets their (small) index serve.
        AttributionFlag.objects.filter(claim__article__in=articles, claim__is_flagged=True)
        .exclude(claim__status=ClaimStatus.SUPERSEDED)
        .values(key, "kind")
        .annotate(n=Count("*"))
        .order_by()
    )
    flags: dict[int | None, Counter[str]] = defaultdict(Counter)
    for row in rows:
        flags[row[key]][row["kind"]] += row["n"]
    return flags


def _events(newsroom_ids: Iterable[int], period: Period, actions: Iterable[str]) -> QuerySet[ClaimEvent]:
    return ClaimEvent.objects.filter(
        action__in=list(actions),
        created_at__gte=period.start,
        created_at__lt=period.end,
        claim__newsroom__in=list(newsroom_ids),
    )


def _verdicts(newsroom_ids: Iterable[int], period: Period) -> QuerySet[Claim]:
    """Claims whose verdict was given in the period (and stands: not reopened nor superseded since)."""
    return Claim.objects.filter(
        newsroom__in=list(newsroom_ids), verdict_at__gte=period.start, verdict_at__lt=period.end
    )


def verdicts_by_group(
    *, newsroom_ids: Iterable[int], period: Period, group_by: str
) -> dict[int | None, Counter[str]]:
    """Verdicts given in the period that stand, by verdict."""
    key = _PATHS[group_by]["claim"]
    rows = _verdicts(newsroom_ids, period).values(key, "status").annotate(n=Count("*")).order_by()
    verdicts: dict[int | None, Counter[str]] = defaultdict(Counter)
    for row in rows:
        verdicts[row[key]][row["status"]] += row["n"]
    return verdicts


def time_to_verdict(
    *, newsroom_ids: Iterable[int], period: Period, group_by: str
) -> dict[int | None, Spread]:
    """From the claim's arrival to its verdict, for the verdicts given in the period that stand."""
    claims = _verdicts(newsroom_ids, period)
    return _spreads(claims, _PATHS[group_by]["claim"], _since(F("created_at"), F("verdict_at")))


def queue_age(*, newsroom_ids: Iterable[int], now: datetime, group_by: str) -> dict[int | None, Spread]:
    """How long the claims open now have waited since they arrived."""
    claims = Claim.objects.filter(newsroom__in=list(newsroom_ids), status__in=sorted(OPEN_STATES))
    return _spreads(
        claims, _PATHS[group_by]["claim"], _since(F("created_at"), Value(now, output_field=DateTimeField()))
    )


def oldest_open(*, newsroom_ids: Iterable[int], group_by: str) -> dict[int | None, datetime]:
    key = _PATHS[group_by]["claim"]
    rows = (
        Claim.objects.filter(newsroom__in=list(newsroom_ids), status__in=sorted(OPEN_STATES))
        .values(key)
        .annotate(oldest=Min("created_at"))
        .order_by()
    )
    return {row[key]: row["oldest"] for row in rows}


def sent_back(
    *, newsroom_ids: Iterable[int], period: Period, group_by: str
) -> tuple[dict[int | None, Spread], dict[int | None, Spread]]:
    """Claims sent back for attribution in the period (count only), and those that came back (the
    first answer after the request): how many, and how long it took.

    One query, the answer looked up once per request; the requests of a period are few (bench: 7,000
    a month in a million claims), so their percentiles are taken here rather than in SQL, which
    would look the answer up once for each use.
    """
    key = _PATHS[group_by]["event"]
    answered_at = Subquery(
        ClaimEvent.objects.filter(
            claim=OuterRef("claim"),
            action=AuditAction.ANSWER_ATTRIBUTION,
            created_at__gte=OuterRef("created_at"),
        )
        .order_by("created_at", "id")
        .values("created_at")[:1],
        output_field=DateTimeField(),
    )
    requests = (
        _events(newsroom_ids, period, [AuditAction.REQUEST_ATTRIBUTION])
        .annotate(answered_at=answered_at)
        .values_list(key, "created_at", "answered_at")
        .order_by()
    )
    counts: Counter[int | None] = Counter()
    waits: dict[int | None, list[float]] = defaultdict(list)
    for group, asked, answered in requests:
        counts[group] += 1
        if answered is not None:
            waits[group].append((answered - asked).total_seconds())
    return {group: Spread(n) for group, n in counts.items()}, {
        group: _spread_of(seconds) for group, seconds in waits.items()
    }


# --- All of it ------------------------------------------------------------------------------------


def _labels(group_by: str, keys: set[int | None], several_newsrooms: bool) -> dict[int | None, str]:
    labels: dict[int | None, str] = {None: "No desk" if group_by == GroupBy.DESK else "No reporter"}
    ids = [key for key in keys if key is not None]
    if group_by == GroupBy.DESK:
        for desk in Desk.objects.filter(pk__in=ids).select_related("newsroom"):
            labels[desk.pk] = f"{desk.name} ({desk.newsroom.name})" if several_newsrooms else desk.name
    else:
        for person in get_user_model().objects.filter(pk__in=ids):
            labels[person.pk] = person.get_full_name() or person.get_username()
    return labels


def standards_dashboard(
    *, newsroom_ids: Iterable[int], period: Period, group_by: str, now: datetime | None = None
) -> Dashboard:
    """Every figure of the dashboard for ``newsroom_ids`` over ``period``, one row per group, in
    label order (the rows of articles without a desk or reporter last)."""
    if group_by not in _PATHS:
        raise ValueError(f"group_by is one of {', '.join(_PATHS)}")
    ids = sorted(set(newsroom_ids))
    now = now or timezone.now()
    words = words_by_group(newsroom_ids=ids, period=period, group_by=group_by)
    flags = flags_by_group(newsroom_ids=ids, period=period, group_by=group_by)
    verdicts = verdicts_by_group(newsroom_ids=ids, period=period, group_by=group_by)
    to_verdict = time_to_verdict(newsroom_ids=ids, period=period, group_by=group_by)
    ages = queue_age(newsroom_ids=ids, now=now, group_by=group_by)
    oldest = oldest_open(newsroom_ids=ids, group_by=group_by)
    requests, answers = sent_back(newsroom_ids=ids, period=period, group_by=group_by)

    keys: set[int | None] = set().union(words, flags, verdicts, to_verdict, ages, requests)
    labels = _labels(group_by, keys, several_newsrooms=len(ids) > 1)
    groups = []
    for key in keys:
        groups.append(
            GroupFigures(
                key=key,
                label=labels.get(key, f"#{key}"),
                words=words.get(key, 0),
                flags=flags.get(key, Counter()),
                verdicts=verdicts.get(key, Counter()),
                to_verdict=to_verdict.get(key, Spread()),
                open_age=ages.get(key, Spread()),
                oldest_open=now - oldest[key] if key in oldest else None,
                sent_back=requests.get(key, Spread()),
                came_back=answers.get(key, Spread()),
            )
        )
    groups.sort(key=lambda group: (group.key is None, group.label.casefold(), group.key or 0))
    return Dashboard(period=period, group_by=group_by, now=now, groups=groups)
