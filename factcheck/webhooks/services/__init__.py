"""Writes for webhooks: endpoints, events becoming deliveries, deliveries sent once and retried.

``endpoints`` (register, remove, disable, re-enable, ping), ``events`` (what the checking side's
services call inside their transactions), ``delivery`` (sending, retrying, sweeping).

Guarantees (README, "Webhooks"):

- **Outbox.** A delivery row per endpoint and event is written in the transaction of the event, and
  its task queued after commit: an event that is rolled back is sent nowhere, and one that happened
  is not lost with a broker message (the sweeper queues it again).
- **Once per attempt.** A worker claims a delivery (pending → sending, a conditional UPDATE) before
  it posts, so of two workers holding the same task only one sends, and a delivered event is never
  sent again by a retry or a redelivered task.  A worker lost mid-send leaves a lease that runs out;
  the sweeper logs that attempt as interrupted and sends again, with the same event id
  (``Factdesk-Delivery``), which receivers use to drop duplicates.
- **Retries.** No answer, a timeout or anything but a 2xx is retried after a backoff that doubles
  with jitter (or the receiver's Retry-After on a 429 or 503, capped), up to
  FACTDESK_WEBHOOK_MAX_ATTEMPTS; a refused destination fails at once.  Every attempt is logged.
- **Disabling.** After FACTDESK_WEBHOOK_DISABLE_AFTER deliveries in a row fail for good, the endpoint
  is disabled, its waiting deliveries fail, and each of the newsroom's admins gets one email: made in
  the notifications outbox in the transaction that disables it, and sent, retried and recovered from
  there.  A delivery that goes through resets the count.
"""

from factcheck.webhooks.services.delivery import (
    deliveries_sweep,
    delivery_send,
    retry_delay,
)
from factcheck.webhooks.services.endpoints import (
    Registered,
    checked_url,
    endpoint_create,
    endpoint_delete,
    endpoint_disable,
    endpoint_disabled_notify,
    endpoint_enable,
    endpoint_ping,
)
from factcheck.webhooks.services.events import (
    article_analyzed_emit,
    claim_status_changed_emit,
    flagged_before_analysis,
    source_fetched_emit,
    webhook_emit,
)

__all__ = [
    "Registered",
    "article_analyzed_emit",
    "checked_url",
    "claim_status_changed_emit",
    "deliveries_sweep",
    "delivery_send",
    "endpoint_create",
    "endpoint_delete",
    "endpoint_disable",
    "endpoint_disabled_notify",
    "endpoint_enable",
    "endpoint_ping",
    "flagged_before_analysis",
    "retry_delay",
    "source_fetched_emit",
    "webhook_emit",
]
