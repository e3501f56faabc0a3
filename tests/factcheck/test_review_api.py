"""The review workflow over the REST API: claim detail, transitions, history and sources."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from rest_framework.test import APIClient

from editorial.models import Role
from factcheck.actors import Actor
from factcheck.models import AttributionFlag, Claim, ClaimEvent, Source
from factcheck.services.review import claim_assign, claim_transition
from factcheck.services.sources import source_add
from tests.factories import ArchivedSourceFactory, MembershipFactory, UserFactory, api_key_for, with_claims

pytestmark = pytest.mark.django_db

BUDGET = "The council approved a budget of $4.2 million on Tuesday."
CRITICS = "Critics say it is too small."
BODY = f"{BUDGET}\n\n{CRITICS}"
URL = "https://example.org/council-minutes"
VERDICTS = ["verified", "misleading", "false", "unverifiable"]


def client_for(newsroom, role=Role.EDITOR) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {api_key_for(newsroom, role=role)[1]}")
    return client


def claim_in(newsroom, text=BUDGET) -> Claim:
    """A claim of BODY, stored as the analysis stores it (tests/test_factories.py)."""
    return Claim.objects.get(article=with_claims(newsroom, body=BODY), text=text)


def checker_of(newsroom) -> Actor:
    user = UserFactory()
    MembershipFactory(newsroom=newsroom, user=user, role=Role.FACT_CHECKER)
    return Actor.for_user(user)


def take(claim):
    return claim_transition(actor=checker_of(claim.article.newsroom), claim_id=claim.pk, to="in_review")


def transition(api, claim_id, **payload):
    return api.post(f"/api/v1/claims/{claim_id}/transitions", payload, format="json")


def assert_error(response, status: int, code: str | None = None, field: str | None = None):
    """The one error body: {code, detail, errors}."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "detail", "errors"}
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["errors"], dict)
    if code is not None:
        assert body["code"] == code
    if field is not None:
        assert list(body["errors"]) == [field]
        assert all(isinstance(message, str) for message in body["errors"][field])
    return body


@pytest.fixture
def claim(newsroom):
    return claim_in(newsroom)


# --- Transitions -----------------------------------------------------------------------------------


def test_a_transition_answers_the_claim_in_its_new_state(api, claim):
    response = transition(api, claim.pk, to="in_review", expected_status="unreviewed")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == claim.pk
    assert body["status"] == "in_review"
    # What an editor's key may do next, from in review: verified needs a source, which it has not.
    assert sorted(body["transitions"]) == sorted(["misleading", "false", "unverifiable", "needs_attribution"])
    assert [(e["action"], e["from_status"], e["to_status"]) for e in body["history"]] == [
        ("created", None, "unreviewed"),
        ("take", "unreviewed", "in_review"),
    ]
    assert body["history"][-1]["actor_kind"] == "api_key"
    claim.refresh_from_db()
    assert claim.status == "in_review"
    assert api.get(f"/api/v1/claims/{claim.pk}").json() == body


def test_a_verdict_with_a_note_is_recorded(api, claim):
    take(claim)
    response = transition(api, claim.pk, to="false", note="  The budget was $3.9 million.  ")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "false"
    assert response.json()["transitions"] == ["in_review"]  # an editor may reopen it
    event = ClaimEvent.objects.filter(claim=claim).latest("id")
    assert (event.action, event.note) == ("mark_false", "The budget was $3.9 million.")


def test_a_move_not_possible_from_this_state_is_a_409(api, claim):
    body = assert_error(transition(api, claim.pk, to="verified"), 409, "conflict")
    assert "unreviewed cannot become verified" in body["detail"]
    claim.refresh_from_db()
    assert claim.status == "unreviewed"


def test_a_claim_that_moved_on_is_a_409_saying_so(api, claim):
    take(claim)
    body = assert_error(
        transition(api, claim.pk, to="not_checkable", note="A quote.", expected_status="unreviewed"),
        409,
        "conflict",
    )
    assert "changed while you were looking" in body["detail"]
    assert "now in review" in body["detail"]


