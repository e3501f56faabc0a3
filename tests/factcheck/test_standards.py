"""The standards dashboard's figures, against a fixture whose every figure is worked out by hand.

The fixture (times from the start of the period, T0; the period is November 2026):

    article  desk      reporters     words  submitted   claims (status, flags)
    A1       Politics  alice         2,000  T0+1d       c1 verified (vague collective, anonymous experts)
                                                        c2 false (hedge); c3 superseded (hedge: not counted)
                                                        c6 unverifiable (verdict after the period)
                                                        c9 needs attribution, arrived T0+28d
    A2       City      alice, bob    1,000  T0+2d       c4 verified (vague collective)
                                                        c7 unreviewed, arrived T0+20d
    A3       -         -               500  T0+3d       c8 in review, arrived T0+25d
    A4       Politics  -             3,000  T0-10d      c5 misleading (hedge) (before the period)

Verdicts in the period: c1 verified after 2 h, c2 false after 10 h, c4 verified after 4 h, c5
misleading after 11 days (264 h); c6's comes after the period.  Sent back: c2 (answered after 3 h),
c4 (answered after 1 h), c9 (not answered).  "Now" is T0+30d, so c7 has waited 10 days, c8 5 and c9 2.
"""

from __future__ import annotations

from datetime import date, timedelta
from unittest import mock

import pytest
from django.utils import timezone

from editorial.models import Article, Role
from factcheck.actors import Actor
from factcheck.models import AuditAction, Claim
from factcheck.services.review import claim_transition
from factcheck.standards import GroupBy, Period, percentile, standards_dashboard
from factcheck.workflow import BY_NAME, VERDICTS, ClaimStatus
from tests.factories import (
    AnalysedArticleFactory,
    ClaimFactory,
    DeskFactory,
    FlagFactory,
    NewsroomFactory,
    UserFactory,
    member,
)

PERIOD = Period(date(2026, 11, 1), date(2026, 11, 30))
T0 = PERIOD.start
H = timedelta(hours=1)
D = timedelta(days=1)
NOW = T0 + 30 * D


def _article(newsroom, *, desk, reporters, words, at):
    article = AnalysedArticleFactory(newsroom=newsroom, desk=desk)
    article.reporters.add(*reporters)
    Article.objects.filter(pk=article.pk).update(word_count=words, created_at=at)
    return article


def _claim(article, status, at, *flags):
    claim = ClaimFactory(article=article, status=status, text=f"Claim {article.claims.count()} of {article}.")
    Claim.objects.filter(pk=claim.pk).update(created_at=at)
    for kind in flags:
        FlagFactory(claim=claim, kind=kind, cue="Claim")
    return claim


def _event(claim, action, at):
    """An audit row written at ``at`` (the table is append-only: its time is set as it is written),
    and for a verdict, its time on the claim, as ``claim_transition`` records them."""
    with mock.patch("django.utils.timezone.now", return_value=at):
        Actor.system().event(claim=claim, action=action).save()
    if BY_NAME[action].target in VERDICTS:
        Claim.objects.filter(pk=claim.pk).update(verdict_at=at)


