"""Lists of the REST API: the articles and claims filters, readiness, ordering, cursor pagination,
incremental sync with updated_since, and a fixed number of queries per page."""

from __future__ import annotations

import datetime as dt
from functools import partial
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from editorial.models import AnalysisStatus, Article, Role
from factcheck import selectors
from factcheck.actors import Actor
from factcheck.models import AttributionFlag, Claim
from factcheck.services.analyses import article_analyze
from factcheck.services.checking_policies import checking_policy_save
from factcheck.services.review import claim_transition
from tests import factories
from tests.factcheck.test_api import all_pages, assert_error
from tests.factories import ArticleFactory, DeskFactory, api_key_for, client_for, member

pytestmark = pytest.mark.django_db

SENTENCES = [
    "The council approved a budget of $4.2 million on Tuesday.",
    "Unemployment in the city fell to 4.1 percent in March.",
    "The new hospital will open in 2027 and employ 1,200 people.",
    "The mayor said the bridge would reopen in June.",
    "Rents rose by 12 percent last year, the fastest rise since 1990.",
    "The river rose 2 metres in 24 hours.",
]


#: An article of a newsroom made of ``SENTENCES``, one a paragraph, with their claims as the analysis
#: stores them (these tests are about the lists, not about what the analysis finds).
with_claims = partial(factories.with_claims, body="\n\n".join(SENTENCES))


def results(api, url: str) -> list[dict]:
    response = api.get(url)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def ids(api, url: str) -> list[int]:
    return [row["id"] for row in results(api, url)]


def iso(moment: dt.datetime) -> str:
    return quote(moment.isoformat())


def flag(claim: Claim) -> None:
    """A flag as the attribution analysis would store it, made directly for these tests."""
    Claim.objects.filter(pk=claim.pk).update(is_flagged=True, flag_kinds=",hedge,")
    AttributionFlag.objects.create(
        claim=claim,
        kind="hedge",
        cue="said",
        start=claim.start,
        end=claim.start + 4,
        severity="medium",
        message="Who said so?",
    )


def take(claim: Claim) -> None:
    checker = member(claim.newsroom, Role.FACT_CHECKER, f"checker-{claim.pk}")
    claim_transition(actor=Actor.for_user(checker), claim_id=claim.pk, to="in_review")


# --- Articles ----------------------------------------------------------------------------------------


@pytest.fixture
def four_articles(newsroom):
    """One article in each readiness: pending, blocked, open and clear."""
    pending = ArticleFactory(newsroom=newsroom, external_id="pending")
    blocked = with_claims(newsroom, external_id="blocked")
    flag(blocked.claims.order_by("ordinal").first())
    still_open = with_claims(newsroom, external_id="open")
    clear = with_claims(newsroom, external_id="clear")
    clear.claims.update(status="verified")
    return {"pending": pending, "blocked": blocked, "open": still_open, "clear": clear}


def test_articles_list_with_their_readiness(api, four_articles):
    rows = results(api, "/api/v1/articles")

    by_external_id = {row["external_id"]: row for row in rows}
    assert set(by_external_id) == set(four_articles)
    for name, article in four_articles.items():
        row = by_external_id[name]
        assert row["readiness"] == name
        # The list derives readiness its own way (EXISTS, to page fast): the same answer as the article's.
        annotated = selectors.with_readiness(Article.objects.filter(pk=article.pk)).get()
        assert row["readiness"] == selectors.readiness(annotated).value
        assert row["id"] == article.pk
        assert "claims" not in row and "canonical_text" not in row
    assert api.get(f"/api/v1/articles/{four_articles['open'].pk}").json()["readiness"] == "open"


@pytest.mark.parametrize("readiness", ["pending", "blocked", "open", "clear"])
def test_articles_filter_by_readiness(api, four_articles, readiness):
    assert ids(api, f"/api/v1/articles?readiness={readiness}") == [four_articles[readiness].pk]


def test_readiness_follows_the_newsrooms_threshold(api, newsroom, four_articles):
    checking_policy_save(newsroom=newsroom, flag_kinds=[], severities={}, checkworthiness_threshold=1.0)
    # Nothing scores 1.0: the open article's claims no longer need checking before publication.
    assert four_articles["open"].pk in ids(api, "/api/v1/articles?readiness=clear")
    assert ids(api, "/api/v1/articles?readiness=open") == []


