"""article_submit and HTML pages: the title and byline come from the page's metadata when the caller
sends none (never overriding what the caller sent), and markup too deep to read whole is refused."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from editorial.models import Article, BodyFormat
from factcheck.actors import Actor
from factcheck.models import Claim
from factcheck.services.analyses import article_analyze
from factcheck.services.articles import article_submit

pytestmark = pytest.mark.django_db

LD = {
    "@context": "https://schema.org",
    "@type": "NewsArticle",
    "headline": "Ferry Service Returns to Kelp Island",
    "author": [{"@type": "Person", "name": "Maren Holt"}],
    "datePublished": "2025-03-04T08:00:00Z",
}
PAGE = (
    "<html><head><title>Ferry | Island Gazette</title>"
    f"<script type='application/ld+json'>{json.dumps(LD)}</script>"
    "<meta property='og:title' content='Ferry back at last'></head><body><article>"
    "<h1>Ferry Service Returns to Kelp Island</h1>"
    "<p>The ferry to Kelp Island resumed sailings on Tuesday after a three-month repair of its ramp.</p>"
    "<p>The island council said 1,200 passengers had booked crossings for the first week.</p>"
    "</article></body></html>"
)


def submit(newsroom, **fields):
    values = {"external_id": "cms-page", "body": PAGE, "body_format": BodyFormat.HTML, **fields}
    return article_submit(actor=Actor.system(), newsroom=newsroom, **values)


def test_the_title_and_byline_come_from_the_pages_metadata_when_not_sent(newsroom):
    article = submit(newsroom)
    assert (article.title, article.byline) == ("Ferry Service Returns to Kelp Island", "Maren Holt")


def test_the_publication_date_comes_from_the_pages_metadata_when_not_sent(newsroom):
    assert submit(newsroom).published_on == date(2025, 3, 4)


def test_what_the_caller_sent_is_kept(newsroom):
    article = submit(newsroom, title="Ferry returns", byline="Island desk", published_on=date(2025, 3, 5))
    assert (article.title, article.byline, article.published_on) == (
        "Ferry returns",
        "Island desk",
        date(2025, 3, 5),
    )


def test_a_date_that_names_no_real_day_is_left_empty(newsroom):
    page = PAGE.replace("2025-03-04T08:00:00Z", "2025-02-30")
    assert submit(newsroom, body=page).published_on is None


def test_a_plain_text_body_leaves_title_and_byline_empty(newsroom):
    article = submit(newsroom, body="The ferry resumed sailings on Tuesday.", body_format=BodyFormat.TEXT)
    assert (article.title, article.byline) == ("", "")


@pytest.mark.parametrize("depth", [300, 5000])
def test_deeply_nested_html_is_stored_whole_or_refused_with_the_reason(newsroom, depth):
    body = (
        "<p>The ferry resumed sailings on Tuesday.</p>"
        + "<div>" * depth
        + "<p>The council said 1,200 passengers had booked.</p>"
        + "</div>" * depth
        + "<p>Repairs cost 2.4 million euros.</p>"
    )
    if depth == 300:
        article = submit(newsroom, body=body)
        article_analyze(article_id=article.pk)
        texts = Claim.objects.filter(article=article).order_by("ordinal").values_list("text", flat=True)
        assert list(texts) == [
            "The ferry resumed sailings on Tuesday.",
            "The council said 1,200 passengers had booked.",
            "Repairs cost 2.4 million euros.",
        ]
        return
    with pytest.raises(ValidationError) as refused:
        submit(newsroom, body=body)
    assert "nested more than 2,048 elements deep" in str(refused.value.message_dict["body"])
    assert not Article.objects.filter(newsroom=newsroom).exists()
