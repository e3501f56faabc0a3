"""End to end on a real worker: a delivery task routed to the fetch queue in Redis, taken by a real
Celery worker (thread pool), posted to a real receiver that fails once, retried after its countdown,
and delivered once."""

from __future__ import annotations

import time

import pytest
from celery import Celery
from django.conf import settings as django_settings

from factcheck.webhooks.models import AttemptOutcome, DeliveryState, WebhookAttempt, WebhookDelivery
from factcheck.webhooks.services.endpoints import endpoint_create
from factcheck.webhooks.signing import verify
from tests.factcheck.webhooks.conftest import Reply
from tests.factcheck.webhooks.test_delivery import waiting
from tests.integration.test_worker import (  # noqa: F401 - fixture
    BROKER_URL,
    eventually,
    services_env,
    start_worker,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

TIMEOUT = 60


def test_a_real_worker_retries_a_failed_delivery_and_delivers_it_once(
    services_env,  # noqa: F811
    newsroom,
    receiver,
    tmp_path,
):
    env = {
        **services_env,
        "FACTDESK_FETCH_ALLOW_NETWORKS": "127.0.0.2/32",
        "FACTDESK_WEBHOOK_RETRY_BASE_SECONDS": "1",
        "FACTDESK_WEBHOOK_MAX_ATTEMPTS": "3",
    }
    registered = endpoint_create(newsroom=newsroom, url=receiver.url(), events=["claim.flagged"])
    (delivery,) = waiting(registered.endpoint, 1)
    receiver.answer(Reply(500, b"not yet"), Reply(200, b"thanks"))

    worker = start_worker(env, tmp_path, "factdesk-webhooks", queue="fetch", pool="threads", concurrency=2)
    try:
        # Routed as the web process routes it (CELERY_TASK_ROUTES): the worker reads only `fetch`.
        broker = Celery(broker=BROKER_URL, set_as_current=False)
        broker.conf.task_routes = django_settings.CELERY_TASK_ROUTES
        broker.send_task("webhooks.deliver", args=[delivery.pk])
        eventually(
            lambda: WebhookDelivery.objects.get(pk=delivery.pk).state == DeliveryState.DELIVERED,
            "delivered",
            worker,
            timeout=TIMEOUT,
        )
        time.sleep(1.5)  # a duplicate send would arrive now
    finally:
        worker.stop()

    assert len(receiver.requests) == 2
    for request in receiver.requests:
        assert verify(registered.secret, request.body, request.headers["factdesk-signature"])
    outcomes = list(
        WebhookAttempt.objects.filter(delivery=delivery).values_list(
            "outcome", "http_status", "response_excerpt"
        )
    )
    assert outcomes == [(AttemptOutcome.FAILED, 500, "not yet"), (AttemptOutcome.DELIVERED, 200, "thanks")]
