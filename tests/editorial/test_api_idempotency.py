"""Safe retries: Idempotency-Key on every POST of the API (httpapi/idempotency.py)."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from editorial.models import ApiKey, Article, IdempotencyRecord, Role
from factcheck.models import ClaimEvent
from factcheck.webhooks.models import WebhookEndpoint
from httpapi.idempotency import STALE_AFTER, fingerprint, idempotent
from tests.factcheck.test_api import BODY, assert_error
from tests.factories import BUDGET, api_key_for, client_for, with_claims

pytestmark = pytest.mark.django_db

HEADER = "HTTP_IDEMPOTENCY_KEY"


@pytest.fixture
def claim(newsroom):
    return with_claims(newsroom, body=BUDGET).claims.get()


def note(api, claim, text="Called the council.", key="retry-1"):
    return api.post(f"/api/v1/claims/{claim.pk}/notes", {"note": text}, format="json", **{HEADER: key})


def notes(claim) -> int:
    return ClaimEvent.objects.filter(claim=claim, action="note").count()


def test_a_retry_gets_the_first_response_and_the_work_is_done_once(api, claim):
    first = note(api, claim)
    again = note(api, claim)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    assert again["Content-Type"] == "application/json"
    assert notes(claim) == 1


def test_without_a_key_every_post_does_the_work(api, claim):
    api.post(f"/api/v1/claims/{claim.pk}/notes", {"note": "Once."}, format="json")
    api.post(f"/api/v1/claims/{claim.pk}/notes", {"note": "Once."}, format="json")
    assert notes(claim) == 2
    assert not IdempotencyRecord.objects.exists()


def test_another_key_is_another_request(api, claim):
    note(api, claim, key="a")
    note(api, claim, key="b")
    assert notes(claim) == 2


def test_keys_belong_to_the_api_key_that_sent_them(api, newsroom, claim):
    other = client_for(api_key_for(newsroom)[1])
    note(api, claim)
    response = note(other, claim)
    assert response.status_code == 201
    assert not response.has_header("Idempotent-Replayed")
    assert notes(claim) == 2


@pytest.mark.parametrize("change", ["body", "path"])
def test_the_same_key_with_another_request_is_a_422(api, newsroom, claim, change):
    note(api, claim)
    if change == "body":
        response = note(api, claim, text="Something else.")
    else:
        other = with_claims(newsroom, body="The mayor resigned on Monday after 12 years.").claims.get()
        response = note(api, other)

    body = assert_error(response, 422, "idempotency_key_reused")
    assert "different request" in body["detail"]
    assert ClaimEvent.objects.filter(action="note").count() == 1


def test_json_that_differs_in_bytes_is_another_request(api, claim):
    url = f"/api/v1/claims/{claim.pk}/notes"
    api.post(url, '{"note": "Hi."}', content_type="application/json", **{HEADER: "k"})
    response = api.post(url, '{"note":"Hi."}', content_type="application/json", **{HEADER: "k"})
    assert_error(response, 422, "idempotency_key_reused")


def test_a_request_still_being_answered_is_a_409(api, api_key, claim):
    url = f"/api/v1/claims/{claim.pk}/notes"
    body = json.dumps({"note": "Hi."}).encode()
    IdempotencyRecord.objects.create(
        api_key=api_key[0],
        key="busy",
        fingerprint=fingerprint(method="POST", path=url, body=body),
        method="POST",
        path=url,
        expires_at=timezone.now() + timedelta(hours=1),
    )

    response = api.post(url, body, content_type="application/json", **{HEADER: "busy"})

    body = assert_error(response, 409, "idempotency_key_in_use")
    assert "still being answered" in body["detail"]
    assert notes(claim) == 0


def test_a_request_abandoned_mid_way_is_taken_over(api, api_key, claim):
    url = f"/api/v1/claims/{claim.pk}/notes"
    body = json.dumps({"note": "Hi."}).encode()
    stale = IdempotencyRecord.objects.create(
        api_key=api_key[0],
        key="crashed",
        fingerprint=fingerprint(method="POST", path=url, body=body),
        method="POST",
        path=url,
        expires_at=timezone.now() + timedelta(hours=1),
    )
    IdempotencyRecord.objects.filter(pk=stale.pk).update(
        created_at=timezone.now() - STALE_AFTER - timedelta(seconds=1)
    )

    response = api.post(url, body, content_type="application/json", **{HEADER: "crashed"})

    assert response.status_code == 201
    assert notes(claim) == 1
    assert IdempotencyRecord.objects.get(key="crashed").response_status == 201


def test_a_key_is_kept_for_the_configured_time(api, claim, settings):
    settings.FACTDESK_API_IDEMPOTENCY_TTL = 60
    note(api, claim)
    record = IdempotencyRecord.objects.get()
    assert timedelta(seconds=59) < record.expires_at - record.created_at <= timedelta(seconds=61)

    IdempotencyRecord.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = note(api, claim, text="The key is free again, for any request.")

    assert response.status_code == 201
    assert not response.has_header("Idempotent-Replayed")
    assert notes(claim) == 2


def test_expired_keys_are_purged(api, api_key, claim):
    past = timezone.now() - timedelta(days=2)
    IdempotencyRecord.objects.bulk_create(
        IdempotencyRecord(
            api_key=api_key[0],
            key=f"old-{n}",
            fingerprint="0" * 64,
            method="POST",
            path="/",
            response_status=201,
            expires_at=past,
        )
        for n in range(5)
    )
    note(api, claim, key="new")
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]


def test_a_400_is_kept_and_replayed(api, claim):
    first = api.post(f"/api/v1/claims/{claim.pk}/notes", {"note": ""}, format="json", **{HEADER: "bad"})
    again = api.post(f"/api/v1/claims/{claim.pk}/notes", {"note": ""}, format="json", **{HEADER: "bad"})
    assert_error(first, 400, "invalid")
    assert_error(again, 400, "invalid")
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"


def test_a_429_is_not_kept(api, claim, settings):
    settings.FACTDESK_API_RATE = "1/min"
    note(api, claim, key="first")
    assert_error(note(api, claim, key="second"), 429, "throttled")
    assert not IdempotencyRecord.objects.filter(key="second").exists()

    settings.FACTDESK_API_RATE = "100/min"
    response = note(api, claim, key="second")  # the retry runs, once the budget allows
    assert response.status_code == 201
    assert not response.has_header("Idempotent-Replayed")
    assert notes(claim) == 2


def test_a_401_413_and_415_are_not_kept(api, api_key, claim, settings):
    url = f"/api/v1/claims/{claim.pk}/notes"
    assert_error(
        client_for("fd_0123456789ab.nope").post(url, {"note": "x"}, format="json", **{HEADER: "k"}), 401
    )
    settings.FACTDESK_MAX_BODY_BYTES = 10
    assert_error(api.post(url, {"note": "A long note."}, format="json", **{HEADER: "k"}), 413)
    settings.FACTDESK_MAX_BODY_BYTES = 1000
    assert_error(
        api.post(url, "note=x", content_type="application/x-www-form-urlencoded", **{HEADER: "k"}), 415
    )
    assert not IdempotencyRecord.objects.exists()


def test_a_crash_is_not_kept(api_key):
    """A view that fails (a 500) frees its key: the retry runs again."""
    calls = []

    def view(request):
        calls.append(request)
        if len(calls) == 1:
            raise RuntimeError("the database went away")
        return HttpResponse(b'{"ok": true}', status=201, content_type="application/json")

    wrapped = idempotent(view)
    factory = RequestFactory()

    def post():
        return wrapped(
            factory.post(
                "/api/v1/anything",
                b"{}",
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Api-Key {api_key[1]}",
                **{HEADER: "k"},
            )
        )

    with pytest.raises(RuntimeError):
        post()
    assert not IdempotencyRecord.objects.exists()
    assert post().status_code == 201
    assert post()["Idempotent-Replayed"] == "true"
    assert len(calls) == 2


def test_a_5xx_answer_is_not_kept(api_key):
    answers = iter([HttpResponse(status=503), HttpResponse(b"{}", status=200)])
    wrapped = idempotent(lambda request: next(answers))
    request = RequestFactory().post(
        "/api/v1/x",
        b"{}",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Api-Key {api_key[1]}",
        **{HEADER: "k"},
    )
    assert wrapped(request).status_code == 503
    assert wrapped(request).status_code == 200
    assert IdempotencyRecord.objects.get().response_status == 200


@pytest.mark.parametrize("key", ["", " leading-space", "x" * 256, "clé", "tab\there"])
def test_a_bad_key_is_a_400(api, claim, key):
    response = api.post(
        f"/api/v1/claims/{claim.pk}/notes",
        {"note": "Hi."},
        format="json",
        **{HEADER: key.encode().decode("latin-1")},
    )
    body = assert_error(response, 400, "invalid")
    assert "Idempotency-Key" in body["errors"]
    assert notes(claim) == 0
    if not key:  # an empty header (a shell's "$(uuidgen)" without uuidgen, say) is named as such
        assert body["errors"]["Idempotency-Key"] == [
            "The header is empty: send a key unique to this request, or no header at all."
        ]


def test_the_longest_key_is_fine(api, claim):
    assert note(api, claim, key="k" * 255).status_code == 201
    assert note(api, claim, key="k" * 255)["Idempotent-Replayed"] == "true"


def test_a_get_ignores_the_key(api):
    api.get("/api/v1/claims", **{HEADER: "k"})
    assert not IdempotencyRecord.objects.exists()


# --- Article submission ------------------------------------------------------------------------------


def test_a_replayed_submission_keeps_its_location_and_queues_nothing(api, django_capture_on_commit_callbacks):
    payload = {"external_id": "cms-1", "body": BODY}
    with django_capture_on_commit_callbacks(execute=True) as first_callbacks:
        first = api.post("/api/v1/articles", payload, format="json", **{HEADER: "submit-1"})
    with django_capture_on_commit_callbacks(execute=True) as again_callbacks:
        again = api.post("/api/v1/articles", payload, format="json", **{HEADER: "submit-1"})

    assert first.status_code == again.status_code == 202
    assert again["Location"] == first["Location"]
    assert again.json() == first.json()
    assert len(first_callbacks) >= 1 and again_callbacks == []


def test_submission_is_idempotent_by_external_id_and_content(api, django_capture_on_commit_callbacks):
    """Without a key too: the same external_id and body again is no revision and no new analysis."""
    payload = {"external_id": "cms-1", "body": BODY}
    with django_capture_on_commit_callbacks(execute=True):
        first = api.post("/api/v1/articles", payload, format="json").json()
    events = ClaimEvent.objects.count()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = api.post("/api/v1/articles", payload, format="json")

    assert again.status_code == 202
    assert (again.json()["id"], again.json()["revision"]) == (first["id"], 1)
    assert callbacks == []  # no analysis queued
    assert ClaimEvent.objects.count() == events
    assert Article.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        changed = api.post(
            "/api/v1/articles", {**payload, "body": BODY + "\n\nOne more line of 2 words."}, format="json"
        )
    assert changed.json()["revision"] == 2
    assert len(callbacks) == 1


# --- Every POST, and at the same time ----------------------------------------------------------------


def post_operations() -> list[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return sorted(
        (path, operation["operationId"])
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if method == "post"
    )


def test_every_post_of_the_api_honours_the_key(newsroom, claim):
    """From the schema, so that a new POST is covered: a key still in use is a 409 on each, with no effect."""
    raw = api_key_for(newsroom, role=Role.ADMIN)
    client = client_for(raw[1])
    source = claim.sources.create(url="https://example.org/minutes", actor_name="test")
    webhook = WebhookEndpoint.objects.create(
        newsroom=newsroom, url="https://example.org/hooks", events=["claim.flagged"], secret="whsec_test"
    )
    ids = {"claim_id": claim.pk, "article_id": claim.article_id, "source_id": source.pk, "key_id": raw[0].pk}
    ids["webhook_id"] = webhook.pk
    operations = post_operations()
    assert len(operations) >= 6
    keys_before, events_before = ApiKey.objects.count(), ClaimEvent.objects.count()

    for template, operation_id in operations:
        path = template.format(**ids)
        IdempotencyRecord.objects.create(
            api_key=raw[0],
            key=operation_id,
            fingerprint=fingerprint(method="POST", path=path, body=b"{}"),
            method="POST",
            path=path,
            expires_at=timezone.now() + timedelta(hours=1),
        )
        response = client.post(path, "{}", content_type="application/json", **{HEADER: operation_id})
        assert_error(response, 409, "idempotency_key_in_use")

    assert (ApiKey.objects.count(), ClaimEvent.objects.count()) == (keys_before, events_before)
    raw[0].refresh_from_db()
    assert raw[0].is_active


@pytest.mark.django_db(transaction=True)
def test_simultaneous_duplicates_do_the_work_once(newsroom):
    claim = with_claims(newsroom, body=BUDGET).claims.get()
    raw_key = api_key_for(newsroom)[1]
    threads, start = 6, threading.Barrier(6)
    answers: list[tuple[int, bool]] = []

    def send():
        try:
            start.wait()
            response = note(client_for(raw_key), claim, text="Once only.", key="together")
            answers.append((response.status_code, response.has_header("Idempotent-Replayed")))
        finally:
            connection.close()

    workers = [threading.Thread(target=send) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)

    assert len(answers) == threads
    assert notes(claim) == 1
    assert answers.count((201, False)) == 1  # the one that ran
    assert all(answer in ((201, True), (409, False)) for answer in answers if answer != (201, False))


def test_wrapped_views_stay_exempt_from_csrf(api_key, claim):
    """Keys, not cookies, authenticate the API: wrapping the views must not bring CSRF checks back."""
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {api_key[1]}")
    response = client.post(
        f"/api/v1/claims/{claim.pk}/notes", {"note": "Hi."}, format="json", **{HEADER: "c"}
    )
    assert response.status_code == 201, response.content
