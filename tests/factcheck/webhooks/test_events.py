"""Events of the checking side become deliveries in the transactions that make them happen: an
analysis (article.analyzed, claim.flagged), a claim's move (claim.status_changed), a fetch that
ends (source.fetched).  Once per event, only to the endpoints that chose it, none on a rollback."""

from __future__ import annotations

import pytest
from django.db import transaction

from editorial.models import Role
from factcheck.actors import Actor
from factcheck.models import Claim, FetchAttempt
from factcheck.services.analyses import article_analyze
from factcheck.services.checking_policies import checking_policy_save
from factcheck.services.review import claim_assign, claim_transition
from factcheck.services.sources import source_add
from factcheck.webhooks.models import DeliveryState, WebhookDelivery, WebhookEndpoint, WebhookEvent
from factcheck.webhooks.services.endpoints import endpoint_create
from httpapi.errors import Conflict
from tests.factcheck.webhooks.conftest import SITE
from tests.factories import ArticleFactory, member, revise
from tests.localweb import Answer, LocalWeb

pytestmark = pytest.mark.django_db

BUDGET = "The council approved a budget of $4.2 million on Tuesday."
ANALYSTS = "Analysts say it is too small."  # anonymous_experts
REPORTS = "Reports suggest the deficit will double by 2027."  # unnamed_report
BODY = f"{BUDGET}\n\n{ANALYSTS}"


def payloads(event: str) -> list[dict]:
    return [delivery.payload for delivery in WebhookDelivery.objects.filter(event=event).order_by("id")]


def endpoint_for(newsroom, events, url="https://hooks.example.org/in", **fields) -> WebhookEndpoint:
    """An endpoint row (the address is not reached: these tests look at the deliveries made)."""
    return WebhookEndpoint.objects.create(
        newsroom=newsroom, url=url, events=events, secret="whsec_x", **fields
    )


@pytest.fixture
def everything(newsroom):
    return endpoint_for(newsroom, [event for event in WebhookEvent.values if event != WebhookEvent.PING])


@pytest.fixture
def eddie(newsroom):
    return Actor.for_user(member(newsroom, Role.EDITOR, "eddie"))


def analyze(article, capture) -> None:
    """Analyse the article; what it queues on commit (the deliveries' tasks) is not run."""
    with capture() as callbacks:
        article_analyze(article_id=article.pk)
    return callbacks


# --- article.analyzed and claim.flagged --------------------------------------------------------------


def test_an_analysis_emits_article_analyzed_and_each_flagged_claim_once(
    newsroom, everything, django_capture_on_commit_callbacks
):
    article = ArticleFactory(newsroom=newsroom, body=BODY, external_id="cms-7")
    callbacks = analyze(article, django_capture_on_commit_callbacks)

    (analyzed,) = payloads(WebhookEvent.ARTICLE_ANALYZED)
    assert analyzed["type"] == "article.analyzed"
    assert analyzed["data"] == {
        "article": {
            "id": article.pk,
            "external_id": "cms-7",
            "title": article.title,
            "revision": 1,
            "readiness": "blocked",  # a flagged claim nobody has reviewed
            "url": f"{SITE}/api/v1/articles/{article.pk}",
        },
        "claims": {"count": 2, "flagged": 1},
    }
    (flagged,) = payloads(WebhookEvent.CLAIM_FLAGGED)
    claim = Claim.objects.get(article=article, text=ANALYSTS)
    assert flagged["data"]["claim"]["id"] == claim.pk and flagged["data"]["claim"]["text"] == ANALYSTS
    assert [flag["kind"] for flag in flagged["data"]["claim"]["flags"]] == ["anonymous_experts"]
    assert flagged["data"]["claim"]["url"] == f"{SITE}/api/v1/claims/{claim.pk}"
    assert flagged["data"]["revision"] == 1
    assert len(callbacks) == 2  # each delivery's task, queued for after the commit

    # The same revision again (a redelivered task) stores nothing and emits nothing.
    analyze(article, django_capture_on_commit_callbacks)
    assert WebhookDelivery.objects.count() == 2


