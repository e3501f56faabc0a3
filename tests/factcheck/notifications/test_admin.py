"""Settings in the admin (each person's own, newsroom admins' for their people), digest times, the
outbox, and the one-click unsubscribe page."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from editorial import services as editorial_services
from editorial.models import Role
from factcheck.notifications import emails
from factcheck.notifications.models import (
    DIGEST_KIND,
    Delivery,
    DigestSchedule,
    Event,
    NotificationPreferences,
    OutboxEmail,
    OutboxState,
)
from factcheck.notifications.services.preferences import notification_preferences_ensure
from tests.factcheck.notifications.builders import analysed, person
from tests.factories import NewsroomFactory

pytestmark = pytest.mark.django_db

MINE = "/admin/notifications/notificationpreferences/mine/"


def change_url(preferences) -> str:
    return reverse("admin:notifications_notificationpreferences_change", args=[preferences.pk])


def form_data(**deliveries) -> dict:
    return {event: deliveries.get(event, Delivery.IMMEDIATELY) for event in Event.values}


def logged_in(client, user) -> Client:
    client.force_login(user)
    return client


def test_the_settings_link_opens_the_readers_own_settings_made_with_the_defaults(client, newsroom):
    reporter = person(newsroom, Role.REPORTER, "rita")

    response = logged_in(client, reporter).get(f"{MINE}?newsroom={newsroom.pk}")

    preferences = NotificationPreferences.objects.get(user=reporter, newsroom=newsroom)
    assert response.status_code == 302 and response["Location"] == change_url(preferences)
    assert {event: preferences.delivery(event) for event in Event.values} == {
        Event.CLAIMS_FLAGGED: Delivery.IMMEDIATELY,
        Event.CLAIM_ASSIGNED: Delivery.IMMEDIATELY,
        Event.ATTRIBUTION_REQUESTED: Delivery.IMMEDIATELY,
        Event.VERDICT_GIVEN: Delivery.NEVER,
        Event.DEADLINE_ESCALATED: Delivery.IMMEDIATELY,
    }
    assert client.get(f"{MINE}?newsroom={newsroom.pk}")["Location"] == change_url(preferences)  # the same row


def test_a_person_changes_their_own_settings(client, newsroom):
    reporter = person(newsroom, Role.REPORTER, "rita")
    preferences = notification_preferences_ensure(user=reporter, newsroom=newsroom)

    response = logged_in(client, reporter).post(
        change_url(preferences), form_data(verdict_given=Delivery.DIGEST, claims_flagged=Delivery.NEVER)
    )

    assert response.status_code == 302, response.content
    preferences.refresh_from_db()
    assert (preferences.verdict_given, preferences.claims_flagged) == (Delivery.DIGEST, Delivery.NEVER)


def test_a_person_neither_sees_nor_changes_someone_elses_settings(client, newsroom):
    reporter = person(newsroom, Role.REPORTER, "rita")
    editor = person(newsroom, Role.EDITOR, "edna")
    theirs = notification_preferences_ensure(user=editor, newsroom=newsroom)
    logged_in(client, reporter)

    listed = client.get(reverse("admin:notifications_notificationpreferences_changelist"))
    client.post(change_url(theirs), form_data(claims_flagged=Delivery.NEVER))

    assert listed.status_code == 200
    assert [p.user for p in listed.context["cl"].result_list] == []
    theirs.refresh_from_db()
    assert theirs.claims_flagged == Delivery.IMMEDIATELY


def test_a_newsroom_admin_changes_the_settings_of_their_newsrooms_people_only(
    client, newsroom, other_newsroom
):
    newsroom_admin = person(newsroom, Role.ADMIN, "ada")
    editor = person(newsroom, Role.EDITOR, "edna")
    stranger = person(other_newsroom, Role.EDITOR, "stan")
    ours = notification_preferences_ensure(user=editor, newsroom=newsroom)
    theirs = notification_preferences_ensure(user=stranger, newsroom=other_newsroom)
    logged_in(client, newsroom_admin)

    assert client.post(change_url(ours), form_data(claim_assigned=Delivery.DIGEST)).status_code == 302
    client.post(change_url(theirs), form_data(claim_assigned=Delivery.DIGEST))
    added = client.post(
        reverse("admin:notifications_notificationpreferences_add"),
        {"user": newsroom_admin.pk, "newsroom": newsroom.pk, **form_data(verdict_given=Delivery.IMMEDIATELY)},
    )

    third = NewsroomFactory(slug="third")
    editorial_services.member_add(newsroom=third, user=newsroom_admin, role=Role.ADMIN)
    not_a_member = client.post(
        reverse("admin:notifications_notificationpreferences_add"),
        {"user": editor.pk, "newsroom": third.pk, **form_data()},
    )

    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert (ours.claim_assigned, theirs.claim_assigned) == (Delivery.DIGEST, Delivery.IMMEDIATELY)
    assert added.status_code == 302, added.content
    assert NotificationPreferences.objects.get(user=newsroom_admin).verdict_given == Delivery.IMMEDIATELY
    assert not_a_member.status_code == 200
    errors = not_a_member.context["adminform"].form.errors
    assert errors == {"user": [f"{editor} is not a member of {third}."]}
    assert not NotificationPreferences.objects.filter(newsroom=third).exists()


def test_a_newsroom_admin_sets_the_digest_time_and_an_editor_cannot(client, newsroom):
    editor = person(newsroom, Role.EDITOR, "edna")
    newsroom_admin = person(newsroom, Role.ADMIN, "ada")
    add = reverse("admin:notifications_digestschedule_add")
    data = {"newsroom": newsroom.pk, "send_at": "17:30", "time_zone": "America/New_York"}

    assert logged_in(client, editor).post(add, data).status_code == 403
    assert (
        logged_in(client, newsroom_admin).post(add, {**data, "time_zone": "Mars/Olympus"}).status_code == 200
    )
    assert not DigestSchedule.objects.exists()
    assert client.post(add, data).status_code == 302

    schedule = DigestSchedule.objects.get(newsroom=newsroom)
    assert (schedule.send_at, schedule.time_zone) == (datetime.time(17, 30), "America/New_York")


def test_the_outbox_is_for_newsroom_admins_of_its_newsroom_and_failed_emails_can_be_sent_again(
    client, newsroom, other_newsroom, desk, django_capture_on_commit_callbacks
):
    person(newsroom, Role.EDITOR, "edna", desks=[desk])
    newsroom_admin = person(newsroom, Role.ADMIN, "ada")
    person(other_newsroom, Role.EDITOR, "stan")
    analysed(newsroom, desk=desk)
    analysed(other_newsroom, desk=None)
    ours = OutboxEmail.objects.get(newsroom=newsroom, to="edna@example.org")
    OutboxEmail.objects.filter(pk=ours.pk).update(state=OutboxState.FAILED, last_error="550 no such user")
    changelist = reverse("admin:notifications_outboxemail_changelist")

    assert logged_in(client, person(newsroom, Role.EDITOR, "eddie")).get(changelist).status_code == 403
    response = logged_in(client, newsroom_admin).get(changelist)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(changelist, {"action": "send_again", "_selected_action": [ours.pk]})

    assert response.status_code == 200
    assert OutboxEmail.objects.filter(newsroom=other_newsroom).exists()
    assert [email.to for email in response.context["cl"].result_list] == ["edna@example.org"]
    ours.refresh_from_db()
    assert ours.state == OutboxState.SENT


# --- Unsubscribing ----------------------------------------------------------------------------------


def unsubscribe_path(user, newsroom, event) -> str:
    token = emails.unsubscribe_token(user_id=user.pk, newsroom_id=newsroom.pk, event=event)
    return reverse("notifications:unsubscribe", kwargs={"token": token})


def test_one_click_unsubscribe_works_without_login_or_csrf_token(newsroom):
    editor = person(newsroom, Role.EDITOR, "edna")
    client = Client(enforce_csrf_checks=True)
    url = unsubscribe_path(editor, newsroom, Event.CLAIMS_FLAGGED)

    response = client.post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    assert b"you will get no more emails" in response.content
    preferences = NotificationPreferences.objects.get(user=editor, newsroom=newsroom)
    assert preferences.claims_flagged == Delivery.NEVER
    assert preferences.claim_assigned == Delivery.IMMEDIATELY  # only that kind


def test_opening_the_link_only_asks_and_changes_nothing(client, newsroom):
    editor = person(newsroom, Role.EDITOR, "edna")

    response = client.get(unsubscribe_path(editor, newsroom, DIGEST_KIND))

    assert response.status_code == 200
    assert b'id="unsubscribe-form"' in response.content and b"the daily digest" in response.content
    assert not NotificationPreferences.objects.exists()


def test_an_altered_or_foreign_link_is_refused(client, newsroom):
    editor = person(newsroom, Role.EDITOR, "edna")
    url = unsubscribe_path(editor, newsroom, Event.CLAIMS_FLAGGED)
    altered = url.replace(url.rstrip("/").rsplit(":", 1)[1], "forged")

    assert client.post(altered).status_code == 400
    assert client.get(reverse("notifications:unsubscribe", kwargs={"token": "nothing"})).status_code == 400
    assert not NotificationPreferences.objects.exists()


def test_a_link_for_a_person_who_is_gone_changes_nothing(client, newsroom):
    editor = person(newsroom, Role.EDITOR, "edna")
    url = unsubscribe_path(editor, newsroom, Event.CLAIMS_FLAGGED)
    editor.delete()

    response = client.post(url)

    assert response.status_code == 404
    assert b"no longer exists" in response.content
