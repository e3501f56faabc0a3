"""/healthz, /readyz and /metrics, in the test process (tasks run eagerly here: no worker is asked).
The fault suite (tests/fault) checks /readyz against real processes with the broker down and back."""

from __future__ import annotations

import pytest
from celery import current_app

from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_healthz_says_the_process_lives(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_names_each_dependency_and_its_state(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "broker", "workers"}
    assert all(check["ok"] for check in body["checks"].values())


def test_readyz_is_503_when_the_broker_does_not_answer(client):
    closed = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    previous = current_app.conf.broker_url
    current_app.conf.broker_url = closed
    try:
        response = client.get("/readyz")
    finally:
        current_app.conf.broker_url = previous
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not ready"
    assert body["checks"]["database"]["ok"] is True
    broker = body["checks"]["broker"]
    assert broker["ok"] is False and broker["error"]  # the error's class, no address
    assert "127.0.0.1" not in response.content.decode()
    assert body["checks"]["workers"]["ok"] is False


def test_metrics_are_off_without_a_token(client, settings):
    settings.FACTDESK_METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404


def test_metrics_need_the_token(client, settings):
    settings.FACTDESK_METRICS_TOKEN = "scrape-me"
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404


def test_metrics_count_requests_and_the_work_owed(client, settings):
    settings.FACTDESK_METRICS_TOKEN = "scrape-me"
    ArticleFactory()  # received, not analysed: one analysis owed
    client.get("/healthz")

    response = client.get("/metrics", headers={"Authorization": "Bearer scrape-me"})

    assert response.status_code == 200
    text = response.content.decode()
    assert 'factdesk_http_requests_total{method="GET",route="healthz",status="200"}' in text
    assert 'factdesk_backlog{kind="analysis",state="received"} 1.0' in text
    assert 'factdesk_backlog{kind="email",state="pending"} 0.0' in text
    assert "factdesk_http_request_duration_seconds_bucket" in text
