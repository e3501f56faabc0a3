"""The email to a newsroom's admins when one of its endpoints is disabled (factcheck/webhooks/emails.py,
``endpoint_disabled_notify``): one per admin, made in the notifications outbox in the
transaction of the disabling, once per disabling, and sent, retried and recovered by the outbox."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from editorial.models import Newsroom, Role
from factcheck.notifications import emails as notification_emails
from factcheck.notifications.models import WEBHOOK_DISABLED_KIND, OutboxEmail, OutboxState
from factcheck.notifications.services.outbox import email_send
from factcheck.notifications.tasks import recover_outbox, send_email
from factcheck.webhooks.models import WebhookEndpoint
from factcheck.webhooks.services.endpoints import endpoint_disable, endpoint_disabled_notify, endpoint_enable
from tests.factcheck.notifications.builders import person, visible
from tests.factcheck.webhooks.conftest import SITE

pytestmark = pytest.mark.django_db

REASON = "3 deliveries in a row failed; the last one: The endpoint answered 500 Internal Server Error."


def locked(endpoint) -> WebhookEndpoint:
    """The endpoint's row, locked as the delivery services lock it (call inside a transaction)."""
    return WebhookEndpoint.objects.select_for_update(no_key=True).get(pk=endpoint.pk)


def disable(endpoint, capture, *, execute: bool = True, reason: str = REASON) -> list:
    """Disable the endpoint as a failing delivery does, in a transaction of its own; the tasks queued
    on commit run unless ``execute`` is false.  Returns those tasks (the on-commit callbacks)."""
    with capture(execute=execute) as callbacks, transaction.atomic():
        endpoint_disable(endpoint=locked(endpoint), reason=reason)
    endpoint.refresh_from_db()
    return callbacks


def reload(email: OutboxEmail) -> OutboxEmail:
    email.refresh_from_db()
    return email


# --- Made with the disabling ------------------------------------------------------------------------


def test_disabling_puts_one_pending_email_per_admin_in_the_outbox_sent_after_commit(
    newsroom, other_newsroom, endpoint, ada, django_capture_on_commit_callbacks
):
    bob = person(newsroom, Role.ADMIN, "bob")
    person(newsroom, Role.ADMIN, "ada2", email=ada.email)  # the same address: written to once
    person(newsroom, Role.ADMIN, "nomail", email="")  # nowhere to write to
    gone = person(newsroom, Role.ADMIN, "gone")
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    person(newsroom, Role.EDITOR, "eddie")  # not an admin
    person(other_newsroom, Role.ADMIN, "olga")  # another newsroom's admin

    callbacks = disable(endpoint, django_capture_on_commit_callbacks, execute=False)

    made = list(OutboxEmail.objects.order_by("pk"))
    assert [(email.user, email.to) for email in made] == [(ada, "ada@example.org"), (bob, "bob@example.org")]
    assert {(email.kind, email.state, email.newsroom_id) for email in made} == {
        (WEBHOOK_DISABLED_KIND, OutboxState.PENDING, newsroom.pk)
    }
    assert len({email.headers["Message-ID"] for email in made}) == 2  # one per email
    assert [email.dedup_key for email in made] == [
        f"webhook_disabled:endpoint{endpoint.pk}:{endpoint.disabled_at.isoformat()}:user{user.pk}"
        for user in (ada, bob)
    ]
    assert endpoint.disabled_notice_sent_at == endpoint.disabled_at
    assert mail.outbox == [] and len(callbacks) == 2  # nothing sent before the commit

    for callback in callbacks:  # the commit: one send task per email
        callback()

    assert sorted(message.to[0] for message in mail.outbox) == ["ada@example.org", "bob@example.org"]
    assert [reload(email).state for email in made] == [OutboxState.SENT] * 2


