"""The daily digest: what people chose to hear about later arrives in one email at their newsroom's
digest time, exactly once per period.  The clock is the services' ``now``; the events' times are set
on their rows, as if they had happened then."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from editorial.models import Role
from factcheck.actors import Actor
from factcheck.notifications import emails
from factcheck.notifications.models import DIGEST_KIND, Delivery, Event, Notification, OutboxEmail
from factcheck.notifications.services.digests import digests_send_due
from factcheck.notifications.services.preferences import (
    digest_schedule_save,
    notification_preferences_save,
    notification_unsubscribe,
)
from factcheck.services.review import claim_assign, claim_transition
from factcheck.workflow import ClaimStatus
from tests.factcheck.notifications.builders import ANALYSTS, BELIEVED, TITLE, analysed, person, visible
from tests.factories import DeskFactory, claim_of

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
NOTE = "Which analysts?"


def paris(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    """A moment in March 2020 in Paris (UTC+1: daylight saving time starts on the 29th)."""
    return datetime.datetime(2020, 3, day, hour, minute, tzinfo=PARIS)


def happened_at(when: datetime.datetime, rows=None) -> None:
    """Date ``rows`` (by default, the notifications not dated yet) as if their events happened ``when``."""
    if rows is None:
        rows = Notification.objects.filter(created_at__gt=UNDATED)
    Notification.objects.filter(pk__in=[row.pk for row in rows]).update(created_at=when)


#: Rows made by a test are dated later than this until happened_at() dates them (all before it).
UNDATED = datetime.datetime(2021, 1, 1, tzinfo=datetime.UTC)


@pytest.fixture
def ed(newsroom, desk):
    """An editor on the desk who also reports, and wants everything in the digest."""
    user = person(newsroom, Role.EDITOR, "edna", desks=[desk])
    notification_preferences_save(
        user=user, newsroom=newsroom, deliveries=dict.fromkeys(Event.values, Delivery.DIGEST)
    )
    digest_schedule_save(newsroom=newsroom, send_at=datetime.time(18, 0), time_zone="Europe/Paris")
    return user


def three_events(newsroom, desk, ed) -> list[Notification]:
    """A flagged article on ed's desk, a claim assigned to ed, a claim of ed's article sent back."""
    chief = person(newsroom, Role.EDITOR, "chief")
    flagged = analysed(newsroom, desk=desk)
    happened_at(paris(10, 10))
    claim_assign(
        actor=Actor.for_user(chief), claim_id=claim_of(flagged, ANALYSTS).pk, assignee_id=ed.pk, note="Yours."
    )
    happened_at(paris(10, 11))
    other_desk = DeskFactory(newsroom=newsroom, name="Politics", slug="politics")
    own = analysed(newsroom, desk=other_desk, external_id="own-story", title="Ed's own story", reporters=[ed])
    claim = claim_of(own, BELIEVED)
    claim_transition(actor=Actor.for_user(chief), claim_id=claim.pk, to=ClaimStatus.IN_REVIEW)
    claim_transition(
        actor=Actor.for_user(chief), claim_id=claim.pk, to=ClaimStatus.NEEDS_ATTRIBUTION, note=NOTE
    )
    happened_at(paris(10, 12))
    return list(Notification.objects.filter(user=ed).order_by("created_at", "id"))


def test_three_events_for_one_person_make_one_email_at_digest_time_listing_all_three(
    newsroom, desk, ed, django_capture_on_commit_callbacks
):
    events = three_events(newsroom, desk, ed)
    assert [n.event for n in events] == [
        Event.CLAIMS_FLAGGED,
        Event.CLAIM_ASSIGNED,
        Event.ATTRIBUTION_REQUESTED,
    ]
    assert not OutboxEmail.objects.filter(user=ed).exists()  # nothing immediately

    assert digests_send_due(now=paris(10, 17, 55)) == []  # before 18:00 in Paris
    with django_capture_on_commit_callbacks(execute=True):
        [email_id] = digests_send_due(now=paris(10, 18, 2))
        assert digests_send_due(now=paris(10, 18, 7)) == []  # the next run: done already

    [message] = mail.outbox
    assert message.to == [ed.email]
    assert message.subject == f"Factdesk digest for {newsroom.name}: 3 updates"
    html = message.alternatives[0][0]
    for part in (message.body, visible(html)):
        assert "2 claims flagged in" in part and TITLE in part
        assert "assigned you a claim" in part and "Yours." in part
        assert "back for attribution" in part and NOTE in part and "Ed's own story" in part
        assert part.index("claims flagged") < part.index("assigned you") < part.index("back for attribution")
    assert "1/3 ----" in message.body and "3/3 ----" in message.body
    email = OutboxEmail.objects.get(pk=email_id)
    assert email.kind == DIGEST_KIND
    assert {n.email_id for n in Notification.objects.filter(user=ed)} == {email_id}
    token = message.extra_headers["List-Unsubscribe"].split("/unsubscribe/")[1].rstrip("/>")
    assert emails.read_unsubscribe_token(token) == (ed.pk, newsroom.pk, DIGEST_KIND)


def test_the_digest_time_follows_the_newsrooms_time_zone(newsroom, desk, ed):
    three_events(newsroom, desk, ed)
    utc = datetime.UTC
    assert digests_send_due(now=datetime.datetime(2020, 3, 10, 16, 59, tzinfo=utc)) == []
    assert len(digests_send_due(now=datetime.datetime(2020, 3, 10, 17, 1, tzinfo=utc))) == 1


def test_an_event_after_the_digest_time_waits_for_the_next_days_digest(newsroom, desk, ed):
    events = three_events(newsroom, desk, ed)
    late = events[-1]
    happened_at(paris(10, 18, 1), [late])  # after 18:00, before the run at 18:02

    [first] = digests_send_due(now=paris(10, 18, 2))
    assert digests_send_due(now=paris(11, 9, 0)) == []  # the next morning: not yet
    [second] = digests_send_due(now=paris(11, 18, 0))

    assert list(OutboxEmail.objects.get(pk=first).notifications.values_list("event", flat=True)) == [
        Event.CLAIMS_FLAGGED,
        Event.CLAIM_ASSIGNED,
    ]
    assert list(OutboxEmail.objects.get(pk=second).notifications.all()) == [late]
    assert OutboxEmail.objects.get(pk=second).subject.endswith(": 1 update")
    assert digests_send_due(now=paris(12, 18, 0)) == []  # nothing waits: no empty digest


def test_a_newsroom_without_a_schedule_sends_at_eight_in_the_configured_time_zone(newsroom, desk, settings):
    settings.TIME_ZONE = "UTC"
    user = person(newsroom, Role.EDITOR, "edna", desks=[desk])
    notification_preferences_save(
        user=user, newsroom=newsroom, deliveries={Event.CLAIMS_FLAGGED: Delivery.DIGEST}
    )
    analysed(newsroom, desk=desk)
    happened_at(datetime.datetime(2020, 3, 10, 7, 0, tzinfo=datetime.UTC))

    assert digests_send_due(now=datetime.datetime(2020, 3, 10, 7, 59, tzinfo=datetime.UTC)) == []
    assert len(digests_send_due(now=datetime.datetime(2020, 3, 10, 8, 0, tzinfo=datetime.UTC))) == 1


def test_immediate_events_never_appear_in_a_digest(newsroom, desk):
    user = person(newsroom, Role.EDITOR, "edna", desks=[desk])
    analysed(newsroom, desk=desk)
    assert OutboxEmail.objects.filter(user=user).count() == 1
    assert digests_send_due(now=paris(20, 18, 0)) == []


def test_unsubscribing_from_the_digest_stops_every_event_that_went_to_it(newsroom, ed):
    notification_preferences_save(
        user=ed, newsroom=newsroom, deliveries={Event.CLAIM_ASSIGNED: Delivery.IMMEDIATELY}
    )

    preferences = notification_unsubscribe(user_id=ed.pk, newsroom_id=newsroom.pk, event=DIGEST_KIND)

    assert {event: preferences.delivery(event) for event in Event.values} == {
        Event.CLAIMS_FLAGGED: Delivery.NEVER,
        Event.CLAIM_ASSIGNED: Delivery.IMMEDIATELY,
        Event.ATTRIBUTION_REQUESTED: Delivery.NEVER,
        Event.VERDICT_GIVEN: Delivery.NEVER,
        Event.DEADLINE_ESCALATED: Delivery.NEVER,
    }
