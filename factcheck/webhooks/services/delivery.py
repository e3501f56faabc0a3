"""Sending deliveries: once each, signed, retried with backoff, and endpoints disabled after a run of
failures.  See the package's docstring for the guarantees."""

from __future__ import annotations

import datetime
import functools
import json
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from factcheck import retry
from factcheck.destinations import allowed_networks
from factcheck.outbox_rows import CLOCK_TOLERANCE, Outcome
from factcheck.overdue import Overdue, requeue_overdue
from factcheck.web.deliver import DeliveryPolicy, DeliveryResult, Poster
from factcheck.webhooks import signing
from factcheck.webhooks.models import (
    AttemptOutcome,
    DeliveryState,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from factcheck.webhooks.services.endpoints import DISABLED_ERROR, endpoint_disable

logger = logging.getLogger(__name__)

#: A pending delivery due for this long has lost its task (the broker lost it, no worker was up).
REQUEUE_AFTER = datetime.timedelta(seconds=60)
#: Deliveries queued again by one sweep, at most.
SWEEP_BATCH = 500
#: The send task's hard time limit (tasks.py); a lease outlives it, so a live worker is never doubled.
TASK_TIME_LIMIT = 90
#: What the last error keeps of a failure.
ERROR_CHARS = 2000


def delivery_policy() -> DeliveryPolicy:
    """The delivery limits from the settings; the allowed networks are the fetcher's."""
    total = min(float(settings.FACTDESK_WEBHOOK_TIMEOUT), 60.0)
    return DeliveryPolicy(
        connect_timeout=min(5.0, total),
        total_timeout=total,
        user_agent=f"Factdesk-Webhooks/1.0 (+{settings.SITE_URL})",
        allow_networks=allowed_networks(),
    )


@functools.lru_cache(maxsize=4)
def _poster_for(policy: DeliveryPolicy) -> Poster:
    return Poster(policy)


def poster() -> Poster:
    """The worker process's poster: one connection pool, shared by its threads."""
    return _poster_for(delivery_policy())


def lease_seconds() -> float:
    return max(TASK_TIME_LIMIT, settings.FACTDESK_WEBHOOK_TIMEOUT) + 30


def body_of(delivery: WebhookDelivery) -> bytes:
    """The exact bytes sent (and signed): the same on every attempt."""
    return json.dumps(delivery.payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def signed_headers(*, secret: str, delivery: WebhookDelivery, body: bytes) -> dict[str, str]:
    return {
        signing.SIGNATURE_HEADER: signing.signature_header(secret, body),
        signing.EVENT_HEADER: delivery.event,
        signing.DELIVERY_HEADER: str(delivery.event_id),
    }


def retry_delay(attempts: int, retry_after: float | None = None) -> float:
    """Seconds before the next attempt: the receiver's Retry-After when it gave one, never above the
    cap, else backoff with equal jitter (``factcheck.retry.retry_delay``)."""
    return retry.retry_delay(
        attempts,
        retry_after,
        base=settings.FACTDESK_WEBHOOK_RETRY_BASE_SECONDS,
        cap=settings.FACTDESK_WEBHOOK_RETRY_CAP_SECONDS,
    )


def _claim(delivery_id: int, now: datetime.datetime) -> WebhookDelivery | None:
    """pending → sending, if the delivery is due and its endpoint active; the attempt is logged as begun."""
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
        if delivery is None or delivery.state != DeliveryState.PENDING:
            return None
        if not delivery.endpoint.active:
            WebhookDelivery.objects.filter(pk=delivery_id, state=DeliveryState.PENDING).update(
                state=DeliveryState.FAILED, last_error=DISABLED_ERROR
            )
            return None
        claimed = WebhookDelivery.objects.filter(
            pk=delivery_id, state=DeliveryState.PENDING, next_attempt_at__lte=now + CLOCK_TOLERANCE
        ).update(
            state=DeliveryState.SENDING,
            attempts=F("attempts") + 1,
            lease_until=now + datetime.timedelta(seconds=lease_seconds()),
        )
        if not claimed:
            return None
        delivery.refresh_from_db(fields=["state", "attempts", "lease_until"])
        WebhookAttempt.objects.create(delivery=delivery, number=delivery.attempts, started_at=now)
    return delivery


def delivery_send(*, delivery_id: int, now: datetime.datetime | None = None) -> Outcome:
    """Send one pending delivery, at most once per attempt, and record how it went.

    Runs outside any transaction: the POST happens between two short ones (claim, record), so no
    row is locked while a slow receiver answers.
    """
    now = now or timezone.now()
    delivery = _claim(delivery_id, now)
    if delivery is None:
        return Outcome("skipped")
    endpoint = delivery.endpoint
    body = body_of(delivery)
    result = poster().post(
        endpoint.url, body, signed_headers(secret=endpoint.secret, delivery=delivery, body=body)
    )
    return _record(delivery=delivery, number=delivery.attempts, result=result)


def _record(*, delivery: WebhookDelivery, number: int, result: DeliveryResult) -> Outcome:
    """The attempt's outcome, on the attempt, the delivery (if still this attempt's) and the endpoint."""
    now = timezone.now()
    outcome = AttemptOutcome.DELIVERED if result.ok else AttemptOutcome.FAILED
    with transaction.atomic():
        # The endpoint first: its failure count changes one delivery at a time.  FOR NO KEY UPDATE
        # does not wait for transactions that only add deliveries pointing at it.
        endpoint = (
            WebhookEndpoint.objects.select_for_update(no_key=True).filter(pk=delivery.endpoint_id).first()
        )
        if endpoint is None:
            return Outcome("skipped")  # removed while the POST was under way, with its deliveries
        WebhookAttempt.objects.filter(delivery=delivery, number=number).update(
            outcome=outcome,
            duration_ms=result.duration_ms,
            http_status=result.status,
            response_excerpt=result.response_excerpt,
            error=result.error,
        )
        mine = WebhookDelivery.objects.filter(pk=delivery.pk, state=DeliveryState.SENDING, attempts=number)
        if result.ok:
            if mine.update(state=DeliveryState.DELIVERED, delivered_at=now, lease_until=None, last_error=""):
                if endpoint.consecutive_failures:
                    endpoint.consecutive_failures = 0
                    endpoint.save(update_fields=["consecutive_failures"])
                logger.info("webhook delivery %s delivered (attempt %s)", delivery.pk, number)
                return Outcome("delivered")
            return Outcome("skipped")
        if not endpoint.active:  # disabled while this attempt was under way: no more attempts
            mine.update(
                state=DeliveryState.FAILED,
                lease_until=None,
                last_error=f"{DISABLED_ERROR} The last attempt: {result.error}"[:ERROR_CHARS],
            )
            return Outcome("failed")
        if not result.permanent and number < settings.FACTDESK_WEBHOOK_MAX_ATTEMPTS:
            delay = retry_delay(number, result.retry_after)
            if mine.update(
                state=DeliveryState.PENDING,
                next_attempt_at=now + datetime.timedelta(seconds=delay),
                lease_until=None,
                last_error=f"Attempt {number}: {result.error}"[:ERROR_CHARS],
            ):
                logger.warning(
                    "webhook delivery %s: attempt %s failed, next in %.0f s: %s",
                    delivery.pk,
                    number,
                    delay,
                    result.error,
                )
                return Outcome("retry", retry_in=delay)
            return Outcome("skipped")
        tries = f"{number} attempt{'' if number == 1 else 's'}"
        reason = result.error if result.permanent else f"Gave up after {tries}: {result.error}"
        if not mine.update(state=DeliveryState.FAILED, lease_until=None, last_error=reason[:ERROR_CHARS]):
            return Outcome("skipped")
        _count_failure(endpoint, reason=reason, now=now)
    logger.error("webhook delivery %s failed: %s", delivery.pk, reason)
    return Outcome("failed")


def _count_failure(endpoint: WebhookEndpoint, *, reason: str, now: datetime.datetime) -> None:
    """One more delivery failed for good on the (locked) endpoint; disable it after too many in a row."""
    endpoint.consecutive_failures += 1
    endpoint.save(update_fields=["consecutive_failures"])
    if endpoint.active and endpoint.consecutive_failures >= settings.FACTDESK_WEBHOOK_DISABLE_AFTER:
        endpoint_disable(
            endpoint=endpoint,
            reason=f"{endpoint.consecutive_failures} deliveries in a row failed; the last one: {reason}",
            now=now,
        )


def deliveries_sweep(*, now: datetime.datetime | None = None) -> list[int]:
    """What should be sending and is not, for the sweep task to queue again (every minute, by beat).

    - A delivery still "sending" after its lease lost its worker: its attempt is logged as
      interrupted, and it is pending again (or failed, if that was its last attempt).
    - A pending delivery due for over a minute never had its task run (the broker lost it, or no
      worker was up): queued again.  A task that does arrive late finds it claimed and does nothing.
    Returns the ids to queue.
    """
    now = now or timezone.now()
    stuck = list(
        WebhookDelivery.objects.filter(state=DeliveryState.SENDING, lease_until__lt=now).values_list(
            "pk", "attempts", "endpoint_id"
        )[:SWEEP_BATCH]
    )
    lost = "The worker sending it was lost (its lease ran out)."
    again: list[int] = []
    for delivery_id, attempts, endpoint_id in stuck:
        with transaction.atomic():
            endpoint = WebhookEndpoint.objects.select_for_update(no_key=True).filter(pk=endpoint_id).first()
            if endpoint is None:
                continue  # removed meanwhile, with its deliveries
            WebhookAttempt.objects.filter(
                delivery_id=delivery_id, number=attempts, outcome=AttemptOutcome.SENDING
            ).update(outcome=AttemptOutcome.INTERRUPTED, error=lost)
            mine = WebhookDelivery.objects.filter(
                pk=delivery_id, state=DeliveryState.SENDING, attempts=attempts
            )
            if attempts < settings.FACTDESK_WEBHOOK_MAX_ATTEMPTS and endpoint.active:
                if mine.update(
                    state=DeliveryState.PENDING, next_attempt_at=now, lease_until=None, last_error=lost
                ):
                    again.append(delivery_id)
            elif mine.update(state=DeliveryState.FAILED, lease_until=None, last_error=f"Gave up: {lost}"):
                _count_failure(endpoint, reason=lost, now=now)
    requeued = again + requeue_overdue(
        WebhookDelivery.objects.filter(state=DeliveryState.PENDING),
        Overdue(due="next_attempt_at", grace=REQUEUE_AFTER),
        now=now,
        limit=SWEEP_BATCH,
    )
    return requeued
