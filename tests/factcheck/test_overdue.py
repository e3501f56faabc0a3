"""factcheck/overdue.py: the one mechanism of the overdue sweeps, each difference given as data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from editorial.models import Article
from factcheck.overdue import Overdue, requeue_overdue
from tests.factories import ArticleFactory, NewsroomFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()
MINUTE = timedelta(minutes=1)


def articles(*rows: tuple[timedelta | None, timedelta | None]) -> list[int]:
    """Articles due at NOW + each row's first offset (None: undated), first queued at NOW + its second."""
    newsroom = NewsroomFactory()
    made = []
    for due, queued in rows:
        article = ArticleFactory(newsroom=newsroom)
        Article.objects.filter(pk=article.pk).update(
            analysis_due_at=None if due is None else NOW + due,
            analysis_queued_at=None if queued is None else NOW + queued,
        )
        made.append(article.pk)
    return made


def due_times(ids: list[int]) -> list[tuple]:
    rows = dict(Article.objects.filter(pk__in=ids).values_list("pk", "analysis_due_at"))
    return [rows[pk] for pk in ids]


def test_a_row_counts_as_lost_only_after_its_grace_and_is_then_put_off_by_the_pause():
    late, on_time = articles((-3 * MINUTE, None), (-MINUTE, None))
    overdue = Overdue(due="analysis_due_at", grace=2 * MINUTE, pause=5 * MINUTE)

    assert requeue_overdue(Article.objects.all(), overdue, now=NOW, limit=10) == [late]
    assert due_times([late, on_time]) == [NOW + 5 * MINUTE, NOW - MINUTE]
    assert requeue_overdue(Article.objects.all(), overdue, now=NOW, limit=10) == []


def test_undated_rows_come_first_when_they_count_and_are_left_when_they_do_not():
    older, undated, newer = articles((-2 * MINUTE, None), (None, None), (-MINUTE, None))

    assert requeue_overdue(Article.objects.all(), Overdue(due="analysis_due_at"), now=NOW, limit=10) == [
        older,
        newer,
    ]
    Article.objects.filter(pk__in=[older, newer]).update(analysis_due_at=NOW - MINUTE)
    dated_too = Overdue(due="analysis_due_at", undated=True)
    assert requeue_overdue(Article.objects.all(), dated_too, now=NOW, limit=2) == [undated, older]


def test_a_row_is_put_off_as_long_as_it_has_waited_and_one_never_queued_starts_waiting_now():
    waited_long, waited_little, never = articles(
        (-MINUTE, -60 * MINUTE), (-MINUTE, -2 * MINUTE), (-MINUTE, None)
    )
    overdue = Overdue(due="analysis_due_at", pause=10 * MINUTE, waited_since="analysis_queued_at")

    assert requeue_overdue(Article.objects.order_by("pk"), overdue, now=NOW, limit=10) == [
        waited_long,
        waited_little,
        never,
    ]
    assert due_times([waited_long, waited_little, never]) == [
        NOW + 60 * MINUTE,
        NOW + 10 * MINUTE,
        NOW + 10 * MINUTE,
    ]
    assert Article.objects.get(pk=never).analysis_queued_at == NOW
    assert Article.objects.get(pk=waited_long).analysis_queued_at == NOW - 60 * MINUTE
