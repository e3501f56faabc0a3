"""Sending deliveries against a real receiver on 127.0.0.2: signed, once, retried with backoff, logged
per attempt, and endpoints disabled after a run of failures (one email to each of the newsroom's
admins, through the notifications outbox: tests/factcheck/webhooks/test_emails.py)."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connections, transaction
from django.utils import timezone

from editorial.models import Role
from factcheck.notifications.models import WEBHOOK_DISABLED_KIND, OutboxEmail, OutboxState
from factcheck.outbox_rows import Outcome
from factcheck.webhooks import tasks
from factcheck.webhooks.models import (
    AttemptOutcome,
    DeliveryState,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from factcheck.webhooks.services.delivery import deliveries_sweep, delivery_send, retry_delay
from factcheck.webhooks.services.endpoints import endpoint_create, endpoint_disabled_notify, endpoint_enable
from factcheck.webhooks.services.events import envelope, webhook_emit
from factcheck.webhooks.signing import InvalidSignature, verify
from tests.factcheck.webhooks.conftest import Receiver, Reply
from tests.factories import member

pytestmark = pytest.mark.django_db


def emit(endpoint, capture, *, count: int = 1, execute: bool = True) -> list[WebhookDelivery]:
    """``count`` events for the endpoint's newsroom, in one transaction; their tasks run on commit."""
    with capture(execute=execute), transaction.atomic():
        made = webhook_emit(
            newsroom_id=endpoint.newsroom_id,
            event=WebhookEvent.ARTICLE_ANALYZED,
            data=[{"article": {"id": n}} for n in range(count)],
        )
    return [WebhookDelivery.objects.get(pk=delivery.pk) for delivery in made]


def send_when_due(delivery: WebhookDelivery) -> Outcome:
    """Run the delivery's next attempt at the time it is due (the countdown a worker would wait)."""
    delivery.refresh_from_db()
    return delivery_send(delivery_id=delivery.pk, now=delivery.next_attempt_at)


# --- Signed, logged, once ----------------------------------------------------------------------------


def test_an_event_is_posted_signed_after_commit_and_logged(
    registered, receiver, django_capture_on_commit_callbacks
):
    (delivery,) = emit(registered.endpoint, django_capture_on_commit_callbacks)

    assert delivery.state == DeliveryState.DELIVERED and delivery.attempts == 1
    assert delivery.delivered_at is not None and delivery.last_error == ""
    (request,) = receiver.requests
    assert request.headers["factdesk-event"] == "article.analyzed"
    assert request.headers["factdesk-delivery"] == str(delivery.event_id)
    assert verify(registered.secret, request.body, request.headers["factdesk-signature"]) > 0
    with pytest.raises(InvalidSignature):
        verify("whsec_not-this-one", request.body, request.headers["factdesk-signature"])
    body = request.json()
    assert body == delivery.payload
    assert body["id"] == str(delivery.event_id) and body["type"] == "article.analyzed"
    assert body["data"] == {"article": {"id": 0}}
    attempt = WebhookAttempt.objects.get(delivery=delivery)
    assert (attempt.number, attempt.outcome, attempt.http_status) == (1, AttemptOutcome.DELIVERED, 200)
    assert attempt.response_excerpt == "ok" and attempt.duration_ms is not None


def test_a_redelivered_task_does_not_send_twice(endpoint, receiver, django_capture_on_commit_callbacks):
    (delivery,) = emit(endpoint, django_capture_on_commit_callbacks)
    assert len(receiver.requests) == 1

    assert tasks.deliver.apply(args=(delivery.pk,)).get() == "skipped"
    assert delivery_send(delivery_id=delivery.pk, now=timezone.now() + timedelta(days=1)).outcome == (
        "skipped"
    )
    assert len(receiver.requests) == 1
    assert WebhookAttempt.objects.filter(delivery=delivery).count() == 1