def test_a_revision_emits_claim_flagged_only_for_the_newly_flagged(
    newsroom, everything, django_capture_on_commit_callbacks
):
    article = ArticleFactory(newsroom=newsroom, body=BODY)
    analyze(article, django_capture_on_commit_callbacks)
    revise(article, f"{BODY}\n\n{REPORTS}")

    flagged = [payload["data"]["claim"]["text"] for payload in payloads(WebhookEvent.CLAIM_FLAGGED)]
    assert flagged == [ANALYSTS, REPORTS]  # the analysts' claim was flagged before: not again
    analyzed = payloads(WebhookEvent.ARTICLE_ANALYZED)
    assert [payload["data"]["article"]["revision"] for payload in analyzed] == [1, 2]
    assert analyzed[-1]["data"]["claims"] == {"count": 3, "flagged": 2}


def test_a_kept_claim_that_becomes_flagged_is_emitted(
    newsroom, everything, django_capture_on_commit_callbacks
):
    """The same sentence, flagged once the newsroom's policy flags its kind: newly flagged."""
    checking_policy_save(newsroom=newsroom, flag_kinds=["unnamed_report"], severities={})
    article = ArticleFactory(newsroom=newsroom, body=BODY)
    analyze(article, django_capture_on_commit_callbacks)
    assert payloads(WebhookEvent.CLAIM_FLAGGED) == []

    checking_policy_save(newsroom=newsroom, flag_kinds=["unnamed_report", "anonymous_experts"], severities={})
    revise(article, f"{BODY}\n\n{BUDGET.replace('Tuesday', 'Monday')}")
    claim = Claim.objects.get(article=article, text=ANALYSTS)
    assert [payload["data"]["claim"]["id"] for payload in payloads(WebhookEvent.CLAIM_FLAGGED)] == [claim.pk]


# --- claim.status_changed ----------------------------------------------------------------------------


def test_every_move_of_a_claim_emits_status_changed(
    newsroom, everything, eddie, django_capture_on_commit_callbacks
):
    article = ArticleFactory(newsroom=newsroom, body=BODY)
    analyze(article, django_capture_on_commit_callbacks)
    claim = Claim.objects.get(article=article, text=ANALYSTS)

    with django_capture_on_commit_callbacks():
        claim_transition(actor=eddie, claim_id=claim.pk, to="in_review")
        claim_transition(actor=eddie, claim_id=claim.pk, to="needs_attribution", note="Which analysts?")
        claim_assign(actor=eddie, claim_id=claim.pk, assignee_id=None)  # not a move of state
    # A revision that drops the sentence supersedes the claim: Factdesk's move, emitted too.
    revise(article, BUDGET)

    changes = [payload["data"] for payload in payloads(WebhookEvent.CLAIM_STATUS_CHANGED)]
    assert [(c["from"], c["to"], c["action"], c["actor"]) for c in changes] == [
        ("unreviewed", "in_review", "take", "eddie"),
        ("in_review", "needs_attribution", "request_attribution", "eddie"),
        ("needs_attribution", "superseded", "supersede", "Factdesk"),
    ]
    assert changes[1]["note"] == "Which analysts?"
    assert changes[0]["claim"] == {
        "id": claim.pk,
        "article_id": article.pk,
        "url": f"{SITE}/api/v1/claims/{claim.pk}",
    }


def test_a_refused_or_rolled_back_move_emits_nothing(
    newsroom, everything, eddie, django_capture_on_commit_callbacks
):
    article = ArticleFactory(newsroom=newsroom, body=BODY)
    analyze(article, django_capture_on_commit_callbacks)
    claim = Claim.objects.get(article=article, text=BUDGET)
    before = WebhookDelivery.objects.count()

    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(Conflict):
            claim_transition(actor=eddie, claim_id=claim.pk, to="verified")  # not from unreviewed
        with pytest.raises(RuntimeError), transaction.atomic():
            claim_transition(actor=eddie, claim_id=claim.pk, to="in_review")
            assert WebhookDelivery.objects.count() == before + 1  # made with the move...
            raise RuntimeError("the rest of the request failed")
    assert WebhookDelivery.objects.count() == before  # ...and gone with it
    assert callbacks == []
    assert Claim.objects.get(pk=claim.pk).status == "unreviewed"


