"""Revisions where people and integrations see them: the API (an article's bodies, the diff of two,
a claim's change since its verdict) and the admin (the claim page's mark and diff, the article's
revisions page), with the article's text escaped wherever it is shown."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from editorial.models import Role
from factcheck.actors import Actor
from factcheck.models import Claim
from factcheck.services.articles import article_submit
from factcheck.services.review import claim_transition
from factcheck.workflow import ClaimStatus
from tests.factories import ArchivedSourceFactory, analysed, api_key_for, client_for, member, revise

pytestmark = pytest.mark.django_db

CRIME = "Crime fell 20 percent last year, the Home Office said."
STYLED = CRIME.replace("20 percent", "20 per cent")
BODY = f"{CRIME}\n\nCritics say it is too small."
#: A style edit of CRIME whose new words are markup: shown as text, never as markup.
MARKUP = CRIME.replace("20 percent", "<b>20 per cent</b>")


@pytest.fixture
def checker(newsroom):
    return Actor.for_user(member(newsroom, Role.FACT_CHECKER, "checker"))


def verified_then_revised(newsroom, checker, new_text: str) -> Claim:
    article = analysed(newsroom, body=BODY)
    claim = Claim.objects.get(article=article, text=CRIME)
    ArchivedSourceFactory(claim=claim)
    for state in ("in_review", "verified"):
        claim_transition(actor=checker, claim_id=claim.pk, to=state, note="Checked.")
    revise(article, BODY.replace(CRIME, new_text))
    claim.refresh_from_db()
    return claim


# --- API ------------------------------------------------------------------------------------------


def test_the_api_lists_an_articles_bodies_and_gives_one(newsroom):
    key, raw = api_key_for(newsroom)
    api = client_for(raw)
    sent = api.post("/api/v1/articles", {"external_id": "a-1", "body": BODY}, format="json")
    assert sent.status_code == 202, sent.content
    article_id = sent.json()["id"]
    api.post("/api/v1/articles", {"external_id": "a-1", "body": BODY.replace("20", "25")}, format="json")

    listed = api.get(f"/api/v1/articles/{article_id}/history")
    assert listed.status_code == 200
    rows = listed.json()["results"]
    assert [row["revision"] for row in rows] == [1, 2]
    assert {row["sent_by"] for row in rows} == {f"API key tests ({key.prefix})"}
    assert set(rows[0]) == {"revision", "format", "body_hash", "sent_by", "received_at"}

    one = api.get(f"/api/v1/articles/{article_id}/history/2").json()
    assert one["body"] == BODY.replace("20", "25") and one["revision"] == 2
    assert api.get(f"/api/v1/articles/{article_id}/history/3").status_code == 404


def test_the_api_diffs_any_two_revisions(newsroom):
    api = client_for(api_key_for(newsroom)[1])
    article = article_submit(actor=Actor.system(), newsroom=newsroom, external_id="a-1", body=BODY)
    article_submit(
        actor=Actor.system(), newsroom=newsroom, external_id="a-1", body=BODY.replace(CRIME, STYLED)
    )

    diff = api.get(f"/api/v1/articles/{article.pk}/diff", {"older": 1, "newer": 2})
    assert diff.status_code == 200, diff.content
    body = diff.json()
    assert (body["older"]["revision"], body["newer"]["revision"], body["added"], body["removed"]) == (
        1,
        2,
        1,
        1,
    )
    assert {"op": "delete", "line": CRIME} in body["lines"] and {"op": "insert", "line": STYLED} in body[
        "lines"
    ]
    assert f"-{CRIME}\n+{STYLED}" in body["unified"]
    backwards = api.get(f"/api/v1/articles/{article.pk}/diff", {"older": 2, "newer": 1}).json()
    assert (backwards["added"], backwards["removed"]) == (1, 1)

    assert api.get(f"/api/v1/articles/{article.pk}/diff", {"older": 1, "newer": 9}).status_code == 404
    latest = api.get(f"/api/v1/articles/{article.pk}/diff").json()  # by default: the last two
    assert (latest["older"]["revision"], latest["newer"]["revision"]) == (1, 2)
    assert api.get(f"/api/v1/articles/{article.pk}/diff", {"older": 1}).json()["newer"]["revision"] == 2
    for query in ({"older": "x", "newer": 2}, {"older": 0, "newer": 1}, {"newer": -1}):
        response = api.get(f"/api/v1/articles/{article.pk}/diff", query)
        assert response.status_code == 400, query


def test_another_newsrooms_article_has_no_history_here(newsroom, other_newsroom):
    theirs = article_submit(actor=Actor.system(), newsroom=other_newsroom, external_id="t", body=BODY)
    api = client_for(api_key_for(newsroom)[1])
    for path in ("history", "history/1", "diff?older=1&newer=1"):
        assert api.get(f"/api/v1/articles/{theirs.pk}/{path}").status_code == 404, path


def test_the_claim_detail_shows_the_change_since_the_verdict(newsroom, checker):
    claim = verified_then_revised(newsroom, checker, STYLED)
    body = client_for(api_key_for(newsroom)[1]).get(f"/api/v1/claims/{claim.pk}").json()
    assert (body["status"], body["text"], body["verdict_text"]) == ("verified", STYLED, CRIME)
    assert body["changed_since_verdict"] is True
    assert {"op": "delete", "text": "percent"} in body["diff_since_verdict"]
    assert {"op": "insert", "text": "per cent"} in body["diff_since_verdict"]
    assert body["predecessor"] is None
    assert len(body["sources"]) == 1


# --- Admin ----------------------------------------------------------------------------------------


def test_the_claim_page_marks_a_carried_over_verdict_and_escapes_its_diff(client, newsroom, checker):
    claim = verified_then_revised(newsroom, checker, MARKUP)
    assert claim.status == ClaimStatus.VERIFIED  # markup is no number, name, negation or attribution
    client.force_login(checker.user)
    html = client.get(reverse("admin:factcheck_reviewitem_change", args=[claim.pk])).content.decode()

    assert 'id="claim-changed-since-verdict" data-status="verified"' in html
    assert "Changed since the verdict." in html and "carried over" in html
    diff = html.split('id="claim-verdict-diff">', 1)[1].split("</p>", 1)[0]
    assert '<del class="removed">percent</del><ins class="added">per cent&lt;/b&gt;</ins>' in diff
    assert '<ins class="added">&lt;b&gt;20</ins>' in diff
    assert "<b>20" not in html


def test_the_claim_page_says_when_the_change_sent_the_claim_back(client, newsroom, checker):
    claim = verified_then_revised(newsroom, checker, CRIME.replace("20", "25"))
    client.force_login(checker.user)
    html = client.get(reverse("admin:factcheck_reviewitem_change", args=[claim.pk])).content.decode()
    assert 'id="claim-changed-since-verdict" data-status="in_review"' in html
    assert "back in review" in html


def test_an_unchanged_verdict_has_no_mark(client, newsroom, checker):
    claim = verified_then_revised(newsroom, checker, CRIME)
    client.force_login(checker.user)
    html = client.get(reverse("admin:factcheck_reviewitem_change", args=[claim.pk])).content.decode()
    assert "claim-changed-since-verdict" not in html.split("</style>")[-1]  # the page, past its CSS


def test_the_article_revisions_page_compares_any_two_escaped(client, newsroom):
    client.force_login(member(newsroom, Role.EDITOR, "edna"))
    article = article_submit(actor=Actor.system(), newsroom=newsroom, external_id="a-1", body=BODY)
    for body in (BODY.replace(CRIME, MARKUP), BODY.replace(CRIME, STYLED)):
        article_submit(actor=Actor.system(), newsroom=newsroom, external_id="a-1", body=body)
    page = reverse("admin:editorial_article_revisions", args=[article.pk])

    latest = client.get(page).content.decode()  # by default the last two
    assert latest.count('class="revision" data-revision=') == 3
    assert "From revision 2 to revision 3" in latest
    assert "&lt;b&gt;20 per cent&lt;/b&gt;" in latest and "<b>20" not in latest

    html = client.get(page, {"older": 1, "newer": 3}).content.decode()
    assert "From revision 1 to revision 3: 1 line added, 1 removed." in html
    assert f"<del>{CRIME}</del>" in html and f"<ins>{STYLED}</ins>" in html
    assert "no such revision" in client.get(page, {"older": 1, "newer": 7}).content.decode()
    change = client.get(reverse("admin:editorial_article_change", args=[article.pk])).content.decode()
    assert f'href="{page}" id="article-revisions-link">3 revisions kept' in change


def test_another_newsrooms_article_revisions_are_not_found(client, newsroom, other_newsroom):
    client.force_login(member(newsroom, Role.EDITOR, "edna"))
    theirs = article_submit(actor=Actor.system(), newsroom=other_newsroom, external_id="t", body=BODY)
    response = client.get(reverse("admin:editorial_article_revisions", args=[theirs.pk]))
    assert response.status_code == 404


def test_the_history_list_costs_the_same_queries_however_many_revisions(newsroom, django_assert_num_queries):
    api = client_for(api_key_for(newsroom)[1])
    article = article_submit(actor=Actor.system(), newsroom=newsroom, external_id="a-1", body=BODY)
    path = f"/api/v1/articles/{article.pk}/history"
    api.get(path)  # the key's first use writes its last-used time; count from the second request
    with CaptureQueriesContext(connection) as one:
        assert api.get(path).status_code == 200
    for n in range(9):
        article_submit(actor=Actor.system(), newsroom=newsroom, external_id="a-1", body=f"{BODY} {n}")
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(api.get(path).json()["results"]) == 10
