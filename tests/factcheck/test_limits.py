"""Bounded work per request and per article: claims per article, links fetched per article, the
analysis preview's size, and article answers that show a page of claims, never all of them."""

from __future__ import annotations

import json

import pytest

from editorial.models import AnalysisStatus
from factcheck import selectors
from factcheck.models import Claim, FetchStatus, Source
from tests.factcheck.test_api import assert_error
from tests.factories import analysed

pytestmark = pytest.mark.django_db


def tiny_paragraphs(count: int) -> str:
    return "\n\n".join(f"Tax up {number}." for number in range(count))


# --- Claims per article -------------------------------------------------------------------------------


def test_a_megabyte_of_tiny_paragraphs_does_not_become_120000_claims(newsroom, settings):
    body = tiny_paragraphs(120_000)
    assert 1_000_000 < len(body) <= settings.FACTDESK_MAX_ARTICLE_CHARS * 2
    settings.FACTDESK_MAX_ARTICLE_CHARS = len(body)  # the claims limit is what this test is about

    article = analysed(newsroom, body=body)

    assert article.analysis_status == AnalysisStatus.FAILED
    assert "120,000 sentences to check" in article.analysis_error
    assert "the limit is 5,000 claims per article" in article.analysis_error
    assert not Claim.objects.filter(article=article).exists()


def test_the_claims_limit_is_a_setting(newsroom, settings):
    settings.FACTDESK_MAX_CLAIMS_PER_ARTICLE = 30
    assert analysed(newsroom, body=tiny_paragraphs(30)).analysis_status == AnalysisStatus.ANALYZED
    over = analysed(newsroom, body=tiny_paragraphs(31))
    assert over.analysis_status == AnalysisStatus.FAILED
    assert "31 sentences" in over.analysis_error and "limit is 30 claims" in over.analysis_error


# --- The analysis preview -----------------------------------------------------------------------------


def test_the_preview_refuses_a_text_over_its_size_limit_naming_it(api, settings):
    text = tiny_paragraphs(120_000)  # what held a web worker for 21 s
    body = assert_error(api.post("/api/v1/analyze", {"text": text}, format="json"), 400, "invalid")
    assert f"the limit is {settings.FACTDESK_ANALYZE_MAX_CHARS:,} characters" in body["errors"]["text"][0]

    settings.FACTDESK_ANALYZE_MAX_CHARS = 50
    assert_error(api.post("/api/v1/analyze", {"text": "word " * 11}, format="json"), 400, "invalid")
    assert api.post("/api/v1/analyze", {"text": "word " * 9}, format="json").status_code == 200


def test_the_preview_refuses_more_claims_than_the_limit(api, settings):
    settings.FACTDESK_MAX_CLAIMS_PER_ARTICLE = 10
    response = api.post("/api/v1/analyze", {"text": tiny_paragraphs(11)}, format="json")
    body = assert_error(response, 400, "invalid")
    assert "the limit is 10 claims per article" in body["errors"]["text"][0]
    response = api.post("/api/v1/analyze", {"text": tiny_paragraphs(10)}, format="json")
    assert len(response.json()["claims"]) == 10


# --- Links fetched per article ------------------------------------------------------------------------


def test_links_over_the_limit_are_attached_as_not_fetched_with_the_reason(newsroom, settings):
    settings.FACTDESK_FETCH_ON_ADD = False
    settings.FACTDESK_MAX_FETCHES_PER_ARTICLE = 5
    body = "".join(
        f'<p>The council <a href="https://ledger.example/minutes/{number}">met on day {number}</a>.</p>'
        for number in range(40)
    )
    article = analysed(newsroom, body=body, body_format="html")

    sources = Source.objects.filter(claim__article=article).order_by("claim__ordinal")
    assert sources.count() == 40  # every link is recorded
    waiting = [source.url for source in sources if source.status == FetchStatus.PENDING]
    assert waiting == [f"https://ledger.example/minutes/{number}" for number in range(5)]  # the first five
    skipped = [source for source in sources if source.status != FetchStatus.PENDING]
    assert len(skipped) == 35
    for source in skipped:
        assert source.status == FetchStatus.FAILED
        assert source.failure.startswith("Not fetched: the article links to 40 addresses")
        assert "at most 5 are fetched for one article (FACTDESK_MAX_FETCHES_PER_ARTICLE)" in source.failure

    analysed_again = selectors.article_detail(newsroom=newsroom, article_id=article.pk)
    assert analysed_again.live_total == 40


# --- Article answers are pages ------------------------------------------------------------------------


def test_the_article_answer_shows_a_page_of_claims_and_links_to_all_of_them(
    api, newsroom, django_assert_max_num_queries
):
    article = analysed(newsroom, body=tiny_paragraphs(450) + "\n\nPhoto: Ana Diaz")
    assert Claim.objects.filter(article=article).count() == 450

    api.get(f"/api/v1/articles/{article.pk}")  # the key is cached: the next request is measured alone
    with django_assert_max_num_queries(5):
        answer = api.get(f"/api/v1/articles/{article.pk}").json()

    page = selectors.ARTICLE_PAGE_CLAIMS
    assert [claim["index"] for claim in answer["claims"]] == list(range(page))
    assert answer["claims_count"] == 450
    assert answer["excluded_count"] == len(answer["excluded"]) == 1
    url = answer["claims_url"]
    assert url == f"http://testserver/api/v1/claims?article={article.pk}"
    seen = []
    while url:
        listed = api.get(url).json()
        seen += [claim["index"] for claim in listed["results"]]
        url = listed["next"]
    assert sorted(seen) == list(range(450))


def test_the_article_answer_is_one_size_whatever_the_claims(api, newsroom, settings):
    """Claims written straight to the table, as many as a large body could make before the limit."""
    article = analysed(newsroom, body="The council approved a budget of $4.2 million on Tuesday.")
    template = Claim.objects.get(article=article)
    Claim.objects.bulk_create(
        Claim(
            article=article,
            newsroom=newsroom,
            text=f"Tax up {number}.",
            ordinal=number,
            start=0,
            end=1,
            paragraph=number,
            revision=template.revision,
            kind=template.kind,
        )
        for number in range(1, 20_000)
    )
    response = api.get(f"/api/v1/articles/{article.pk}")
    answer = json.loads(response.content)
    assert answer["claims_count"] == 20_000
    assert len(answer["claims"]) == selectors.ARTICLE_PAGE_CLAIMS
    assert len(response.content) < 200_000


def test_the_admin_article_page_lists_the_first_claims_and_links_to_the_rest(admin_client, newsroom):
    article = analysed(newsroom, body=tiny_paragraphs(450))
    page = admin_client.get(f"/admin/editorial/article/{article.pk}/change/").content.decode()

    first = selectors.ARTICLE_PAGE_CLAIMS
    assert f'id="claims-{first - 1}"' in page
    assert f'id="claims-{first}"' not in page
    assert f"The first {first} of 450 claims" in page
    listed = admin_client.get(f"/admin/factcheck/claim/?article={article.pk}")
    assert listed.status_code == 200
    assert listed.context["cl"].result_count == 450