def test_a_disabling_rolled_back_leaves_no_email_and_sends_nothing(
    endpoint, ada, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        endpoint_disable(endpoint=locked(endpoint), reason=REASON)
        assert OutboxEmail.objects.filter(kind=WEBHOOK_DISABLED_KIND).count() == 1  # made with it...
        raise RuntimeError("the caller's transaction fails")

    assert callbacks == []
    assert not OutboxEmail.objects.exists()  # ...and gone with it
    endpoint.refresh_from_db()
    assert endpoint.active and endpoint.disabled_notice_sent_at is None
    assert mail.outbox == []


def test_a_re_run_or_a_second_disable_makes_no_second_email(
    endpoint, ada, django_capture_on_commit_callbacks
):
    disable(endpoint, django_capture_on_commit_callbacks)
    (email,) = OutboxEmail.objects.all()
    disabled_at = endpoint.disabled_at

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        assert endpoint_disabled_notify(endpoint=locked(endpoint)) == []
        endpoint_disable(endpoint=locked(endpoint), reason="again")  # disabled already: no change
    assert send_email.apply(args=[email.pk]).get() == "skipped"  # a redelivered send task

    endpoint.refresh_from_db()
    assert (endpoint.disabled_at, endpoint.disabled_reason) == (disabled_at, REASON)
    assert list(OutboxEmail.objects.all()) == [email]
    assert len(mail.outbox) == 1


def test_the_key_names_the_disabling_so_a_lost_marker_still_makes_no_second_email(
    endpoint, ada, django_capture_on_commit_callbacks
):
    disable(endpoint, django_capture_on_commit_callbacks, execute=False)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(disabled_notice_sent_at=None)

    with pytest.raises(IntegrityError), transaction.atomic():
        endpoint_disabled_notify(endpoint=locked(endpoint))

    assert OutboxEmail.objects.count() == 1


def test_a_re_enabled_endpoint_disabled_again_gets_a_new_email(
    endpoint, ada, django_capture_on_commit_callbacks
):
    disable(endpoint, django_capture_on_commit_callbacks)
    first = endpoint.disabled_at

    endpoint_enable(endpoint=endpoint)
    endpoint.refresh_from_db()
    assert endpoint.disabled_notice_sent_at is None
    disable(endpoint, django_capture_on_commit_callbacks)

    assert endpoint.disabled_at > first and endpoint.disabled_notice_sent_at == endpoint.disabled_at
    made = list(OutboxEmail.objects.order_by("pk"))
    assert [email.state for email in made] == [OutboxState.SENT] * 2
    assert [email.dedup_key.rsplit(":user", 1)[0] for email in made] == [
        f"webhook_disabled:endpoint{endpoint.pk}:{disabled_at.isoformat()}"
        for disabled_at in (first, endpoint.disabled_at)
    ]
    assert [message.to for message in mail.outbox] == [["ada@example.org"]] * 2


def test_a_newsroom_with_no_admin_to_write_to_logs_a_warning_and_gets_no_email(
    newsroom, endpoint, django_capture_on_commit_callbacks, caplog
):
    person(newsroom, Role.EDITOR, "eddie")
    person(newsroom, Role.ADMIN, "nomail", email="")

    with caplog.at_level(logging.WARNING, logger="factcheck.webhooks.services.endpoints"):
        disable(endpoint, django_capture_on_commit_callbacks)

    assert not endpoint.active and endpoint.disabled_reason == REASON  # disabled all the same
    assert endpoint.disabled_notice_sent_at is None
    assert not OutboxEmail.objects.exists() and mail.outbox == []
    assert f"webhook endpoint {endpoint.pk} disabled: its newsroom has no admin to email" in caplog.text


# --- Sent by the outbox -----------------------------------------------------------------------------


def test_with_the_mail_server_down_the_email_waits_in_the_outbox_and_goes_once_it_is_back(
    endpoint, ada, smtp_server, settings, django_capture_on_commit_callbacks
):
    settings.FACTDESK_EMAIL_RETRY_BASE_SECONDS = 30
    smtp_server.stop()

    disable(endpoint, django_capture_on_commit_callbacks)  # the send task runs at the commit, and fails

    (email,) = OutboxEmail.objects.all()
    assert (email.state, email.attempts) == (OutboxState.PENDING, 1)
    assert "refused" in email.last_error.lower()
    assert email.next_attempt_at > timezone.now()  # a later attempt, after a backoff
    assert endpoint.disabled_notice_sent_at is not None

    smtp_server.start()
    assert email_send(email_id=email.pk, now=email.next_attempt_at).outcome == "sent"
    assert send_email.apply(args=[email.pk]).get() == "skipped"  # a redelivered task

    [received] = smtp_server.mailbox.received
    assert received.rcpt_tos == ("ada@example.org",)
    assert received.subject == email.subject == "Webhook endpoint disabled: 127.0.0.2 (The Daily Ledger)"
    assert endpoint.url in received.text and endpoint.url in visible(received.html)
    assert received.message["Message-ID"].strip() == email.headers["Message-ID"]
    assert received.message["Auto-Submitted"] == "auto-generated"
    email = reload(email)
    assert (email.state, email.attempts) == (OutboxState.SENT, 2)


def test_an_email_whose_worker_died_while_sending_is_sent_again_by_the_outbox_recovery(
    endpoint, ada, smtp_server, django_capture_on_commit_callbacks
):
    disable(endpoint, django_capture_on_commit_callbacks, execute=False)
    (email,) = OutboxEmail.objects.all()
    now = timezone.now()
    OutboxEmail.objects.filter(pk=email.pk).update(  # a worker claimed it, then died
        state=OutboxState.SENDING, attempts=1, lease_expires_at=now - timedelta(seconds=1)
    )

    assert recover_outbox.apply().get() == 1

    assert len(smtp_server.mailbox.received) == 1
    assert (reload(email).state, email.attempts) == (OutboxState.SENT, 2)


def test_the_email_keeps_untrusted_text_escaped_and_carries_no_unsubscribe_link(
    newsroom, endpoint, ada, django_capture_on_commit_callbacks
):
    Newsroom.objects.filter(pk=newsroom.pk).update(name="Ledger <i>& Co</i>")
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        description="<b>CMS</b> hook", url=endpoint.url + "?a=1&b=<x>"
    )
    endpoint.refresh_from_db()
    error = "The endpoint answered <script>alert(1)</script>"

    disable(endpoint, django_capture_on_commit_callbacks, execute=False, reason=error)

    (row,) = OutboxEmail.objects.all()
    for untrusted, escaped in [
        ("<b>CMS</b> hook", "&lt;b&gt;CMS&lt;/b&gt; hook"),
        ("Ledger <i>& Co</i>", "Ledger &lt;i&gt;&amp; Co&lt;/i&gt;"),
        (error, "The endpoint answered &lt;script&gt;alert(1)&lt;/script&gt;"),
        ("?a=1&b=<x>", "?a=1&amp;b=&lt;x&gt;"),
    ]:
        assert escaped in row.body_html and untrusted not in row.body_html
        assert untrusted in row.body_text  # plain text is not HTML: shown as written
    assert row.subject == "Webhook endpoint disabled: 127.0.0.2 (Ledger <i>& Co</i>)"
    change = SITE + reverse("admin:webhooks_webhookendpoint_change", args=[endpoint.pk])
    assert change in row.body_text and change in row.body_html

    message = notification_emails.message_of(row).message()
    again = notification_emails.message_of(row).message()
    assert message["Message-ID"] == again["Message-ID"] == row.headers["Message-ID"]
    assert message["Message-ID"].endswith("@factdesk.test>")
    assert message["Auto-Submitted"] == "auto-generated"
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
    # No setting turns this notice off, so it offers no way to: no header, no link, no token.
    assert message["List-Unsubscribe"] is None and message["List-Unsubscribe-Post"] is None
    assert "unsubscribe" not in row.body_text.lower() and "unsubscribe" not in row.body_html.lower()
    token = notification_emails.unsubscribe_token(
        user_id=ada.pk, newsroom_id=newsroom.pk, event=WEBHOOK_DISABLED_KIND
    )
    with pytest.raises(signing.BadSignature):
        notification_emails.read_unsubscribe_token(token)


def test_the_newsrooms_admins_see_the_email_in_their_outbox(
    client, newsroom, endpoint, ada, django_capture_on_commit_callbacks
):
    disable(endpoint, django_capture_on_commit_callbacks)
    client.force_login(ada)

    page = client.get(
        reverse("admin:notifications_outboxemail_changelist"), {"kind": WEBHOOK_DISABLED_KIND}
    ).content.decode()

    assert "Webhook endpoint disabled: 127.0.0.2 (The Daily Ledger)" in page
    assert "ada@example.org" in page