@pytest.mark.parametrize(
    ("role", "source", "target"),
    [
        (Role.REPORTER, "in_review", "verified"),
        (Role.REPORTER, "unreviewed", "in_review"),
        (Role.REPORTER, "needs_attribution", "in_review"),  # a key reports no article
        (Role.FACT_CHECKER, "unreviewed", "not_checkable"),
        (Role.FACT_CHECKER, "false", "in_review"),
    ],
)
def test_a_move_not_for_the_keys_role_is_a_403(newsroom, claim, role, source, target):
    source_add(actor=Actor.system(), claim_id=claim.pk, url=URL)
    if source != "unreviewed":
        take(claim)
    if source in ("needs_attribution", "false"):
        claim_transition(actor=checker_of(newsroom), claim_id=claim.pk, to=source, note="Why.")
    api = client_for(newsroom, role)
    assert_error(transition(api, claim.pk, to=target, note="Because."), 403, "permission_denied")
    claim.refresh_from_db()
    assert claim.status == source


def test_a_reporter_key_is_offered_no_moves(newsroom, claim):
    take(claim)
    claim_transition(actor=checker_of(newsroom), claim_id=claim.pk, to="needs_attribution", note="Who?")
    body = client_for(newsroom, Role.REPORTER).get(f"/api/v1/claims/{claim.pk}").json()
    assert body["transitions"] == []


@pytest.mark.parametrize("target", ["misleading", "false", "unverifiable", "needs_attribution"])
def test_a_verdict_without_a_note_is_a_400(api, claim, target):
    take(claim)
    body = assert_error(transition(api, claim.pk, to=target, note="  "), 400, "invalid", field="note")
    assert "note" in body["errors"]["note"][0]
    claim.refresh_from_db()
    assert claim.status == "in_review"


def test_verified_without_a_source_is_a_400(api, claim):
    take(claim)
    assert_error(transition(api, claim.pk, to="verified"), 400, "invalid", field="sources")
    api.post(f"/api/v1/claims/{claim.pk}/sources", {"url": URL}, format="json")
    waiting = transition(api, claim.pk, to="verified")  # attached, not fetched yet: no evidence
    assert_error(waiting, 400, "invalid", field="sources")
    assert "still waiting to be fetched" in waiting.json()["errors"]["sources"][0]
    ArchivedSourceFactory(claim=claim)
    assert transition(api, claim.pk, to="verified").json()["status"] == "verified"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"to": "approved"}, "to"),
        ({}, "to"),
        ({"to": 3}, "to"),
        ({"to": "in_review", "note": 7}, "note"),
        ({"to": "in_review", "expected_status": "nope"}, "expected_status"),
    ],
)
def test_bad_input_is_a_400(api, claim, payload, field):
    assert_error(transition(api, claim.pk, **payload), 400, "invalid", field=field)
    claim.refresh_from_db()
    assert claim.status == "unreviewed"


def test_another_newsrooms_claim_is_a_404_everywhere(api, other_newsroom):
    theirs = claim_in(other_newsroom)
    for response in (
        api.get(f"/api/v1/claims/{theirs.pk}"),
        api.get(f"/api/v1/claims/{theirs.pk}/history"),
        transition(api, theirs.pk, to="in_review"),
        api.post(f"/api/v1/claims/{theirs.pk}/sources", {"url": URL}, format="json"),
    ):
        assert_error(response, 404, "not_found")
    theirs.refresh_from_db()
    assert theirs.status == "unreviewed"
    assert not Source.objects.exists()
    assert ClaimEvent.objects.filter(claim=theirs).count() == 1


def test_an_unknown_claim_is_a_404_everywhere(api):
    for response in (
        api.get("/api/v1/claims/999999"),
        api.get("/api/v1/claims/999999/history"),
        transition(api, 999999, to="in_review"),
        api.post("/api/v1/claims/999999/sources", {"url": URL}, format="json"),
    ):
        assert_error(response, 404, "not_found")