# --- who gets what -----------------------------------------------------------------------------------


def test_only_active_endpoints_of_the_newsroom_that_chose_the_event_get_it(
    newsroom, other_newsroom, eddie, django_capture_on_commit_callbacks
):
    moves = endpoint_for(newsroom, [WebhookEvent.CLAIM_STATUS_CHANGED])
    analyses = endpoint_for(newsroom, [WebhookEvent.ARTICLE_ANALYZED, WebhookEvent.CLAIM_STATUS_CHANGED])
    endpoint_for(newsroom, [WebhookEvent.CLAIM_STATUS_CHANGED], active=False, disabled_at="2026-01-01T00:00Z")
    endpoint_for(other_newsroom, [event for event in WebhookEvent.values])
    article = ArticleFactory(newsroom=newsroom, body=BODY)
    analyze(article, django_capture_on_commit_callbacks)
    claim = Claim.objects.get(article=article, text=BUDGET)
    with django_capture_on_commit_callbacks():
        claim_transition(actor=eddie, claim_id=claim.pk, to="in_review")

    got = sorted(WebhookDelivery.objects.values_list("endpoint_id", "event"))
    assert got == sorted(
        [
            (moves.pk, "claim.status_changed"),
            (analyses.pk, "article.analyzed"),
            (analyses.pk, "claim.status_changed"),
        ]
    )
    # One event, one id, whichever endpoints it goes to.
    ids = set(WebhookDelivery.objects.filter(event="claim.status_changed").values_list("event_id", flat=True))
    assert len(ids) == 1
    assert all(
        state == DeliveryState.PENDING for state in WebhookDelivery.objects.values_list("state", flat=True)
    )


# --- source.fetched ----------------------------------------------------------------------------------


PAGE = b"<html><head><title>Council minutes</title></head><body><article><p>" + b"The council approved a "
PAGE += (
    b"budget of $4.2 million for the coming year, by nine votes to three. " * 5
    + b"</p></article></body></html>"
)


def test_a_source_fetched_or_failed_for_good_is_emitted(
    newsroom, eddie, receiver, settings, django_capture_on_commit_callbacks
):
    settings.FACTDESK_FETCH_ON_ADD = True
    settings.FACTDESK_FETCH_MAX_ATTEMPTS = 2
    registered = endpoint_create(newsroom=newsroom, url=receiver.url(), events=[WebhookEvent.SOURCE_FETCHED])
    article = ArticleFactory(newsroom=newsroom, body=BODY)
    analyze(article, django_capture_on_commit_callbacks)
    claim = Claim.objects.get(article=article, text=BUDGET)

    with LocalWeb("127.0.0.2") as web:
        good = web.route("/minutes", Answer(body=PAGE))
        flaky = web.route("/flaky", Answer(status=500))
        with django_capture_on_commit_callbacks(execute=True):
            fetched = source_add(actor=eddie, claim_id=claim.pk, url=good)
            # Eager tasks run its retry at once: two attempts, the first one retried, the last final.
            failing = source_add(actor=eddie, claim_id=claim.pk, url=flaky)

    assert FetchAttempt.objects.filter(source=failing).count() == 2
    first, last = (request.json()["data"]["source"] for request in receiver.requests)  # not 3 events
    assert receiver.requests[0].headers["factdesk-event"] == "source.fetched"
    assert (first["id"], first["claim_id"], first["article_id"]) == (fetched.pk, claim.pk, article.pk)
    assert (first["url"], first["status"], first["failure"]) == (good, "fetched", "")
    assert first["title"] == "Council minutes" and first["fetched_at"]
    assert first["api_url"] == f"{SITE}/api/v1/sources/{fetched.pk}"
    assert (last["id"], last["status"], last["fetched_at"]) == (failing.pk, "failed", None)
    assert "500" in last["failure"]
    assert registered.endpoint.deliveries.count() == 2
