"""Revision-aware re-review (factcheck/services/analyses.py with factcheck/analysis/revisions.py), and
articles keeping their revisions (editorial's ArticleRevision), through the real analysis."""

from __future__ import annotations

import pytest

from editorial.models import ArticleRevision
from factcheck.actors import Actor
from factcheck.models import Claim, ClaimEvent
from factcheck.services.articles import article_submit
from factcheck.services.review import claim_transition
from factcheck.workflow import ClaimStatus
from tests.factories import ArchivedSourceFactory, api_key_for, member, revise
from tests.factories import analysed as analysed_article

CRIME = "Crime fell 20 percent last year, the Home Office said."
CRITICS = "Critics say it is too small."
BIO = "Jane Roe is the Gazette's home affairs correspondent."
BODY = f"{CRIME}\n\n{CRITICS}\n\n{BIO}"

pytestmark = pytest.mark.django_db


@pytest.fixture
def checker(newsroom):
    return Actor.for_user(member(newsroom, "fact_checker", "checker"))


@pytest.fixture
def article(newsroom):
    return analysed_article(newsroom, body=BODY)


def live(article, text: str) -> Claim:
    return Claim.objects.exclude(status=ClaimStatus.SUPERSEDED).get(article=article, text=text)


def move(claim: Claim, actor: Actor, *states: str) -> Claim:
    for state in states:
        claim_transition(actor=actor, claim_id=claim.pk, to=state, note="Checked with the Home Office.")
    claim.refresh_from_db()
    return claim


def verified(article, checker) -> Claim:
    claim = live(article, CRIME)
    ArchivedSourceFactory(claim=claim)
    return move(claim, checker, "in_review", "verified")


def history(claim: Claim) -> list[tuple[str, str, str]]:
    return list(
        ClaimEvent.objects.filter(claim=claim)
        .order_by("created_at", "id")
        .values_list("action", "from_status", "to_status")
    )


def test_a_style_edit_keeps_the_verdict_and_its_sources_and_shows_the_change(article, checker):
    claim = verified(article, checker)
    sources = list(claim.sources.values_list("pk", flat=True))

    revise(article, BODY.replace("20 percent", "20 per cent"))

    after = Claim.objects.get(pk=claim.pk)
    assert after.status == ClaimStatus.VERIFIED
    assert after.text == CRIME.replace("20 percent", "20 per cent")
    assert (after.revision, after.verdict_text) == (2, CRIME)
    assert after.changed_since_verdict
    assert list(after.sources.values_list("pk", flat=True)) == sources
    event = after.events.order_by("-id").first()
    assert (event.action, event.from_status, event.to_status) == ("revised", "verified", "verified")
    assert "carry over" in event.note and CRIME in event.note
    assert not Claim.objects.filter(article=article, status=ClaimStatus.SUPERSEDED).exists()


def test_a_new_verdict_clears_the_mark(article, checker, newsroom):
    claim = verified(article, checker)
    revise(article, BODY.replace("20 percent", "20 per cent"))
    editor = Actor.for_user(member(newsroom, "editor", "editor"))
    claim = move(claim, editor, "in_review")
    claim = move(claim, checker, "verified")
    assert not claim.changed_since_verdict


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (("20 percent", "25 percent"), "numbers changed"),
        (("the Home Office said", "the Treasury said"), "names changed"),
        (("Crime fell", "Crime never fell"), "negation changed"),
        (("the Home Office said", "the Home Office denied"), "attribution changed"),
    ],
)
def test_an_edit_that_could_alter_what_was_checked_sends_the_claim_back_to_review(
    article, checker, edit, reason
):
    claim = verified(article, checker)

    revise(article, BODY.replace(*edit))

    after = Claim.objects.get(pk=claim.pk)
    assert after.status == ClaimStatus.IN_REVIEW
    assert after.assignee == checker.user  # back to who checked it
    assert after.changed_since_verdict and after.verdict_text == CRIME
    assert after.sources.count() == 1
    event = after.events.order_by("-id").first()
    assert (event.action, event.actor_kind, event.from_status) == ("reopen", "system", "verified")
    assert reason in event.note