@pytest.fixture
def desk_figures(db):
    newsroom = NewsroomFactory(name="The Daily Ledger", slug="ledger")
    politics = DeskFactory(newsroom=newsroom, name="Politics")
    city = DeskFactory(newsroom=newsroom, name="City")
    alice = UserFactory(username="alice", first_name="Alice", last_name="Ng")
    bob = UserFactory(username="bob")

    a1 = _article(newsroom, desk=politics, reporters=[alice], words=2000, at=T0 + D)
    a2 = _article(newsroom, desk=city, reporters=[alice, bob], words=1000, at=T0 + 2 * D)
    a3 = _article(newsroom, desk=None, reporters=[], words=500, at=T0 + 3 * D)
    a4 = _article(newsroom, desk=politics, reporters=[], words=3000, at=T0 - 10 * D)

    c1 = _claim(a1, ClaimStatus.VERIFIED, T0 + D, "vague_collective", "anonymous_experts")
    c2 = _claim(a1, ClaimStatus.FALSE, T0 + D, "hedge")
    _claim(a1, ClaimStatus.SUPERSEDED, T0 + D, "hedge")
    c4 = _claim(a2, ClaimStatus.VERIFIED, T0 + 2 * D, "vague_collective")
    c5 = _claim(a4, ClaimStatus.MISLEADING, T0 - 10 * D, "hedge")
    c6 = _claim(a1, ClaimStatus.UNVERIFIABLE, T0 + D)
    _claim(a2, ClaimStatus.UNREVIEWED, T0 + 20 * D)
    _claim(a3, ClaimStatus.IN_REVIEW, T0 + 25 * D)
    c9 = _claim(a1, ClaimStatus.NEEDS_ATTRIBUTION, T0 + 28 * D)

    _event(c1, AuditAction.VERIFY, T0 + D + 2 * H)
    _event(c2, AuditAction.REQUEST_ATTRIBUTION, T0 + D + H)
    _event(c2, AuditAction.ANSWER_ATTRIBUTION, T0 + D + 4 * H)
    _event(c2, AuditAction.MARK_FALSE, T0 + D + 10 * H)
    _event(c4, AuditAction.ANSWER_ATTRIBUTION, T0 + 2 * D)  # before the request: not its answer
    _event(c4, AuditAction.REQUEST_ATTRIBUTION, T0 + 2 * D + H)
    _event(c4, AuditAction.ANSWER_ATTRIBUTION, T0 + 2 * D + 2 * H)
    _event(c4, AuditAction.VERIFY, T0 + 2 * D + 4 * H)
    _event(c5, AuditAction.MARK_MISLEADING, T0 + D)
    _event(c6, AuditAction.MARK_UNVERIFIABLE, T0 + 40 * D)  # after the period
    _event(c9, AuditAction.REQUEST_ATTRIBUTION, T0 + 28 * D + H)

    # Another newsroom's claim, flagged and judged in the period: never counted.
    other = NewsroomFactory(slug="elsewhere")
    stranger = _claim(
        _article(other, desk=None, reporters=[bob], words=100, at=T0 + D), ClaimStatus.FALSE, T0 + D, "hedge"
    )
    _event(stranger, AuditAction.MARK_FALSE, T0 + D + H)
    return newsroom, alice, bob


def _by_label(dashboard):
    return {group.label: group for group in dashboard.groups}


def test_figures_per_desk(desk_figures):
    newsroom, *_ = desk_figures
    dashboard = standards_dashboard(newsroom_ids=[newsroom.pk], period=PERIOD, group_by=GroupBy.DESK, now=NOW)
    assert [group.label for group in dashboard.groups] == ["City", "Politics", "No desk"]
    city, politics, none = (_by_label(dashboard)[label] for label in ("City", "Politics", "No desk"))

    assert politics.words == 2000 and politics.flag_total == 3
    assert politics.flags == {"vague_collective": 1, "anonymous_experts": 1, "hedge": 1}
    assert politics.flags_per_1000_words == pytest.approx(1.5)
    assert city.words == 1000 and city.flags_per_1000_words == pytest.approx(1.0)
    assert none.words == 500 and none.flags_per_1000_words == 0

    assert politics.verdicts == {"verified": 1, "false": 1, "misleading": 1}
    assert politics.to_verdict.count == 3
    assert politics.to_verdict.median == 10 * H
    assert politics.to_verdict.p90 == 10 * H + (264 - 10) * H * 0.8  # 213.2 h
    assert city.verdicts == {"verified": 1} and city.to_verdict.median == city.to_verdict.p90 == 4 * H
    assert none.verdict_total == 0 and none.to_verdict.median is None

    assert (politics.open_age.count, politics.open_age.median, politics.oldest_open) == (1, 2 * D, 2 * D)
    assert (city.open_age.count, city.open_age.median) == (1, 10 * D)
    assert (none.open_age.count, none.open_age.median) == (1, 5 * D)

    assert (politics.sent_back.count, politics.came_back.count, politics.came_back.median) == (2, 1, 3 * H)
    assert (city.sent_back.count, city.came_back.count, city.came_back.median) == (1, 1, H)
    assert none.sent_back.count == 0


