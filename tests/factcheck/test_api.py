"""The REST API, /api/v1/, through Django's test client: authentication, tenancy, errors, limits, schema."""

from __future__ import annotations

import json

import pytest
import yaml
from django.core.management import call_command
from rest_framework.test import APIClient

from editorial.models import AnalysisStatus, Article
from editorial.services import api_key_revoke
from factcheck.analysis.pipeline import analyze
from factcheck.models import AttributionFlag, Claim, ClaimEvent, ExcludedBlock
from tests.factories import DeskFactory, api_key_for, client_for

pytestmark = pytest.mark.django_db

BUDGET = "The council approved a budget of $4.2 million on Tuesday, the largest in a decade."
JOBS = "Unemployment in the city fell to 4.1 percent in March, according to the statistics office."
HOSPITAL = "The new hospital will open in 2027 and employ 1,200 people."
BODY = f"{BUDGET}\n\n{JOBS}\n\nPhoto: Jane Doe/Reuters"
HTML_BODY = (
    f"<h1>Budget approved</h1><p>{BUDGET}</p><p>{JOBS}</p><figcaption>Photo: Jane Doe/Reuters</figcaption>"
)


def submit(api, capture, **fields):
    """POST an article and run what the submission queued on commit (the analysis, eagerly in tests)."""
    payload = {"external_id": "cms-1", "body": BODY, **fields}
    with capture(execute=True):
        return api.post("/api/v1/articles", payload, format="json")


def assert_error(response, status: int, code: str | None = None):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "detail", "errors"}
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["errors"], dict)
    if code is not None:
        assert body["code"] == code
    return body


# --- Submitting and reading articles ---------------------------------------------------------


def test_submit_answers_202_and_the_article_is_analysed(api, django_capture_on_commit_callbacks):
    response = submit(api, django_capture_on_commit_callbacks, title="Budget", format="text")

    assert response.status_code == 202, response.content
    body = response.json()
    article = Article.objects.get()
    assert body["id"] == article.pk
    assert body["url"] == f"http://testserver/api/v1/articles/{article.pk}"
    assert response["Location"] == body["url"]
    assert body["revision"] == 1
    assert body["analysis_status"] == AnalysisStatus.RECEIVED  # as it was when the answer was written

    detail = api.get(body["url"])
    assert detail.status_code == 200
    data = detail.json()
    assert data["analysis_status"] == AnalysisStatus.ANALYZED
    assert (data["revision"], data["analyzed_revision"], data["title"]) == (1, 1, "Budget")
    expected = analyze(BODY)
    assert data["canonical_text"] == expected.text
    assert [claim["text"] for claim in data["claims"]] == [claim.text for claim in expected.claims]
    assert BUDGET in [claim["text"] for claim in data["claims"]]
    for claim in data["claims"]:
        assert {"text", "start", "end", "kind", "checkworthiness", "flags", "flagged", "status"} <= set(claim)
        assert data["canonical_text"][claim["start"] : claim["end"]] == claim["text"]
        assert 0 <= claim["checkworthiness"] <= 1
        assert isinstance(claim["flags"], list)
    assert [item["text"] for item in data["excluded"]] == [item.text for item in expected.excluded]


def test_an_html_article_is_analysed_into_text_offsets(api, django_capture_on_commit_callbacks):
    response = submit(api, django_capture_on_commit_callbacks, body=HTML_BODY, format="html")
    assert response.status_code == 202

    data = api.get(response["Location"]).json()

    assert data["format"] == "html"
    assert "<p>" not in data["canonical_text"]
    texts = [claim["text"] for claim in data["claims"]]
    assert BUDGET in texts and JOBS in texts
    for claim in data["claims"]:
        assert data["canonical_text"][claim["start"] : claim["end"]] == claim["text"]


def test_resubmitting_the_same_body_keeps_the_revision(api, django_capture_on_commit_callbacks):
    first = submit(api, django_capture_on_commit_callbacks).json()
    claim_ids = list(Claim.objects.order_by("id").values_list("id", flat=True))

    again = submit(api, django_capture_on_commit_callbacks, title="A new headline")

    assert again.status_code == 202
    assert again.json()["id"] == first["id"]
    assert again.json()["revision"] == 1
    assert again.json()["analysis_status"] == AnalysisStatus.ANALYZED
    assert list(Claim.objects.order_by("id").values_list("id", flat=True)) == claim_ids
    assert Article.objects.get().title == "A new headline"


