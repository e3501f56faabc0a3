"""Editors correct the analysis: a part kept out becomes a claim, a sentence becomes furniture."""

import itertools

import pytest

from editorial.models import Role
from editorial.services import member_add
from factcheck.actors import Actor
from factcheck.analysis.pipeline import Overrides, analyze, fold
from factcheck.models import ClaimEvent, ExcludedBlock
from factcheck.services.analyses import article_analyze, claim_exclude, excluded_block_promote
from factcheck.services.articles import article_submit
from factcheck.workflow import ClaimStatus
from tests.factories import ArticleFactory, UserFactory

BODY = (
    "Harbour Bridge Reopens\n\n"
    "The harbour bridge reopened on Monday after 14 months of repairs costing $38 million.\n\n"
    "Credit: Port Authority\n\n"
    "Traffic was light in the morning. Readers can reach the traffic desk on 555-0100."
)
CREDIT = "Credit: Port Authority"
PROMO = "Readers can reach the traffic desk on 555-0100."


def test_overrides_turn_a_kept_out_block_into_a_claim_and_a_sentence_into_furniture():
    plain = analyze(BODY)
    assert CREDIT in [item.text for item in plain.excluded]
    assert PROMO in [claim.text for claim in plain.claims]

    corrected = analyze(
        BODY, overrides=Overrides(claims=frozenset({CREDIT}), excluded=frozenset({fold(PROMO)}))
    )
    assert CREDIT in [claim.text for claim in corrected.claims]
    assert (PROMO, "kept out by an editor") in [(item.text, item.reason) for item in corrected.excluded]
    assert [claim.index for claim in corrected.claims] == list(range(len(corrected.claims)))
    spans = sorted(
        [(c.start, c.end) for c in corrected.claims] + [(e.start, e.end) for e in corrected.excluded]
    )
    assert all(end <= next_start for (_, end), (next_start, _) in itertools.pairwise(spans))


@pytest.fixture
def editor(newsroom):
    user = UserFactory(username="vera")
    member_add(newsroom=newsroom, user=user, role=Role.EDITOR)
    return user


@pytest.fixture
def article(newsroom):
    article = ArticleFactory(newsroom=newsroom, body=BODY)
    article_analyze(article_id=article.pk)
    return article


def live_texts(article) -> list[str]:
    return list(
        article.claims.exclude(status=ClaimStatus.SUPERSEDED)
        .order_by("ordinal")
        .values_list("text", flat=True)
    )


@pytest.mark.django_db
def test_promoting_an_excluded_part_makes_a_claim_recorded_as_the_editors(article, editor):
    block = ExcludedBlock.objects.get(article=article, text=CREDIT)
    excluded_block_promote(actor=Actor.for_user(editor), block=block, reason="a real credit line")

    assert CREDIT in live_texts(article)
    assert not ExcludedBlock.objects.filter(article=article, text=CREDIT).exists()
    event = ClaimEvent.objects.get(claim__text=CREDIT, action="created")
    assert (event.actor_user, event.actor_name) == (editor, "vera")
    assert "made a claim" in event.note and "a real credit line" in event.note


@pytest.mark.django_db
def test_keeping_a_claim_out_supersedes_it_and_survives_a_revision(article, editor, newsroom):
    claim = article.claims.get(text=PROMO)
    claim_exclude(actor=Actor.for_user(editor), claim=claim, reason="newsletter promo")

    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUPERSEDED
    event = claim.events.get(action="supersede")
    assert event.actor_user == editor and "newsletter promo" in event.note
    assert ExcludedBlock.objects.filter(article=article, text=PROMO, reason="kept out by an editor").exists()

    article_submit(
        actor=Actor.system(), newsroom=newsroom, external_id=article.external_id,
        body=BODY.replace("Monday", "Tuesday"),
    )  # fmt: skip
    article_analyze(article_id=article.pk)
    texts = live_texts(article)
    assert PROMO not in texts
    assert any("Tuesday" in text for text in texts)


@pytest.mark.django_db
def test_a_second_correction_of_the_same_text_replaces_the_first(article, editor):
    actor = Actor.for_user(editor)
    claim_exclude(actor=actor, claim=article.claims.get(text=PROMO))
    block = ExcludedBlock.objects.get(article=article, text=PROMO)
    excluded_block_promote(actor=actor, block=block)
    assert PROMO in live_texts(article)
    assert article.overrides.count() == 1


@pytest.mark.django_db
def test_the_admin_actions_correct_through_the_service_for_editors_only(client, article, editor, newsroom):
    block = ExcludedBlock.objects.get(article=article, text=CREDIT)
    checker = UserFactory(username="fiona")
    member_add(newsroom=newsroom, user=checker, role=Role.FACT_CHECKER)

    client.force_login(checker)
    page = client.get("/admin/factcheck/excludedblock/")
    assert page.status_code == 200 and "make_claims" not in page.content.decode()

    client.force_login(editor)
    assert "make_claims" in client.get("/admin/factcheck/excludedblock/").content.decode()
    response = client.post(
        "/admin/factcheck/excludedblock/", {"action": "make_claims", "_selected_action": [block.pk]}
    )
    assert response.status_code == 302
    assert CREDIT in live_texts(article)

    claim = article.claims.get(text=PROMO)
    response = client.post("/admin/factcheck/claim/", {"action": "keep_out", "_selected_action": [claim.pk]})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUPERSEDED
