"""Delivery: the outbox sends each email once through a real SMTP server on loopback, retries
transient errors with backoff, records permanent ones, and recovers what a lost worker or a lost
message left behind (factcheck/notifications/services.py, tasks.py)."""

from __future__ import annotations

import datetime
import smtplib

import pytest
from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused
from django.core import mail
from django.db.models import F
from django.utils import timezone

from editorial.models import Role
from factcheck.actors import Actor
from factcheck.notifications.models import OutboxEmail, OutboxState
from factcheck.notifications.services.outbox import (
    email_retry,
    email_send,
    is_transient,
    outbox_recover,
    retry_delay,
)
from factcheck.notifications.tasks import recover_outbox, send_email
from factcheck.services.review import claim_assign
from tests.factcheck.notifications.builders import ANALYSTS, analysed, person, visible
from tests.factories import DeskFactory, claim_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def checker(newsroom):
    return person(newsroom, Role.FACT_CHECKER, "chuck")


@pytest.fixture
def pending(newsroom, checker) -> OutboxEmail:
    """A pending email (an assignment), its send task not run yet."""
    editor = person(newsroom, Role.EDITOR, "edna")
    claim = claim_of(
        analysed(newsroom, desk=DeskFactory(newsroom=newsroom)), ANALYSTS
    )  # a desk with no editor
    claim_assign(actor=Actor.for_user(editor), claim_id=claim.pk, assignee_id=checker.pk)
    [email] = OutboxEmail.objects.all()
    assert email.state == OutboxState.PENDING
    return email


def reload(email: OutboxEmail) -> OutboxEmail:
    email.refresh_from_db()
    return email


def test_the_send_is_queued_after_commit_and_sends_exactly_once(
    newsroom, checker, smtp_server, django_capture_on_commit_callbacks
):
    editor = person(newsroom, Role.EDITOR, "edna")
    claim = claim_of(analysed(newsroom), ANALYSTS)

    with django_capture_on_commit_callbacks() as callbacks:
        claim_assign(actor=Actor.for_user(editor), claim_id=claim.pk, assignee_id=checker.pk)
    [email] = OutboxEmail.objects.filter(to=checker.email)
    assert len(callbacks) == 1 and smtp_server.mailbox.received == []  # nothing sent before commit

    callbacks[0]()  # the commit: the task runs (eagerly here)
    send_email.apply(args=[email.pk])  # a redelivered task
    assert email_send(email_id=email.pk).outcome == "skipped"  # a retry

    [received] = smtp_server.mailbox.received
    assert received.rcpt_tos == (checker.email,)
    assert received.subject == email.subject
    assert ANALYSTS in received.text and ANALYSTS in visible(received.html)
    assert received.message["Message-ID"].strip() == email.headers["Message-ID"]
    assert received.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    email = reload(email)
    assert (email.state, email.attempts, email.last_error) == (OutboxState.SENT, 1, "")
    assert email.sent_at is not None and email.lease_expires_at is None


def test_with_the_server_down_the_email_waits_and_goes_once_the_server_is_back(
    pending, smtp_server, settings
):
    settings.FACTDESK_EMAIL_RETRY_BASE_SECONDS = 30
    smtp_server.stop()
    now = timezone.now()

    attempt = email_send(email_id=pending.pk, now=now)

    email = reload(pending)
    assert attempt.outcome == "retry" and 15 <= attempt.retry_in <= 30
    assert (email.state, email.attempts) == (OutboxState.PENDING, 1)
    assert "Connection refused" in email.last_error or "ConnectionRefusedError" in email.last_error
    assert email.next_attempt_at == now + datetime.timedelta(seconds=attempt.retry_in)
    # Not due yet: a task that comes early does nothing.
    assert email_send(email_id=pending.pk, now=now + datetime.timedelta(seconds=5)).outcome == "skipped"

    smtp_server.start()
    assert email_send(email_id=pending.pk, now=email.next_attempt_at).outcome == "sent"
    assert email_send(email_id=pending.pk, now=email.next_attempt_at).outcome == "skipped"

    assert len(smtp_server.mailbox.received) == 1
    email = reload(pending)
    assert (email.state, email.attempts) == (OutboxState.SENT, 2)
    assert "refused" in email.last_error.lower()  # what happened on the way is kept


def test_a_temporary_refusal_is_retried_and_a_permanent_one_fails_with_the_reason(
    newsroom, pending, smtp_server, checker
):
    smtp_server.mailbox.refuse[checker.email] = "451 4.3.0 Mailbox busy, try again later"
    assert email_send(email_id=pending.pk).outcome == "retry"
    assert "451" in reload(pending).last_error

    smtp_server.mailbox.refuse[checker.email] = "550 5.1.1 No such user here"
    later = reload(pending).next_attempt_at
    assert email_send(email_id=pending.pk, now=later).outcome == "failed"

    email = reload(pending)
    assert (email.state, email.attempts) == (OutboxState.FAILED, 2)
    assert "550" in email.last_error and "No such user here" in email.last_error
    assert smtp_server.mailbox.received == []
    assert email_send(email_id=pending.pk, now=later).outcome == "skipped"  # failed stays failed