def test_a_changed_body_is_a_new_revision(api, django_capture_on_commit_callbacks):
    first = submit(api, django_capture_on_commit_callbacks).json()
    budget_id = Claim.objects.get(text=BUDGET).pk

    changed = submit(api, django_capture_on_commit_callbacks, body=f"{BUDGET}\n\n{HOSPITAL}")

    assert changed.json()["revision"] == 2
    data = api.get(first["url"]).json()
    assert (data["revision"], data["analyzed_revision"]) == (2, 2)
    claims = {claim["text"]: claim for claim in data["claims"]}
    assert set(claims) == {BUDGET, HOSPITAL}
    assert claims[BUDGET]["id"] == budget_id
    assert all(claim["status"] != "superseded" for claim in data["claims"])


def test_submit_with_a_desk_of_the_newsroom(api, newsroom, django_capture_on_commit_callbacks):
    DeskFactory(newsroom=newsroom, slug="politics")
    response = submit(api, django_capture_on_commit_callbacks, desk="politics")
    assert response.status_code == 202
    assert api.get(response["Location"]).json()["desk"] == "politics"


def test_submit_with_a_publication_date(api, django_capture_on_commit_callbacks):
    response = submit(api, django_capture_on_commit_callbacks, published_on="2026-11-30")
    assert response.status_code == 202
    assert api.get(response["Location"]).json()["published_on"] == "2026-11-30"


def test_a_publication_date_that_is_no_date_is_a_400(api, django_capture_on_commit_callbacks):
    response = submit(api, django_capture_on_commit_callbacks, published_on="last Tuesday")
    body = assert_error(response, 400)
    assert "published_on" in body["errors"]
    assert not Article.objects.exists()


# --- Tenancy ---------------------------------------------------------------------------------


def test_another_newsroom_cannot_see_the_article(api, other_newsroom, django_capture_on_commit_callbacks):
    url = submit(api, django_capture_on_commit_callbacks).json()["url"]
    assert Claim.objects.exists()
    theirs = client_for(api_key_for(other_newsroom)[1])

    response = theirs.get(url)
    not_there = theirs.get("/api/v1/articles/999999")

    body = assert_error(response, 404, "not_found")
    assert body == not_there.json()  # indistinguishable from an article that does not exist
    assert theirs.get("/api/v1/claims").json()["results"] == []
    article_id = Article.objects.get().pk
    assert theirs.get(f"/api/v1/claims?article={article_id}").json()["results"] == []
    assert api.get(f"/api/v1/claims?article={article_id}").json()["results"] != []


def test_another_newsroom_cannot_use_the_desk(api, other_newsroom):
    DeskFactory(newsroom=other_newsroom, slug="business")
    response = api.post(
        "/api/v1/articles", {"external_id": "cms-1", "body": BODY, "desk": "business"}, format="json"
    )
    body = assert_error(response, 400, "invalid")
    assert "business" in body["errors"]["desk"][0]
    assert not Article.objects.exists()


# --- Invalid input ---------------------------------------------------------------------------


def test_malformed_json_is_a_400_with_the_error_body(api):
    response = api.post(
        "/api/v1/articles", '{"external_id": "cms-1", "body": ', content_type="application/json"
    )
    body = assert_error(response, 400, "parse_error")
    assert "JSON" in body["detail"]
    assert not Article.objects.exists()


def test_a_body_that_is_not_utf8_is_a_400(api):
    response = api.post("/api/v1/articles", b'{"body": "\xff\xfe"}', content_type="application/json")
    assert_error(response, 400, "parse_error")


@pytest.mark.parametrize(
    ("payload", "field", "words"),
    [
        pytest.param({"body": BODY}, "external_id", "required", id="missing-external-id"),
        pytest.param({"external_id": "cms-1"}, "body", "required", id="missing-body"),
        pytest.param(
            {"external_id": "cms-1", "body": BODY, "format": "pdf"}, "format", "pdf", id="bad-format"
        ),
        pytest.param({"external_id": "cms-1", "body": BODY, "url": "not a url"}, "url", "URL", id="bad-url"),
        pytest.param(
            {"external_id": "cms-1", "body": BODY, "desk": "sport"}, "desk", "sport", id="unknown-desk"
        ),
        pytest.param({"external_id": "x" * 201, "body": BODY}, "external_id", "200", id="long-external-id"),
        pytest.param({"external_id": "cms-1", "body": ["text"]}, "body", "string", id="body-not-text"),
    ],
)
def test_invalid_fields_are_a_400_with_a_message_per_field(api, payload, field, words):
    response = api.post("/api/v1/articles", payload, format="json")

    body = assert_error(response, 400, "invalid")
    assert field in body["errors"]
    assert all(isinstance(message, str) for message in body["errors"][field])
    assert words in body["errors"][field][0]
    assert field in body["detail"]
    assert not Article.objects.exists()