# --- Reading a claim -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "offered"),
    [
        (Role.EDITOR, ["in_review", "not_checkable"]),
        (Role.ADMIN, ["in_review", "not_checkable"]),
        (Role.FACT_CHECKER, ["in_review"]),
        (Role.REPORTER, []),
    ],
)
def test_a_claim_with_its_flags_sources_history_and_the_keys_moves(newsroom, role, offered):
    claim = claim_in(newsroom, CRITICS)
    source_add(actor=Actor.system(), claim_id=claim.pk, url=URL, note="The minutes.")

    response = client_for(newsroom, role).get(f"/api/v1/claims/{claim.pk}")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["text"], body["status"], body["flagged"]) == (CRITICS, "unreviewed", True)
    stored = AttributionFlag.objects.filter(claim=claim)
    assert [flag["kind"] for flag in body["flags"]] == [flag.kind for flag in stored]
    assert body["flags"]
    assert [(s["url"], s["note"], s["added_by"]) for s in body["sources"]] == [
        (URL, "The minutes.", "Factdesk")
    ]
    assert [e["action"] for e in body["history"]] == ["created", "source_added"]
    assert sorted(body["transitions"]) == offered


def test_verified_is_offered_once_the_claim_has_evidence(api, claim):
    """Offered only when its guard would pass: a move to verified needs a source fetched and archived;
    until then it is in blocked_transitions with the words it would be refused with."""
    taken = transition(api, claim.pk, to="in_review").json()
    assert "verified" not in taken["transitions"]
    refused = assert_error(transition(api, claim.pk, to="verified"), 400, "invalid", field="sources")
    assert taken["blocked_transitions"] == [{"to": "verified", "reason": refused["errors"]["sources"][0]}]
    assert "no source fetched and archived" in refused["errors"]["sources"][0]

    added = api.post(
        f"/api/v1/claims/{claim.pk}/sources", {"url": URL, "note": "The minutes."}, format="json"
    )
    assert added.status_code == 201, added.content
    waiting = api.get(f"/api/v1/claims/{claim.pk}").json()
    assert "verified" not in waiting["transitions"]
    [blocked] = waiting["blocked_transitions"]
    assert blocked["to"] == "verified" and "still waiting to be fetched" in blocked["reason"]
    assert_error(transition(api, claim.pk, to="verified"), 400, "invalid", field="sources")

    ArchivedSourceFactory(claim=claim)
    archived = api.get(f"/api/v1/claims/{claim.pk}").json()
    assert "verified" in archived["transitions"] and archived["blocked_transitions"] == []
    assert transition(api, claim.pk, to="verified").json()["status"] == "verified"


def test_blocked_transitions_list_only_the_moves_the_role_allows(newsroom, claim):
    take(claim)
    reporter = client_for(newsroom, role=Role.REPORTER)
    body = reporter.get(f"/api/v1/claims/{claim.pk}").json()
    assert body["transitions"] == [] and body["blocked_transitions"] == []  # verified is not theirs


# --- Who holds a claim -------------------------------------------------------------------------------


def test_a_claim_taken_by_an_api_key_is_held_by_the_key(api, api_key, claim, newsroom):
    key = api_key[0]
    other = claim_in(newsroom, text=CRITICS)

    body = transition(api, claim.pk, to="in_review").json()

    assert body["assignee"] is None
    assert body["assignee_key"] == {"prefix": key.prefix, "name": "tests"}
    claim.refresh_from_db()
    assert (claim.assignee_id, claim.assignee_key_id) == (None, key.pk)
    listed = {row["id"]: row for row in api.get("/api/v1/claims").json()["results"]}
    assert listed[claim.pk]["assignee_key"] == {"prefix": key.prefix, "name": "tests"}
    assert listed[other.pk]["assignee_key"] is None
    # Taken means taken: not among the claims nobody has taken.
    unassigned = [row["id"] for row in api.get("/api/v1/claims?assignee=none").json()["results"]]
    assert other.pk in unassigned and claim.pk not in unassigned


def test_assigning_a_claim_a_key_holds_releases_the_key(api, claim, newsroom):
    transition(api, claim.pk, to="in_review")
    person = checker_of(newsroom).user
    editor = Actor.for_user(UserFactory(is_superuser=True))

    claim_assign(actor=editor, claim_id=claim.pk, assignee_id=person.pk)
    body = api.get(f"/api/v1/claims/{claim.pk}").json()
    assert (body["assignee"], body["assignee_key"]) == (person.username, None)

    claim_assign(actor=editor, claim_id=claim.pk, assignee_id=None)
    body = api.get(f"/api/v1/claims/{claim.pk}").json()
    assert (body["assignee"], body["assignee_key"]) == (None, None)
    assert claim.pk in [row["id"] for row in api.get("/api/v1/claims?assignee=none").json()["results"]]


