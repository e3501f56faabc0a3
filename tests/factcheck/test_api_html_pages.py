"""A whole web page sent through the API as HTML: accepted well past the old 1,000,000-character limit,
its title and byline taken from its metadata, and its claims those of the article alone."""

from __future__ import annotations

import json

import pytest

from editorial.models import Article

pytestmark = pytest.mark.django_db

SENTENCES = [
    "The ferry to Kelp Island resumed sailings on Tuesday after a three-month repair of its ramp.",
    "The island council said 1,200 passengers had booked crossings for the first week.",
    "Repairs cost 2.4 million euros, according to the harbour board, which paid half of it.",
]
LD = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Ferry Returns to Kelp Island",
      "author": {"@type": "Person", "name": "Maren Holt"}}  # fmt: skip


def page(padding: int) -> str:
    return (
        "<!DOCTYPE html><html><head>"
        f"<script type='application/ld+json'>{json.dumps(LD)}</script>"
        f"<script>var tracking = '{'x' * padding}';</script></head><body>"
        "<nav><ul><li><a href='/'>Home</a></li><li><a href='/news'>News</a></li></ul></nav>"
        "<article><h1>Ferry Returns to Kelp Island</h1>"
        + "".join(f"<p>{sentence}</p>" for sentence in SENTENCES)
        + "</article><div class='related-stories'><p>Lighthouse keeper retires after forty years.</p></div>"
        "<footer><p>Island Gazette, 4 Quay Street.</p></footer></body></html>"
    )


def test_a_whole_page_of_three_megabytes_is_accepted_and_only_its_article_makes_claims(
    api, django_capture_on_commit_callbacks
):
    body = page(3_000_000)
    assert len(body) > 3_000_000
    payload = json.dumps({"external_id": "page-1", "body": body, "format": "html"})
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/articles", payload, content_type="application/json")
    assert response.status_code == 202, response.content[:500]

    article = Article.objects.get()
    assert (article.title, article.byline) == ("Ferry Returns to Kelp Island", "Maren Holt")
    data = api.get(response.json()["url"]).json()
    assert [claim["text"] for claim in data["claims"]] == SENTENCES