def test_several_invalid_fields_are_all_reported(api):
    response = api.post("/api/v1/articles", {"format": "pdf", "url": "nope"}, format="json")
    body = assert_error(response, 400, "invalid")
    assert {"external_id", "body", "format", "url"} <= set(body["errors"])


@pytest.mark.parametrize("text", ["", "   \n\t  "], ids=["empty", "whitespace"])
def test_an_empty_article_is_a_400_with_a_clear_message(api, text):
    response = api.post("/api/v1/articles", {"external_id": "cms-1", "body": text}, format="json")
    body = assert_error(response, 400, "invalid")
    assert body["errors"]["body"] == ["The article is empty: there is nothing to check."]
    assert not Article.objects.exists()


def test_an_empty_request_body_is_a_400(api):
    response = api.post("/api/v1/articles", "", content_type="application/json")
    body = assert_error(response, 400)
    assert {"external_id", "body"} <= set(body["errors"])


@pytest.mark.parametrize("payload", ["[]", '[{"external_id": "cms-1"}]', "null", '"text"', "42"])
def test_json_that_is_not_an_object_is_a_400(api, payload):
    response = api.post("/api/v1/articles", payload, content_type="application/json")
    body = assert_error(response, 400)
    assert body["errors"], body
    assert not Article.objects.exists()


def test_an_article_over_the_character_limit_is_a_400(api, settings):
    settings.FACTDESK_MAX_ARTICLE_CHARS = 100
    response = api.post("/api/v1/articles", {"external_id": "cms-1", "body": "word " * 30}, format="json")
    body = assert_error(response, 400, "invalid")
    assert "limit is 100" in body["errors"]["body"][0]


# --- Size limit ------------------------------------------------------------------------------


def test_a_body_over_the_default_limit_is_a_413(api, settings):
    assert settings.FACTDESK_MAX_BODY_BYTES == 16_000_000
    payload = json.dumps({"external_id": "cms-1", "body": "x" * 16_000_000})

    response = api.post("/api/v1/articles", payload, content_type="application/json")

    body = assert_error(response, 413, "request_too_large")
    assert "16,000,000 bytes" in body["detail"]
    assert not Article.objects.exists()


def test_the_size_limit_is_a_setting(api, settings, django_capture_on_commit_callbacks):
    payload = json.dumps({"external_id": "cms-1", "body": BODY})
    settings.FACTDESK_MAX_BODY_BYTES = len(payload) - 1
    assert_error(api.post("/api/v1/articles", payload, content_type="application/json"), 413)

    settings.FACTDESK_MAX_BODY_BYTES = len(payload)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/articles", payload, content_type="application/json")
    assert response.status_code == 202


# --- Authentication --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/api/v1/claims"), ("get", "/api/v1/articles/1"), ("post", "/api/v1/articles"),
     ("post", "/api/v1/analyze")],
)  # fmt: skip
def test_no_key_is_a_401_with_a_challenge(anonymous_api, method, path):
    response = getattr(anonymous_api, method)(path, {"external_id": "x", "body": BODY}, format="json")
    body = assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Api-Key"
    assert "Api-Key" in body["detail"]
    assert not Article.objects.exists()


@pytest.mark.parametrize(
    "header",
    [
        pytest.param("Token {key}", id="wrong-scheme"),
        pytest.param("Bearer", id="no-bearer-key"),
        pytest.param("Api-Key", id="no-key"),
        pytest.param("Api-Key fd_garbage", id="garbage"),
        pytest.param("Api-Key {key}x", id="wrong-secret"),
        pytest.param("Api-Key fd_0123456789ab.notthesecret", id="unknown-prefix"),
        pytest.param("Api-Key kéy", id="not-ascii"),
    ],
)
def test_a_bad_key_is_a_401(api_key, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header.format(key=api_key[1]))
    response = client.get("/api/v1/claims")
    assert_error(response, 401, "authentication_failed")
    assert response["WWW-Authenticate"] == "Api-Key"