def test_a_claim_has_one_holder_at_most(api, api_key, claim, newsroom):
    transition(api, claim.pk, to="in_review")
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(assignee=checker_of(newsroom).user)


def test_history_is_oldest_first(api, claim, newsroom):
    take(claim)
    claim_transition(actor=checker_of(newsroom), claim_id=claim.pk, to="false", note="No.")
    transition(api, claim.pk, to="in_review", note="New figures.")

    response = api.get(f"/api/v1/claims/{claim.pk}/history")

    assert response.status_code == 200, response.content
    assert [(e["action"], e["to_status"], e["note"]) for e in response.json()] == [
        ("created", "unreviewed", "Found in revision 1."),
        ("take", "in_review", ""),
        ("mark_false", "false", "No."),
        ("reopen", "in_review", "New figures."),
    ]
    ids = [e["id"] for e in response.json()]
    assert ids == sorted(ids)


def make_busy(claim, events: int, flags: int):
    """A claim with many sources, events and flags (flags made directly, as the analysis would)."""
    for i in range(events):
        source_add(actor=Actor.system(), claim_id=claim.pk, url=f"{URL}/{i}")
    AttributionFlag.objects.bulk_create(
        AttributionFlag(
            claim=claim,
            kind="vague_collective",
            cue="critics",
            start=claim.start,
            end=claim.start + 1,
            severity="medium",
            message="Which critics?",
        )
        for _ in range(flags)
    )


@pytest.mark.parametrize(("events", "flags"), [(0, 0), (12, 5)])
def test_reading_a_claim_takes_a_fixed_number_of_queries(
    api, claim, django_assert_max_num_queries, events, flags
):
    # The key, the claim with its article, desk and assignee, its flags, sources (with their archived
    # copies), the sources' passages, and events.
    found = AttributionFlag.objects.filter(claim=claim).count()
    make_busy(claim, events, flags)
    api.get("/api/v1/claims")  # records the key's use, a write done at most once a minute
    with django_assert_max_num_queries(6):
        body = api.get(f"/api/v1/claims/{claim.pk}").json()
    assert (len(body["sources"]), len(body["history"]), len(body["flags"])) == (
        events,
        events + 1,
        found + flags,
    )


@pytest.mark.parametrize("events", [0, 12])
def test_reading_the_history_takes_a_fixed_number_of_queries(
    api, claim, django_assert_max_num_queries, events
):
    # The key, the claim (with what the claim selector fetches), then the events.
    make_busy(claim, events, 0)
    api.get("/api/v1/claims")
    with django_assert_max_num_queries(7):
        history = api.get(f"/api/v1/claims/{claim.pk}/history").json()
    assert len(history) == events + 1


# --- Sources ---------------------------------------------------------------------------------------


def test_adding_a_source(api, claim):
    response = api.post(
        f"/api/v1/claims/{claim.pk}/sources", {"url": URL, "note": "The minutes."}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["url"], body["note"]) == (URL, "The minutes.")
    assert body["added_by"].startswith("API key tests")
    source = Source.objects.get(claim=claim)
    assert (source.pk, source.url) == (body["id"], URL)
    assert ClaimEvent.objects.filter(claim=claim).latest("id").action == "source_added"


@pytest.mark.parametrize(
    "url",
    ["ftp://example.org/file", "javascript:alert(1)", "example.org/page", "", "https://", 42],
)
def test_a_source_must_be_a_web_address(api, claim, url):
    response = api.post(f"/api/v1/claims/{claim.pk}/sources", {"url": url}, format="json")
    assert_error(response, 400, "invalid", field="url")
    assert not Source.objects.exists()


def test_the_same_source_twice_is_a_400(api, claim):
    first = api.post(f"/api/v1/claims/{claim.pk}/sources", {"url": URL}, format="json")
    assert first.status_code == 201
    body = assert_error(
        api.post(f"/api/v1/claims/{claim.pk}/sources", {"url": f"  {URL} "}, format="json"),
        400,
        "invalid",
        field="url",
    )
    assert "already" in body["errors"]["url"][0]
    assert Source.objects.count() == 1