def test_after_the_last_attempt_a_transient_error_fails_the_email(pending, smtp_server, settings):
    settings.FACTDESK_EMAIL_MAX_ATTEMPTS = 2
    smtp_server.stop()
    now = timezone.now()
    assert email_send(email_id=pending.pk, now=now).outcome == "retry"
    later = reload(pending).next_attempt_at
    assert email_send(email_id=pending.pk, now=later).outcome == "failed"

    email = reload(pending)
    assert (email.state, email.attempts) == (OutboxState.FAILED, 2)
    assert email.last_error.startswith("Gave up after 2 attempts.")


def test_an_email_another_worker_is_sending_is_left_to_it(pending, smtp_server):
    now = timezone.now()
    OutboxEmail.objects.filter(pk=pending.pk).update(
        state=OutboxState.SENDING, attempts=1, lease_expires_at=now + datetime.timedelta(minutes=5)
    )
    assert email_send(email_id=pending.pk, now=now).outcome == "skipped"
    assert outbox_recover(now=now + datetime.timedelta(minutes=4)) == []  # lease still running
    assert smtp_server.mailbox.received == []
    assert reload(pending).state == OutboxState.SENDING


def test_an_email_whose_worker_was_lost_is_sent_again_once_its_lease_runs_out(pending, smtp_server):
    now = timezone.now()
    OutboxEmail.objects.filter(pk=pending.pk).update(
        state=OutboxState.SENDING, attempts=1, lease_expires_at=now - datetime.timedelta(seconds=1)
    )

    queued = recover_outbox.apply().get()

    assert queued == 1
    email = reload(pending)
    assert (email.state, email.attempts) == (OutboxState.SENT, 2)
    assert "lost" in email.last_error
    assert len(smtp_server.mailbox.received) == 1


def test_a_pending_email_whose_task_never_ran_is_queued_again_but_not_a_fresh_one(
    pending, smtp_server, settings
):
    assert outbox_recover() == []  # just made: its own task is on its way

    # Time passes and the task never comes (the broker lost it).
    waited = datetime.timedelta(seconds=settings.FACTDESK_EMAIL_REQUEUE_AFTER_SECONDS + 1)
    OutboxEmail.objects.filter(pk=pending.pk).update(next_attempt_at=F("next_attempt_at") - waited)
    assert outbox_recover(now=timezone.now()) == [pending.pk]  # found; not yet queued
    assert reload(pending).state == OutboxState.PENDING
    OutboxEmail.objects.filter(pk=pending.pk).update(next_attempt_at=F("next_attempt_at") - waited)
    assert recover_outbox.apply().get() == 1  # the sweep task queues what the service found

    assert reload(pending).state == OutboxState.SENT
    assert len(smtp_server.mailbox.received) == 1
    assert outbox_recover(now=timezone.now() + datetime.timedelta(hours=1)) == []


def test_a_failed_email_can_be_sent_again_with_fresh_attempts(pending, django_capture_on_commit_callbacks):
    OutboxEmail.objects.filter(pk=pending.pk).update(state=OutboxState.FAILED, attempts=12, last_error="x")

    with django_capture_on_commit_callbacks(execute=True):
        assert email_retry(email=pending) is True
        assert email_retry(email=pending) is False  # no longer failed

    assert reload(pending).state == OutboxState.SENT
    assert len(mail.outbox) == 1


def test_the_send_task_after_a_transient_error_queues_one_later_attempt_not_a_loop(pending, smtp_server):
    smtp_server.stop()
    assert send_email.apply(args=[pending.pk]).get() == "retry"  # its follow-up ran eagerly: not due yet
    email = reload(pending)
    assert (email.state, email.attempts) == (OutboxState.PENDING, 1)


@pytest.mark.parametrize("attempts", range(1, 16))
def test_the_backoff_doubles_with_jitter_up_to_the_cap(attempts, settings):
    settings.FACTDESK_EMAIL_RETRY_BASE_SECONDS, settings.FACTDESK_EMAIL_RETRY_CAP_SECONDS = 30, 1800
    step = min(1800, 30 * 2 ** (attempts - 1))
    delays = {retry_delay(attempts) for _ in range(200)}
    assert all(step / 2 <= delay <= step for delay in delays)
    assert len(delays) > 100  # jittered


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (ConnectionRefusedError(111, "Connection refused"), True),
        (TimeoutError("timed out"), True),
        (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), True),
        (smtplib.SMTPResponseException(421, b"Service not available"), True),
        (smtplib.SMTPDataError(452, b"Insufficient storage"), True),
        (smtplib.SMTPRecipientsRefused({"a@example.org": (450, b"busy")}), True),
        (smtplib.SMTPRecipientsRefused({"a@example.org": (550, b"no such user")}), False),
        (smtplib.SMTPSenderRefused(553, b"sender rejected", "factdesk@localhost"), False),
        (smtplib.SMTPAuthenticationError(535, b"bad credentials"), False),
        (AnymailAPIError("provider down", status_code=503), True),
        (AnymailAPIError("slow down", status_code=429), True),
        (AnymailAPIError("bad request", status_code=400), False),
        (AnymailRecipientsRefused("all recipients refused"), False),
        (ValueError("a bug"), False),
    ],
)
def test_which_errors_are_worth_another_attempt(error, transient):
    assert is_transient(error) is transient
