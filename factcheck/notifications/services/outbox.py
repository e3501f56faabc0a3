"""The outbox: emails made, sent once, retried, recovered.  See the package's docstring for the guarantees."""

from __future__ import annotations

import datetime
import logging
import smtplib

from anymail.exceptions import AnymailAPIError
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail.handler import DEFAULT_MAILER_ALIAS
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from editorial.models import Newsroom
from factcheck import retry
from factcheck.notifications import emails
from factcheck.notifications.emails import Item, Rendered
from factcheck.notifications.models import DIGEST_KIND, OutboxEmail, OutboxState
from factcheck.outbox_rows import CLOCK_TOLERANCE, Outcome
from factcheck.overdue import Overdue, requeue_overdue
from factcheck.queue import publish_on_commit

logger = logging.getLogger(__name__)

#: Emails re-queued by one ``outbox_recover`` run, at most.
RECOVER_BATCH = 500


def given_or_now(now: datetime.datetime | None) -> datetime.datetime:
    """``now`` if a caller (a test, a sweep) gave one, else the current time."""
    return now or timezone.now()


def _send_email_on_commit(email_id: int) -> None:
    publish_on_commit("notifications.send_email", [email_id])


def email_create(
    *, user, newsroom: Newsroom, items: list[Item], dedup_key: str, digest: bool = False
) -> OutboxEmail:
    """A pending email about ``items``, queued for sending when the caller's transaction commits."""
    return email_queue(
        user=user,
        newsroom=newsroom,
        email_kind=DIGEST_KIND if digest else items[0].event,
        rendered=emails.render(items=items, user=user, newsroom=newsroom, digest=digest),
        dedup_key=dedup_key,
    )


def email_queue(
    *, user, newsroom: Newsroom, email_kind: str, rendered: Rendered, dedup_key: str
) -> OutboxEmail:
    """A pending email, already rendered, queued for sending when the caller's transaction commits.

    ``email_create`` renders a person's events; a notice of another app (its ``email_kind`` one of
    ``EMAIL_KINDS``) is rendered by that app, once for all its readers.  Each email gets a Message-ID
    of its own here; the other headers are sent as they are: give a List-Unsubscribe only if the
    reader has a setting that turns this kind of email off.
    """
    email = OutboxEmail.objects.create(
        newsroom=newsroom,
        user=user,
        to=user.email,
        kind=email_kind,
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        headers={"Message-ID": emails.message_id(), **rendered.headers},
        dedup_key=dedup_key,
        next_attempt_at=timezone.now(),
    )
    _send_email_on_commit(email.pk)
    return email


def retry_delay(attempts: int) -> float:
    """Seconds before the next attempt at an email (``factcheck.retry.retry_delay``)."""
    return retry.retry_delay(
        attempts,
        None,
        base=settings.FACTDESK_EMAIL_RETRY_BASE_SECONDS,
        cap=settings.FACTDESK_EMAIL_RETRY_CAP_SECONDS,
    )


def is_transient(error: BaseException) -> bool:
    """Would the same email go through later?  4xx replies, lost or refused connections and timeouts
    (the server is down or busy), a provider's 5xx or 429: yes.  5xx replies (no such mailbox,
    rejected, bad credentials) and anything unknown: no, and the reason is recorded."""
    if isinstance(error, AnymailAPIError):  # before OSError: requests' errors are OSErrors
        return error.status_code is None or error.status_code == 429 or error.status_code >= 500
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    return isinstance(error, OSError | SoftTimeLimitExceeded)  # SMTPException is an OSError