def test_a_revoked_key_is_a_401(api, api_key):
    assert api.get("/api/v1/claims").status_code == 200
    api_key_revoke(api_key=api_key[0])
    response = api.get("/api/v1/claims")
    body = assert_error(response, 401, "authentication_failed")
    assert "revoked" in body["detail"]


@pytest.mark.parametrize("scheme", ["api-key", "Api-Key", "Bearer", "bearer"])
def test_the_key_goes_in_either_scheme_of_any_case(api_key, scheme):
    """Bearer is what generated clients send by default (openapi-python-client's AuthenticatedClient)."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{scheme} {api_key[1]}")
    assert client.get("/api/v1/claims").status_code == 200


# --- Listing claims --------------------------------------------------------------------------


def make_articles(api, capture, count: int) -> list[int]:
    ids = []
    for n in range(count):
        body = (
            f"{BUDGET}\n\n{JOBS}\n\nThe meeting number {n + 1} ended at {n + 1} pm after 3 hours of debate."
        )
        ids.append(submit(api, capture, external_id=f"cms-{n}", body=body).json()["id"])
    return ids


def flag_claims(claims, flags_each: int) -> None:
    """Flags as the attribution analysis would store them, made directly for the listing tests."""
    for claim in claims:
        Claim.objects.filter(pk=claim.pk).update(is_flagged=True, flag_kinds=",vague_collective,")
        AttributionFlag.objects.bulk_create(
            AttributionFlag(
                claim=claim,
                kind="vague_collective",
                cue="critics",
                start=claim.start + i,
                end=claim.start + i + 1,
                severity="medium",
                message="Which critics?",
            )
            for i in range(flags_each)
        )


def all_pages(api, url):
    results, pages = [], 0
    while url:
        response = api.get(url)
        assert response.status_code == 200, response.content
        page = response.json()
        results += page["results"]
        url, pages = page["next"], pages + 1
    return results, pages


def test_claims_filter_by_article_and_flag(api, django_capture_on_commit_callbacks):
    first, second = make_articles(api, django_capture_on_commit_callbacks, 2)
    flag_claims(Claim.objects.filter(article_id=first, text=BUDGET), flags_each=2)

    everything = api.get("/api/v1/claims").json()["results"]
    of_first = api.get(f"/api/v1/claims?article={first}").json()["results"]
    flagged = api.get("/api/v1/claims?flagged=true").json()["results"]
    unflagged = api.get("/api/v1/claims?flagged=false").json()["results"]

    assert len(everything) == Claim.objects.count()
    assert {claim["article"] for claim in of_first} == {first}
    assert len(of_first) == Claim.objects.filter(article_id=first).count()
    assert [(claim["article"], claim["text"], claim["flagged"]) for claim in flagged] == [
        (first, BUDGET, True)
    ]
    assert [flag["message"] for flag in flagged[0]["flags"]] == ["Which critics?", "Which critics?"]
    assert len(unflagged) == len(everything) - 1
    assert not any(claim["flagged"] for claim in unflagged)
    both = api.get(f"/api/v1/claims?article={second}&flagged=true").json()["results"]
    assert both == []


def test_claims_filter_by_flag_kind(api, django_capture_on_commit_callbacks):
    body = (
        "Experts warn the levee could fail. The mayor allegedly ignored the warning. The river rose 2 metres."
    )
    submit(api, django_capture_on_commit_callbacks, body=body)

    hedged = api.get("/api/v1/claims?flag_kind=hedge").json()["results"]
    experts = api.get("/api/v1/claims?flag_kind=anonymous_experts").json()["results"]
    assert [claim["text"] for claim in hedged] == ["The mayor allegedly ignored the warning."]
    assert [claim["text"] for claim in experts] == ["Experts warn the levee could fail."]
    assert api.get("/api/v1/claims?flag_kind=vague_collective").json()["results"] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("flagged=perhaps", "flagged"),
        ("article=abc", "article"),
        ("article=0", "article"),
        ("flag_kind=gossip", "flag_kind"),
    ],
)
def test_a_bad_filter_is_a_400(api, query, field):
    body = assert_error(api.get(f"/api/v1/claims?{query}"), 400, "invalid")
    assert field in body["errors"]


def test_claims_are_paginated_by_cursor(api, django_capture_on_commit_callbacks):
    make_articles(api, django_capture_on_commit_callbacks, 3)
    total = Claim.objects.count()
    assert total >= 9

    first_page = api.get("/api/v1/claims?page_size=4").json()
    assert len(first_page["results"]) == 4
    assert first_page["previous"] is None
    assert "cursor=" in first_page["next"]
    results, pages = all_pages(api, "/api/v1/claims?page_size=4")

    ids = [claim["id"] for claim in results]
    assert ids == sorted(Claim.objects.values_list("id", flat=True))
    assert pages == -(-total // 4)


def test_a_garbled_cursor_is_not_a_500(api):
    response = api.get("/api/v1/claims?cursor=%%%not-a-cursor")
    assert_error(response, 404)


def test_listing_claims_takes_a_fixed_number_of_queries(
    api, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    # The key lookup, the page of claims (with articles, desks and assignees joined), their flags.
    make_articles(api, django_capture_on_commit_callbacks, 1)
    api.get("/api/v1/claims")  # records the key's use, a write done at most once a minute
    with django_assert_max_num_queries(3):
        few = api.get("/api/v1/claims").json()["results"]

    make_articles(api, django_capture_on_commit_callbacks, 8)
    flag_claims(Claim.objects.all(), flags_each=3)
    with django_assert_max_num_queries(3):
        many = api.get("/api/v1/claims").json()["results"]

    assert len(many) > 3 * len(few)
    assert all(len(claim["flags"]) == 3 for claim in many)


def test_reading_an_article_takes_a_fixed_number_of_queries(
    api, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    # The key lookup, the article with its desk, its claims, their flags, its excluded blocks.
    url = make_articles(api, django_capture_on_commit_callbacks, 1)[0]
    flag_claims(Claim.objects.all(), flags_each=4)
    api.get(f"/api/v1/articles/{url}")
    with django_assert_max_num_queries(5):
        data = api.get(f"/api/v1/articles/{url}").json()
    assert len(data["claims"]) >= 3
    assert all(len(claim["flags"]) == 4 for claim in data["claims"])


# --- The stateless preview -------------------------------------------------------------------


def test_analyze_returns_the_analysis_and_stores_nothing(api):
    response = api.post("/api/v1/analyze", {"text": BODY}, format="json")

    assert response.status_code == 200, response.content
    data = response.json()
    assert data == json.loads(json.dumps(analyze(BODY).as_dict()))
    assert set(data) == {"claims", "excluded"}
    claim = data["claims"][0]
    assert set(claim) == {
        "index",
        "text",
        "start",
        "end",
        "paragraph",
        "kind",
        "checkworthiness",
        "reasons",
        "flags",
    }
    assert BODY[claim["start"] : claim["end"]] == claim["text"]  # plain text keeps its offsets
    assert [item["reason"] for item in data["excluded"]]
    for model in (Article, Claim, ClaimEvent, ExcludedBlock):
        assert not model.objects.exists()


def test_analyze_html(api):
    response = api.post("/api/v1/analyze", {"text": HTML_BODY, "format": "html"}, format="json")
    assert response.status_code == 200
    assert BUDGET in [claim["text"] for claim in response.json()["claims"]]


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"text": "  "}, "text"), ({"text": BODY, "format": "pdf"}, "format"), ({}, "text")],
)
def test_analyze_refuses_what_it_cannot_analyse(api, payload, field):
    body = assert_error(api.post("/api/v1/analyze", payload, format="json"), 400, "invalid")
    assert field in body["errors"]


# --- Schema ----------------------------------------------------------------------------------


def test_the_schema_is_served_without_a_key(anonymous_api):
    response = anonymous_api.get("/api/v1/schema")

    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["info"]["title"] == "Factdesk API"
    paths = schema["paths"]
    assert {
        "/api/v1/articles",
        "/api/v1/articles/{article_id}",
        "/api/v1/claims",
        "/api/v1/analyze",
    } <= set(paths)
    assert paths["/api/v1/articles"]["post"]["operationId"] == "article_submit"
    assert "202" in paths["/api/v1/articles"]["post"]["responses"]
    assert {"ArticleSubmitInput", "ArticleOutput", "ClaimOutput", "AnalyzeOutput"} <= set(
        schema["components"]["schemas"]
    )
    assert {"article", "flagged", "cursor"} <= {
        p["name"] for p in paths["/api/v1/claims"]["get"]["parameters"]
    }


def test_the_schema_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = yaml.safe_load(out.read_text())
    assert schema["openapi"].startswith("3.")
    assert schema["paths"]
