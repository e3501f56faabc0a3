"""Tenancy over the whole API: another newsroom's key sees none of a newsroom's objects, on every
operation.  The operations come from the schema, so a new endpoint is walked without anyone adding it
here; one with a new kind of object in its path fails until it is given an object below."""

from __future__ import annotations

import re

import pytest
from drf_spectacular.generators import SchemaGenerator

from editorial.models import ApiKey, Article, Desk, IdempotencyRecord, Role
from factcheck.actors import Actor
from factcheck.models import Claim, ClaimEvent, Source
from factcheck.services.analyses import article_analyze
from factcheck.services.review import claim_note_add, claim_transition
from factcheck.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.factcheck.test_api import assert_error
from tests.factories import ArticleFactory, DeskFactory, api_key_for, client_for, member

pytestmark = pytest.mark.django_db

MARKER = "Zanzibar"  # in every object of the first newsroom that a list can show
#: Valid bodies, for views that read the body before they look for the object: a bad body is then a
#: 400 whether or not the object exists (which says nothing about it), so send a good one.
BODIES: dict[str, dict] = {"claim_source_add": {"url": "https://example.org/report"}}


def operations() -> list[tuple[str, str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return sorted(
        (method, path, operation["operationId"])
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
        if method in ("get", "post", "put", "patch", "delete")
    )


@pytest.fixture
def ours(newsroom):
    """The first newsroom's objects, one of each kind an API path can name, each carrying the marker."""
    desk = DeskFactory(newsroom=newsroom, name=f"{MARKER} desk", slug=MARKER.lower())
    person = member(newsroom, Role.FACT_CHECKER, f"{MARKER.lower()}-ana")
    article = ArticleFactory(
        newsroom=newsroom,
        desk=desk,
        title=f"{MARKER} budget",
        body=f"The {MARKER} council approved a budget of $4.2 million on Tuesday.",
        url="https://example.org/zanzibar-budget",
    )
    article_analyze(article_id=article.pk)
    claim = article.claims.get()
    claim_transition(actor=Actor.for_user(person), claim_id=claim.pk, to="in_review")
    claim_note_add(actor=Actor.for_user(person), claim_id=claim.pk, note=f"Asked {MARKER} officials.")
    # A verdict, so that the claim has a ClaimReview (GET /claims/{id}/claimreview).
    claim_transition(actor=Actor.for_user(person), claim_id=claim.pk, to="false", note="The minutes say 3.9.")
    source = claim.sources.create(url="https://example.org/minutes", actor_name="ana")
    webhook = WebhookEndpoint.objects.create(  # disabled: another newsroom's key must not enable it
        newsroom=newsroom,
        url="https://example.org/hooks",
        description=f"{MARKER} CMS hook",
        events=["claim.flagged"],
        secret="whsec_test",
        active=False,
        disabled_at=article.created_at,
    )
    key = api_key_for(newsroom, role=Role.ADMIN)
    ApiKey.objects.filter(pk=key[0].pk).update(name=f"{MARKER} CMS")
    return {
        "client": client_for(key[1]),
        "ids": {
            "article_id": article.pk,
            "claim_id": claim.pk,
            "desk_id": desk.pk,
            "person_id": person.pk,
            "key_id": key[0].pk,
            "source_id": source.pk,
            "webhook_id": webhook.pk,
            "number": article.revisions.get().number,  # the revision its submission kept
        },
    }


@pytest.fixture
def theirs(other_newsroom):
    """The other newsroom's admin key (an admin's, so that no 403 hides what the 404 would say)."""
    return client_for(api_key_for(other_newsroom, role=Role.ADMIN)[1])


def counts() -> dict[str, int]:
    models = (Article, Claim, ClaimEvent, Source, Desk, ApiKey, WebhookEndpoint, WebhookDelivery)
    return {model.__name__: model.objects.count() for model in models} | {
        "active webhooks": WebhookEndpoint.objects.filter(active=True).count(),
        "active keys": ApiKey.objects.filter(revoked_at=None).count(),
        "claims in review": Claim.objects.filter(status="in_review").count(),
    }


def test_every_operation_on_an_object_of_another_newsroom_is_a_404(ours, theirs):
    walked, before = [], counts()
    for method, template, operation_id in operations():
        names = re.findall(r"{(\w+)}", template)
        if not names:
            continue
        missing = [name for name in names if name not in ours["ids"]]
        assert not missing, f"{operation_id}: give the fixture `ours` an object for {missing}"
        path = template.format(**ours["ids"])
        if method == "get":
            assert ours["client"].get(path).status_code == 200, f"{operation_id}: the object should exist"
        response = getattr(theirs, method)(path, BODIES.get(operation_id, {}), format="json")
        body = assert_error(response, 404, "not_found")
        assert MARKER not in body["detail"], operation_id
        walked.append(operation_id)

    assert counts() == before, "another newsroom's key changed something"
    assert {"article_get", "claim_get", "claim_transition", "claim_note_add", "api_key_revoke"} <= set(walked)
    assert not IdempotencyRecord.objects.exists()


def text_of(response) -> str:
    """The body of a response, streamed (an export) or not."""
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def test_no_list_shows_another_newsrooms_objects(ours, theirs):
    lists = []
    for method, path, operation_id in operations():
        if method != "get" or "{" in path:
            continue
        mine, other = ours["client"].get(path), theirs.get(path)
        assert mine.status_code == other.status_code == 200, operation_id
        # The marker is there for the newsroom's own key (so the test can fail), never for the other's.
        assert MARKER.lower() in text_of(mine).lower(), f"{operation_id}: give `ours` an object it lists"
        assert MARKER.lower() not in text_of(other).lower(), operation_id
        lists.append(operation_id)
    assert {"article_list", "claim_list", "claim_export", "desk_list", "person_list", "api_key_list"} <= set(
        lists
    )


def test_filters_naming_another_newsrooms_objects_find_nothing(ours, theirs):
    ids = ours["ids"]
    for query in (f"article={ids['article_id']}", f"assignee={ids['person_id']}", "status=in_review"):
        response = theirs.get(f"/api/v1/claims?{query}")
        assert response.status_code == 200
        assert response.json()["results"] == [], query
    for url in (
        f"/api/v1/claims?desk={MARKER.lower()}",
        f"/api/v1/articles?desk={MARKER.lower()}",
        f"/api/v1/people?desk={MARKER.lower()}",
    ):
        assert_error(theirs.get(url), 400, "invalid")
    article = Article.objects.get(pk=ids["article_id"])
    assert theirs.get(f"/api/v1/articles?external_id={article.external_id}").json()["results"] == []


def test_an_external_id_names_an_article_of_the_keys_newsroom_only(
    ours, theirs, django_capture_on_commit_callbacks
):
    ids = ours["ids"]
    article = Article.objects.get(pk=ids["article_id"])
    with django_capture_on_commit_callbacks(execute=True):
        response = theirs.post(
            "/api/v1/articles",
            {"external_id": article.external_id, "body": "Their own text, 2 lines."},
            format="json",
        )
    assert response.status_code == 202
    assert response.json()["id"] != article.pk
    refreshed = Article.objects.get(pk=article.pk)
    assert (refreshed.body, refreshed.revision) == (article.body, article.revision)
    desk = theirs.post(
        "/api/v1/articles", {"external_id": "x", "body": "Text.", "desk": MARKER.lower()}, format="json"
    )
    assert_error(desk, 400, "invalid")