def test_a_delivery_another_worker_is_sending_is_left_to_it(
    endpoint, receiver, django_capture_on_commit_callbacks
):
    (delivery,) = emit(endpoint, django_capture_on_commit_callbacks, execute=False)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        state=DeliveryState.SENDING, attempts=1, lease_until=timezone.now() + timedelta(minutes=2)
    )
    assert delivery_send(delivery_id=delivery.pk).outcome == "skipped"
    assert receiver.requests == []


def test_no_delivery_for_an_event_whose_transaction_rolls_back(
    endpoint, receiver, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks(execute=True)
    with capture as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        webhook_emit(newsroom_id=endpoint.newsroom_id, event=WebhookEvent.ARTICLE_ANALYZED, data=[{"n": 1}])
        raise RuntimeError("the event's own work failed")
    assert callbacks == [] and not WebhookDelivery.objects.exists() and receiver.requests == []


# --- Retries ----------------------------------------------------------------------------------------


def test_a_failure_is_retried_after_a_backoff_then_delivered(
    endpoint, receiver, django_capture_on_commit_callbacks
):
    receiver.answer(Reply(500, b"database down"), Reply(200, b"thanks"))
    before = timezone.now()
    (delivery,) = emit(endpoint, django_capture_on_commit_callbacks)

    assert delivery.state == DeliveryState.PENDING and delivery.attempts == 1
    assert "500" in delivery.last_error
    # Base 30 s, equal jitter: between 15 and 30 s later.  Not sent again before then.
    wait = (delivery.next_attempt_at - before).total_seconds()
    assert 15 <= wait <= 31
    assert tasks.deliver.apply(args=(delivery.pk,)).get() == "skipped"
    assert len(receiver.requests) == 1

    assert send_when_due(delivery).outcome == "delivered"
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED and delivery.attempts == 2
    first, second = receiver.requests
    assert first.body == second.body  # the same bytes, the same event id, on every attempt
    assert first.headers["factdesk-delivery"] == second.headers["factdesk-delivery"]
    attempts = list(WebhookAttempt.objects.filter(delivery=delivery).values_list("outcome", "http_status"))
    assert attempts == [(AttemptOutcome.FAILED, 500), (AttemptOutcome.DELIVERED, 200)]
    assert WebhookAttempt.objects.get(delivery=delivery, number=1).response_excerpt == "database down"
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0


@pytest.mark.parametrize(("status", "asked", "expected"), [(503, "120", 120), (429, "99999", 600)])
def test_retry_after_is_honoured_and_capped(
    endpoint, receiver, settings, django_capture_on_commit_callbacks, status, asked, expected
):
    settings.FACTDESK_WEBHOOK_RETRY_CAP_SECONDS = 600
    receiver.answer(Reply(status, b"later", headers={"Retry-After": asked}))
    before = timezone.now()
    (delivery,) = emit(endpoint, django_capture_on_commit_callbacks)
    assert delivery.state == DeliveryState.PENDING
    assert expected <= (delivery.next_attempt_at - before).total_seconds() <= expected + 2


def test_the_backoff_doubles_with_jitter_up_to_the_cap(settings):
    settings.FACTDESK_WEBHOOK_RETRY_BASE_SECONDS = 10
    settings.FACTDESK_WEBHOOK_RETRY_CAP_SECONDS = 100
    for attempts, step in [(1, 10), (2, 20), (3, 40), (4, 80), (5, 100), (12, 100)]:
        delays = [retry_delay(attempts) for _ in range(50)]
        assert all(step / 2 <= delay <= step for delay in delays), attempts
        assert len(set(delays)) > 1  # jittered


def test_a_receiver_too_slow_to_answer_is_retried(
    endpoint, receiver, settings, django_capture_on_commit_callbacks
):
    settings.FACTDESK_WEBHOOK_TIMEOUT = 0.5
    receiver.answer(Reply(200, delay=5.0), Reply(200))
    (delivery,) = emit(endpoint, django_capture_on_commit_callbacks)
    assert delivery.state == DeliveryState.PENDING
    attempt = WebhookAttempt.objects.get(delivery=delivery)
    assert attempt.outcome == AttemptOutcome.FAILED and attempt.http_status is None
    assert "0.5 s" in attempt.error
    assert send_when_due(delivery).outcome == "delivered"


def test_4xx_and_5xx_until_the_last_attempt_fail_the_delivery(
    endpoint, receiver, django_capture_on_commit_callbacks
):
    receiver.answer(Reply(404, b"no such hook"), Reply(500), Reply(410, b"gone"))
    (delivery,) = emit(endpoint, django_capture_on_commit_callbacks)
    assert send_when_due(delivery).outcome == "retry"
    assert send_when_due(delivery).outcome == "failed"

    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED and delivery.attempts == 3
    assert delivery.last_error.startswith("Gave up after 3 attempts") and "410" in delivery.last_error
    assert list(WebhookAttempt.objects.filter(delivery=delivery).values_list("http_status", flat=True)) == [
        404,
        500,
        410,
    ]
    assert send_when_due(delivery).outcome == "skipped" and len(receiver.requests) == 3
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 1 and endpoint.active


def test_a_redirect_is_not_followed_and_counts_as_a_failure(
    endpoint, receiver, django_capture_on_commit_callbacks
):
    receiver.answer(Reply(307, b"", headers={"Location": receiver.url("/moved")}))
    (delivery,) = emit(endpoint, django_capture_on_commit_callbacks)
    assert delivery.state == DeliveryState.PENDING
    assert [request.path for request in receiver.requests] == ["/hook"]
    assert "do not follow redirects" in WebhookAttempt.objects.get(delivery=delivery).error


def test_an_address_refused_when_connecting_fails_the_delivery_at_once(
    endpoint, django_capture_on_commit_callbacks
):
    """The endpoint's address was checked when it was registered; the delivery checks the address it
    connects to again (here, 127.0.0.1: as if the allow list or the DNS had changed since)."""
    private = Receiver("127.0.0.1")
    try:
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=private.url())
        (delivery,) = emit(endpoint, django_capture_on_commit_callbacks)
        assert private.requests == []
    finally:
        private.close()
    assert delivery.state == DeliveryState.FAILED and delivery.attempts == 1
    assert "loopback" in delivery.last_error and "Gave up" not in delivery.last_error