def test_articles_filter_by_desk_status_and_external_id(api, newsroom, other_newsroom):
    politics = DeskFactory(newsroom=newsroom, slug="politics")
    DeskFactory(newsroom=other_newsroom, slug="business")
    on_desk = with_claims(newsroom, desk=politics, external_id="cms-7")
    failed = ArticleFactory(newsroom=newsroom, analysis_status=AnalysisStatus.FAILED, analysis_error="Empty.")

    assert ids(api, "/api/v1/articles?desk=politics") == [on_desk.pk]
    assert ids(api, "/api/v1/articles?analysis_status=failed") == [failed.pk]
    assert ids(api, "/api/v1/articles?external_id=cms-7") == [on_desk.pk]
    assert ids(api, "/api/v1/articles?external_id=cms-8") == []
    assert_error(api.get("/api/v1/articles?desk=business"), 400, "invalid")
    for query in ("readiness=ready", "analysis_status=done", "updated_since=yesterday", "ordering=title"):
        body = assert_error(api.get(f"/api/v1/articles?{query}"), 400, "invalid")
        assert query.split("=")[0] in body["errors"]


def test_articles_updated_since_counts_a_change_of_their_claims(api, newsroom):
    quiet, busy = with_claims(newsroom), with_claims(newsroom)
    since = timezone.now()
    assert ids(api, f"/api/v1/articles?updated_since={iso(since)}") == []

    claim = busy.claims.first()
    take(claim)

    assert ids(api, f"/api/v1/articles?updated_since={iso(since)}") == [busy.pk]
    Article.objects.filter(pk=quiet.pk).update(title="New headline", updated_at=timezone.now())
    assert ids(api, f"/api/v1/articles?updated_since={iso(since)}") == [quiet.pk, busy.pk]


def test_articles_ordering(api, newsroom):
    first, second, third = with_claims(newsroom), with_claims(newsroom), with_claims(newsroom)
    Article.objects.filter(pk=first.pk).update(updated_at=timezone.now() + dt.timedelta(minutes=5))
    assert ids(api, "/api/v1/articles") == [first.pk, second.pk, third.pk]
    assert ids(api, "/api/v1/articles?ordering=-id") == [third.pk, second.pk, first.pk]
    assert ids(api, "/api/v1/articles?ordering=updated_at")[-1] == first.pk
    assert ids(api, "/api/v1/articles?ordering=-updated_at")[0] == first.pk


# --- Claims ------------------------------------------------------------------------------------------


def test_claims_filter_by_state_and_superseded_only_when_asked(api, newsroom):
    article = with_claims(newsroom)
    claims = list(article.claims.order_by("ordinal"))
    take(claims[0])
    Claim.objects.filter(pk=claims[1].pk).update(status="superseded")

    assert ids(api, "/api/v1/claims?status=in_review") == [claims[0].pk]
    assert ids(api, "/api/v1/claims?status=superseded") == [claims[1].pk]
    assert claims[1].pk not in ids(api, "/api/v1/claims")
    assert len(ids(api, "/api/v1/claims?status=unreviewed")) == len(claims) - 2
    assert_error(api.get("/api/v1/claims?status=approved"), 400, "invalid")


def test_claims_filter_by_desk(api, newsroom, other_newsroom):
    politics = DeskFactory(newsroom=newsroom, slug="politics")
    DeskFactory(newsroom=other_newsroom, slug="business")
    on_desk = with_claims(newsroom, desk=politics)
    with_claims(newsroom)

    assert set(ids(api, "/api/v1/claims?desk=politics")) == set(on_desk.claims.values_list("pk", flat=True))
    body = assert_error(api.get("/api/v1/claims?desk=business"), 400, "invalid")
    assert "business" in body["errors"]["desk"][0]


