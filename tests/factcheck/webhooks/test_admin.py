"""The admin of webhooks: newsroom admins register endpoints (the secret shown once, in a message),
send a test event, re-enable disabled endpoints, and read deliveries and attempts, escaped."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from editorial.models import Role
from factcheck.webhooks.models import DeliveryState, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from factcheck.webhooks.services.endpoints import endpoint_disable, endpoint_ping
from tests.factcheck.webhooks.conftest import Reply
from tests.factories import member

pytestmark = pytest.mark.django_db

ENDPOINTS = reverse("admin:webhooks_webhookendpoint_changelist")
ADD = reverse("admin:webhooks_webhookendpoint_add")


def change(endpoint) -> str:
    return reverse("admin:webhooks_webhookendpoint_change", args=[endpoint.pk])


@pytest.fixture
def ada_client(client, ada):
    client.force_login(ada)
    return client


def test_a_newsroom_admin_registers_an_endpoint_and_sees_the_secret_once(ada_client, newsroom, receiver):
    response = ada_client.post(
        ADD,
        {"newsroom": newsroom.pk, "url": receiver.url(), "description": "CMS", "events": ["claim.flagged"]},
        follow=True,
    )
    assert response.status_code == 200
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.events == ["claim.flagged"] and endpoint.created_by_name == "ada"
    (message,) = [str(m) for m in get_messages(response.wsgi_request) if "secret" in str(m)]
    assert endpoint.secret in message and "will not be shown again" in message

    for page in (ada_client.get(change(endpoint)), ada_client.get(ENDPOINTS)):
        assert page.status_code == 200
        assert endpoint.secret not in page.content.decode()


def test_a_private_address_is_refused_in_the_form_with_the_reason(ada_client, newsroom):
    response = ada_client.post(
        ADD, {"newsroom": newsroom.pk, "url": "http://192.168.1.10/hook", "events": ["claim.flagged"]}
    )
    assert response.status_code == 200  # the form again, with the error
    assert "private-network address" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_an_editor_neither_reads_nor_registers_as_in_the_api(client, newsroom, endpoint):
    client.force_login(member(newsroom, Role.EDITOR, "eddie"))
    assert client.get(ENDPOINTS).status_code == 403
    assert client.get(change(endpoint)).status_code == 403
    assert client.get(ADD).status_code == 403


def test_the_test_event_and_re_enable_actions(
    ada_client, endpoint, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = ada_client.post(
            ENDPOINTS, {"action": "send_test_event", "_selected_action": [endpoint.pk]}, follow=True
        )
    assert response.status_code == 200
    assert [request.headers["factdesk-event"] for request in receiver.requests] == ["ping"]
    assert WebhookDelivery.objects.get().state == DeliveryState.DELIVERED

    endpoint_disable(endpoint=endpoint, reason="3 deliveries in a row failed.")
    ada_client.post(ENDPOINTS, {"action": "enable", "_selected_action": [endpoint.pk]})
    endpoint.refresh_from_db()
    assert endpoint.active and endpoint.disabled_at is None


def test_another_newsrooms_admin_neither_sees_nor_acts_on_the_endpoint(client, other_newsroom, endpoint):
    client.force_login(member(other_newsroom, Role.ADMIN, "olga"))
    assert client.get(change(endpoint)).status_code in (302, 404)
    client.post(ENDPOINTS, {"action": "send_test_event", "_selected_action": [endpoint.pk]})
    assert not WebhookDelivery.objects.exists()


def test_deliveries_and_attempts_are_read_only_and_escaped(
    ada_client, endpoint, receiver, django_capture_on_commit_callbacks
):
    receiver.answer(Reply(500, b"<script>alert(1)</script>"))
    with django_capture_on_commit_callbacks(execute=True):
        endpoint_ping(endpoint=endpoint)
    delivery = WebhookDelivery.objects.get()
    assert WebhookAttempt.objects.get().response_excerpt == "<script>alert(1)</script>"

    url = reverse("admin:webhooks_webhookdelivery_change", args=[delivery.pk])
    page = ada_client.get(url).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)</script>" not in page
    assert ada_client.post(url, {}).status_code == 403
    assert ada_client.get(reverse("admin:webhooks_webhookdelivery_add")).status_code == 403
    assert ada_client.get(reverse("admin:webhooks_webhookdelivery_changelist")).status_code == 200
