"""What the API tells of history: notes on claims, and what an article's revisions did to its claims."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from editorial.models import Role
from factcheck import selectors
from factcheck.actors import Actor
from factcheck.models import Claim, ClaimEvent
from factcheck.services.review import claim_note_add, claim_transition
from httpapi.errors import Forbidden
from tests.factcheck.test_api import assert_error
from tests.factories import ArticleFactory, analysed, api_key_for, claim_of, client_for, member, revise

pytestmark = pytest.mark.django_db

BUDGET = "The council approved a budget of $4.2 million on Tuesday."
JOBS = "Unemployment in the city fell to 4.1 percent in March."
HOSPITAL = "The new hospital will open in 2027 and employ 1,200 people."


@pytest.fixture
def article(newsroom):
    return analysed(newsroom, body=f"{BUDGET}\n\n{JOBS}")


@pytest.fixture
def claim(article):
    return claim_of(article, BUDGET)


# --- Notes -------------------------------------------------------------------------------------------


def test_a_note_is_written_in_the_claims_history(api, claim):
    before = Claim.objects.get(pk=claim.pk).updated_at

    note = {"note": "  Called the council: a reply tomorrow. "}
    response = api.post(f"/api/v1/claims/{claim.pk}/notes", note, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["action"], body["note"]) == ("note", "Called the council: a reply tomorrow.")
    assert (body["from_status"], body["to_status"]) == ("unreviewed", "unreviewed")
    assert body["actor_kind"] == "api_key"
    claim.refresh_from_db()
    assert claim.status == "unreviewed"
    assert claim.updated_at > before  # an incremental sync sees it
    assert api.get(f"/api/v1/claims/{claim.pk}/notes").json() == [body]
    assert api.get(f"/api/v1/claims/{claim.pk}").json()["history"][-1] == body


def test_notes_list_holds_notes_only(api, claim, newsroom):
    checker = member(newsroom, Role.FACT_CHECKER, "ana")
    claim_transition(actor=Actor.for_user(checker), claim_id=claim.pk, to="in_review")
    claim_note_add(actor=Actor.for_user(checker), claim_id=claim.pk, note="First.")
    claim_note_add(actor=Actor.for_user(checker), claim_id=claim.pk, note="Second.")

    notes = api.get(f"/api/v1/claims/{claim.pk}/notes").json()

    assert [(n["note"], n["actor"]) for n in notes] == [("First.", "ana"), ("Second.", "ana")]
    assert ClaimEvent.objects.filter(claim=claim).count() == 4  # created, take, two notes


def test_a_note_does_not_count_as_the_claims_last_move(api, claim, newsroom):
    checker = member(newsroom, Role.FACT_CHECKER, "ana")
    claim_transition(actor=Actor.for_user(checker), claim_id=claim.pk, to="in_review")
    api.post(f"/api/v1/claims/{claim.pk}/notes", {"note": "Looking at it."}, format="json")

    response = api.post(
        f"/api/v1/claims/{claim.pk}/transitions",
        {"to": "not_checkable", "note": "A quote.", "expected_status": "unreviewed"},
        format="json",
    )
    body = assert_error(response, 409, "conflict")
    assert "by ana" in body["detail"]


@pytest.mark.parametrize(
    ("payload", "words"),
    [({}, "required"), ({"note": "   "}, "blank"), ({"note": 5}, "string"), ({"note": "x" * 5001}, "5000")],
)
def test_a_bad_note_is_a_400(api, claim, payload, words):
    body = assert_error(api.post(f"/api/v1/claims/{claim.pk}/notes", payload, format="json"), 400, "invalid")
    assert words in body["errors"]["note"][0]
    assert not ClaimEvent.objects.filter(action="note").exists()


def test_every_role_of_the_newsroom_may_write_a_note(newsroom, claim):
    for role in Role.values:
        response = client_for(api_key_for(newsroom, role=role)[1]).post(
            f"/api/v1/claims/{claim.pk}/notes", {"note": f"From the {role}."}, format="json"
        )
        assert response.status_code == 201, (role, response.content)
    assert ClaimEvent.objects.filter(claim=claim, action="note").count() == len(Role.values)


def test_the_note_service_refuses_people_outside_the_newsroom(claim, other_newsroom):
    outsider = member(other_newsroom, Role.EDITOR, "outsider")
    with pytest.raises(Forbidden):
        claim_note_add(actor=Actor.for_user(outsider), claim_id=claim.pk, note="Hello.")
    with pytest.raises(ValidationError):
        claim_note_add(actor=Actor.system(), claim_id=claim.pk, note=" ")
    assert not ClaimEvent.objects.filter(action="note").exists()


def test_another_newsrooms_claim_takes_no_note(api, other_newsroom):
    claim = analysed(other_newsroom, body=BUDGET).claims.get()
    for response in (
        api.get(f"/api/v1/claims/{claim.pk}/notes"),
        api.post(f"/api/v1/claims/{claim.pk}/notes", {"note": "Hi."}, format="json"),
        api.post(f"/api/v1/claims/{claim.pk}/notes", {}, format="json"),  # 404 before the body's 400
    ):
        assert_error(response, 404, "not_found")
    assert not ClaimEvent.objects.filter(action="note").exists()


# --- Revisions ---------------------------------------------------------------------------------------


def test_revisions_list_what_each_revision_did_to_the_claims(api, article, claim):
    jobs = Claim.objects.get(article=article, text=JOBS)
    checker = member(article.newsroom, Role.FACT_CHECKER, "ana")
    claim_transition(actor=Actor.for_user(checker), claim_id=claim.pk, to="in_review")
    claim_transition(
        actor=Actor.for_user(checker),
        claim_id=claim.pk,
        to="needs_attribution",
        note="Whose figure?",
    )
    claim_note_add(actor=Actor.for_user(checker), claim_id=claim.pk, note="Not a revision.")

    credited = BUDGET.replace("on Tuesday.", "on Tuesday, the Treasury said.")
    revise(article, f"{credited}\n\n{HOSPITAL}")  # the budget sentence now names its source

    response = api.get(f"/api/v1/articles/{article.pk}/revisions")
    assert response.status_code == 200, response.content
    changes = [(row["action"], row["claim_text"], row["to_status"]) for row in response.json()["results"]]
    hospital = Claim.objects.get(article=article, text=HOSPITAL)
    assert changes == [
        ("created", credited, "unreviewed"),  # a claim edited in place shows its text of now
        ("created", JOBS, "unreviewed"),
        ("answer_attribution", credited, "in_review"),
        ("supersede", JOBS, "superseded"),
        ("created", HOSPITAL, "unreviewed"),
    ]
    rows = response.json()["results"]
    assert [row["claim"] for row in rows] == [claim.pk, jobs.pk, claim.pk, jobs.pk, hospital.pk]
    assert "Revision 2" in rows[2]["note"] and "Revision 2" in rows[3]["note"]
    assert {row["actor_kind"] for row in rows} == {"system"}
    detail = api.get(f"/api/v1/articles/{article.pk}").json()
    assert (detail["revision"], detail["analyzed_revision"]) == (2, 2)


def test_the_same_body_again_is_no_revision(api, article):
    before = list(selectors.article_revisions(article=article).values_list("pk", flat=True))
    revise(article, f"{BUDGET}\n\n{JOBS}")
    rows = api.get(f"/api/v1/articles/{article.pk}/revisions").json()["results"]
    assert [row["id"] for row in rows] == sorted(before)
    article.refresh_from_db()
    assert article.revision == 1


def test_another_newsrooms_revisions_are_a_404(api, other_newsroom):
    theirs = ArticleFactory(newsroom=other_newsroom)
    assert_error(api.get(f"/api/v1/articles/{theirs.pk}/revisions"), 404, "not_found")
    assert_error(api.get("/api/v1/articles/987654/revisions"), 404, "not_found")