def test_claims_filter_by_assignee(api, newsroom, other_newsroom):
    ana = member(newsroom, Role.FACT_CHECKER, "ana")
    claims = list(with_claims(newsroom).claims.order_by("ordinal"))
    claim_transition(actor=Actor.for_user(ana), claim_id=claims[0].pk, to="in_review")

    assert ids(api, f"/api/v1/claims?assignee={ana.pk}") == [claims[0].pk]
    assert ids(api, "/api/v1/claims?assignee=none") == [claim.pk for claim in claims[1:]]
    stranger = member(other_newsroom, Role.FACT_CHECKER, "stranger")
    assert ids(api, f"/api/v1/claims?assignee={stranger.pk}") == []
    for value in ("me", "-1", "0", "ana", "1.5"):
        body = assert_error(api.get(f"/api/v1/claims?assignee={value}"), 400, "invalid")
        assert "assignee" in body["errors"]


def test_claims_filter_by_checkworthiness(api, newsroom):
    claims = list(with_claims(newsroom).claims.order_by("ordinal"))
    scores = [0.1, 0.3, 0.5, 0.7, 0.9, 1.0]
    for claim, score in zip(claims, scores, strict=True):
        Claim.objects.filter(pk=claim.pk).update(checkworthiness=score)

    def scored(query):
        return sorted(row["checkworthiness"] for row in results(api, f"/api/v1/claims?{query}"))

    assert scored("checkworthiness_min=0.5") == [0.5, 0.7, 0.9, 1.0]
    assert scored("checkworthiness_max=0.3") == [0.1, 0.3]
    assert scored("checkworthiness_min=0.3&checkworthiness_max=0.7") == [0.3, 0.5, 0.7]
    for query in (
        "checkworthiness_min=0.8&checkworthiness_max=0.2",
        "checkworthiness_min=2",
        "checkworthiness_max=-1",
        "checkworthiness_min=nan",
        "checkworthiness_max=inf",
        "checkworthiness_min=high",
    ):
        body = assert_error(api.get(f"/api/v1/claims?{query}"), 400, "invalid")
        assert set(body["errors"]) <= {"checkworthiness_min", "checkworthiness_max"}


def test_claims_updated_since_for_incremental_sync(api, newsroom):
    claims = list(with_claims(newsroom).claims.order_by("ordinal"))
    since = timezone.now()
    assert ids(api, f"/api/v1/claims?updated_since={iso(since)}") == []

    take(claims[2])
    assert ids(api, f"/api/v1/claims?updated_since={iso(since)}") == [claims[2].pk]
    naive = since.replace(tzinfo=None).isoformat()  # read in the server's time zone (UTC)
    assert ids(api, f"/api/v1/claims?updated_since={naive}") == [claims[2].pk]


def test_claims_ordering(api, newsroom):
    claims = list(with_claims(newsroom).claims.order_by("ordinal"))
    for claim, score in zip(claims, [0.4, 0.9, 0.1, 0.9, 0.6, 0.2], strict=True):
        Claim.objects.filter(pk=claim.pk).update(checkworthiness=score)

    descending = results(api, "/api/v1/claims?ordering=-checkworthiness")
    assert [row["checkworthiness"] for row in descending] == [0.9, 0.9, 0.6, 0.4, 0.2, 0.1]
    assert descending[0]["id"] > descending[1]["id"]  # ties by id, in the same direction
    assert ids(api, "/api/v1/claims?ordering=-id") == sorted((c.pk for c in claims), reverse=True)
    assert_error(api.get("/api/v1/claims?ordering=text"), 400, "invalid")


# --- Cursor pagination -------------------------------------------------------------------------------


