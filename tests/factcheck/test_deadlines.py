"""Publication deadlines: the CMS field, the queue order, escalation once per deadline, overdue counts
(factcheck/services/deadlines.py and what it touches)."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core import mail
from django.db import IntegrityError, connections, transaction
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from editorial.models import Article, Role
from factcheck import selectors
from factcheck.actors import Actor
from factcheck.api.serializers import AwareDateTimeField
from factcheck.models import Claim, DeadlineEscalation
from factcheck.notifications.models import Delivery, Event, OutboxEmail
from factcheck.notifications.services.events import time_left
from factcheck.notifications.services.preferences import notification_preferences_save
from factcheck.operations import backlogs
from factcheck.selectors import QueueFilters, review_queue
from factcheck.services.articles import article_submit
from factcheck.services.deadlines import deadlines_escalate, escalations_due
from factcheck.services.review import claim_transition
from factcheck.tasks import escalate_deadlines
from factcheck.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from factcheck.workflow import ClaimStatus
from tests.factcheck.notifications.builders import ANALYSTS, BELIEVED, VAGUE_BODY, analysed, person, visible
from tests.factories import (
    AnalysedArticleFactory,
    ClaimFactory,
    DeskFactory,
    member,
)

NOW = datetime.datetime(2026, 5, 4, 16, 0, tzinfo=datetime.UTC)


@pytest.fixture
def desk(newsroom):
    return DeskFactory(newsroom=newsroom, name="City", slug="city")


@pytest.fixture
def editors(newsroom, desk):
    """Two editors of the desk, and one of another desk who hears nothing of it."""
    other = DeskFactory(newsroom=newsroom, name="Sport", slug="sport")
    return [
        person(newsroom, Role.EDITOR, "edna", desks=[desk]),
        person(newsroom, Role.EDITOR, "ed", desks=[desk]),
        person(newsroom, Role.EDITOR, "sid", desks=[other]),
    ]


@pytest.fixture
def endpoint(newsroom):
    return WebhookEndpoint.objects.create(
        newsroom=newsroom,
        url="https://hooks.example.org/in",
        events=[WebhookEvent.ARTICLE_DEADLINE_ESCALATED],
        secret="whsec_x",
    )


def due(article, deadline):
    """``article`` submitted again by the CMS, the same in all but its ``deadline``."""
    article_submit(
        actor=Actor.system(),
        newsroom=article.newsroom,
        external_id=article.external_id,
        body=article.body,
        title=article.title,
        desk=article.desk,
        deadline=deadline,
    )
    article.refresh_from_db()
    return article


def blocked(newsroom, desk, *, deadline, title="Council approves the new budget"):
    """An analysed article of ``desk`` with two flagged claims unreviewed (blocked), due ``deadline``."""
    return due(analysed(newsroom, desk=desk, title=title), deadline)


def escalation_emails():
    return OutboxEmail.objects.filter(kind=Event.DEADLINE_ESCALATED)


# --- The CMS field ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_takes_a_deadline_with_its_time_zone_and_keeps_it_on_the_claims(
    api, newsroom, django_capture_on_commit_callbacks
):
    body = {"external_id": "a-1", "body": VAGUE_BODY, "deadline": "2026-05-04T18:00:00+02:00"}

    with django_capture_on_commit_callbacks(execute=True):  # the analysis, run at once (eager)
        created = api.post("/api/v1/articles", body, format="json")

    assert created.status_code == 202
    shown = api.get(created.json()["url"]).json()
    assert shown["deadline"] == "2026-05-04T16:00:00Z"
    assert shown["overdue"] is False or shown["overdue"] is True  # a boolean, always sent
    due = datetime.datetime(2026, 5, 4, 16, 0, tzinfo=datetime.UTC)
    claims = Claim.objects.filter(article_id=created.json()["id"])
    assert claims.count() == 4 and set(claims.values_list("deadline", flat=True)) == {due}

    moved = api.post("/api/v1/articles", {**body, "deadline": "2026-05-05T09:30:00Z"}, format="json")

    assert moved.status_code == 202
    assert set(claims.values_list("deadline", flat=True)) == {
        datetime.datetime(2026, 5, 5, 9, 30, tzinfo=datetime.UTC)
    }
    assert api.post("/api/v1/articles", {**body, "deadline": None}, format="json").status_code == 202
    assert set(claims.values_list("deadline", flat=True)) == {None}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("2026-05-04T18:00:00", "time zone"),
        ("tomorrow at six", "format"),
        ("2026-02-30T18:00:00Z", "format"),
        (1780000000, "string"),
    ],
)
def test_the_api_refuses_a_deadline_without_a_time_zone_or_not_a_date(api, given, message):
    response = api.post(
        "/api/v1/articles", {"external_id": "a-1", "body": "Text.", "deadline": given}, format="json"
    )

    assert response.status_code == 400
    assert message in str(response.json()).lower()
    assert not Claim.objects.exists()


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=80), st.integers(), st.none(), st.booleans(), st.floats()))
def test_the_deadline_field_either_gives_an_aware_time_or_a_validation_error(value):
    field = AwareDateTimeField()
    try:
        parsed = field.to_internal_value(value)
    except Exception as error:
        assert type(error).__name__ == "ValidationError"
    else:
        assert isinstance(parsed, datetime.datetime) and timezone.is_aware(parsed)


@settings(max_examples=100, deadline=None)
@given(st.datetimes(timezones=st.timezones(), allow_imaginary=False))
def test_the_deadline_field_reads_back_every_aware_iso_time(moment):
    parsed = AwareDateTimeField().to_internal_value(moment.isoformat())
    assert parsed.timestamp() == moment.timestamp()  # (ambiguous wall times compare unequal across zones)


# --- The queue order -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_queue_puts_the_soonest_deadline_first_then_check_worthiness_and_no_deadline_last(newsroom):
    viewer = member(newsroom, Role.FACT_CHECKER, "fiona")
    later = AnalysedArticleFactory(newsroom=newsroom, deadline=NOW + datetime.timedelta(days=7))
    sooner = AnalysedArticleFactory(newsroom=newsroom, deadline=NOW + datetime.timedelta(minutes=10))
    none = AnalysedArticleFactory(newsroom=newsroom)
    ClaimFactory(article=later, checkworthiness=0.95, deadline=later.deadline)
    ClaimFactory(article=none, checkworthiness=0.99)
    low = ClaimFactory(article=sooner, checkworthiness=0.4, deadline=sooner.deadline)
    high = ClaimFactory(
        article=sooner, text="Critics say it is too small.", checkworthiness=0.9, deadline=sooner.deadline
    )

    order = [(claim.article_id, claim.checkworthiness) for claim in review_queue(viewer=viewer)]

    assert order == [(sooner.pk, 0.9), (sooner.pk, 0.4), (later.pk, 0.95), (none.pk, 0.99)]
    assert [claim.pk for claim in review_queue(viewer=viewer, filters=QueueFilters(status="unreviewed"))][
        :2
    ] == [
        high.pk,
        low.pk,
    ]


@pytest.mark.django_db
def test_the_admin_queue_shows_the_time_left_and_overdue_escaped(client, newsroom):
    viewer = member(newsroom, Role.FACT_CHECKER, "fiona")
    soon = AnalysedArticleFactory(newsroom=newsroom, deadline=timezone.now() + datetime.timedelta(minutes=95))
    late = AnalysedArticleFactory(newsroom=newsroom, deadline=timezone.now() - datetime.timedelta(hours=3))
    ClaimFactory(article=soon, deadline=soon.deadline)
    ClaimFactory(article=late, deadline=late.deadline)
    client.force_login(viewer)

    page = client.get("/admin/factcheck/reviewitem/").content.decode()

    assert 'data-overdue="true"' in page and "overdue 3 h" in page
    assert 'data-overdue="false"' in page and ">1 h<" in page
    assert page.index("overdue 3 h") < page.index(">1 h<")  # overdue first: the soonest deadline


# --- Escalation ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_blocked_article_is_escalated_once_to_its_desks_editors_with_a_webhook_event(
    newsroom, desk, editors, endpoint, django_capture_on_commit_callbacks, settings
):
    settings.FACTDESK_DEADLINE_ESCALATION_MINUTES = 60
    article = blocked(newsroom, desk, deadline=NOW + datetime.timedelta(minutes=45))

    with django_capture_on_commit_callbacks(execute=True):
        made = deadlines_escalate(now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        again = deadlines_escalate(now=NOW + datetime.timedelta(minutes=1))

    assert len(made) == 1 and again == []
    escalation = DeadlineEscalation.objects.get()
    assert (escalation.article, escalation.deadline, escalation.blocking_claims) == (
        article,
        article.deadline,
        2,
    )
    assert sorted(message.to[0] for message in mail.outbox) == ["ed@example.org", "edna@example.org"]
    message = mail.outbox[0]
    assert message.subject == "Deadline in 45 min: “Council approves the new budget” is still blocked"
    assert ANALYSTS in message.body and BELIEVED in message.body and "City desk" in message.body
    [delivery] = WebhookDelivery.objects.filter(event=WebhookEvent.ARTICLE_DEADLINE_ESCALATED)
    data = delivery.payload["data"]
    assert data["article"]["id"] == article.pk and data["seconds_left"] == 45 * 60
    assert [claim["text"] for claim in data["blocking_claims"]] == [ANALYSTS, BELIEVED]


@pytest.mark.django_db
def test_nothing_is_escalated_before_the_moment_or_once_the_article_is_unblocked(
    newsroom, desk, editors, settings
):
    settings.FACTDESK_DEADLINE_ESCALATION_MINUTES = 60
    article = blocked(newsroom, desk, deadline=NOW + datetime.timedelta(minutes=61))
    clear = blocked(newsroom, desk, deadline=NOW + datetime.timedelta(minutes=5), title="Cleared")
    checker = Actor.for_user(member(newsroom, Role.EDITOR, "dora"))
    for claim in Claim.objects.filter(article=clear, is_flagged=True):
        claim_transition(
            actor=checker, claim_id=claim.pk, to=ClaimStatus.NOT_CHECKABLE, note="Not checkable."
        )
    AnalysedArticleFactory(newsroom=newsroom, deadline=NOW)  # no claims at all: clear

    assert deadlines_escalate(now=NOW) == []
    assert len(deadlines_escalate(now=NOW + datetime.timedelta(minutes=1))) == 1
    assert DeadlineEscalation.objects.get().article == article


@pytest.mark.django_db
def test_a_moved_deadline_is_escalated_again_once(newsroom, desk, editors, settings):
    settings.FACTDESK_DEADLINE_ESCALATION_MINUTES = 30
    article = blocked(newsroom, desk, deadline=NOW + datetime.timedelta(minutes=10))
    deadlines_escalate(now=NOW)
    due(article, NOW + datetime.timedelta(minutes=20))
    deadlines_escalate(now=NOW)
    deadlines_escalate(now=NOW)

    assert sorted(DeadlineEscalation.objects.values_list("deadline", flat=True)) == [
        NOW + datetime.timedelta(minutes=10),
        NOW + datetime.timedelta(minutes=20),
    ]
    assert escalation_emails().count() == 2 * 2  # two editors, two deadlines
    assert article.deadline_escalations.count() == 2


@pytest.mark.django_db
def test_the_database_refuses_a_second_escalation_of_the_same_deadline(newsroom, desk):
    article = blocked(newsroom, desk, deadline=NOW)
    DeadlineEscalation.objects.create(article=article, deadline=NOW, blocking_claims=2)

    with pytest.raises(IntegrityError), transaction.atomic():
        DeadlineEscalation.objects.create(article=article, deadline=NOW, blocking_claims=2)


@pytest.mark.django_db
def test_an_editor_who_turned_escalations_off_gets_none_and_the_email_escapes_the_title(
    newsroom, desk, editors, django_capture_on_commit_callbacks
):
    notification_preferences_save(
        user=editors[1], newsroom=newsroom, deliveries={Event.DEADLINE_ESCALATED: Delivery.NEVER}
    )
    blocked(
        newsroom, desk, deadline=NOW - datetime.timedelta(hours=2), title="<script>alert(1)</script> & co"
    )

    with django_capture_on_commit_callbacks(execute=True):
        deadlines_escalate(now=NOW)

    [message] = mail.outbox
    assert message.to == ["edna@example.org"]
    assert message.subject.startswith("Past its deadline: “<script>alert(1)</script> & co”")
    [(html, _)] = message.alternatives
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html
    assert "overdue by 2 h" in visible(html)


@pytest.mark.django_db(transaction=True)
def test_two_workers_escalating_at_once_send_one_email_per_editor(newsroom, desk, editors, settings):
    settings.FACTDESK_DEADLINE_ESCALATION_MINUTES = 60
    for n in range(3):
        blocked(newsroom, desk, deadline=NOW + datetime.timedelta(minutes=10 + n), title=f"Story {n}")
    start = threading.Barrier(4)
    made: list[int] = []
    errors: list[BaseException] = []

    def worker():
        try:
            start.wait()
            made.extend(deadlines_escalate(now=NOW))
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(made) == 3 and DeadlineEscalation.objects.count() == 3
    assert escalation_emails().count() == 3 * 2
    assert escalations_due(now=NOW) == []


# --- Overdue ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_overdue_articles_are_counted_listed_and_flagged_in_the_api(api, newsroom, desk):
    overdue = blocked(newsroom, desk, deadline=timezone.now() - datetime.timedelta(minutes=5))
    blocked(newsroom, desk, deadline=timezone.now() + datetime.timedelta(hours=5), title="Not yet")
    cleared = AnalysedArticleFactory(newsroom=newsroom, deadline=timezone.now() - datetime.timedelta(days=1))
    ClaimFactory(article=cleared, status=ClaimStatus.VERIFIED)

    listed = api.get("/api/v1/articles?overdue=true").json()["results"]
    others = api.get("/api/v1/articles?overdue=false").json()["results"]

    assert [article["id"] for article in listed] == [overdue.pk]
    assert listed[0]["overdue"] is True
    assert overdue.pk not in {article["id"] for article in others} and len(others) == 2
    assert ("article", "overdue", 1) in backlogs()
    assert selectors.overdue_articles_count(now=timezone.now(), newsroom=newsroom) == 1


def test_time_left_reads_as_an_editor_says_it():
    assert time_left(NOW + datetime.timedelta(minutes=45), NOW) == "45 min"
    assert time_left(NOW + datetime.timedelta(minutes=190), NOW) == "3 h 10 min"
    assert time_left(NOW + datetime.timedelta(hours=2), NOW) == "2 h"
    assert time_left(NOW - datetime.timedelta(minutes=5), NOW) == "overdue by 5 min"
    assert time_left(NOW + datetime.timedelta(days=3, hours=4), NOW) == "3 d 4 h"


@pytest.mark.django_db
def test_the_beat_task_run_twice_emails_each_editor_once(newsroom, desk, editors, settings):
    settings.FACTDESK_DEADLINE_ESCALATION_MINUTES = 60
    blocked(newsroom, desk, deadline=timezone.now() + datetime.timedelta(minutes=30))

    first, second = escalate_deadlines.apply().get(), escalate_deadlines.apply().get()

    assert (first, second) == (1, 0)
    assert sorted(escalation_emails().values_list("to", flat=True)) == ["ed@example.org", "edna@example.org"]
    assert settings.CELERY_BEAT_SCHEDULE["factcheck-escalate-deadlines"]["task"] == escalate_deadlines.name


@pytest.mark.django_db
def test_the_admin_sets_a_deadline_in_the_sites_time_zone_and_lists_the_time_left(client, newsroom):
    client.force_login(member(newsroom, Role.EDITOR, "edna"))
    form = {
        "newsroom": str(newsroom.pk),
        "desk": "",
        "external_id": "cms-9",
        "title": "Budget approved",
        "url": "",
        "byline": "",
        "body_format": "text",
        "body": VAGUE_BODY,
        "deadline_0": "2026-05-04",
        "deadline_1": "18:00:00",
        "_save": "Save",
    }

    response = client.post("/admin/editorial/article/add/", form)

    assert response.status_code == 302
    article = Article.objects.get(external_id="cms-9")
    local = timezone.make_aware(datetime.datetime(2026, 5, 4, 18, 0))
    assert article.deadline == local
    listing = client.get("/admin/editorial/article/").content.decode()
    assert 'class="time-left" data-overdue="true"' in listing