# --- Disabling, and enabling again ------------------------------------------------------------------


def test_a_run_of_failed_deliveries_disables_the_endpoint_and_emails_the_admins_once(
    newsroom, other_newsroom, endpoint, receiver, ada, settings, django_capture_on_commit_callbacks
):
    settings.FACTDESK_WEBHOOK_MAX_ATTEMPTS = 1
    member(newsroom, Role.EDITOR, "eddie")  # not an admin: not told
    member(other_newsroom, Role.ADMIN, "olga")  # another newsroom's admin: not told
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(description="<b>CMS</b> hook")
    receiver.answer(Reply(500, b"down"))

    deliveries = emit(endpoint, django_capture_on_commit_callbacks, count=5)

    endpoint.refresh_from_db()
    assert not endpoint.active and endpoint.disabled_at is not None
    assert endpoint.consecutive_failures == 3
    assert "3 deliveries in a row failed" in endpoint.disabled_reason
    assert len(receiver.requests) == 3  # the fourth and fifth were not sent
    states = [delivery.state for delivery in deliveries]
    assert states == [DeliveryState.FAILED] * 5
    assert all("disabled" in delivery.last_error for delivery in deliveries[3:])

    # The email went through the outbox, made with the disabling and sent after its commit.
    (row,) = OutboxEmail.objects.all()
    assert (row.kind, row.user, row.state, row.attempts) == (WEBHOOK_DISABLED_KIND, ada, OutboxState.SENT, 1)
    (email,) = mail.outbox
    assert email.to == ["ada@example.org"] == [row.to]
    assert "disabled" in email.subject.lower() and "127.0.0.2" in email.subject
    assert receiver.url() in email.body and "/api/v1/webhooks" in email.body
    html = email.alternatives[0].content
    assert "&lt;b&gt;CMS&lt;/b&gt; hook" in html and "<b>CMS</b>" not in html
    assert "<b>CMS</b> hook" in email.body  # plain text is not escaped
    assert endpoint.disabled_notice_sent_at == endpoint.disabled_at

    # Nothing more: no delivery for new events, no second email from a re-run.
    assert emit(endpoint, django_capture_on_commit_callbacks) == []
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        assert endpoint_disabled_notify(endpoint=locked) == []
    assert OutboxEmail.objects.count() == 1
    assert len(mail.outbox) == 1 and len(receiver.requests) == 3