def email_send(*, email_id: int, now: datetime.datetime | None = None) -> Outcome:
    """Send one pending email through the configured mailer, at most once.

    Runs outside any transaction: each step is its own UPDATE, conditional on the state the step
    expects, so that no two workers send the same email and a sent email stays sent.
    """
    now = given_or_now(now)
    claimed = OutboxEmail.objects.filter(
        pk=email_id, state=OutboxState.PENDING, next_attempt_at__lte=now + CLOCK_TOLERANCE
    ).update(
        state=OutboxState.SENDING,
        attempts=F("attempts") + 1,
        lease_expires_at=now + datetime.timedelta(seconds=settings.FACTDESK_EMAIL_LEASE_SECONDS),
    )
    if not claimed:
        return Outcome("skipped")
    email = OutboxEmail.objects.get(pk=email_id)
    sending = OutboxEmail.objects.filter(pk=email_id, state=OutboxState.SENDING)
    try:
        accepted = emails.message_of(email).send(using=DEFAULT_MAILER_ALIAS)
    except Exception as error:
        reason = f"{type(error).__name__}: {error}"[:2000]
        if is_transient(error) and email.attempts < settings.FACTDESK_EMAIL_MAX_ATTEMPTS:
            delay = retry_delay(email.attempts)
            sending.update(
                state=OutboxState.PENDING,
                last_error=reason,
                next_attempt_at=now + datetime.timedelta(seconds=delay),
                lease_expires_at=None,
            )
            logger.warning(
                "email %s: attempt %s failed, next in %.0f s: %s", email_id, email.attempts, delay, reason
            )
            return Outcome("retry", retry_in=delay)
        if is_transient(error):
            reason = f"Gave up after {email.attempts} attempts. {reason}"
        sending.update(state=OutboxState.FAILED, last_error=reason, lease_expires_at=None)
        logger.error("email %s failed: %s", email_id, reason)
        return Outcome("failed")
    if not accepted:
        sending.update(
            state=OutboxState.FAILED, last_error="The mail backend accepted nothing.", lease_expires_at=None
        )
        return Outcome("failed")
    sending.update(state=OutboxState.SENT, sent_at=timezone.now(), lease_expires_at=None)
    logger.info("email %s sent to %s (attempt %s)", email_id, email.to, email.attempts)
    return Outcome("sent")


def outbox_recover(*, now: datetime.datetime | None = None) -> list[int]:
    """What should be sending and is not, for the sweep task to queue again (every minute, by beat).

    - An email still "sending" after its lease lost its worker: pending again (or failed, if that
      was its last attempt), and queued.
    - A pending email due for longer than FACTDESK_EMAIL_REQUEUE_AFTER_SECONDS never had its task run
      (the broker lost it, or no worker was up): queued again.  A task that does arrive late finds
      the email already claimed and does nothing.
    Returns the ids to queue.
    """
    now = given_or_now(now)
    stuck = OutboxEmail.objects.filter(state=OutboxState.SENDING, lease_expires_at__lt=now)
    stuck.filter(attempts__gte=settings.FACTDESK_EMAIL_MAX_ATTEMPTS).update(
        state=OutboxState.FAILED,
        lease_expires_at=None,
        last_error="The worker was lost during the last attempt; the email may or may not have gone out.",
    )
    stuck.update(
        state=OutboxState.PENDING,
        lease_expires_at=None,
        next_attempt_at=now - datetime.timedelta(seconds=settings.FACTDESK_EMAIL_REQUEUE_AFTER_SECONDS),
        last_error="The worker sending it was lost (its lease ran out); sending it again.",
    )
    due = requeue_overdue(
        OutboxEmail.objects.filter(state=OutboxState.PENDING),
        Overdue(
            due="next_attempt_at",
            grace=datetime.timedelta(seconds=settings.FACTDESK_EMAIL_REQUEUE_AFTER_SECONDS),
        ),
        now=now,
        limit=RECOVER_BATCH,
    )
    return due


def email_retry(*, email: OutboxEmail) -> bool:
    """Send a failed email again, with a fresh set of attempts (the admin's "Send again")."""
    with transaction.atomic():
        changed = OutboxEmail.objects.filter(pk=email.pk, state=OutboxState.FAILED).update(
            state=OutboxState.PENDING, attempts=0, next_attempt_at=timezone.now()
        )
        if changed:
            _send_email_on_commit(email.pk)
    return bool(changed)