def test_figures_per_reporter(desk_figures):
    newsroom, _, _ = desk_figures
    dashboard = standards_dashboard(
        newsroom_ids=[newsroom.pk], period=PERIOD, group_by=GroupBy.REPORTER, now=NOW
    )
    assert [group.label for group in dashboard.groups] == ["Alice Ng", "bob", "No reporter"]
    alice, bob, none = dashboard.groups

    assert (alice.words, alice.flag_total) == (3000, 4)
    assert alice.flags_per_1000_words == pytest.approx(4 / 3)
    assert (bob.words, bob.flag_total) == (1000, 1)  # the other newsroom's article is not counted
    assert (none.words, none.flag_total) == (500, 0)

    assert alice.verdicts == {"verified": 2, "false": 1}
    assert (alice.to_verdict.median, alice.to_verdict.p90) == (4 * H, 4 * H + 6 * H * 0.8)
    assert bob.verdicts == {"verified": 1}
    assert none.verdicts == {"misleading": 1} and none.to_verdict.median == 264 * H

    assert (alice.open_age.count, alice.open_age.median, alice.oldest_open) == (2, 6 * D, 10 * D)
    assert alice.open_age.p90 == 2 * D + 8 * D * 0.9

    assert (alice.sent_back.count, alice.came_back.count) == (3, 2)
    assert (alice.came_back.median, alice.came_back.p90) == (2 * H, H + 2 * H * 0.9)
    assert (bob.sent_back.count, bob.came_back.median) == (1, H)


def test_no_newsroom_no_figures(desk_figures):
    assert standards_dashboard(newsroom_ids=[], period=PERIOD, group_by=GroupBy.DESK, now=NOW).groups == []


def test_queries_do_not_grow_with_the_groups(desk_figures, django_assert_max_num_queries):
    newsroom, *_ = desk_figures
    with django_assert_max_num_queries(9):
        standards_dashboard(newsroom_ids=[newsroom.pk], period=PERIOD, group_by=GroupBy.REPORTER, now=NOW)


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [(date(2026, 11, 2), date(2026, 11, 1), "ends before"), (date(2025, 1, 1), date(2026, 1, 2), "longer")],
)
def test_period_refuses_nonsense(first, last, message):
    with pytest.raises(ValueError, match=message):
        Period(first, last)


def test_percentile_interpolates_as_postgresql_does():
    assert percentile([1.0], 0.9) == 1.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    assert percentile([2.0, 10.0, 264.0], 0.9) == pytest.approx(213.2)
    with pytest.raises(ValueError):
        percentile([], 0.5)


def test_claim_transition_records_when_the_verdict_was_given_and_forgets_it_on_reopening(db):
    newsroom = NewsroomFactory()
    editor = member(newsroom, Role.EDITOR, "edna")
    claim = ClaimFactory(article=AnalysedArticleFactory(newsroom=newsroom))
    actor = Actor.for_user(editor)

    claim_transition(actor=actor, claim_id=claim.pk, to=ClaimStatus.IN_REVIEW)
    assert Claim.objects.get(pk=claim.pk).verdict_at is None
    before = timezone.now()
    claim_transition(actor=actor, claim_id=claim.pk, to=ClaimStatus.FALSE, note="The minutes say otherwise.")
    judged = Claim.objects.get(pk=claim.pk)
    assert judged.verdict_at is not None and before <= judged.verdict_at <= timezone.now()
    claim_transition(actor=actor, claim_id=claim.pk, to=ClaimStatus.IN_REVIEW, note="New evidence.")
    assert Claim.objects.get(pk=claim.pk).verdict_at is None
