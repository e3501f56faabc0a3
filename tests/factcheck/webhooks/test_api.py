"""The webhooks API: a newsroom admin's key registers endpoints (the secret shown once), lists,
removes, pings and re-enables them, and reads their deliveries; other keys get 403, other newsrooms' 404."""

from __future__ import annotations

import pytest
from django.utils import timezone

from editorial.models import Role
from factcheck.webhooks.models import DeliveryState, WebhookDelivery, WebhookEndpoint, WebhookEvent
from factcheck.webhooks.services.delivery import delivery_send
from factcheck.webhooks.services.endpoints import endpoint_disable, endpoint_ping
from factcheck.webhooks.services.events import webhook_emit
from factcheck.webhooks.signing import verify
from tests.factcheck.test_api import assert_error
from tests.factcheck.webhooks.conftest import ALL_EVENTS, Reply
from tests.factories import api_key_for, client_for

pytestmark = pytest.mark.django_db

LIST = "/api/v1/webhooks"


def create(api, **fields):
    payload = {"url": "https://hooks.example.org/factdesk", "events": ["claim.flagged"], **fields}
    return api.post(LIST, payload, format="json")


def test_an_admin_key_registers_an_endpoint_and_sees_the_secret_once(admin_api, receiver):
    response = create(
        admin_api, url=receiver.url(), events=["claim.status_changed", "article.analyzed"], description="CMS"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["secret"].startswith("whsec_")
    assert body["url"] == receiver.url() and body["description"] == "CMS" and body["active"] is True
    assert body["events"] == ["article.analyzed", "claim.status_changed"]  # in the documented order
    endpoint = WebhookEndpoint.objects.get(pk=body["id"])
    assert endpoint.secret == body["secret"] and endpoint.created_by_name.startswith("API key tests")

    detail = admin_api.get(f"{LIST}/{endpoint.pk}")
    listed = admin_api.get(LIST)
    assert detail.status_code == listed.status_code == 200
    assert "secret" not in detail.json() and body["secret"] not in detail.content.decode()
    assert [row["id"] for row in listed.json()["results"]] == [endpoint.pk]
    assert body["secret"] not in listed.content.decode()


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:8000/hook", "loopback"),
        ("http://localhost/hook", "loopback"),
        ("http://10.1.2.3/hook", "private"),
        ("http://169.254.169.254/latest/meta-data/", "metadata"),
        ("http://0x7f000001/hook", "127.0.0.1"),
        ("http://[::1]/hook", "loopback"),
        ("ftp://hooks.example.org/in", "http and https"),
        ("https://user:secret@hooks.example.org/in", "password"),
    ],
)
def test_an_endpoint_on_a_private_or_odd_address_is_refused_with_the_reason(admin_api, url, reason):
    body = assert_error(create(admin_api, url=url), 400, "invalid")
    assert reason in " ".join(body["errors"]["url"])
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"events": []}, "events"),
        ({"events": ["claim.deleted"]}, "events"),
        ({"events": ["ping"]}, "events"),  # a test event is sent on request, not subscribed to
        ({"events": "claim.flagged"}, "events"),
        ({"url": ""}, "url"),
    ],
)
def test_invalid_input_is_a_400_by_field(admin_api, fields, field):
    body = assert_error(create(admin_api, **fields), 400, "invalid")
    assert {key.split(".")[0] for key in body["errors"]} == {field}  # `events.0`: the first item


@pytest.mark.parametrize("role", [Role.EDITOR, Role.FACT_CHECKER, Role.REPORTER])
def test_only_an_admin_key_manages_or_reads_webhooks(newsroom, endpoint, role):
    api = client_for(api_key_for(newsroom, role=role)[1])
    for response in (
        api.get(LIST),
        create(api),
        api.get(f"{LIST}/{endpoint.pk}"),
        api.delete(f"{LIST}/{endpoint.pk}"),
        api.post(f"{LIST}/{endpoint.pk}/enable"),
        api.post(f"{LIST}/{endpoint.pk}/ping"),
        api.get(f"{LIST}/{endpoint.pk}/deliveries"),
    ):
        body = assert_error(response, 403, "permission_denied")
        assert "admin" in body["detail"]
    assert WebhookEndpoint.objects.count() == 1


def test_another_newsrooms_admin_gets_404_and_changes_nothing(other_newsroom, endpoint):
    theirs = client_for(api_key_for(other_newsroom, role=Role.ADMIN)[1])
    for response in (
        theirs.get(f"{LIST}/{endpoint.pk}"),
        theirs.delete(f"{LIST}/{endpoint.pk}"),
        theirs.post(f"{LIST}/{endpoint.pk}/enable"),
        theirs.post(f"{LIST}/{endpoint.pk}/ping"),
        theirs.get(f"{LIST}/{endpoint.pk}/deliveries"),
    ):
        assert_error(response, 404, "not_found")
    assert theirs.get(LIST).json()["results"] == []
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()
    assert not WebhookDelivery.objects.exists()


