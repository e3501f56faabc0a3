"""The claims the factories build are the claims the analysis stores for the same body, so that tests
built on them test what the service would have left (tests/factories.py)."""

import pytest

from factcheck.models import Claim
from tests.factories import BUDGET, CRITICS, ClaimFactory, FlagFactory, analysed, with_claims

pytestmark = pytest.mark.django_db

CLAIM_FIELDS = ("ordinal", "text", "start", "end", "paragraph", "kind", "status", "is_flagged", "revision")
FLAG_FIELDS = ("kind", "cue", "start", "end", "severity", "message")
EVENT_FIELDS = ("action", "from_status", "to_status", "note", "actor_kind", "actor_user", "actor_name")
ARTICLE_FIELDS = ("canonical_text", "revision", "analysis_status", "analyzed_revision", "analysis_error")


def stored(article) -> tuple:
    claims = Claim.objects.filter(article=article).order_by("ordinal")
    return (
        tuple(getattr(article, name) for name in ARTICLE_FIELDS),
        [tuple(getattr(claim, name) for name in CLAIM_FIELDS) for claim in claims],
        [
            [tuple(getattr(flag, name) for name in FLAG_FIELDS) for flag in claim.flags.order_by("start")]
            for claim in claims
        ],
        [
            [tuple(getattr(event, name) for name in EVENT_FIELDS) for event in claim.events.all()]
            for claim in claims
        ],
        {(claim.newsroom_id, claim.desk_id) for claim in claims},
    )


@pytest.mark.parametrize(
    "body",
    [
        f"{BUDGET}\n\n{CRITICS}",
        # A first paragraph about as long as the next is prose, not a title line above it.
        f"Critics say the budget is far too small for a city of its size.\n\n{BUDGET}",
        f"{BUDGET}\n\n{CRITICS}\n\nThe vote was 7 to 2.",
    ],
)
def test_with_claims_stores_what_the_analysis_stores(newsroom, body):
    by_hand = with_claims(newsroom, body=body, external_id="by-hand")
    by_analysis = analysed(newsroom, body=body, external_id="by-analysis")
    assert stored(by_hand) == stored(by_analysis)


def test_a_claim_on_its_own_gets_an_analysed_article_of_its_own():
    claim = ClaimFactory()
    assert claim.article.analyzed_revision == claim.article.revision == claim.revision == 1
    assert (claim.newsroom, claim.text, claim.start, claim.end) == (claim.article.newsroom, BUDGET, 0, 57)
    assert ClaimFactory(article=claim.article, text=CRITICS).ordinal == 1


def test_a_flag_marks_its_claim_flagged():
    flag = FlagFactory(claim=ClaimFactory(text=CRITICS))
    assert (flag.cue, flag.start, flag.end) == ("Critics", 59, 66)
    assert Claim.objects.get(pk=flag.claim_id).is_flagged
