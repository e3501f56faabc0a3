"""article_submit fills an article's title and byline from the metadata of an HTML page when the
caller sends none, and never overrides what the caller sent."""

from __future__ import annotations

import json

import pytest

from editorial.models import BodyFormat
from factcheck import services
from factcheck.services import Actor

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
    return services.article_submit(actor=Actor.system(), newsroom=newsroom, **values)


def test_the_title_and_byline_come_from_the_pages_metadata_when_not_sent(newsroom):
    article = submit(newsroom)
    assert (article.title, article.byline) == ("Ferry Service Returns to Kelp Island", "Maren Holt")


def test_what_the_caller_sent_is_kept(newsroom):
    article = submit(newsroom, title="Ferry returns", byline="Island desk")
    assert (article.title, article.byline) == ("Ferry returns", "Island desk")


def test_a_plain_text_body_leaves_title_and_byline_empty(newsroom):
    article = submit(newsroom, body="The ferry resumed sailings on Tuesday.", body_format=BodyFormat.TEXT)
    assert (article.title, article.byline) == ("", "")