def test_deleting_an_endpoint_removes_it_with_its_deliveries(
    admin_api, endpoint, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        endpoint_ping(endpoint=endpoint)
    response = admin_api.delete(f"{LIST}/{endpoint.pk}")
    assert response.status_code == 204 and response.content == b""
    assert not WebhookEndpoint.objects.exists() and not WebhookDelivery.objects.exists()
    assert_error(admin_api.get(f"{LIST}/{endpoint.pk}"), 404, "not_found")


def test_a_ping_is_delivered_signed_and_listed_with_its_attempts(
    admin_api, registered, receiver, django_capture_on_commit_callbacks
):
    endpoint = registered.endpoint
    receiver.answer(Reply(500, b"<h1>oops</h1>"), Reply(200, b"pong"))
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_api.post(f"{LIST}/{endpoint.pk}/ping")
    assert response.status_code == 202
    assert response.json()["event"] == "ping" and response.json()["state"] == "pending"
    delivery = WebhookDelivery.objects.get()
    delivery_send(delivery_id=delivery.pk, now=WebhookDelivery.objects.get().next_attempt_at)

    (row,) = admin_api.get(f"{LIST}/{endpoint.pk}/deliveries").json()["results"]
    assert (row["event"], row["state"], row["attempts"]) == ("ping", "delivered", 2)
    assert row["event_id"] == str(delivery.event_id) and row["payload"]["type"] == "ping"
    assert [(a["number"], a["outcome"], a["http_status"]) for a in row["attempt_log"]] == [
        (1, "failed", 500),
        (2, "delivered", 200),
    ]
    assert row["attempt_log"][0]["response_excerpt"] == "<h1>oops</h1>"  # JSON text, never markup
    request = receiver.requests[-1]
    assert request.headers["factdesk-event"] == "ping"
    assert verify(registered.secret, request.body, request.headers["factdesk-signature"])
    failed = admin_api.get(f"{LIST}/{endpoint.pk}/deliveries?state=failed").json()["results"]
    assert failed == []
    assert_error(admin_api.get(f"{LIST}/{endpoint.pk}/deliveries?state=lost"), 400, "invalid")


def test_the_deliveries_list_is_paginated_most_recent_first_in_few_queries(
    admin_api, endpoint, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    with django_capture_on_commit_callbacks():
        for _ in range(5):
            endpoint_ping(endpoint=endpoint)
    ids = list(WebhookDelivery.objects.order_by("-id").values_list("pk", flat=True))
    with django_assert_max_num_queries(8):
        page = admin_api.get(f"{LIST}/{endpoint.pk}/deliveries?page_size=3").json()
    assert [row["id"] for row in page["results"]] == ids[:3]
    rest = admin_api.get(page["next"]).json()
    assert [row["id"] for row in rest["results"]] == ids[3:] and rest["next"] is None


def test_a_disabled_endpoint_is_re_enabled_over_the_api(admin_api, endpoint):
    endpoint_disable(endpoint=endpoint, reason="10 deliveries in a row failed.")
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=10)
    shown = admin_api.get(f"{LIST}/{endpoint.pk}").json()
    assert shown["active"] is False and shown["disabled_reason"] == "10 deliveries in a row failed."
    assert_error(admin_api.post(f"{LIST}/{endpoint.pk}/ping"), 400, "invalid")

    response = admin_api.post(f"{LIST}/{endpoint.pk}/enable")
    assert response.status_code == 200
    body = response.json()
    assert (body["active"], body["disabled_at"], body["consecutive_failures"]) == (True, None, 0)
    again = admin_api.post(f"{LIST}/{endpoint.pk}/enable")  # already active: nothing changes
    assert again.status_code == 200 and again.json() == body


def test_events_reach_an_endpoint_registered_over_the_api(
    admin_api, newsroom, receiver, django_capture_on_commit_callbacks
):
    secret = create(admin_api, url=receiver.url(), events=ALL_EVENTS).json()["secret"]
    with django_capture_on_commit_callbacks(execute=True):
        webhook_emit(newsroom_id=newsroom.pk, event=WebhookEvent.CLAIM_FLAGGED, data=[{"n": 1}])
    (request,) = receiver.requests
    assert verify(secret, request.body, request.headers["factdesk-signature"], now=timezone.now().timestamp())
    assert WebhookDelivery.objects.get().state == DeliveryState.DELIVERED
