"""Writes for notifications: events become notifications and outbox emails; emails are sent once.

``events`` (who hears about what), ``preferences``, ``outbox`` (making and sending emails), ``digests``.

The event services (``claims_flagged_notify``, ``claim_event_notify``) are called by the checking
side's services inside their own transactions, so an email exists if and only if its event does;
the email is queued for sending after commit and sent by a worker outside any transaction
(``email_send``).  A notice of another app, rendered by that app, goes the same way (``email_queue``:
the email to a newsroom's admins when a webhook endpoint is disabled).  Delivery guarantees (README,
"Notifications"):

- one notification per event and person (``Notification.dedup_key``), one email per notification
  or per digest period (``OutboxEmail.dedup_key``): a redelivered task or a re-run makes nothing new;
- an email is claimed pending → sending by a conditional UPDATE before it is handed to the mail
  backend, so of two workers holding the same task only one sends, and a sent email is never sent
  again by a retry or a redelivery;
- a worker lost while sending leaves the email "sending"; when its lease runs out (longer than the
  send task's hard time limit, so never while a live worker is still at it) ``outbox_recover`` sends
  it again.  If the worker died in the instant between the server's acceptance and the UPDATE to
  "sent", that resend is a duplicate: it carries the same Message-ID, which mail clients use to
  fold duplicates.  We prefer that rare duplicate to losing an email for good.
"""

from factcheck.notifications.services.digests import digests_send_due
from factcheck.notifications.services.events import claim_event_notify, claims_flagged_notify
from factcheck.notifications.services.outbox import (
    email_queue,
    email_retry,
    email_send,
    is_transient,
    outbox_recover,
    retry_delay,
)
from factcheck.notifications.services.preferences import (
    digest_schedule_save,
    notification_preferences_ensure,
    notification_preferences_save,
    notification_unsubscribe,
)

__all__ = [
    "claim_event_notify",
    "claims_flagged_notify",
    "digest_schedule_save",
    "digests_send_due",
    "email_queue",
    "email_retry",
    "email_send",
    "is_transient",
    "notification_preferences_ensure",
    "notification_preferences_save",
    "notification_unsubscribe",
    "outbox_recover",
    "retry_delay",
]