@pytest.mark.parametrize("ordering", ["id", "-id", "checkworthiness", "-checkworthiness", "-updated_at"])
def test_pages_never_repeat_or_skip_rows_even_with_ties(api, newsroom, ordering):
    for _ in range(3):
        with_claims(newsroom)
    claims = Claim.objects.order_by("id")
    # Many ties: the cursor must carry the id as well as the score to page through them.
    claims.filter(pk__in=list(claims.values_list("pk", flat=True)[:11])).update(checkworthiness=0.5)
    field = ordering.lstrip("-")
    expected = sorted(claims, key=lambda c: (getattr(c, field), c.pk), reverse=ordering.startswith("-"))

    forward, pages = all_pages(api, f"/api/v1/claims?ordering={ordering}&page_size=4")

    assert [row["id"] for row in forward] == [claim.pk for claim in expected]
    assert pages == -(-len(expected) // 4)
    # And back again, from the last page, by the previous links.
    url, backward = f"/api/v1/claims?ordering={ordering}&page_size=4", []
    while url:
        page = api.get(url).json()
        last_url, url = url, page["next"]
    while last_url:
        page = api.get(last_url).json()
        backward = page["results"] + backward
        last_url = page["previous"]
    assert [row["id"] for row in backward] == [claim.pk for claim in expected]


def test_a_cursor_belongs_to_its_order(api, newsroom):
    with_claims(newsroom)
    next_url = api.get("/api/v1/claims?ordering=checkworthiness&page_size=2").json()["next"]
    assert next_url
    cursor = next_url.split("cursor=")[1].split("&")[0]
    assert api.get(f"/api/v1/claims?ordering=checkworthiness&page_size=2&cursor={cursor}").status_code == 200
    assert_error(api.get(f"/api/v1/claims?ordering=-id&cursor={cursor}"), 404, "not_found")


@pytest.mark.parametrize("size", ["0", "201", "-3", "ten", "1.5"])
def test_a_bad_page_size_is_a_400(api, size):
    body = assert_error(api.get(f"/api/v1/claims?page_size={size}"), 400, "invalid")
    assert "page_size" in body["errors"]


# --- A fixed number of queries per page --------------------------------------------------------------


def queries(api, url: str) -> tuple[int, int]:
    """(queries, rows) of one page, after a first request that records the key's use."""
    api.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = api.get(url)
    assert response.status_code == 200, response.content
    return len(captured), len(response.json()["results"])


@pytest.mark.parametrize(
    ("url", "most"),
    [
        # The key, the page of claims with their assignees, their flags.
        ("/api/v1/claims?page_size=60", 3),
        # ... and the desk of the filter.
        ("/api/v1/claims?page_size=60&desk=politics&flagged=true&checkworthiness_min=0", 4),
        # The key, the page of articles with their desks and readiness.
        ("/api/v1/articles?page_size=60", 2),
        ("/api/v1/articles?page_size=60&desk=politics&updated_since=2000-01-01T00:00:00Z", 3),
    ],
)
def test_a_page_costs_the_same_for_5_rows_as_for_60(api, newsroom, url, most):
    politics = DeskFactory(newsroom=newsroom, slug="politics")
    per_article = 1 if "/articles" in url else 5

    def add(rows):
        for n in range(rows // per_article):
            sentences = [f"The council spent {n} million on roads in {2000 + i}." for i in range(per_article)]
            for claim in with_claims(newsroom, body="\n\n".join(sentences), desk=politics).claims.all():
                flag(claim)
                flag(claim)

    add(5)
    few, few_rows = queries(api, url)
    add(55)
    many, many_rows = queries(api, url)

    assert (few_rows, many_rows) == (5, 60)
    assert few == many <= most


def test_a_page_of_desks_people_keys_and_revisions_costs_the_same_whatever_its_size(newsroom):
    admin = client_for(api_key_for(newsroom, role=Role.ADMIN)[1])
    article = with_claims(newsroom)
    desks = [DeskFactory(newsroom=newsroom) for _ in range(3)]

    def measure():
        return {
            url: queries(admin, url)[0]
            for url in (
                "/api/v1/desks",
                "/api/v1/people",
                "/api/v1/keys",
                f"/api/v1/articles/{article.pk}/revisions",
            )
        }

    member(newsroom, Role.EDITOR, "first").memberships.get().desks.set(desks)
    few = measure()
    for n in range(20):
        DeskFactory(newsroom=newsroom)
        member(newsroom, Role.FACT_CHECKER, f"checker{n}").memberships.get().desks.set(desks)
        api_key_for(newsroom)
    Article.objects.filter(pk=article.pk).update(body="\n\n".join(SENTENCES[:3]), revision=2)
    article_analyze(article_id=article.pk)

    assert measure() == few
    assert max(few.values()) <= 3