def test_a_delivery_that_goes_through_resets_the_count(
    endpoint, receiver, settings, django_capture_on_commit_callbacks
):
    settings.FACTDESK_WEBHOOK_MAX_ATTEMPTS = 1
    receiver.answer(Reply(500), Reply(500), Reply(200), Reply(500), Reply(500))
    emit(endpoint, django_capture_on_commit_callbacks, count=5)
    endpoint.refresh_from_db()
    assert endpoint.active and endpoint.consecutive_failures == 2
    assert mail.outbox == []


def test_a_re_enabled_endpoint_gets_events_again(
    endpoint, receiver, ada, settings, django_capture_on_commit_callbacks
):
    settings.FACTDESK_WEBHOOK_MAX_ATTEMPTS = 1
    receiver.answer(Reply(500), Reply(500), Reply(500), Reply(200))
    emit(endpoint, django_capture_on_commit_callbacks, count=3)
    endpoint.refresh_from_db()
    assert not endpoint.active

    endpoint_enable(endpoint=endpoint)
    endpoint.refresh_from_db()
    assert endpoint.active and endpoint.disabled_at is None and endpoint.disabled_reason == ""
    assert endpoint.consecutive_failures == 0 and endpoint.disabled_notice_sent_at is None
    (delivery,) = emit(endpoint, django_capture_on_commit_callbacks)
    assert delivery.state == DeliveryState.DELIVERED and len(receiver.requests) == 4


def test_a_second_disabling_is_a_second_email(
    endpoint, receiver, ada, settings, django_capture_on_commit_callbacks
):
    settings.FACTDESK_WEBHOOK_MAX_ATTEMPTS = 1
    receiver.answer(Reply(500))
    emit(endpoint, django_capture_on_commit_callbacks, count=3)
    endpoint.refresh_from_db()
    first_disabled_at = endpoint.disabled_at
    endpoint_enable(endpoint=endpoint)
    emit(endpoint, django_capture_on_commit_callbacks, count=3)

    endpoint.refresh_from_db()
    assert not endpoint.active and endpoint.disabled_at > first_disabled_at
    assert endpoint.disabled_notice_sent_at == endpoint.disabled_at
    emails = list(OutboxEmail.objects.order_by("pk"))
    assert [email.state for email in emails] == [OutboxState.SENT] * 2
    assert [email.dedup_key for email in emails] == [
        f"webhook_disabled:endpoint{endpoint.pk}:{disabled_at.isoformat()}:user{ada.pk}"
        for disabled_at in (first_disabled_at, endpoint.disabled_at)
    ]
    assert [email.to for email in mail.outbox] == [["ada@example.org"]] * 2


# --- Recovery ---------------------------------------------------------------------------------------


def test_the_sweeper_queues_a_delivery_whose_task_was_lost(
    endpoint, receiver, django_capture_on_commit_callbacks
):
    (delivery,) = emit(endpoint, django_capture_on_commit_callbacks, execute=False)  # the message is lost
    assert deliveries_sweep() == []  # not overdue yet: its task may still come
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(minutes=2)
    )
    assert deliveries_sweep() == [delivery.pk]  # found, for the sweep task to queue
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.PENDING and receiver.requests == []
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(minutes=2)
    )
    assert tasks.sweep_deliveries() == 1
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED and len(receiver.requests) == 1