def test_a_bio_only_edit_leaves_every_claims_state_unchanged(article, checker, newsroom):
    crime = verified(article, checker)
    critics = move(live(article, CRITICS), checker, "in_review", "needs_attribution")
    before = {c.pk: (c.status, c.is_flagged, c.assignee_id) for c in Claim.objects.filter(article=article)}
    events_before = ClaimEvent.objects.filter(claim__article=article).count()

    revise(article, BODY.replace("home affairs correspondent", "crime correspondent"))

    after = {c.pk: (c.status, c.is_flagged, c.assignee_id) for c in Claim.objects.filter(article=article)}
    assert after == before
    assert before[critics.pk] == (ClaimStatus.NEEDS_ATTRIBUTION, True, checker.user.pk)
    assert before[crime.pk][0] == ClaimStatus.VERIFIED
    assert ClaimEvent.objects.filter(claim__article=article).count() == events_before
    assert Claim.objects.filter(article=article, revision=2).count() == 2  # both still in the article


def test_a_rewrite_that_credits_the_source_answers_the_request_and_links_the_new_claim(article, checker):
    critics = move(live(article, CRITICS), checker, "in_review", "needs_attribution")
    credited = "Economists at the Institute for Fiscal Studies say it is too small."

    revise(article, BODY.replace(CRITICS, credited))

    critics.refresh_from_db()
    assert critics.status == ClaimStatus.SUPERSEDED
    assert history(critics)[-2:] == [
        ("answer_attribution", "needs_attribution", "in_review"),
        ("supersede", "in_review", "superseded"),
    ]
    answer = critics.events.get(action="answer_attribution")
    assert answer.actor_kind == "system" and credited in answer.note
    successor = live(article, credited)
    assert successor.predecessor == critics
    assert list(critics.successors.all()) == [successor]
    assert (successor.status, successor.assignee, successor.is_flagged) == (
        ClaimStatus.UNREVIEWED,
        checker.user,
        False,
    )
    assert f"#{critics.pk}" in successor.events.get(action="created").note


def test_an_edit_to_the_attribution_of_a_waiting_claim_answers_it_in_place(newsroom, checker):
    article = analysed_article(newsroom, body="Critics say the budget is far too small.")
    critics = move(live(article, "Critics say the budget is far too small."), checker, "in_review")
    critics = move(critics, checker, "needs_attribution")

    revise(article, "Critics in the IFS say the budget is far too small.")

    critics.refresh_from_db()
    assert critics.text == "Critics in the IFS say the budget is far too small."
    assert critics.status == ClaimStatus.IN_REVIEW
    assert history(critics)[-1] == ("answer_attribution", "needs_attribution", "in_review")


def test_a_rewrite_that_stays_vague_does_not_answer(article, checker):
    critics = move(live(article, CRITICS), checker, "in_review", "needs_attribution")

    revise(article, BODY.replace(CRITICS, "Many critics have long said that the whole plan is too small."))

    critics.refresh_from_db()
    assert critics.status == ClaimStatus.SUPERSEDED
    assert "answer_attribution" not in [action for action, _, _ in history(critics)]
    assert live(article, "Many critics have long said that the whole plan is too small.").predecessor is None


def test_a_removed_sentence_is_still_superseded(article, checker):
    claim = verified(article, checker)
    revise(article, BODY.replace(CRIME + "\n\n", ""))
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUPERSEDED


def test_every_body_is_kept_with_who_sent_it(newsroom):
    key, _ = api_key_for(newsroom)
    person = member(newsroom, "editor", "sender")
    submit = {"newsroom": newsroom, "external_id": "a-1", "body": BODY}
    article = article_submit(actor=Actor.for_api_key(key), **submit)
    article_submit(actor=Actor.for_api_key(key), **submit)  # the same body: no new revision
    article_submit(actor=Actor.for_user(person), **{**submit, "body": BODY.replace("20", "25")})

    rows = list(ArticleRevision.objects.filter(article=article).order_by("number"))
    assert [(r.number, r.body, r.sent_by_api_key, r.sent_by_user) for r in rows] == [
        (1, BODY, key, None),
        (2, BODY.replace("20", "25"), None, person),
    ]
    assert rows[0].sent_by_name.startswith("API key tests") and rows[1].sent_by_name == "sender"
    person.delete()  # the record outlives the person
    rows[1].refresh_from_db()
    assert (rows[1].sent_by_user, rows[1].sent_by_name) == (None, "sender")