def test_the_sweeper_sends_again_what_a_lost_worker_was_sending(
    endpoint, receiver, django_capture_on_commit_callbacks
):
    (delivery,) = emit(endpoint, django_capture_on_commit_callbacks, execute=False)
    now = timezone.now()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        state=DeliveryState.SENDING, attempts=1, lease_until=now - timedelta(seconds=1)
    )
    WebhookAttempt.objects.create(delivery=delivery, number=1, started_at=now - timedelta(minutes=3))

    assert tasks.sweep_deliveries() == 1

    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED and delivery.attempts == 2
    outcomes = list(WebhookAttempt.objects.filter(delivery=delivery).values_list("outcome", flat=True))
    assert outcomes == [AttemptOutcome.INTERRUPTED, AttemptOutcome.DELIVERED]
    assert len(receiver.requests) == 1


def test_the_payload_is_sent_as_stored(endpoint, receiver, django_capture_on_commit_callbacks):
    """Non-ASCII text goes out as UTF-8 JSON, and the signature covers those exact bytes."""
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        webhook_emit(
            newsroom_id=endpoint.newsroom_id,
            event=WebhookEvent.CLAIM_FLAGGED,
            data=[{"claim": {"text": "Les experts disent « trop peu » — 4,2 M€"}}],
        )
    (request,) = receiver.requests
    assert json.loads(request.body.decode("utf-8"))["data"]["claim"]["text"].endswith("4,2 M€")


# --- At the same time -------------------------------------------------------------------------------


def at_once(function, count: int) -> list:
    """``function()`` in ``count`` threads released together, each on its own database connection."""
    barrier = threading.Barrier(count)

    def run():
        try:
            barrier.wait(timeout=30)
            return function()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return [future.result(timeout=60) for future in [pool.submit(run) for _ in range(count)]]


def waiting(endpoint, count: int) -> list[WebhookDelivery]:
    """Deliveries as events make them, whose tasks have not run (here, commits run on-commit tasks)."""
    return [
        WebhookDelivery.objects.create(
            endpoint=endpoint,
            event=WebhookEvent.CLAIM_FLAGGED,
            event_id=body["id"],
            payload=body,
            next_attempt_at=timezone.now(),
        )
        for body in (envelope(event=WebhookEvent.CLAIM_FLAGGED, data={"n": n}) for n in range(count))
    ]


@pytest.mark.django_db(transaction=True)
def test_of_workers_holding_the_same_delivery_at_once_one_sends(newsroom, receiver):
    endpoint = endpoint_create(newsroom=newsroom, url=receiver.url(), events=["claim.flagged"]).endpoint
    (delivery,) = waiting(endpoint, 1)
    receiver.answer(Reply(200, delay=0.3))  # still sending while the others try

    outcomes = at_once(lambda: delivery_send(delivery_id=delivery.pk).outcome, 6)

    assert sorted(outcomes) == ["delivered"] + ["skipped"] * 5
    assert len(receiver.requests) == 1
    assert WebhookAttempt.objects.filter(delivery=delivery).count() == 1


@pytest.mark.django_db(transaction=True)
def test_failures_at_once_disable_the_endpoint_once_with_one_email(newsroom, receiver, settings):
    settings.FACTDESK_WEBHOOK_MAX_ATTEMPTS = 1
    member(newsroom, Role.ADMIN, "ada")
    endpoint = endpoint_create(newsroom=newsroom, url=receiver.url(), events=["claim.flagged"]).endpoint
    deliveries = waiting(endpoint, 6)
    receiver.answer(Reply(500, delay=0.5))
    ids = iter([delivery.pk for delivery in deliveries])
    lock = threading.Lock()

    def send_next():
        with lock:
            delivery_id = next(ids)
        return delivery_send(delivery_id=delivery_id).outcome

    outcomes = at_once(send_next, 6)
    # A thread slow to start may find its delivery already failed by the disabling: skipped.
    assert set(outcomes) <= {"failed", "skipped"} and outcomes.count("failed") >= 3
    assert len(receiver.requests) == outcomes.count("failed")
    endpoint.refresh_from_db()
    assert not endpoint.active and endpoint.consecutive_failures == 3  # later ones saw it disabled
    (email,) = OutboxEmail.objects.all()
    assert email.state == OutboxState.SENT
    assert len(mail.outbox) == 1
